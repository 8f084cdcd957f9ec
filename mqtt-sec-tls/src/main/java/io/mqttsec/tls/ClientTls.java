/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.KeyChecks;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client's TLS, built by {@link TlsContexts#forClient()}: the CAs it trusts, optionally its own certificate
 * for mutual TLS, TLS 1.3 and 1.2 only, and host name verification (unless turned off with
 * {@code insecureSkipHostnameVerification()}).
 *
 * <p>Host name verification lives in {@link SSLParameters}, not in the {@link SSLContext}: connect through
 * {@link #connect(String, int)} or {@link #newEngine(String, int)}, or apply {@link #sslParameters(String)}
 * yourself. Thread-safe; everything is fixed at build time but the client's identity, which
 * {@link #replaceIdentity} renews for the handshakes that follow.
 */
public final class ClientTls {

  private final SSLContext context;
  private final LiveIdentity identity;
  private final KeyManagerFactory keyManagers;
  private final TrustManagerFactory trustManagers;
  private final String[] protocols;
  private final boolean verifyHostname;

  ClientTls(List<X509Certificate> trusted, List<X509Certificate> chain, PrivateKey key, String[] protocols,
            boolean verifyHostname) {
    this.protocols = protocols;
    this.verifyHostname = verifyHostname;
    try {
      trustManagers = TrustManagerFactory.getInstance("PKIX");
      trustManagers.init(trusted == null ? null : ServerMaterial.trustStore(trusted));
      KeyManager[] keys = null;
      if (chain != null) {
        identity = new LiveIdentity(key, chain);
        keyManagers = identity.factory();
        keys = keyManagers.getKeyManagers();
      } else {
        identity = null;
        keyManagers = null;
      }
      context = TlsVersions.newContext();
      context.init(keys, trustManagers.getTrustManagers(), null);
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException("cannot build the client TLS context (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Presents {@code privateKey} and {@code certificateChain} (leaf first) from the next handshake on, as a renewal
   * does ({@link CertificateRenewer}); connections already made keep theirs. A key held in a token serves as well
   * as one in memory: it is only ever asked to sign.
   *
   * @throws IllegalStateException if this client was built without an identity
   * @throws TlsConfigException if the key does not belong to the chain's first certificate
   */
  public void replaceIdentity(PrivateKey privateKey, List<X509Certificate> certificateChain) {
    if (identity == null) {
      throw new IllegalStateException("this client was built without a certificate: there is none to replace");
    }
    if (certificateChain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least the client's certificate");
    }
    KeyChecks.requireMatch(privateKey, certificateChain.get(0), "key", "certificate");
    // ends the sessions of every context the identity served (this one, and a client library's own), so no
    // resumed session presents the old certificate
    identity.replace(privateKey, List.copyOf(certificateChain));
  }

  /** The certificate chain presented now (leaf first), or an empty list without one. */
  public List<X509Certificate> identityChain() {
    return identity == null ? List.of() : identity.chain();
  }

  /** The context. Sockets made from its factory directly do <b>not</b> verify the host name. */
  public SSLContext sslContext() {
    return context;
  }

  /** The trust managers, for client libraries configured with factories (the HiveMQ MQTT client). */
  public TrustManagerFactory trustManagerFactory() {
    return trustManagers;
  }

  /**
   * The key managers holding the client certificate, or {@code null} without one. They follow
   * {@link #replaceIdentity}: a client library configured with this factory presents the renewed certificate on its
   * next connection.
   */
  public KeyManagerFactory keyManagerFactory() {
    return keyManagers;
  }

  /** Whether the server's certificate must name the host connected to. */
  public boolean verifiesHostname() {
    return verifyHostname;
  }

  /** The enabled protocols, newest first. */
  public List<String> protocols() {
    return List.of(protocols);
  }

  /** Parameters for a connection to {@code host}: protocols, suites, SNI and (unless off) host name checks. */
  public SSLParameters sslParameters(String host) {
    SSLParameters p = new SSLParameters(TlsVersions.cipherSuites(context), protocols.clone());
    if (verifyHostname) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (host != null && !host.isEmpty() && Character.isLetter(host.charAt(0))) {
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    return p;
  }

  /**
   * A socket factory for client libraries that take one (Eclipse Paho's {@code setSocketFactory}): every socket it
   * makes has this client's protocols and, unless turned off, host name verification against the host it connects
   * to; the identity follows {@link #replaceIdentity}.
   */
  public SSLSocketFactory socketFactory() {
    return new Factory(context.getSocketFactory());
  }

  /** Applies this client's parameters to every socket the context's factory makes. */
  private final class Factory extends SSLSocketFactory {
    private final SSLSocketFactory sockets;

    Factory(SSLSocketFactory sockets) {
      this.sockets = sockets;
    }

    private java.net.Socket configured(java.net.Socket socket, String host) {
      ((SSLSocket) socket).setSSLParameters(sslParameters(host));
      return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return TlsVersions.cipherSuites(context);
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return TlsVersions.cipherSuites(context);
    }

    @Override
    public java.net.Socket createSocket() throws IOException {
      return configured(sockets.createSocket(), null); // the host is known at connect: JSSE verifies that one
    }

    @Override
    public java.net.Socket createSocket(java.net.Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return configured(sockets.createSocket(s, host, port, autoClose), host);
    }

    @Override
    public java.net.Socket createSocket(String host, int port) throws IOException {
      return configured(sockets.createSocket(host, port), host);
    }

    @Override
    public java.net.Socket createSocket(String host, int port, java.net.InetAddress localHost, int localPort)
        throws IOException {
      return configured(sockets.createSocket(host, port, localHost, localPort), host);
    }

    @Override
    public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
      return configured(sockets.createSocket(host, port), host.getHostAddress());
    }

    @Override
    public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress localAddress,
        int localPort) throws IOException {
      return configured(sockets.createSocket(address, port, localAddress, localPort), address.getHostAddress());
    }
  }

  /** Connects to {@code host:port} and completes the handshake, so a refusal throws here. */
  public SSLSocket connect(String host, int port) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
    try {
      socket.setSSLParameters(sslParameters(host));
      socket.startHandshake();
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** A client-mode engine for {@code host:port} with {@link #sslParameters(String)} applied. */
  public SSLEngine newEngine(String host, int port) {
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    engine.setSSLParameters(sslParameters(host));
    return engine;
  }

  @Override
  public String toString() {
    return "ClientTls{protocols=" + String.join(",", protocols) + ", verifyHostname=" + verifyHostname
        + ", clientCertificate=" + (keyManagers != null) + "}";
  }
}
