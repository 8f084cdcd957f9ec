/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches {@link SecurityEvent}s for the patterns of an attack and raises {@link SecurityEvent.AlertRaised} to a
 * listener: the rules of a {@link Detection}. Failed logins are {@link SecurityEvent.AuthFailed}, logins
 * {@link SecurityEvent.AuthSucceeded}, connection attempts either, denials {@link SecurityEvent.AccessDenied}; the
 * time is each event's own.
 *
 * <p>Counts are exact over a sliding window: the rule fires when the {@code n}-th most recent event of a key lies
 * within the window of the latest, and then stays quiet for that key for one window, so a key raises at most one
 * alert a window. {@link BrokerSecurity} runs one over its events (the alerts go where its events go);
 * a gateway can put one in front of any listener.
 *
 * <p>Memory is bounded: each rule tracks at most {@link Detection#maxTracked()} keys; the events of further keys
 * share one count (an {@code address} or {@code user} scope of {@code *}), and devices beyond the bound are not
 * learned by the new-address rule. {@link #sweep} forgets counts older than their window. Thread-safe; a rule that
 * needs no lock (the address and user keys) takes only its key's.
 */
public final class Detector implements SecurityEventListener {

  public static final String BRUTE_FORCE = "alert.brute-force";
  public static final String NEW_ADDRESS = "alert.new-address";
  public static final String CONNECTION_SPIKE = "alert.connection-spike";
  public static final String DENIAL_BURST = "alert.denial-burst";

  /**
   * The weight of the latest interval in the connection baseline once 30 have passed (before, every interval so
   * far weighs the same): about the last 30 intervals count.
   */
  static final double BASELINE_WEIGHT = 1.0 / 30;
  private static final String OVERFLOW = "*";

  private final Detection rules;
  private final SecurityEventListener alerts;
  private final Windows failuresByAddress;
  private final Windows failuresByUser;
  private final Windows denials;
  private final Map<String, Prefixes> devices = new ConcurrentHashMap<>();
  private final AtomicLong unlearned = new AtomicLong();
  private final Spike spike;

  private Detector(Detection rules, SecurityEventListener alerts) {
    this.rules = rules;
    this.alerts = alerts;
    this.failuresByAddress = rules.bruteForce().map(r -> new Windows(r.failures(), r.window(), rules.maxTracked()))
        .orElse(null);
    this.failuresByUser = rules.bruteForce().map(r -> new Windows(r.failures(), r.window(), rules.maxTracked()))
        .orElse(null);
    this.denials = rules.denialBurst().map(r -> new Windows(r.denials(), r.window(), rules.maxTracked()))
        .orElse(null);
    this.spike = rules.connectionSpike().map(Spike::new).orElse(null);
  }

  /** A detector applying {@code rules}, raising its alerts to {@code alerts}. */
  public static Detector create(Detection rules, SecurityEventListener alerts) {
    return new Detector(Objects.requireNonNull(rules, "rules"), Objects.requireNonNull(alerts, "alerts"));
  }

  /** The rules applied. */
  public Detection rules() {
    return rules;
  }

  @Override
  public void on(SecurityEvent event) {
    if (event instanceof SecurityEvent.AuthFailed e) {
      attempt(e.time(), e.who());
      failed(e);
    } else if (event instanceof SecurityEvent.AuthSucceeded e) {
      attempt(e.time(), e.who());
      loggedIn(e);
    } else if (event instanceof SecurityEvent.AccessDenied e && denials != null) {
      String client = e.who().clientId();
      long n = denials.add(client, e.time());
      if (n > 0) {
        raise(e.time(), DENIAL_BURST, e.who(), "client " + denials.scopeOf(client), n, denials.window,
            n + " ACL denials within " + seconds(denials.window) + " for client " + denials.scopeOf(client)
                + ", the last " + e.action().name() + " " + e.topic());
      }
    }
  }

  /** Forgets the counts whose latest event is a window older than {@code now}. */
  public void sweep(Instant now) {
    for (Windows w : new Windows[] {failuresByAddress, failuresByUser, denials}) {
      if (w != null) {
        w.sweep(now.toEpochMilli());
      }
    }
  }

  /** How many addresses, users and clients the rules track now, and devices the new-address rule knows. */
  public long tracked() {
    long n = devices.size();
    for (Windows w : new Windows[] {failuresByAddress, failuresByUser, denials}) {
      if (w != null) {
        n += w.counts.size();
      }
    }
    return n;
  }

  /** How many devices logged in after the new-address rule was full, and so were not learned. */
  public long unlearnedDevices() {
    return unlearned.get();
  }

  private void failed(SecurityEvent.AuthFailed e) {
    if (failuresByAddress == null) {
      return;
    }
    ClientIdentity who = e.who();
    if (who.remoteAddress().isPresent()) {
      String address = who.remoteAddress().get().getHostAddress();
      long n = failuresByAddress.add(address, e.time());
      if (n > 0) {
        String scope = "address " + failuresByAddress.scopeOf(address);
        raise(e.time(), BRUTE_FORCE, who, scope, n, failuresByAddress.window,
            n + " failed logins within " + seconds(failuresByAddress.window) + " from " + scope);
      }
    }
    if (who.username().isPresent()) {
      String user = who.username().get();
      long n = failuresByUser.add(user, e.time());
      if (n > 0) {
        String scope = "user " + failuresByUser.scopeOf(user);
        raise(e.time(), BRUTE_FORCE, who, scope, n, failuresByUser.window,
            n + " failed logins within " + seconds(failuresByUser.window) + " for " + scope);
      }
    }
  }

  private void attempt(Instant time, ClientIdentity who) {
    if (spike == null) {
      return;
    }
    Spike.Fired fired = spike.attempt(time.toEpochMilli());
    if (fired != null) {
      raise(time, CONNECTION_SPIKE, who, "broker", fired.count(), spike.rule.interval(), fired.detail());
    }
  }

  private void loggedIn(SecurityEvent.AuthSucceeded e) {
    Detection.NewAddress rule = rules.newAddress().orElse(null);
    ClientIdentity who = e.who();
    if (rule == null || who.remoteAddress().isEmpty()) {
      return;
    }
    InetAddress address = who.remoteAddress().get();
    long prefix = prefix(address, rule);
    String device = who.username().orElse(who.clientId());
    Prefixes known = devices.get(device);
    if (known == null) {
      if (devices.size() >= rules.maxTracked()) {
        unlearned.incrementAndGet();
        return;
      }
      known = devices.computeIfAbsent(device, d -> new Prefixes());
    }
    String before;
    synchronized (known) {
      if (known.n == 0) {
        known.add(prefix);
        return; // first sight: learned, nothing to compare with
      }
      if (known.contains(prefix)) {
        known.touch(prefix);
        return;
      }
      before = known.describe(address instanceof Inet4Address ? rule.ipv4Prefix() : rule.ipv6Prefix());
      known.add(prefix);
    }
    int bits = address instanceof Inet4Address ? rule.ipv4Prefix() : rule.ipv6Prefix();
    raise(e.time(), NEW_ADDRESS, who, (who.username().isPresent() ? "user " : "client ") + device, 1, Duration.ZERO,
        device + " logged in from " + address.getHostAddress() + ", outside the /" + bits
            + " prefixes it logged in from before (" + before + ")");
  }

  private void raise(Instant time, String name, ClientIdentity who, String scope, long count, Duration window,
                     String detail) {
    alerts.deliver(new SecurityEvent.AlertRaised(time, name, who, scope, count, window, detail));
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + " s";
  }

  /**
   * The prefix of {@code address} as one long: an IPv6 /64 (or shorter) fits in its high 64 bits; an IPv4
   * prefix is kept in the low 32 bits under a marker no IPv6 unicast prefix carries.
   */
  static long prefix(InetAddress address, Detection.NewAddress rule) {
    byte[] b = address.getAddress();
    if (b.length == 4) {
      long v = ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
      long mask = rule.ipv4Prefix() == 32 ? 0xFFFFFFFFL : (0xFFFFFFFFL << (32 - rule.ipv4Prefix())) & 0xFFFFFFFFL;
      return 0x7FFF_FFFF_0000_0000L | (v & mask);
    }
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[i] & 0xFFL);
    }
    return rule.ipv6Prefix() == 64 ? v : v & (-1L << (64 - rule.ipv6Prefix()));
  }

  /** The prefixes a device logged in from, most recent first. Guarded by itself. */
  private static final class Prefixes {
    final long[] p = new long[Detection.PREFIXES_PER_DEVICE];
    int n;

    boolean contains(long prefix) {
      for (int i = 0; i < n; i++) {
        if (p[i] == prefix) {
          return true;
        }
      }
      return false;
    }

    /** Moves {@code prefix} to the front. */
    void touch(long prefix) {
      int i = 0;
      while (p[i] != prefix) {
        i++;
      }
      System.arraycopy(p, 0, p, 1, i);
      p[0] = prefix;
    }

    /** Adds {@code prefix} at the front, forgetting the least recent when full. */
    void add(long prefix) {
      System.arraycopy(p, 0, p, 1, Math.min(n, p.length - 1));
      p[0] = prefix;
      n = Math.min(n + 1, p.length);
    }

    String describe(int bits) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          s.append(", ");
        }
        s.append(format(p[i])).append('/').append(bits);
      }
      return s.toString();
    }

    private static String format(long prefix) {
      if ((prefix & 0xFFFF_FFFF_0000_0000L) == 0x7FFF_FFFF_0000_0000L) {
        return ((prefix >>> 24) & 0xFF) + "." + ((prefix >>> 16) & 0xFF) + "." + ((prefix >>> 8) & 0xFF) + "."
            + (prefix & 0xFF);
      }
      StringBuilder s = new StringBuilder();
      for (int i = 3; i >= 0; i--) {
        s.append(Long.toHexString((prefix >>> (16 * i)) & 0xFFFF)).append(':');
      }
      return s.append(':').toString();
    }
  }

  /** Sliding windows of one rule, one a key, at most {@code max} keys plus the shared one. */
  private static final class Windows {
    final int threshold;
    final Duration window;
    final long windowMillis;
    final int max;
    final Map<String, Count> counts = new ConcurrentHashMap<>();

    Windows(int threshold, Duration window, int max) {
      this.threshold = threshold;
      this.window = window;
      this.windowMillis = window.toMillis();
      this.max = max;
    }

    /** Counts an event of {@code key}: the number in the window when the rule fires, else 0. */
    long add(String key, Instant time) {
      long t = time.toEpochMilli();
      while (true) {
        Count c = counts.get(key);
        if (c == null) {
          c = counts.computeIfAbsent(counts.size() >= max ? OVERFLOW : key, k -> new Count(threshold));
        }
        synchronized (c) {
          if (c.gone) {
            continue; // swept meanwhile
          }
          return c.add(t, windowMillis);
        }
      }
    }

    /** {@code key}, or {@code *} when it is counted with the keys beyond the bound. */
    String scopeOf(String key) {
      return counts.containsKey(key) ? key : OVERFLOW;
    }

    void sweep(long now) {
      for (Iterator<Count> it = counts.values().iterator(); it.hasNext(); ) {
        Count c = it.next();
        synchronized (c) {
          if (now - c.latest() > windowMillis && now >= c.quietUntil) {
            c.gone = true;
            it.remove();
          }
        }
      }
    }
  }

  /** The times of a key's latest events, a ring. Guarded by itself. */
  private static final class Count {
    final long[] times;
    int next;
    int size;
    long quietUntil = Long.MIN_VALUE;
    boolean gone;

    Count(int threshold) {
      times = new long[threshold];
    }

    long add(long t, long windowMillis) {
      times[next] = t;
      next = next + 1 == times.length ? 0 : next + 1;
      if (size < times.length) {
        size++;
      }
      // full: the oldest of the ring is at next
      if (size == times.length && t - times[next] < windowMillis
          && t >= quietUntil) {
        quietUntil = t + windowMillis;
        return times.length;
      }
      return 0;
    }

    long latest() {
      return times[next == 0 ? times.length - 1 : next - 1];
    }
  }

  /** Connection attempts per interval against their moving average. Guarded by itself. */
  private static final class Spike {
    final Detection.ConnectionSpike rule;
    final long intervalMillis;
    long intervalStart = Long.MIN_VALUE;
    long count;
    double baseline;
    long intervals;
    boolean alerted;

    record Fired(long count, String detail) {
    }

    Spike(Detection.ConnectionSpike rule) {
      this.rule = rule;
      this.intervalMillis = rule.interval().toMillis();
    }

    /** Counts an attempt at {@code t}: the alert when this one makes a spike, else null. */
    synchronized Fired attempt(long t) {
      if (intervalStart == Long.MIN_VALUE) {
        intervalStart = t;
      }
      if (t >= intervalStart + intervalMillis) {
        long passed = (t - intervalStart) / intervalMillis;
        // the interval that ended, then (passed - 1) empty ones
        // the mean of the intervals so far while there are fewer than 30, then a moving average
        baseline += Math.max(BASELINE_WEIGHT, 1.0 / (intervals + 1)) * (count - baseline);
        for (long k = 1; k < passed && k < 10_000 && baseline > 0.01; k++) {
          baseline -= Math.max(BASELINE_WEIGHT, 1.0 / (intervals + k + 1)) * baseline;
        }
        intervals += passed;
        intervalStart += passed * intervalMillis;
        count = 0;
        alerted = false;
      }
      count++;
      boolean warm = intervals * intervalMillis >= rule.warmUp().toMillis();
      double threshold = Math.max(rule.minimum(), rule.factor() * baseline);
      if (!warm || alerted || count < threshold) {
        return null;
      }
      alerted = true;
      return new Fired(count, count + " connection attempts within " + rule.interval().toSeconds()
          + " s, against a moving average of " + String.format(java.util.Locale.ROOT, "%.1f", baseline)
          + " an interval (threshold " + String.format(java.util.Locale.ROOT, "%.1f", threshold) + ")");
    }
  }
}
