/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import java.net.Socket;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Principal;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key and certificate chain a client presents, replaceable while connections are made: each handshake takes the
 * identity in force when it starts, under an alias naming that generation, so a renewal in the middle of a handshake
 * never pairs one generation's certificate with another's key. The key is used only through the JDK's signature
 * API, never read: a key in a token (PKCS#11) serves as well as one in memory.
 */
final class LiveIdentity extends X509ExtendedKeyManager {

  /** One generation: its alias, key and chain. */
  private record Held(String alias, PrivateKey key, X509Certificate[] chain) {
  }

  private static final AtomicLong GENERATIONS = new AtomicLong();

  private volatile Held current;
  private volatile Held previous;

  LiveIdentity(PrivateKey key, List<X509Certificate> chain) {
    this.current = held(key, chain);
  }

  private static Held held(PrivateKey key, List<X509Certificate> chain) {
    return new Held("mqtt-sec-" + GENERATIONS.incrementAndGet(), key, chain.toArray(new X509Certificate[0]));
  }

  /**
   * The session caches of the contexts that asked this identity for a certificate (the client library's own, when
   * it builds its context from {@link #factory()}), weakly held: a replaced identity ends their sessions, or a
   * resumed session would present the certificate it was made with.
   */
  private final java.util.Set<SSLSessionContext> caches = java.util.Collections.newSetFromMap(
      new java.util.WeakHashMap<>());

  /** Presents {@code key} and {@code chain} from the next handshake on; no session made before is resumed. */
  void replace(PrivateKey key, List<X509Certificate> chain) {
    synchronized (this) {
      previous = current;
      current = held(key, chain);
    }
    List<SSLSessionContext> seen;
    synchronized (caches) {
      seen = new java.util.ArrayList<>(caches);
    }
    for (SSLSessionContext cache : seen) {
      invalidateAll(cache);
    }
  }

  /** Ends every session of {@code cache}, so none is resumed. */
  private static void invalidateAll(SSLSessionContext cache) {
    for (var ids = cache.getIds(); ids.hasMoreElements(); ) {
      SSLSession session = cache.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  private void remember(SSLSession handshake) {
    SSLSessionContext cache = handshake == null ? null : handshake.getSessionContext();
    if (cache != null) {
      synchronized (caches) {
        caches.add(cache);
      }
    }
  }

  /** The chain presented now. */
  List<X509Certificate> chain() {
    return List.of(current.chain());
  }

  private Held find(String alias) {
    Held c = current;
    if (c.alias().equals(alias)) {
      return c;
    }
    Held p = previous;
    return p != null && p.alias().equals(alias) ? p : null;
  }

  /** Whether the key can sign for a handshake asking for {@code keyType} ("EC", "RSA", "RSASSA-PSS", "EdDSA"). */
  private static boolean fits(PrivateKey key, String keyType) {
    String algorithm = key.getAlgorithm();
    return switch (keyType) {
      case "EC" -> algorithm.equals("EC");
      case "RSA", "RSASSA-PSS" -> algorithm.equals("RSA") || algorithm.equals(keyType);
      case "EdDSA", "Ed25519" -> algorithm.equals("EdDSA") || algorithm.equals("Ed25519");
      default -> algorithm.equals(keyType);
    };
  }

  private String choose(String[] keyTypes) {
    Held c = current;
    if (keyTypes == null) {
      return null;
    }
    for (String type : keyTypes) {
      if (type != null && fits(c.key(), type)) {
        return c.alias();
      }
    }
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    if (socket instanceof SSLSocket ssl) {
      remember(ssl.getHandshakeSession());
    }
    return choose(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    if (engine != null) {
      remember(engine.getHandshakeSession());
    }
    return choose(keyTypes);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Held c = current;
    return fits(c.key(), keyType) ? new String[] {c.alias()} : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Held h = find(alias);
    return h == null ? null : h.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Held h = find(alias);
    return h == null ? null : h.key();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }

  /** A factory handing out this key manager, for client libraries configured with factories. */
  KeyManagerFactory factory() {
    KeyManager[] managers = {this};
    return new KeyManagerFactory(new KeyManagerFactorySpi() {
      @Override
      protected void engineInit(KeyStore ks, char[] password) {
        // holds its identity already
      }

      @Override
      protected void engineInit(ManagerFactoryParameters spec) {
        // holds its identity already
      }

      @Override
      protected KeyManager[] engineGetKeyManagers() {
        return managers.clone();
      }
    }, PROVIDER, "mqtt-sec") { };
  }

  private static final Provider PROVIDER = new Provider("mqtt-sec", "1", "mqtt-sec's client identity") { };

  @Override
  public String toString() {
    return "LiveIdentity{" + current.chain()[0].getSubjectX500Principal().getName() + ", serial "
        + current.chain()[0].getSerialNumber().toString(16) + "}";
  }
}
