/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.Reloading;
import io.mqttsec.internal.WatchedFile;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks client certificate chains that someone else's TLS stack already received: a broker such as HiveMQ CE
 * does the handshake (and checks no CRL), then hands the chain to an adapter. The checks are the ones
 * {@link ServerTls} makes in its own handshakes: the chain leads to a trusted CA (PKIX, validity, key usage),
 * and, when CRLs are set, no certificate in it is revoked, every client certificate's issuer has a CRL, and an
 * overdue CRL refuses unless a grace period covers it. A {@link RevocationSource} (a fleet's database) can name
 * more revoked certificates, on top of the CRLs.
 *
 * <pre>{@code
 * ClientCertificateVerifier devices = ClientCertificateVerifier.builder(Path.of("ca.pem"))
 *     .crl(Path.of("ca.crl"))
 *     .reloadOnChange()
 *     .listener(audit)
 *     .build();
 * devices.onReload(this::recheckConnectedClients);   // a revoked device must not stay connected
 * Decision d = devices.check(chainFromTheBroker);
 * }</pre>
 *
 * <p>Reload reads the CAs and CRLs again as a whole; anything broken (a CRL with a bad signature, an unreadable
 * file) keeps the last good set and publishes {@link SecurityEvent.PolicyReloadFailed}. So does a CRL older than
 * the one in force from the same issuer (a lower CRL number or an earlier {@code thisUpdate}): a replayed old CRL
 * would un-revoke devices.
 *
 * <p>With a listener, it warns before a trusted CA or a CRL runs out ({@link SecurityEvent.CertificateExpiring}
 * as each comes within 30, 14, 7 and 1 days, once per threshold): at build, after each reload and hourly, or
 * when {@link #checkExpiry()} is called. Thread-safe; {@link #close()} stops the watches and the hourly check.
 */
public final class ClientCertificateVerifier implements AutoCloseable {

  private record Material(List<X509Certificate> trusted, X509ExtendedTrustManager trustManager, CrlIndex crls) {
  }

  private final Builder settings;
  private final List<WatchedFile> watches = new ArrayList<>();
  private final Reloading.Callbacks<Void> reloadCallbacks = new Reloading.Callbacks<>();
  private final ExpiryMonitor expiry;
  private final ScheduledExecutorService monitor;
  private volatile Material current;

  private ClientCertificateVerifier(Builder b) {
    this.settings = b;
    this.current = load(b);
    this.expiry = new ExpiryMonitor(b.listener);
    if (b.reloadOnChange) {
      List<Path> files = new ArrayList<>(b.crlFiles);
      files.add(0, b.trustedFile);
      for (Path path : files) {
        watches.add(WatchedFile.watch(path, b.pollInterval, () -> reload(path.toString())));
      }
      reload(b.trustedFile.toString()); // a change between the first load and the watch is not missed
    }
    checkExpiry();
    monitor = b.hasListener ? ExpiryMonitor.hourly(this::checkExpiry) : null;
    if (b.revocations != null) {
      b.revocations.onChange(() -> reloadCallbacks.run(null));
    }
  }

  /** Starts a verifier trusting the CAs in {@code caBundlePem} (intermediates included, if CRLs come from them). */
  public static Builder builder(Path caBundlePem) {
    return new Builder(Objects.requireNonNull(caBundlePem, "caBundlePem"));
  }

  private static Material load(Builder b) {
    List<X509Certificate> trusted = Pem.readCertificates(b.trustedFile);
    CrlIndex crls = null;
    if (!b.crlFiles.isEmpty()) {
      List<X509CRL> all = new ArrayList<>();
      b.crlFiles.forEach(f -> all.addAll(Pem.readCrls(f)));
      String name = b.crlFiles.size() == 1 ? b.crlFiles.get(0).toString() : b.crlFiles.toString();
      crls = CrlIndex.of(all, trusted, b.crlGrace, name);
    }
    return new Material(List.copyOf(trusted), ServerMaterial.trustManager(trusted), crls);
  }

  /**
   * Whether {@code chain} (the client's certificate first) may be accepted now. Never throws: any failure
   * denies, with the reason. A refusal also publishes {@link SecurityEvent.CertificateRejected}.
   */
  public Decision check(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return Decision.deny("no client certificate");
    }
    Material m = current;
    String problem = refusal(m.trustManager, m.crls, chain, authType(chain[0]), settings.clock.instant(),
        settings.listener);
    if (problem == null && settings.revocations != null) {
      problem = revokedBySource(chain);
      if (problem != null) {
        settings.listener.deliver(new SecurityEvent.CertificateRejected(settings.clock.instant(),
            chain[0].getSubjectX500Principal().getName(), problem));
      }
    }
    return problem == null ? Decision.allow("certificate trusted" + (m.crls == null && settings.revocations == null
        ? "" : " and not revoked")) : Decision.deny(problem);
  }

  /** Why the revocation source refuses a certificate of {@code chain}, or null; a source that fails refuses. */
  private String revokedBySource(X509Certificate[] chain) {
    for (X509Certificate c : chain) {
      String why;
      try {
        why = settings.revocations.revoked(c.getIssuerX500Principal(), c.getSerialNumber());
      } catch (RuntimeException e) {
        return "the revocation check failed (" + e.getClass().getSimpleName() + ")";
      }
      if (why != null) {
        return "certificate " + c.getSubjectX500Principal().getName() + " (serial " + c.getSerialNumber()
            .toString(16) + ") is revoked: " + why;
      }
    }
    return null;
  }

  /**
   * Why a client's {@code chain} must be refused, or null to accept it: PKIX against {@code trust} (none
   * configured refuses), then {@code crls} when there are any. Never throws: any failure is a refusal. A refusal
   * publishes {@link SecurityEvent.CertificateRejected}. Shared with {@link ServerTls}'s own handshakes.
   */
  static String refusal(X509ExtendedTrustManager trust, CrlIndex crls, X509Certificate[] chain, String authType,
                        java.time.Instant now, SecurityEventListener listener) {
    String problem;
    try {
      if (trust == null) {
        problem = "no trusted CA is configured for client certificates";
      } else {
        trust.checkClientTrusted(chain.clone(), authType);
        problem = crls == null ? null : crls.check(chain, now, listener);
      }
    } catch (CertificateException e) {
      problem = String.valueOf(e.getMessage());
    } catch (RuntimeException e) {
      problem = "certificate check failed: " + e.getClass().getSimpleName();
    }
    if (problem != null) {
      listener.deliver(new SecurityEvent.CertificateRejected(now, chain[0].getSubjectX500Principal().getName(),
          problem));
    }
    return problem;
  }

  static String authType(X509Certificate cert) {
    String algorithm = cert.getPublicKey().getAlgorithm();
    return algorithm.equals("EC") ? "ECDHE_ECDSA" : algorithm.equals("RSA") ? "ECDHE_RSA" : "UNKNOWN";
  }

  /** The CAs in force. */
  public List<X509Certificate> trustedCertificates() {
    return current.trusted;
  }

  /**
   * Runs {@code callback} after each successful reload (on the reloading thread), so that an adapter can check
   * the chains of clients that are already connected against the new CRLs.
   */
  public void onReload(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    reloadCallbacks.add(ignored -> callback.run());
  }

  /**
   * Reads the CAs and CRLs again now and swaps them in if all are good.
   *
   * @return whether the new set is in force; when not, the old stays and an event says why
   */
  public boolean reload() {
    return reload(settings.trustedFile.toString());
  }

  private synchronized boolean reload(String source) {
    boolean loaded = Reloading.reload(settings.listener, settings.clock, source, () -> {
      Material next = load(settings);
      CrlIndex.requireNoRollback(current.crls, next.crls, source);
      return next;
    }, next -> current = next, next -> next.trusted.size() + " trusted CA(s), " + (next.crls == null ? "no CRL"
        : next.crls.size() + " CRL(s) with " + next.crls.revokedCount() + " revoked serial(s)"),
        e -> e.getMessage() + "; the previous CAs and CRLs stay in force");
    if (loaded) {
      if (expiry != null) {
        checkExpiry();
      }
      reloadCallbacks.run(null);
    }
    return loaded;
  }

  /**
   * Publishes {@link SecurityEvent.CertificateExpiring} for a trusted CA or a CRL's {@code nextUpdate} that has
   * come within 30, 14, 7 or 1 days, once per threshold. Runs at build, after each reload and hourly while a
   * listener is set; callable for a test with a moved clock.
   */
  public void checkExpiry() {
    Material m = current;
    expiry.check(null, m.trusted, m.crls, settings.clock.instant());
  }

  /** Stops watching the files and the hourly expiry check. */
  @Override
  public void close() {
    watches.forEach(WatchedFile::close);
    if (monitor != null) {
      monitor.shutdownNow();
    }
  }

  /** Builds a {@link ClientCertificateVerifier}. Not thread-safe; use it once. */
  public static final class Builder {
    private final Path trustedFile;
    private final List<Path> crlFiles = new ArrayList<>();
    private Duration crlGrace = Duration.ZERO;
    private boolean reloadOnChange;
    private Duration pollInterval = Duration.ofSeconds(2);
    private SecurityEventListener listener = SecurityEventListener.none();
    private boolean hasListener;
    private Clock clock = Clock.systemUTC();
    private RevocationSource revocations;

    private Builder(Path trustedFile) {
      this.trustedFile = trustedFile;
    }

    /**
     * CRL files (each may hold several CRLs), each signed by a trusted CA. Turns revocation checking on: a
     * client certificate whose issuer has no CRL is refused.
     */
    public Builder crl(Path... crlPems) {
      if (!crlFiles.isEmpty()) {
        throw new IllegalStateException("CRLs were already set to " + crlFiles);
      }
      if (crlPems.length == 0) {
        throw new IllegalArgumentException("crl(...) needs at least one file");
      }
      crlFiles.addAll(List.of(crlPems));
      return this;
    }

    /** How long past its {@code nextUpdate} a CRL is still used. Default zero: an overdue CRL refuses. */
    /** Also refuse the certificates {@code source} says are revoked (a fleet's database), on top of the CRLs. */
    public Builder revocations(RevocationSource source) {
      Checks.requireUnset("revocation source", revocations);
      revocations = Objects.requireNonNull(source, "source");
      return this;
    }

    public Builder crlGracePeriod(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("CRL grace period must not be negative: " + grace);
      }
      this.crlGrace = grace;
      return this;
    }

    /** Watches the CA and CRL files and reloads them when they change. */
    public Builder reloadOnChange() {
      this.reloadOnChange = true;
      return this;
    }

    /** How often watched files are polled as well (for file systems without change events). Default 2 s. */
    public Builder pollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("poll interval must be positive: " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * Receives reloads, reload failures, rejected certificates, overdue CRLs and expiry warnings. With a listener,
     * expiry is also checked hourly on a daemon thread.
     */
    public Builder listener(SecurityEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      this.hasListener = true;
      return this;
    }

    /** The clock for CRL freshness; for tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reads and checks the files.
     *
     * @throws io.mqttsec.api.TlsConfigException naming the file and the problem
     */
    public ClientCertificateVerifier build() {
      return new ClientCertificateVerifier(this);
    }
  }
}
