/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.KeyChecks;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * One complete, validated set of a server's TLS material: its chain and key, the CAs it trusts for client
 * certificates and the CRLs. Built whole or not at all, then swapped in at once by {@link ServerTls}.
 */
final class ServerMaterial {

  private static final SecureRandom RANDOM = new SecureRandom();

  final String alias;
  final List<X509Certificate> chain;
  final PrivateKey key;
  final List<X509Certificate> trusted;
  final X509ExtendedKeyManager keyManager;
  final X509ExtendedTrustManager trustManager;
  final CrlIndex crls;

  private ServerMaterial(String alias, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted,
                         X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager, CrlIndex crls) {
    this.alias = alias;
    this.chain = chain;
    this.key = key;
    this.trusted = trusted;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.crls = crls;
  }

  /** Where each part comes from: a file re-read on every load, or a fixed value. */
  record Sources(Supplier<List<X509Certificate>> chain, String chainName,
                 Supplier<PrivateKey> key, String keyName,
                 Supplier<List<X509Certificate>> trusted,
                 Supplier<List<X509CRL>> crls, String crlName, Duration crlGrace) {
  }

  /**
   * Reads and checks everything.
   *
   * @throws TlsConfigException if any part is unreadable or the parts do not fit together
   */
  static ServerMaterial load(Sources sources, long generation) {
    List<X509Certificate> chain = sources.chain.get();
    PrivateKey key = sources.key.get();
    KeyChecks.requireMatch(key, chain.get(0), sources.keyName, sources.chainName);
    requireChainOrder(chain, sources.chainName);
    List<X509Certificate> trusted = sources.trusted == null ? List.of() : sources.trusted.get();
    CrlIndex crls = null;
    if (sources.crls != null) {
      List<X509Certificate> issuers = new ArrayList<>(trusted);
      issuers.addAll(chain.subList(1, chain.size()));
      crls = CrlIndex.of(sources.crls.get(), issuers, sources.crlGrace, sources.crlName);
    }
    String alias = "mqtt-sec-" + generation;
    return new ServerMaterial(alias, List.copyOf(chain), key, List.copyOf(trusted),
        keyManager(alias, chain, key), trusted.isEmpty() ? null : trustManager(trusted), crls);
  }

  private static void requireChainOrder(List<X509Certificate> chain, String chainName) {
    for (int i = 1; i < chain.size(); i++) {
      X500Principal issuer = chain.get(i - 1).getIssuerX500Principal();
      if (!issuer.equals(chain.get(i).getSubjectX500Principal())) {
        throw new TlsConfigException(chainName + ": certificate " + (i + 1) + " (" + chain.get(i)
            .getSubjectX500Principal().getName(X500Principal.RFC2253) + ") did not issue certificate " + i
            + "; a chain lists the server's certificate first, then each issuer in turn");
      }
    }
  }

  private static X509ExtendedKeyManager keyManager(String alias, List<X509Certificate> chain, PrivateKey key) {
    return new SingleKeyManager(alias, chain.toArray(new X509Certificate[0]), key);
  }

  /**
   * The one key and chain a server presents. The JDK's own factory would copy the key into a PKCS#12 store,
   * encrypting it with PBKDF2, only to hand it back: a few milliseconds of start-up for nothing.
   */
  private static final class SingleKeyManager extends X509ExtendedKeyManager {
    private final String alias;
    private final X509Certificate[] chain;
    private final PrivateKey key;

    SingleKeyManager(String alias, X509Certificate[] chain, PrivateKey key) {
      this.alias = alias;
      this.chain = chain;
      this.key = key;
    }

    /**
     * Whether the key suits {@code keyType}: its algorithm, or for TLS 1.2 suites {@code EC_EC}, {@code EC_RSA}
     * (the key's algorithm, then the one that signed the certificate, which JSSE checks itself).
     */
    private boolean suits(String keyType) {
      if (keyType == null) {
        return false;
      }
      String algorithm = key.getAlgorithm();
      String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
      return wanted.equals(algorithm) || wanted.equals("EdDSA") && algorithm.startsWith("Ed")
          || wanted.startsWith("Ed") && algorithm.equals("EdDSA");
    }

    private String[] aliases(String keyType) {
      return suits(keyType) ? new String[] {alias} : null;
    }

    private String choose(String[] keyTypes) {
      if (keyTypes != null) {
        for (String t : keyTypes) {
          if (suits(t)) {
            return alias;
          }
        }
      }
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
      return aliases(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return suits(keyType) ? alias : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers,
                                          javax.net.ssl.SSLEngine engine) {
      return suits(keyType) ? alias : null;
    }

    @Override
    public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
      return aliases(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, java.security.Principal[] issuers, java.net.Socket socket) {
      return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, java.security.Principal[] issuers,
                                          javax.net.ssl.SSLEngine engine) {
      return choose(keyTypes);
    }

    @Override
    public X509Certificate[] getCertificateChain(String requested) {
      return alias.equals(requested) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String requested) {
      return alias.equals(requested) ? key : null;
    }
  }

  /** An in-memory PKCS#12 store holding {@code trusted} as entries {@code ca-0, ca-1, ...}. */
  static KeyStore trustStore(List<X509Certificate> trusted) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (X509Certificate ca : trusted) {
      store.setCertificateEntry("ca-" + i++, ca);
    }
    return store;
  }

  static X509ExtendedTrustManager trustManager(List<X509Certificate> trusted) {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(trustStore(trusted));
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException("cannot build a trust store (" + e.getMessage() + ")", e);
    }
  }
}
