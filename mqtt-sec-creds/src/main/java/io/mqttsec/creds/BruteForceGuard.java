/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.internal.Checks;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Slows down password guessing without letting an attacker lock a device out.
 *
 * <p>Three counters, each with its own reach:
 * <ul>
 *   <li><b>user at address</b>: after {@code failuresBeforeLockout} (5) failures in a row for one user name
 *       from one address, that pair is locked for {@code initialLockout} (1 s), doubling with each further
 *       failure up to {@code maxLockout} (15 min). Only that pair: the same user from another address is not
 *       affected, so a device keeps working while someone guesses its password elsewhere.</li>
 *   <li><b>address</b>: more than {@code addressFailuresPerMinute} (10) failures within a minute from one
 *       address, whatever the user names, block the address for {@code addressBlock} (10 min).</li>
 *   <li><b>account</b>: NIST SP 800-63B allows at most 100 consecutive failures per account. After
 *       {@code accountFailureLimit} (100) failures in a row across all addresses the account is locked for
 *       {@code maxLockout}, but only for addresses it has never logged in from: an address with a past
 *       success for this user is "clean" and stays open. So a botnet spreading guesses over many addresses
 *       is bounded, and the device itself is not locked out.</li>
 * </ul>
 * A success resets the user's pair and account counters (not the address's). Attempts refused while locked
 * are not counted, so a lock does not grow while it is being hammered. A client without a remote address is
 * tracked by user name alone and never address-blocked.
 *
 * <p>Each lock and block is published as a {@code ClientLockedOut} or {@code AddressBlocked} event (user,
 * client id, address, duration, count; never a password). State is kept in bounded Caffeine caches
 * (default 1,000,000 entries each, forgotten 24 h after the last failure), so a flood of made-up names
 * cannot exhaust memory. Thread-safe: counts stay exact under concurrent failures.
 */
public final class BruteForceGuard {

  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final int KNOWN_GOOD_ADDRESSES = 16;

  private final int failuresBeforeLockout;
  private final Duration initialLockout;
  private final Duration maxLockout;
  private final int addressFailuresPerMinute;
  private final Duration addressBlock;
  private final int accountFailureLimit;
  private final Clock clock;
  private final SecurityEventListener listener;
  private final Cache<Pair, PairState> pairs;
  private final Cache<InetAddress, AddressState> addresses;
  private final Cache<String, AccountState> accounts;
  private final GuardSharing sharing;

  private record Pair(String user, InetAddress address) {
  }

  private record PairState(int failures, long lockedUntil) {
  }

  /** Failure times within the window, oldest first, and the end of a block. */
  private record AddressState(long[] recent, long blockedUntil) {
  }

  private record AccountState(int failures, long lockedUntil, List<InetAddress> knownGood) {
  }

  private BruteForceGuard(Builder b) {
    this.failuresBeforeLockout = b.failuresBeforeLockout == null ? 5 : b.failuresBeforeLockout;
    this.initialLockout = b.initialLockout == null ? Duration.ofSeconds(1) : b.initialLockout;
    this.maxLockout = b.maxLockout == null ? Duration.ofMinutes(15) : b.maxLockout;
    this.addressFailuresPerMinute = b.addressFailuresPerMinute == null ? 10 : b.addressFailuresPerMinute;
    this.addressBlock = b.addressBlock == null ? Duration.ofMinutes(10) : b.addressBlock;
    this.accountFailureLimit = b.accountFailureLimit == null ? 100 : b.accountFailureLimit;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.listener = b.listener == null ? SecurityEventListener.none() : b.listener;
    long maxEntries = b.maxTrackedEntries == null ? 1_000_000 : b.maxTrackedEntries;
    if (initialLockout.compareTo(maxLockout) > 0) {
      throw new IllegalStateException("initial lockout " + initialLockout + " is longer than the maximum "
          + maxLockout);
    }
    this.pairs = newCache(maxEntries);
    this.addresses = newCache(maxEntries);
    this.accounts = newCache(maxEntries);
    this.sharing = b.sharing;
    if (sharing != null) {
      sharing.onRemote((user, address, failed) -> {
        ClientIdentity who = ClientIdentity.of(user.isEmpty() ? null : user, "");
        if (address != null) {
          who = who.withRemoteAddress(address);
        }
        if (failed) {
          count(who);
        } else {
          succeeded(who);
        }
      });
    }
  }

