/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Warns before the server certificate, a trusted CA or a CRL runs out: one {@link
 * SecurityEvent.CertificateExpiring} as each comes within 30, 14, 7 and 1 days (an already expired one counts
 * as within 1 day), never twice for the same threshold. Only thresholds shorter than the item's whole
 * lifetime count: a CRL re-published weekly, or a 10-day test certificate, is not "expiring" the moment it
 * is issued.
 */
final class ExpiryMonitor {

  static final int[] THRESHOLD_DAYS = {30, 14, 7, 1};

  private final SecurityEventListener listener;
  /** Smallest threshold already reported, by what + fingerprint. */
  private final Map<String, Integer> reported = new ConcurrentHashMap<>();

  ExpiryMonitor(SecurityEventListener listener) {
    this.listener = listener;
  }

  /** Runs {@code check} every hour on a daemon thread; shut the executor down to stop it. */
  static ScheduledExecutorService hourly(Runnable check) {
    ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mqtt-sec-tls-expiry");
      t.setDaemon(true);
      return t;
    });
    monitor.scheduleWithFixedDelay(check, 1, 1, TimeUnit.HOURS);
    return monitor;
  }

  void check(ServerMaterial m, Instant now) {
    check(m.chain.get(0), m.trusted, m.crls, now);
  }

  /**
   * Warns for {@code server} (null when there is none), each of {@code cas} and each CRL of {@code crls} (null
   * when there are none).
   */
  void check(X509Certificate server, List<X509Certificate> cas, CrlIndex crls, Instant now) {
    if (server != null) {
      certificate("server", server, now);
    }
    for (X509Certificate ca : cas) {
      certificate("CA", ca, now);
    }
    if (crls != null) {
      for (CrlIndex.Validity crl : crls.validities()) {
        // a CRL published weekly is always within 7 days of its nextUpdate: warn only at thresholds shorter
        // than its own lifetime, so a healthy publication cycle raises nothing until the last day
        Duration lifetime = Duration.between(crl.thisUpdate(), crl.nextUpdate());
        warn("CRL", crl.issuer(), sha256("CRL " + crl.issuer() + " " + crl.nextUpdate()), crl.nextUpdate(), now,
            lifetime);
      }
    }
  }

  private void certificate(String what, X509Certificate cert, Instant now) {
    CertificateIdentity id = CertificateIdentity.of(cert);
    warn(what, id.subjectDn(), id.sha256Fingerprint(), cert.getNotAfter().toInstant(), now,
        Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()));
  }

  private void warn(String what, String subject, String fingerprint, Instant until, Instant now,
                    Duration lifetime) {
    Duration left = Duration.between(now, until);
    int crossed = -1;
    for (int days : THRESHOLD_DAYS) {
      Duration threshold = Duration.ofDays(days);
      if (left.compareTo(threshold) <= 0 && threshold.compareTo(lifetime) < 0) {
        crossed = days;
      }
    }
    if (crossed < 0) {
      return;
    }
    int threshold = crossed;
    String key = what + ' ' + fingerprint;
    boolean[] first = {false};
    reported.compute(key, (k, before) -> {
      if (before == null || threshold < before) {
        first[0] = true;
        return threshold;
      }
      return before;
    });
    if (first[0]) {
      listener.deliver(new SecurityEvent.CertificateExpiring(now, what, subject, fingerprint, until));
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
