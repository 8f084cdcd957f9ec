/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Detector} looks for, each rule on unless turned off:
 *
 * <ul>
 *   <li>{@link BruteForce}: {@code failures} failed logins within {@code window} from one address, or for one user
 *       name from anywhere ({@code alert.brute-force}); default 10 in a minute; 10 in 5 minutes is
 *       {@code new BruteForce(10, Duration.ofMinutes(5))};</li>
 *   <li>{@link NewAddress}: a device (its user name, else its client id) logging in from an address outside every
 *       prefix it logged in from before ({@code alert.new-address}); prefixes of /24 (IPv4) and /64 (IPv6), the
 *       last {@value #PREFIXES_PER_DEVICE} remembered;</li>
 *   <li>{@link ConnectionSpike}: connection attempts in one {@code interval} reaching {@code factor} times the moving
 *       average of earlier intervals, and at least {@code minimum} ({@code alert.connection-spike}); default 5 times
 *       and 50 in 10 seconds, after a warm-up of a minute;</li>
 *   <li>{@link DenialBurst}: {@code denials} ACL denials within {@code window} for one client id
 *       ({@code alert.denial-burst}); default 20 in a minute.</li>
 * </ul>
 *
 * <p>Each rule tracks at most {@link #maxTracked()} addresses, users or clients at once (default 100,000); beyond
 * that, the rest share one count. Immutable.
 */
public final class Detection {

  /** How many address prefixes are remembered per device. */
  public static final int PREFIXES_PER_DEVICE = 4;
  /** The default of {@link #maxTracked()}. */
  public static final int DEFAULT_MAX_TRACKED = 100_000;

  /** Failed logins per address and per user. */
  public record BruteForce(int failures, Duration window) {
    public BruteForce {
      positive("failures", failures, 10_000);
      window = positive("window", window);
    }
  }

  /** Logins from outside the prefixes a device used before. */
  public record NewAddress(int ipv4Prefix, int ipv6Prefix) {
    public NewAddress {
      if (ipv4Prefix < 1 || ipv4Prefix > 32) {
        throw new IllegalArgumentException("ipv4 prefix must be 1 to 32, was " + ipv4Prefix);
      }
      if (ipv6Prefix < 1 || ipv6Prefix > 64) {
        throw new IllegalArgumentException("ipv6 prefix must be 1 to 64, was " + ipv6Prefix);
      }
    }
  }

  /** Connection attempts per interval against their moving average. */
  public record ConnectionSpike(Duration interval, double factor, int minimum, Duration warmUp) {
    public ConnectionSpike {
      interval = positive("interval", interval);
      if (!(factor >= 1.0) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("factor must be a number of at least 1, was " + factor);
      }
      positive("minimum", minimum, Integer.MAX_VALUE);
      Objects.requireNonNull(warmUp, "warmUp");
      if (warmUp.isNegative()) {
        throw new IllegalArgumentException("warm-up must not be negative, was " + warmUp);
      }
    }
  }

  /** ACL denials per client id. */
  public record DenialBurst(int denials, Duration window) {
    public DenialBurst {
      positive("denials", denials, 10_000);
      window = positive("window", window);
    }
  }

  /** Every rule with its defaults. */
  public static final Detection DEFAULT = new Detection(new BruteForce(10, Duration.ofMinutes(1)),
      new NewAddress(24, 64), new ConnectionSpike(Duration.ofSeconds(10), 5.0, 50, Duration.ofMinutes(1)),
      new DenialBurst(20, Duration.ofMinutes(1)), DEFAULT_MAX_TRACKED);
  /** No rule. */
  public static final Detection NONE = new Detection(null, null, null, null, DEFAULT_MAX_TRACKED);

  private final BruteForce bruteForce;
  private final NewAddress newAddress;
  private final ConnectionSpike connectionSpike;
  private final DenialBurst denialBurst;
  private final int maxTracked;

  private Detection(BruteForce bruteForce, NewAddress newAddress, ConnectionSpike connectionSpike,
                    DenialBurst denialBurst, int maxTracked) {
    this.bruteForce = bruteForce;
    this.newAddress = newAddress;
    this.connectionSpike = connectionSpike;
    this.denialBurst = denialBurst;
    this.maxTracked = maxTracked;
  }

  /** These rules with {@code rule} instead (null: off). */
  public Detection withBruteForce(BruteForce rule) {
    return new Detection(rule, newAddress, connectionSpike, denialBurst, maxTracked);
  }

  /** These rules with {@code rule} instead (null: off). */
  public Detection withNewAddress(NewAddress rule) {
    return new Detection(bruteForce, rule, connectionSpike, denialBurst, maxTracked);
  }

  /** These rules with {@code rule} instead (null: off). */
  public Detection withConnectionSpike(ConnectionSpike rule) {
    return new Detection(bruteForce, newAddress, rule, denialBurst, maxTracked);
  }

  /** These rules with {@code rule} instead (null: off). */
  public Detection withDenialBurst(DenialBurst rule) {
    return new Detection(bruteForce, newAddress, connectionSpike, rule, maxTracked);
  }

  /** These rules, each tracking at most {@code max} keys. */
  public Detection withMaxTracked(int max) {
    positive("max tracked", max, Integer.MAX_VALUE);
    return new Detection(bruteForce, newAddress, connectionSpike, denialBurst, max);
  }

  public Optional<BruteForce> bruteForce() {
    return Optional.ofNullable(bruteForce);
  }

  public Optional<NewAddress> newAddress() {
    return Optional.ofNullable(newAddress);
  }

  public Optional<ConnectionSpike> connectionSpike() {
    return Optional.ofNullable(connectionSpike);
  }

  public Optional<DenialBurst> denialBurst() {
    return Optional.ofNullable(denialBurst);
  }

  public int maxTracked() {
    return maxTracked;
  }

  @Override
  public String toString() {
    return "Detection{bruteForce=" + bruteForce + ", newAddress=" + newAddress + ", connectionSpike="
        + connectionSpike + ", denialBurst=" + denialBurst + ", maxTracked=" + maxTracked + '}';
  }

  private static void positive(String what, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(what + " must be 1 to " + max + ", was " + value);
    }
  }

  private static Duration positive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be longer than zero, was " + Durations.describe(value));
    }
    return value;
  }
}