  private <K, V> Cache<K, V> newCache(long maxEntries) {
    return Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfterWrite(Duration.ofHours(24))
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
  }

  /** A guard with the defaults described above, using the system clock and publishing no events. */
  public static BruteForceGuard withDefaults() {
    return builder().build();
  }

  /** A builder; every setting has the default described on this class. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether {@code who} may try a password now: empty if so, else the refusal to return
   * ({@code ADDRESS_BLOCKED} or {@code LOCKED_OUT}, with the time left in the reason).
   */
  public Optional<AuthResult> check(ClientIdentity who) {
    long now = clock.millis();
    InetAddress address = who.remoteAddress().orElse(null);
    String user = who.username().orElse("");
    if (address != null) {
      AddressState a = addresses.getIfPresent(address);
      if (a != null && a.blockedUntil > now && !knownGood(user, address)) {
        return Optional.of(AuthResult.failure(AuthResult.Outcome.ADDRESS_BLOCKED,
            "address blocked for " + seconds(a.blockedUntil - now) + " more after too many failed logins"));
      }
    }
    PairState p = pairs.getIfPresent(new Pair(user, address));
    if (p != null && p.lockedUntil > now) {
      return Optional.of(AuthResult.failure(AuthResult.Outcome.LOCKED_OUT, "locked for " + seconds(p.lockedUntil - now)
          + " more after " + p.failures + " failed logins in a row"));
    }
    AccountState acc = accounts.getIfPresent(user);
    if (acc != null && acc.lockedUntil > now && (address == null || !acc.knownGood.contains(address))) {
      return Optional.of(AuthResult.failure(AuthResult.Outcome.LOCKED_OUT, "account locked for "
          + seconds(acc.lockedUntil - now) + " more for addresses it never logged in from, after "
          + acc.failures + " failed logins in a row"));
    }
    return Optional.empty();
  }

  /**
   * Counts a failed login of {@code who}; may lock the pair or the account, or block the address. With
   * {@link GuardSharing}, the other brokers count it too.
   */
  public void recordFailure(ClientIdentity who) {
    count(who);
    if (sharing != null) {
      sharing.publish(who.username().orElse(""), who.remoteAddress().orElse(null), true);
    }
  }

  /** Counts a failure, here or at another broker; reports what it locks or blocks. */
  private void count(ClientIdentity who) {
    long now = clock.millis();
    String user = who.username().orElse("");
    InetAddress address = who.remoteAddress().orElse(null);
    List<SecurityEvent> events = new ArrayList<>(2);

    PairState pair = pairs.asMap().compute(new Pair(user, address), (k, old) -> {
      int failures = old == null ? 1 : old.failures + 1;
      long lockedUntil = old == null ? 0 : old.lockedUntil;
      if (failures >= failuresBeforeLockout) {
        lockedUntil = now + lockoutFor(failures).toMillis();
      }
      return new PairState(failures, lockedUntil);
    });
    if (pair.failures >= failuresBeforeLockout) {
      events.add(new SecurityEvent.ClientLockedOut(clock.instant(), who, lockoutFor(pair.failures),
          pair.failures));
    }

    AccountState account = accounts.asMap().compute(user, (k, old) -> {
      int failures = old == null ? 1 : old.failures + 1;
      long lockedUntil = old == null ? 0 : old.lockedUntil;
      List<InetAddress> good = old == null ? List.of() : old.knownGood;
      if (failures >= accountFailureLimit) {
        lockedUntil = now + maxLockout.toMillis();
      }
      return new AccountState(failures, lockedUntil, good);
    });
    if (account.failures >= accountFailureLimit) {
      events.add(new SecurityEvent.ClientLockedOut(clock.instant(), who, maxLockout, account.failures));
    }

    if (address != null) {
      long[] blockedBy = new long[1];
      AddressState a = addresses.asMap().compute(address, (k, old) -> {
        long[] recent = old == null ? new long[0] : old.recent;
        int keep = 0;
        while (keep < recent.length && recent[keep] <= now - WINDOW.toMillis()) {
          keep++;
        }
        // The last addressFailuresPerMinute times plus this one: enough to tell "more than N a minute".
        int from = Math.max(keep, recent.length - addressFailuresPerMinute);
        long[] next = Arrays.copyOfRange(recent, from, recent.length + 1);
        next[next.length - 1] = now;
        long blockedUntil = old == null ? 0 : old.blockedUntil;
        blockedBy[0] = 0;
        if (next.length > addressFailuresPerMinute && blockedUntil <= now) {
          blockedUntil = now + addressBlock.toMillis();
          blockedBy[0] = next.length;
        }
        return new AddressState(next, blockedUntil);
      });
      if (blockedBy[0] > 0) {
        events.add(new SecurityEvent.AddressBlocked(clock.instant(), address, who, addressBlock,
            (int) blockedBy[0]));
      }
    }
    for (SecurityEvent e : events) {
      listener.deliver(e); // each broker reports the locks it applies, whichever broker saw the last failure
    }
  }

