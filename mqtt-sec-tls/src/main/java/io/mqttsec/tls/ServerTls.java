/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.Reloading;
import io.mqttsec.internal.SecureFiles;
import io.mqttsec.internal.WatchedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A server's TLS: an {@link SSLContext} and the parameters to use it with (TLS 1.3 and 1.2, AEAD suites,
 * the client-certificate policy), built by {@link TlsContexts#forServer(Path, Path)}.
 *
 * <p>The context stays the same object for the server's lifetime while what it holds may change: with
 * {@code reloadOnChange}, a change to the certificate chain, key, trusted CAs or CRL files is read, checked
 * whole and swapped in, so the next handshake uses it; a broken or mismatched file keeps the last good
 * material and publishes {@link SecurityEvent.PolicyReloadFailed}. Each swap also starts a new session cache
 * and new session-ticket keys, so no client resumes a session made under the old material: a device revoked
 * by a reloaded CRL must do a full handshake, and fails it.
 *
 * <p>Client certificates (with {@link ClientAuth#OPTIONAL} or {@link ClientAuth#REQUIRE}) are validated by the
 * JDK's PKIX against the trusted CAs, then checked against the CRLs: a revoked certificate, or one whose issuer
 * has no CRL or an overdue one, fails the handshake and publishes {@link SecurityEvent.CertificateRejected}.
 * {@link #checkClientChain} runs the same checks for an adapter that sees the chain after a handshake done by
 * someone else (HiveMQ CE checks no CRL itself).
 *
 * <p>Client-initiated renegotiation is refused (TLS 1.2; TLS 1.3 has none): see
 * {@link TlsContexts#refuseClientInitiatedRenegotiation()}, which loading this class calls.
 *
 * <p>A reload that would put a CRL in force older than the one in force from the same issuer (a lower CRL
 * number, or an earlier {@code thisUpdate}) is refused like a broken file.
 *
 * <p>Thread-safe. {@link #close()} stops watching files and the expiry monitor.
 */
public final class ServerTls implements AutoCloseable {

  static {
    // before the first handshake this class makes: the JDK reads the switch once
    TlsContexts.refuseClientInitiatedRenegotiation();
  }

  private final SSLContext context;
  private volatile SSLContext jdkContext;
  private final SSLParameters parameters;
  private final ServerMaterial.Sources sources;
  private final SecurityEventListener listener;
  private final Clock clock;
  private final ExpiryMonitor expiry;
  private final List<WatchedFile> watches = new ArrayList<>();
  private final Reloading.Callbacks<Void> reloadCallbacks = new Reloading.Callbacks<>();
  private final ScheduledExecutorService monitor;
  private final String description;
  private volatile ServerMaterial current;
  private volatile ServerMaterial previous;
  private long generation;

  ServerTls(TlsContexts.ServerBuilder b, ServerMaterial.Sources sources, String description) {
    this.sources = sources;
    this.listener = b.listener;
    this.clock = b.clock;
    this.description = description;
    this.current = ServerMaterial.load(sources, ++generation);
    this.expiry = new ExpiryMonitor(listener);
    this.jdkContext = newJdkContext();
    this.context = new GenerationalContext(() -> jdkContext);
    SSLParameters p = new SSLParameters(TlsVersions.cipherSuites(context), TlsVersions.protocols(b.minimumVersion));
    p.setUseCipherSuitesOrder(true);
    switch (b.clientAuth) {
      case REQUIRE -> p.setNeedClientAuth(true);
      case OPTIONAL -> p.setWantClientAuth(true);
      case NONE -> {
      }
    }
    this.parameters = p;
    if (b.reloadOnChange) {
      for (Path path : b.watchedFiles()) {
        watches.add(WatchedFile.watch(path, b.pollInterval, () -> reload(path.toString())));
      }
      reload(description); // a change between the first load and the watch is not missed
    }
    expiry.check(current, clock.instant());
    if (b.hasListener) {
      monitor = ExpiryMonitor.hourly(this::checkExpiry);
    } else {
      monitor = null;
    }
  }

  /** The context; use it with {@link #sslParameters()} (or through {@link #newEngine()}). */
  public SSLContext sslContext() {
    return context;
  }

  /** A copy of the parameters every server engine or socket should use: protocols, suites, client auth. */
  public SSLParameters sslParameters() {
    SSLParameters copy = new SSLParameters(parameters.getCipherSuites(), parameters.getProtocols());
    copy.setUseCipherSuitesOrder(true);
    copy.setNeedClientAuth(parameters.getNeedClientAuth());
    if (!parameters.getNeedClientAuth()) {
      copy.setWantClientAuth(parameters.getWantClientAuth());
    }
    return copy;
  }

  /** A server-mode engine with {@link #sslParameters()} applied, for Netty-style brokers. */
  public SSLEngine newEngine() {
    SSLEngine engine = jdkContext.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setSSLParameters(sslParameters());
    return engine;
  }

  /**
   * A listening socket whose {@link ServerSocket#accept()} returns a server-mode {@link SSLSocket} with
   * {@link #sslParameters()} applied, made from the material in force when the connection arrives (so a
   * reload reaches connections accepted by a socket opened before it). Port 0 picks a free one.
   */
  public ServerSocket newServerSocket(InetAddress bindAddress, int port) throws IOException {
    return new TlsServerSocket(bindAddress, port);
  }

  private final class TlsServerSocket extends ServerSocket {
    TlsServerSocket(InetAddress bindAddress, int port) throws IOException {
      super(port, 50, bindAddress);
    }

    @Override
    public Socket accept() throws IOException {
      Socket plain = super.accept();
      try {
        SSLSocket tls = (SSLSocket) jdkContext.getSocketFactory().createSocket(plain, null, true);
        tls.setSSLParameters(sslParameters());
        return tls;
      } catch (IOException | RuntimeException e) {
        plain.close();
        throw e;
      }
    }
  }

  /** The certificate chain presented now (the leaf first). */
  public List<X509Certificate> certificateChain() {
    return current.chain;
  }

  /** The CAs trusted for client certificates now. */
  public List<X509Certificate> trustedCertificates() {
    return current.trusted;
  }

  /**
   * Checks a client's chain exactly as the handshake does: trusted by a configured CA, valid now, and not
   * revoked by the CRLs in force. For adapters whose broker did the handshake.
   *
   * <p>Never throws for a bad chain: the answer is a {@link Decision} whose reason says why.
   */
  public Decision checkClientChain(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return Decision.deny("no client certificate");
    }
    ServerMaterial m = current;
    String problem = ClientCertificateVerifier.refusal(m.trustManager, m.crls, chain,
        ClientCertificateVerifier.authType(chain[0]), clock.instant(), listener);
    return problem == null ? Decision.allow("certificate trusted and not revoked") : Decision.deny(problem);
  }

  /**
   * Reads every file again now and swaps the material in if it is all good.
   *
   * @return whether the new material is in force; when not, the old stays and an event says why
   */
  public boolean reload() {
    return reload(description);
  }

  private synchronized boolean reload(String source) {
    boolean loaded = Reloading.reload(listener, clock, source, () -> {
      ServerMaterial next = ServerMaterial.load(sources, generation + 1);
      CrlIndex.requireNoRollback(current.crls, next.crls, source);
      return next;
    }, next -> {
      generation++;
      previous = current;
      current = next;
      invalidateSessions();
    }, ServerTls::summary, e -> e.getMessage() + "; the previous certificate, key, CAs and CRLs stay in force");
    if (loaded) {
      expiry.check(current, clock.instant());
      reloadCallbacks.run(null);
    }
    return loaded;
  }

  /**
   * Runs {@code callback} after each successful reload, on the reloading thread: for example to write the new
   * certificate into a broker's key store ({@link #toPkcs12}) when the broker does its own handshakes.
   */
  public void onReload(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    reloadCallbacks.add(ignored -> callback.run());
  }

  /** A fresh JDK context: new session cache and ticket keys, the same (delegating) key and trust managers. */
  private SSLContext newJdkContext() {
    SSLContext jdk = TlsVersions.newContext();
    try {
      jdk.init(new X509ExtendedKeyManager[] {new Keys()}, new X509ExtendedTrustManager[] {new Trust()}, null);
    } catch (KeyManagementException e) {
      throw new TlsConfigException("cannot initialise TLS (" + e.getMessage() + ")", e);
    }
    return jdk;
  }

  private void invalidateSessions() {
    SSLSessionContext sessions = jdkContext.getServerSessionContext();
    for (byte[] id : Collections.list(sessions.getIds())) {
      var session = sessions.getSession(id);
      if (session != null) {
        session.invalidate();
      }
    }
    jdkContext = newJdkContext();
  }

  private static String summary(ServerMaterial m) {
    return "server certificate " + CertificateIdentity.of(m.chain).subjectDn() + " (sha256 "
        + CertificateIdentity.of(m.chain).sha256Fingerprint().substring(0, 16) + "...), " + m.trusted.size()
        + " trusted CA(s), " + (m.crls == null ? "no CRL" : m.crls.size() + " CRL(s) with "
        + m.crls.revokedCount() + " revoked serial(s)");
  }

  /**
   * Publishes {@link SecurityEvent.CertificateExpiring} for the server certificate, a trusted CA or a CRL's
   * {@code nextUpdate} that has come within 30, 14, 7 or 1 days, once per threshold. Runs at start, after
   * each reload and hourly while a listener is set; callable for a test with a moved clock.
   */
  public void checkExpiry() {
    expiry.check(current, clock.instant());
  }

  /**
   * Writes the server's key and chain as a PKCS#12 key store (alias {@code mqtt-sec}), for a broker that
   * takes a key store file (HiveMQ's TLS listener). The file is written atomically and readable by its owner
   * only (0600), and only when it does not already hold this key and chain under this password: a broker that
   * watches its key store sees a change only when there is one.
   *
   * <p><b>Security:</b> the file holds the private key, protected by {@code password} alone.
   */
  public void toPkcs12(Path file, char[] password) {
    ServerMaterial m = current;
    if (holds(file, password, m.chain, m.key)) {
      return;
    }
    writeStore(file, password, () -> {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("mqtt-sec", m.key, password, m.chain.toArray(new X509Certificate[0]));
      return store;
    });
  }

  /**
   * Writes the trusted CAs as a PKCS#12 trust store (0600), for a broker's client-certificate setting; as
   * {@link #toPkcs12}, only when the file does not hold them already.
   */
  public void trustStoreToPkcs12(Path file, char[] password) {
    List<X509Certificate> trusted = current.trusted;
    if (trusted.isEmpty()) {
      throw new IllegalStateException("no trusted certificates are configured");
    }
    if (holds(file, password, trusted, null)) {
      return;
    }
    writeStore(file, password, () -> ServerMaterial.trustStore(trusted));
  }

  /**
   * Whether {@code file} is a PKCS#12 store that opens with {@code password} and holds exactly {@code certificates}
   * (as one key entry's chain with {@code key}, or as trusted entries when {@code key} is null).
   */
  private static boolean holds(Path file, char[] password, List<X509Certificate> certificates, PrivateKey key) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      if (key != null) {
        java.security.Key stored = store.getKey("mqtt-sec", password);
        java.security.cert.Certificate[] chain = store.getCertificateChain("mqtt-sec");
        return store.size() == 1 && stored != null && java.util.Arrays.equals(stored.getEncoded(), key.getEncoded())
            && chain != null && List.of(chain).equals(certificates);
      }
      java.util.Set<java.security.cert.Certificate> found = new java.util.HashSet<>();
      for (String alias : java.util.Collections.list(store.aliases())) {
        found.add(store.getCertificate(alias));
      }
      return found.equals(new java.util.HashSet<>(certificates)) && store.size() == certificates.size();
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      return false; // unreadable, another password, or not a store: write it
    }
  }

  private interface StoreBuilder {
    KeyStore build() throws GeneralSecurityException, IOException;
  }

  private static void writeStore(Path file, char[] password, StoreBuilder builder) {
    Objects.requireNonNull(password, "password");
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      builder.build().store(out, password);
      SecureFiles.writeAtomically(file, out.toByteArray());
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException(file + ": cannot write the key store (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void close() {
    watches.forEach(WatchedFile::close);
    if (monitor != null) {
      monitor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "ServerTls{" + summary(current) + ", protocols=" + String.join(",", parameters.getProtocols()) + "}";
  }

  private void verifyClient(ServerMaterial m, X509Certificate[] chain, String authType)
      throws CertificateException {
    String problem = ClientCertificateVerifier.refusal(m.trustManager, m.crls, chain, authType, clock.instant(),
        listener);
    if (problem != null) {
      throw new CertificateException(problem);
    }
  }

  private ServerMaterial byAlias(String alias) {
    ServerMaterial m = current;
    if (m.alias.equals(alias)) {
      return m;
    }
    ServerMaterial p = previous;
    return p != null && p.alias.equals(alias) ? p : m;
  }

  /** Hands JSSE the key of the material in force; an alias names one generation so chain and key agree. */
  private final class Keys extends X509ExtendedKeyManager {
    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return current.keyManager.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return current.keyManager.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return current.keyManager.getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return byAlias(alias).keyManager.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return byAlias(alias).keyManager.getPrivateKey(alias);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  /** Validates client certificates against the material in force, CRLs included. */
  private final class Trust extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      verifyClient(current, chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      verifyClient(current, chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      verifyClient(current, chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.trusted.toArray(new X509Certificate[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a server context does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a server context does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a server context does not check servers");
    }
  }
}
