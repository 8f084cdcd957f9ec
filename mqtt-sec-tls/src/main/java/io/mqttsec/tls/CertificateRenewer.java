/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.DistinguishedNames;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a device's client certificate renewed over EST, without stopping the process: when 30 days (or what
 * {@link Builder#renewBefore} or {@link Builder#renewAtRemainingFraction} says) of the certificate in force remain,
 * it makes a new key (or takes the one {@link Builder#keys} gives, such as a key in a token), asks the server to
 * re-enroll it on the current certificate, hands the result to {@link Builder#onRenewed} to keep (files, a key
 * store), and swaps it into the live {@link ClientTls}: the next connections present it, those already open keep
 * theirs.
 *
 * <pre>{@code
 * ClientTls tls = TlsContexts.forClient().trustedCertificates(ca).identity(certPem, keyPem).build();
 * CertificateRenewer renewer = CertificateRenewer.builder(EstClient.of(estUri, tls), tls)
 *     .onRenewed((key, chain) -> save(key, chain)).listener(events).start();
 * }</pre>
 *
 * <p>A fleet of devices restarted together does not renew together: the first attempt comes at a random point
 * within {@link Builder#jitter} (default 1 hour) after the renewal is due. A failed attempt is tried again with
 * doubling waits (1 minute to 1 hour by default, each with up to a fifth more at random). Events:
 * {@link SecurityEvent.CertificateExpiring} when a renewal falls due, {@link SecurityEvent.CertificateRenewed},
 * {@link SecurityEvent.RenewalFailed} with the next attempt. A renewed certificate is refused (and the one in force
 * kept) when it does not carry the requested key, names another CN, or is not valid now.
 */
public final class CertificateRenewer implements AutoCloseable {

  /** Keeps a renewed key and chain (leaf first) before it is put in force; throwing keeps the old in force. */
  @FunctionalInterface
  public interface Keeper {
    void keep(PrivateKey key, List<X509Certificate> chain) throws IOException;
  }

  private final EstClient est;
  private final ClientTls tls;
  private final Duration renewBefore;
  private final double remainingFraction;
  private final java.util.function.Supplier<KeyPair> keys;
  private final Keeper keeper;
  private final SecurityEventListener listener;
  private final Clock clock;
  private final Duration jitter;
  private final Duration firstRetry;
  private final Duration longestRetry;
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> next;
  private Instant nextCheck;
  private Duration retry;
  private boolean closed;

  private CertificateRenewer(Builder b) {
    this.est = b.est;
    this.tls = b.tls;
    this.renewBefore = b.renewBefore == null ? Duration.ofDays(30) : b.renewBefore;
    this.remainingFraction = b.remainingFraction;
    this.keys = b.keys == null ? CertificateRenewer::ecKeys : b.keys;
    this.keeper = b.keeper == null ? (key, chain) -> { } : b.keeper;
    this.listener = b.listener == null ? SecurityEventListener.none() : b.listener;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.jitter = b.jitter == null ? Duration.ofHours(1) : b.jitter;
    this.firstRetry = b.firstRetry == null ? Duration.ofMinutes(1) : b.firstRetry;
    this.longestRetry = b.longestRetry == null ? Duration.ofHours(1) : b.longestRetry;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mqtt-sec-renewer");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts describing a renewer of {@code tls}'s identity through {@code est}.
   *
   * @throws IllegalArgumentException if {@code tls} has no client certificate to renew
   */
  public static Builder builder(EstClient est, ClientTls tls) {
    if (tls.identityChain().isEmpty()) {
      throw new IllegalArgumentException("the client TLS has no certificate to renew: build it with identity(...)");
    }
    return new Builder(est, tls);
  }

  /** When the certificate in force falls due: {@code notAfter} minus the renewal window. */
  public Instant dueAt() {
    X509Certificate cert = tls.identityChain().get(0);
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    if (remainingFraction > 0) {
      long lifetime = Duration.between(notBefore, notAfter).toMillis();
      return notAfter.minusMillis((long) (lifetime * remainingFraction));
    }
    return notAfter.minus(renewBefore);
  }

  /** When the renewer looks next (null before {@link #start} or after {@link #close}). */
  public synchronized Instant nextCheck() {
    return nextCheck;
  }

  /** Checks now and then whenever due, on its own thread. */
  public synchronized CertificateRenewer start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    schedule(Duration.ZERO);
    return this;
  }

  /**
   * Renews now, whether due or not, on the calling thread.
   *
   * @return the renewed chain, leaf first, now in force
   * @throws IOException if the server cannot be reached or refuses ({@link EstClient.Refused}), the answer is
   *                     not a certificate for this device and key, or {@link Builder#onRenewed} cannot keep it
   */
  public List<X509Certificate> renewNow() throws IOException {
    List<X509Certificate> current = tls.identityChain();
    X509Certificate old = current.get(0);
    String cn = DistinguishedNames.commonName(old.getSubjectX500Principal()).orElseThrow(() ->
        new TlsConfigException("the certificate in force has no single CN to renew"));
    KeyPair pair = keys.get();
    List<X509Certificate> answer = est.reenroll(CertificateRequest.der(cn, pair.getPublic(), pair.getPrivate()));
    X509Certificate leaf = answer.get(0);
    if (!leaf.getPublicKey().equals(pair.getPublic())) {
      throw new IOException("the renewed certificate does not carry the key that was sent");
    }
    if (!DistinguishedNames.commonName(leaf.getSubjectX500Principal()).orElse("").equals(cn)) {
      throw new IOException("the renewed certificate names " + leaf.getSubjectX500Principal().getName()
          + ", not CN=" + cn);
    }
    try {
      leaf.checkValidity(java.util.Date.from(clock.instant()));
    } catch (java.security.cert.CertificateException e) {
      throw new IOException("the renewed certificate is not valid now (" + e.getMessage() + ")", e);
    }
    List<X509Certificate> chain = new ArrayList<>(answer);
    if (chain.size() == 1 && current.size() > 1
        && current.get(1).getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
      chain.addAll(current.subList(1, current.size())); // the server sent the leaf alone; the issuers are the same
    }
    keeper.keep(pair.getPrivate(), List.copyOf(chain));
    tls.replaceIdentity(pair.getPrivate(), chain);
    listener.deliver(new SecurityEvent.CertificateRenewed(clock.instant(), old.getSubjectX500Principal().getName(),
        old.getSerialNumber().toString(16), leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant()));
    return List.copyOf(chain);
  }

  private void check() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    Instant now = clock.instant();
    Instant due = dueAt();
    if (now.isBefore(due)) {
      schedule(Duration.between(now, due).plus(randomUpTo(jitter)));
      return;
    }
    X509Certificate cert = tls.identityChain().get(0);
    if (retry == null) {
      listener.deliver(new SecurityEvent.CertificateExpiring(now, "client", cert.getSubjectX500Principal()
          .getName(), CertificateIdentity.of(cert).sha256Fingerprint(), cert.getNotAfter().toInstant()));
    }
    try {
      renewNow();
      retry = null;
      schedule(Duration.between(clock.instant(), dueAt()).plus(randomUpTo(jitter)));
    } catch (IOException | RuntimeException e) {
      retry = retry == null ? firstRetry : min(retry.multipliedBy(2), longestRetry);
      Duration wait = retry.plus(randomUpTo(retry.dividedBy(5)));
      listener.deliver(new SecurityEvent.RenewalFailed(clock.instant(), cert.getSubjectX500Principal().getName(),
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), clock.instant().plus(wait)));
      schedule(wait);
    }
  }

  private synchronized void schedule(Duration delay) {
    if (closed) {
      return;
    }
    Duration d = delay.isNegative() ? Duration.ZERO : delay;
    nextCheck = clock.instant().plus(d);
    next = scheduler.schedule(this::check, Math.min(d.toMillis(), TimeUnit.DAYS.toMillis(365)),
        TimeUnit.MILLISECONDS);
  }

  private static Duration randomUpTo(Duration bound) {
    long millis = bound.toMillis();
    return millis <= 0 ? Duration.ZERO : Duration.ofMillis(ThreadLocalRandom.current().nextLong(millis + 1));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
  }

  /** Stops checking; a renewal under way finishes. */
  @Override
  public synchronized void close() {
    closed = true;
    nextCheck = null;
    if (next != null) {
      next.cancel(false);
    }
    scheduler.shutdown();
  }

  @Override
  public String toString() {
    return "CertificateRenewer{" + est + ", due " + dueAt() + "}";
  }

  /** Settings of a {@link CertificateRenewer}. */
  public static final class Builder {
    private final EstClient est;
    private final ClientTls tls;
    private Duration renewBefore;
    private double remainingFraction;
    private java.util.function.Supplier<KeyPair> keys;
    private Keeper keeper;
    private SecurityEventListener listener;
    private Clock clock;
    private Duration jitter;
    private Duration firstRetry;
    private Duration longestRetry;

    private Builder(EstClient est, ClientTls tls) {
      this.est = Objects.requireNonNull(est, "est");
      this.tls = tls;
    }

    /** Renews when this much of the certificate's validity remains (default 30 days). */
    public Builder renewBefore(Duration window) {
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("the renewal window must be positive, not " + window);
      }
      if (remainingFraction > 0) {
        throw new IllegalStateException("renewAtRemainingFraction was set: one or the other");
      }
      this.renewBefore = window;
      return this;
    }

    /** Renews when this fraction of the certificate's lifetime remains (0.25: at three quarters of its life). */
    public Builder renewAtRemainingFraction(double fraction) {
      if (!(fraction > 0 && fraction < 1)) {
        throw new IllegalArgumentException("a fraction of the lifetime is between 0 and 1, not " + fraction);
      }
      if (renewBefore != null) {
        throw new IllegalStateException("renewBefore was set: one or the other");
      }
      this.remainingFraction = fraction;
      return this;
    }

    /** Where each renewal's key pair comes from (default: a new EC P-256 pair in memory each time). */
    public Builder keys(java.util.function.Supplier<KeyPair> source) {
      this.keys = Objects.requireNonNull(source, "keys");
      return this;
    }

    /** Keeps each renewed key and chain (to files, a key store) before it is put in force. */
    public Builder onRenewed(Keeper renewedKeeper) {
      this.keeper = Objects.requireNonNull(renewedKeeper, "keeper");
      return this;
    }

    /** Where renewals, failures and due certificates are reported. */
    public Builder listener(SecurityEventListener eventListener) {
      this.listener = Objects.requireNonNull(eventListener, "listener");
      return this;
    }

    /** The clock that decides when a renewal is due (default the system's). */
    public Builder clock(Clock dueClock) {
      this.clock = Objects.requireNonNull(dueClock, "clock");
      return this;
    }

    /** The first attempt comes at a random point up to this long after the renewal is due (default 1 hour). */
    public Builder jitter(Duration spread) {
      if (spread.isNegative()) {
        throw new IllegalArgumentException("the jitter must not be negative, not " + spread);
      }
      this.jitter = spread;
      return this;
    }

    /** Waits between failed attempts: the first, doubling up to the longest (default 1 minute, 1 hour). */
    public Builder retry(Duration first, Duration longest) {
      if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
        throw new IllegalArgumentException("retry waits must be positive, the longest at least the first: "
            + first + ", " + longest);
      }
      this.firstRetry = first;
      this.longestRetry = longest;
      return this;
    }

    /** The renewer, not yet checking: {@link CertificateRenewer#start()} or {@link CertificateRenewer#renewNow()}. */
    public CertificateRenewer build() {
      return new CertificateRenewer(this);
    }

    /** Builds and starts it. */
    public CertificateRenewer start() {
      return build().start();
    }
  }
}