  /**
   * Whether {@code user} has logged in from {@code address} before. Such a device is exempt from the address
   * block: devices behind one NAT gateway share an address, and a guesser there must not lock them all out.
   */
  private boolean knownGood(String user, InetAddress address) {
    AccountState acc = accounts.getIfPresent(user);
    return acc != null && acc.knownGood.contains(address);
  }

  /**
   * Whether {@code who} has logged in from its address before and nothing failed from that address within the
   * last minute: a device coming back rather than a guess. For ordering logins under a storm; it decides nothing.
   */
  public boolean returning(ClientIdentity who) {
    InetAddress address = who.remoteAddress().orElse(null);
    return address != null && !failedRecently(address) && knownGood(who.username().orElse(""), address);
  }

  /** Whether a login from {@code address} failed within the last minute. */
  public boolean failedRecently(InetAddress address) {
    AddressState a = addresses.getIfPresent(address);
    if (a == null) {
      return false;
    }
    long since = clock.millis() - WINDOW.toMillis();
    for (long t : a.recent) {
      if (t > since) {
        return true;
      }
    }
    return false;
  }

  /**
   * Records a successful login: the user's pair and account counters restart, and the address is clean. With
   * {@link GuardSharing}, the other brokers learn it too.
   */
  public void recordSuccess(ClientIdentity who) {
    boolean usual = succeeded(who);
    if (sharing != null && !usual) {
      sharing.publish(who.username().orElse(""), who.remoteAddress().orElse(null), false);
    }
  }

  /** Applies a success; true when it changed nothing (the usual reconnect, which is not worth sharing). */
  private boolean succeeded(ClientIdentity who) {
    boolean[] usual = {false};
    String user = who.username().orElse("");
    InetAddress address = who.remoteAddress().orElse(null);
    pairs.invalidate(new Pair(user, address));
    accounts.asMap().compute(user, (k, old) -> {
      if (old != null && old.failures == 0 && (address == null || old.knownGood.contains(address))) {
        usual[0] = true;
        return old; // the usual reconnect: nothing to change, nothing to allocate
      }
      List<InetAddress> good = old == null ? List.of() : old.knownGood;
      if (address != null && !good.contains(address)) {
        List<InetAddress> next = new ArrayList<>(good);
        if (next.size() == KNOWN_GOOD_ADDRESSES) {
          next.remove(0);
        }
        next.add(address);
        good = List.copyOf(next);
      }
      return good.isEmpty() ? null : new AccountState(0, 0, good);
    });
    return usual[0];
  }

  /** The lock after {@code failures} failures in a row: initial, doubling per failure, capped. */
  Duration lockoutFor(int failures) {
    int doublings = failures - failuresBeforeLockout;
    if (doublings >= 40) {
      return maxLockout;
    }
    Duration d = initialLockout.multipliedBy(1L << doublings);
    return d.compareTo(maxLockout) > 0 ? maxLockout : d;
  }

  private static String seconds(long millis) {
    return (millis + 999) / 1000 + " s";
  }


