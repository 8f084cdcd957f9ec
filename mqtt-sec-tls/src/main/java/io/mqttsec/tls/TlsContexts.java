/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.KeyChecks;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The front door for TLS: {@link #forServer(Path, Path)} builds a broker's {@link ServerTls},
 * {@link #forClient()} a device's or a test's {@link ClientTls}.
 *
 * <pre>{@code
 * ServerTls tls = TlsContexts.forServer(Path.of("server.pem"), Path.of("server.key"))
 *     .trustedCertificates(Path.of("ca.pem"))      // CAs that issue device certificates
 *     .clientAuth(ClientAuth.REQUIRE)              // mutual TLS
 *     .crl(Path.of("ca.crl"))                      // revocation; fail closed when overdue
 *     .reloadOnChange(true)                        // rotate without a restart
 *     .listener(audit)
 *     .build();
 *
 * ClientTls client = TlsContexts.forClient()
 *     .trustedCertificates(Path.of("ca.pem"))
 *     .identity(Path.of("device.pem"), Path.of("device.key"))
 *     .build();
 * }</pre>
 *
 * <p>Defaults: TLS 1.3 and 1.2 only with forward-secret AEAD suites; no client certificate requested; CRLs
 * past their {@code nextUpdate} refused (no grace); files read once. Clients verify the server's host name.
 *
 * <p>Builder setters may each be called once; a second call, or options that contradict each other, throw
 * {@link IllegalStateException}. {@code build()} reads and checks every file and throws
 * {@link TlsConfigException} naming the file and the problem: a server never starts with half its TLS.
 */
public final class TlsContexts {

  private TlsContexts() {
  }

  /**
   * Starts a server built from PEM files: the certificate chain (the server's certificate first, then its
   * intermediates) and the private key in any form {@link Pem} reads.
   */
  public static ServerBuilder forServer(Path certificateChainPem, Path privateKeyPem) {
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    return new ServerBuilder(certificateChainPem, privateKeyPem, null);
  }

  /**
   * Starts a server built from a key and certificate chain held in memory (leaf first), such as one the CA module
   * issued.
   *
   * @throws TlsConfigException if the key does not belong to the chain's first certificate
   */
  public static ServerBuilder forServer(PrivateKey key, List<X509Certificate> chain) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(chain, "chain");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least the server's certificate");
    }
    KeyChecks.requireMatch(key, chain.get(0), "key", "certificate");
    return new ServerBuilder(null, null, new Held(key, List.copyOf(chain)));
  }

  /** A key and chain in memory. */
  private record Held(PrivateKey privateKey, List<X509Certificate> chain) {
  }

  /** The JDK's switch for client-initiated renegotiation, read once, at the first server handshake. */
  static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  /**
   * Makes the JDK refuse TLS 1.2 renegotiations that clients start (TLS 1.3 has none): each one costs the
   * server a full handshake, so a client that renegotiates in a loop burns the broker's CPU, and a server never
   * needs one. Sets the system property {@code jdk.tls.rejectClientInitiatedRenegotiation} to {@code true} unless
   * it was set already, so an operator's explicit {@code false} wins.
   *
   * <p>The JDK reads the property once, at the first server handshake in the process: call this before any
   * server socket or engine handshakes (loading {@link ServerTls} calls it; a broker that does its own
   * handshakes, such as HiveMQ CE, should call it before it starts listening).
   *
   * @return whether the property is now {@code true}
   */
  public static boolean refuseClientInitiatedRenegotiation() {
    if (System.getProperty(REJECT_RENEGOTIATION) == null) {
      System.setProperty(REJECT_RENEGOTIATION, "true");
    }
    return Boolean.parseBoolean(System.getProperty(REJECT_RENEGOTIATION));
  }

  /** Starts a client. With no trusted certificates set, it trusts the JDK's default CAs. */
  public static ClientBuilder forClient() {
    return new ClientBuilder();
  }

  /** Builds a {@link ServerTls}. Not thread-safe; use it once. */
  public static final class ServerBuilder {
    private final Path chainFile;
    private final Path keyFile;
    private final Held held;
    private char[] keyPassphrase;
    private Path trustedFile;
    private List<X509Certificate> trusted;
    private ClientAuth clientAuthSetting;
    private List<Path> crlFiles;
    private List<X509CRL> crlList;
    private Duration crlGrace;
    private String minimumVersionSetting;
    private Boolean reloadSetting;
    private Duration pollSetting;
    private SecurityEventListener listenerSetting;
    private Clock clockSetting;

    // resolved by build()
    ClientAuth clientAuth;
    String minimumVersion;
    boolean reloadOnChange;
    Duration pollInterval;
    SecurityEventListener listener;
    boolean hasListener;
    Clock clock;

    private ServerBuilder(Path chainFile, Path keyFile, Held held) {
      this.chainFile = chainFile;
      this.keyFile = keyFile;
      this.held = held;
    }

    /**
     * The passphrase of an encrypted key file. The array is used on every (re)load, so it is kept, not wiped;
     * pass a copy if you wipe yours.
     */
    public ServerBuilder keyPassphrase(char[] passphrase) {
      if (keyPassphrase != null) {
        throw new IllegalStateException("key passphrase was already set");
      }
      this.keyPassphrase = Objects.requireNonNull(passphrase, "passphrase").clone();
      return this;
    }

    /** The CAs (a PEM bundle) that client certificates must chain to. Needed for OPTIONAL, REQUIRE and CRLs. */
    public ServerBuilder trustedCertificates(Path caBundlePem) {
      Checks.requireUnset("trusted certificates", trustedFile != null ? trustedFile : trusted);
      this.trustedFile = Objects.requireNonNull(caBundlePem, "caBundlePem");
      return this;
    }

    /** As {@link #trustedCertificates(Path)}, from certificates in memory. */
    public ServerBuilder trustedCertificates(List<X509Certificate> cas) {
      Checks.requireUnset("trusted certificates", trustedFile != null ? trustedFile : trusted);
      if (cas.isEmpty()) {
        throw new IllegalArgumentException("trusted certificates must not be empty");
      }
      this.trusted = List.copyOf(cas);
      return this;
    }

    /** Whether clients must present a certificate. If unset, {@link ClientAuth#NONE}. */
    public ServerBuilder clientAuth(ClientAuth mode) {
      Checks.requireUnset("client auth", clientAuthSetting);
      this.clientAuthSetting = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * CRL files (each may hold several CRLs). Each CRL must be signed by a trusted certificate (intermediates
     * included in the trusted bundle). Turns revocation checking on: a client certificate whose issuer has no
     * CRL is refused.
     */
    public ServerBuilder crl(Path... crlPems) {
      Checks.requireUnset("CRLs", crlFiles != null ? crlFiles : crlList);
      if (crlPems.length == 0) {
        throw new IllegalArgumentException("give at least one CRL file");
      }
      this.crlFiles = List.of(crlPems);
      return this;
    }

    /** As {@link #crl(Path...)}, from CRLs in memory. */
    public ServerBuilder crl(List<X509CRL> crls) {
      Checks.requireUnset("CRLs", crlFiles != null ? crlFiles : crlList);
      this.crlList = List.copyOf(crls);
      return this;
    }

    /**
     * How long a CRL past its {@code nextUpdate} is still used. If unset, zero: an overdue CRL fails every
     * client it covers (fail closed). Either way a {@code CrlOverdue} event says what happened.
     */
    public ServerBuilder crlGracePeriod(Duration grace) {
      Checks.requireUnset("CRL grace period", crlGrace);
      if (grace.isNegative()) {
        throw new IllegalArgumentException("CRL grace period must not be negative, was " + grace);
      }
      this.crlGrace = grace;
      return this;
    }

    /** {@code "TLSv1.2"} (the default, with 1.3 preferred) or {@code "TLSv1.3"}; nothing older is possible. */
    public ServerBuilder minimumVersion(String version) {
      Checks.requireUnset("minimum version", minimumVersionSetting);
      TlsVersions.protocols(version);
      this.minimumVersionSetting = version;
      return this;
    }

    /** Re-read the files when they change (watch, poll and symlink swap). If unset, false. */
    public ServerBuilder reloadOnChange(boolean reload) {
      Checks.requireUnset("reload on change", reloadSetting);
      this.reloadSetting = reload;
      return this;
    }

    /** How often files are polled besides file-system events. If unset, 2 seconds. */
    public ServerBuilder pollInterval(Duration interval) {
      Checks.requireUnset("poll interval", pollSetting);
      this.pollSetting = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Receives reloads, reload failures, rejected certificates, overdue CRLs and expiry warnings. */
    public ServerBuilder listener(SecurityEventListener listener) {
      Checks.requireUnset("listener", listenerSetting);
      this.listenerSetting = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock for CRL and expiry decisions (the JDK's PKIX uses the system time for validity). */
    public ServerBuilder clock(Clock clock) {
      Checks.requireUnset("clock", clockSetting);
      this.clockSetting = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reads and checks everything and returns the server's TLS.
     *
     * @throws TlsConfigException    if a file is missing, unreadable, of the wrong kind, or the key does not
     *                               match the certificate, or a CRL is not signed by a trusted CA
     * @throws IllegalStateException if options contradict (client auth or CRLs without trusted CAs,
     *                               reloading with nothing on disk)
     */
    public ServerTls build() {
      clientAuth = clientAuthSetting == null ? ClientAuth.NONE : clientAuthSetting;
      minimumVersion = minimumVersionSetting == null ? TlsVersions.TLS_1_2 : minimumVersionSetting;
      reloadOnChange = Boolean.TRUE.equals(reloadSetting);
      pollInterval = pollSetting == null ? Duration.ofSeconds(2) : pollSetting;
      listener = listenerSetting == null ? SecurityEventListener.none() : listenerSetting;
      hasListener = listenerSetting != null;
      clock = clockSetting == null ? Clock.systemUTC() : clockSetting;
      boolean hasTrust = trustedFile != null || trusted != null;
      if (clientAuth != ClientAuth.NONE && !hasTrust) {
        throw new IllegalStateException("client auth " + clientAuth + " needs trustedCertificates(...)");
      }
      if ((crlFiles != null || crlList != null) && !hasTrust) {
        throw new IllegalStateException("CRLs need trustedCertificates(...) to verify their signatures");
      }
      if ((crlFiles != null || crlList != null) && clientAuth == ClientAuth.NONE) {
        throw new IllegalStateException("CRLs are set but client auth is NONE, so no client certificate would "
            + "ever be checked; set clientAuth(OPTIONAL or REQUIRE)");
      }
      if (reloadOnChange && watchedFiles().isEmpty()) {
        throw new IllegalStateException("reloadOnChange needs at least one file to watch");
      }
      return new ServerTls(this, sources(), chainFile != null ? chainFile.toString() : "server TLS");
    }

    private ServerMaterial.Sources sources() {
      Supplier<List<X509Certificate>> chain;
      Supplier<PrivateKey> key;
      if (held != null) {
        chain = held::chain;
        key = held::privateKey;
      } else {
        char[] passphrase = keyPassphrase;
        chain = () -> Pem.readCertificates(chainFile);
        key = () -> Pem.readPrivateKey(keyFile, passphrase);
      }
      Supplier<List<X509Certificate>> trust = trustedFile != null ? () -> Pem.readCertificates(trustedFile)
          : trusted != null ? () -> trusted : null;
      Supplier<List<X509CRL>> crls = null;
      String crlName = null;
      if (crlFiles != null) {
        crls = () -> {
          List<X509CRL> all = new ArrayList<>();
          crlFiles.forEach(f -> all.addAll(Pem.readCrls(f)));
          return all;
        };
        crlName = crlFiles.size() == 1 ? crlFiles.get(0).toString() : crlFiles.toString();
      } else if (crlList != null) {
        crls = () -> crlList;
        crlName = "CRLs";
      }
      return new ServerMaterial.Sources(chain, held != null ? "certificate" : chainFile.toString(), key,
          held != null ? "key" : keyFile.toString(), trust, crls, crlName,
          crlGrace == null ? Duration.ZERO : crlGrace);
    }

    List<Path> watchedFiles() {
      List<Path> files = new ArrayList<>();
      if (chainFile != null) {
        files.add(chainFile);
        files.add(keyFile);
      }
      if (trustedFile != null) {
        files.add(trustedFile);
      }
      if (crlFiles != null) {
        files.addAll(crlFiles);
      }
      return files;
    }
  }

  /** Builds a {@link ClientTls}. Not thread-safe; use it once. */
  public static final class ClientBuilder {
    private List<X509Certificate> trusted;
    private List<X509Certificate> chain;
    private PrivateKey key;
    private String minimumVersionSetting;
    private boolean insecureHostnames;

    private ClientBuilder() {
    }

    /** The CAs (a PEM bundle) the server's certificate must chain to. If unset, the JDK's default CAs. */
    public ClientBuilder trustedCertificates(Path caBundlePem) {
      Checks.requireUnset("trusted certificates", trusted);
      this.trusted = Pem.readCertificates(caBundlePem);
      return this;
    }

    /** As {@link #trustedCertificates(Path)}, from certificates in memory. */
    public ClientBuilder trustedCertificates(List<X509Certificate> cas) {
      Checks.requireUnset("trusted certificates", trusted);
      if (cas.isEmpty()) {
        throw new IllegalArgumentException("trusted certificates must not be empty");
      }
      this.trusted = List.copyOf(cas);
      return this;
    }

    /** The client certificate chain and key for mutual TLS. */
    public ClientBuilder identity(Path certificateChainPem, Path privateKeyPem) {
      return identity(certificateChainPem, privateKeyPem, null);
    }

    /** As {@link #identity(Path, Path)}, for an encrypted key. */
    public ClientBuilder identity(Path certificateChainPem, Path privateKeyPem, char[] passphrase) {
      List<X509Certificate> certs = Pem.readCertificates(certificateChainPem);
      PrivateKey k = Pem.readPrivateKey(privateKeyPem, passphrase);
      KeyChecks.requireMatch(k, certs.get(0), privateKeyPem.toString(), certificateChainPem.toString());
      return identity(certs, k);
    }

    /**
     * As {@link #identity(Path, Path)}, from a key and chain in memory (leaf first), such as the CA module issues.
     *
     * @throws TlsConfigException if the key does not belong to the chain's first certificate
     */
    public ClientBuilder identity(PrivateKey privateKey, List<X509Certificate> certificateChain) {
      if (certificateChain.isEmpty()) {
        throw new IllegalArgumentException("a certificate chain needs at least the client's certificate");
      }
      KeyChecks.requireMatch(privateKey, certificateChain.get(0), "key", "certificate");
      return identity(certificateChain, privateKey);
    }

    private ClientBuilder identity(List<X509Certificate> certs, PrivateKey k) {
      Checks.requireUnset("client identity", chain == null ? null : CertificateIdentity.of(chain).subjectDn());
      this.chain = List.copyOf(certs);
      this.key = k;
      return this;
    }

    /** {@code "TLSv1.2"} (the default, with 1.3 preferred) or {@code "TLSv1.3"}. */
    public ClientBuilder minimumVersion(String version) {
      Checks.requireUnset("minimum version", minimumVersionSetting);
      TlsVersions.protocols(version);
      this.minimumVersionSetting = version;
      return this;
    }

    /**
     * Turns off host name verification: any certificate from a trusted CA is accepted whatever name it is
     * for. <b>Security:</b> only for tests and for brokers reached by an address no certificate can name.
     */
    public ClientBuilder insecureSkipHostnameVerification() {
      if (insecureHostnames) {
        throw new IllegalStateException("host name verification was already turned off");
      }
      this.insecureHostnames = true;
      return this;
    }

    /** Builds the client's TLS. */
    public ClientTls build() {
      return new ClientTls(trusted, chain, key,
          TlsVersions.protocols(minimumVersionSetting == null ? TlsVersions.TLS_1_2 : minimumVersionSetting),
          !insecureHostnames);
    }
  }
}