  @Override
  public String toString() {
    return "BruteForceGuard{lock after " + failuresBeforeLockout + " failures for " + initialLockout
        + " doubling to " + maxLockout + ", block an address after " + addressFailuresPerMinute
        + " failures a minute for " + addressBlock + ", account limit " + accountFailureLimit + '}';
  }

  /** Builds a {@link BruteForceGuard}; each setting may be set once. */
  public static final class Builder {
    private Integer failuresBeforeLockout;
    private Duration initialLockout;
    private Duration maxLockout;
    private Integer addressFailuresPerMinute;
    private Duration addressBlock;
    private Integer accountFailureLimit;
    private Long maxTrackedEntries;
    private Clock clock;
    private SecurityEventListener listener;
    private GuardSharing sharing;

    private Builder() {
    }

    /** Failures in a row for one user from one address before the first lock. If unset, 5. */
    public Builder failuresBeforeLockout(int failures) {
      Checks.requireUnset("failuresBeforeLockout", failuresBeforeLockout);
      failuresBeforeLockout = positive(failures, "failuresBeforeLockout");
      return this;
    }

    /** The first lock's length, doubled with each further failure. If unset, 1 s. */
    public Builder initialLockout(Duration duration) {
      Checks.requireUnset("initialLockout", initialLockout);
      initialLockout = positive(duration, "initialLockout");
      return this;
    }

    /** The longest lock, also the account lock's length. If unset, 15 min. */
    public Builder maxLockout(Duration duration) {
      Checks.requireUnset("maxLockout", maxLockout);
      maxLockout = positive(duration, "maxLockout");
      return this;
    }

    /** Failures a minute from one address above which it is blocked. If unset, 10. */
    public Builder addressFailuresPerMinute(int failures) {
      Checks.requireUnset("addressFailuresPerMinute", addressFailuresPerMinute);
      addressFailuresPerMinute = positive(failures, "addressFailuresPerMinute");
      return this;
    }

    /** How long a blocked address stays blocked. If unset, 10 min. */
    public Builder addressBlock(Duration duration) {
      Checks.requireUnset("addressBlock", addressBlock);
      addressBlock = positive(duration, "addressBlock");
      return this;
    }

    /** Failures in a row on one account, from any address, before it is locked for unknown addresses. If unset, 100. */
    public Builder accountFailureLimit(int failures) {
      Checks.requireUnset("accountFailureLimit", accountFailureLimit);
      if (failures < 1 || failures > 100) {
        throw new IllegalArgumentException("accountFailureLimit must be from 1 to 100 (NIST SP 800-63B), not "
            + failures);
      }
      accountFailureLimit = failures;
      return this;
    }

    /** The most users, addresses and pairs tracked each. If unset, 1,000,000. */
    public Builder maxTrackedEntries(long entries) {
      Checks.requireUnset("maxTrackedEntries", maxTrackedEntries);
      if (entries < 1) {
        throw new IllegalArgumentException("maxTrackedEntries must be positive, not " + entries);
      }
      maxTrackedEntries = entries;
      return this;
    }

    /** The clock for lock times. If unset, the UTC system clock. */
    public Builder clock(Clock guardClock) {
      Checks.requireUnset("clock", clock);
      clock = Objects.requireNonNull(guardClock, "guardClock");
      return this;
    }

    /** Share logins with the guards of the other brokers of a fleet. If unset, this guard counts alone. */
    public Builder sharing(GuardSharing fleet) {
      Checks.requireUnset("sharing", sharing);
      sharing = Objects.requireNonNull(fleet, "fleet");
      return this;
    }

    /** Where lock and block events go. If unset, nowhere. */
    public Builder listener(SecurityEventListener eventListener) {
      Checks.requireUnset("listener", listener);
      listener = Objects.requireNonNull(eventListener, "eventListener");
      return this;
    }

    /**
     * Builds the guard.
     *
     * @throws IllegalStateException if the initial lockout is longer than the maximum
     */
    public BruteForceGuard build() {
      return new BruteForceGuard(this);
    }

    private static int positive(int value, String what) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be positive, not " + value);
      }
      return value;
    }

    private static Duration positive(Duration value, String what) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, not " + value);
      }
      return value;
    }

  }
}
