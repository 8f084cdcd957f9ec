/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authenticator;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.internal.Checks;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks MQTT CONNECT user names and passwords against a {@link CredentialStore} (a {@link CredentialFile}, or a
 * fleet's database).
 *
 * <pre>{@code
 * PasswordAuthenticator auth = PasswordAuthenticator.builder(store)
 *     .cache(Duration.ofMinutes(5), 100_000)
 *     .bruteForceGuard(BruteForceGuard.builder().listener(audit).build())
 *     .listener(audit)
 *     .build();
 * AuthResult r = auth.authenticate(ClientIdentity.of("sensor-0042", "s42").withRemoteAddress(addr), pw);
 * }</pre>
 *
 * <p>What one call does, in order:
 * <ol>
 *   <li>an empty or absent user name is anonymous: {@code ANONYMOUS_REFUSED} (whether anonymous clients may
 *       connect at all is the broker's choice, not the password store's);</li>
 *   <li>the {@link BruteForceGuard} may refuse at once ({@code LOCKED_OUT}, {@code ADDRESS_BLOCKED}) without
 *       hashing anything;</li>
 *   <li>an empty password never matches;</li>
 *   <li>a login verified within the cache's time to live, for the same entry and the same password, succeeds
 *       without hashing (a reconnect storm of thousands of devices costs microseconds each);</li>
 *   <li>otherwise the password is hashed at the stored cost and compared in constant time, against the
 *       previous hash too while a rotation window is open. An unknown user is hashed against a decoy of the
 *       most common cost of the file's typed passwords, so the answer takes as long as a wrong password for a
 *       person's account, and both give the same reason: no enumeration of people's accounts by timing or by
 *       message (a user holding a generated secret answers faster: see the creds README).</li>
 * </ol>
 * Every failure is counted by the guard and published as {@code AuthFailed}; every success as
 * {@code AuthSucceeded}. Any unexpected error denies with {@code ERROR}: this class fails closed.
 *
 * <p><b>Security:</b> the cache stores no password and nothing an offline attack could use: each entry holds
 * an HMAC-SHA256 of user name and password under a random key that lives only in this object's memory. It is
 * bounded in size and time, and a user's entries are dropped the moment their line in the file changes or
 * disappears. Events carry user, client id and address, never the password.
 *
 * <p>With {@link Builder#upgradeOnLogin()}, a login that verifies against a hash weaker than the store's
 * {@link CredentialStore#hasher()} ({@code $6$}, or {@code $7$} with fewer iterations, as mosquitto 2.0 writes
 * them) re-hashes the password with the current policy and writes it back, so a fleet moves to strong hashes
 * as it reconnects. That login pays for one extra hash and one file write.
 *
 * <p>Thread-safe. Verification is CPU-bound (about 0.2 s at 210,000 iterations): call it off the network
 * threads.
 */
public final class PasswordAuthenticator implements Authenticator {

  private static final String BAD_CREDENTIALS = "bad user name or password";

  private final CredentialStore store;
  private final Cache<String, CachedLogin> cache;
  private final BruteForceGuard guard;
  private final SecurityEventListener listener;
  private final Clock clock;
  private final boolean upgradeOnLogin;
  private final ThreadLocal<Mac> tagger;

  /** A verified login: a keyed tag of user and password, the entry it was checked against, and which hash. */
  private record CachedLogin(byte[] tag, Credential entry, boolean viaPrevious) {
  }

  private PasswordAuthenticator(Builder b) {
    this.store = b.store;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.listener = b.listener == null ? SecurityEventListener.none() : b.listener;
    this.guard = b.noGuard ? null
        : b.guard != null ? b.guard : BruteForceGuard.builder().clock(clock).listener(listener).build();
    this.upgradeOnLogin = b.upgradeOnLogin;
    if (b.noCache) {
      this.cache = null;
    } else {
      Duration ttl = b.cacheTtl == null ? Duration.ofMinutes(5) : b.cacheTtl;
      this.cache = Caffeine.newBuilder()
          .maximumSize(b.cacheMaxEntries == null ? 100_000 : b.cacheMaxEntries)
          .expireAfterWrite(ttl)
          .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
          .executor(Runnable::run)
          .build();
      store.onUsersChanged(cache::invalidateAll);
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
    Arrays.fill(key, (byte) 0);
    this.tagger = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(spec);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
      }
    });
  }

  /** A builder checking passwords against {@code store}. */
  public static Builder builder(CredentialStore store) {
    return new Builder(Objects.requireNonNull(store, "store"));
  }

  /**
   * A known client coming back, as far as can be told without hashing: the user is in the file, no login from
   * its address failed in the last minute, and either it holds a generated secret (cheap to verify) or it has
   * logged in from this address before. Unknown users and addresses with recent failures are what guessing looks
   * like. The answer orders logins under a storm and decides nothing; its timing does not depend on whether a
   * person's account exists, unless the address is one it logged in from.
   */
  @Override
  public boolean likelyReturning(ClientIdentity who) {
    try {
      String user = who.username().orElse(null);
      InetAddress address = who.remoteAddress().orElse(null);
      if (user == null || guard != null && address != null && guard.failedRecently(address)) {
        return false;
      }
      Credential c = store.lookup(user).orElse(null);
      return c != null && (c.hash().isGeneratedSecretCost() || guard != null && guard.returning(who));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether {@link #authenticate} answers at once: the address has no failure in the last minute and the answer
   * costs no deliberately slow hash, because this login is remembered or because every hash it would verify (the
   * user's, its previous one while still accepted, or the decoy for an unknown user) is at the generated-secret
   * cost. Reads memory only. An unknown user answers at once exactly when the decoy is at that cost, which is when
   * no user holds a typed password, so it looks like a device whose secret is wrong.
   */
  @Override
  public boolean answersAtOnce(ClientIdentity who, byte[] password) {
    try {
      String user = who.username().orElse(null);
      if (user == null) {
        return true; // refused without a hash
      }
      InetAddress address = who.remoteAddress().orElse(null);
      if (guard != null && address != null && guard.failedRecently(address)) {
        return false;
      }
      CredentialStore.Snapshot snapshot = store.snapshot();
      Credential entry = snapshot.users.get(user);
      if (entry == null) {
        return snapshot.decoy.isGeneratedSecretCost();
      }
      Instant now = clock.instant();
      if (entry.hash().isGeneratedSecretCost() && (!entry.acceptsPrevious(now)
          || entry.previous().orElseThrow().isGeneratedSecretCost())) {
        return true; // a device's secret: no tag to compute first
      }
      return password != null && remembered(user, entry, password, now) != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The remembered login of {@code user} with this password and entry, still acceptable at {@code now}, or null. */
  private CachedLogin remembered(String user, Credential entry, byte[] password, Instant now) {
    if (cache == null) {
      return null;
    }
    CachedLogin cached = cache.getIfPresent(user);
    return cached != null && cached.entry.equals(entry) && (!cached.viaPrevious || entry.acceptsPrevious(now))
        && MessageDigest.isEqual(cached.tag, tag(user, password)) ? cached : null;
  }

  /**
   * Checks {@code password} (the raw MQTT password bytes, possibly null) for {@code who}. Never throws for
   * bad input: every problem is a failed {@link AuthResult}.
   */
  @Override
  public AuthResult authenticate(ClientIdentity who, byte[] password) {
    try {
      return check(who, password);
    } catch (RuntimeException e) {
      AuthResult error = AuthResult.failure(AuthResult.Outcome.ERROR, "internal error while checking the password");
      listener.deliver(new SecurityEvent.AuthFailed(clock.instant(), who, error.outcome(), "internal error: "
          + e.getClass().getName()));
      return error;
    }
  }

  private AuthResult check(ClientIdentity who, byte[] password) {
    if (who.isAnonymous()) {
      return fail(who, AuthResult.Outcome.ANONYMOUS_REFUSED, "anonymous login is not allowed",
          "anonymous login is not allowed", false);
    }
    String user = who.username().orElseThrow();
    if (guard != null) {
      Optional<AuthResult> refused = guard.check(who);
      if (refused.isPresent()) {
        listener.deliver(new SecurityEvent.AuthFailed(clock.instant(), who, refused.get().outcome(),
            refused.get().reason()));
        return refused.get();
      }
    }
    if (password == null || password.length == 0) {
      return fail(who, AuthResult.Outcome.BAD_CREDENTIALS, BAD_CREDENTIALS, "empty password", true);
    }
    Instant now = clock.instant();
    CredentialStore.Snapshot snapshot = store.snapshot();
    Credential entry = snapshot.users.get(user);

    CachedLogin cached = entry == null ? null : remembered(user, entry, password, now);
    if (cached != null) {
      return succeed(who, cached.viaPrevious, entry, true);
    }

    if (entry == null) {
      snapshot.decoy.verify(password);
      return fail(who, AuthResult.Outcome.BAD_CREDENTIALS, BAD_CREDENTIALS, "unknown user", true);
    }
    boolean viaPrevious = false;
    boolean ok = entry.hash().verify(password);
    if (!ok && entry.acceptsPrevious(now)) {
      ok = entry.previous().orElseThrow().verify(password);
      viaPrevious = ok;
    }
    if (!ok) {
      return fail(who, AuthResult.Outcome.BAD_CREDENTIALS, BAD_CREDENTIALS, "wrong password", true);
    }
    Credential verified = upgradeOnLogin && !viaPrevious && !entry.hash().isGeneratedSecretCost()
        && entry.hash().isWeakerThan(store.hasher())
        ? upgrade(entry, password)
        : entry;
    if (cache != null) {
      // After the upgrade, so the cached login belongs to the entry now in force.
      cache.put(user, new CachedLogin(tag(user, password), verified, viaPrevious));
    }
    return succeed(who, viaPrevious, verified, false);
  }

  /** Re-hashes and writes back; returns the entry in force afterwards (the old one if nothing was written). */
  private Credential upgrade(Credential entry, byte[] password) {
    try {
      if (store.replaceIfUnchanged(entry, store.hasher().hash(password))) {
        return store.lookup(entry.username()).orElse(entry);
      }
      // The entry changed meanwhile: that change wins.
    } catch (RuntimeException e) {
      listener.deliver(new SecurityEvent.PolicyReloadFailed(clock.instant(), store.source(),
          "upgrade of the hash of user " + CredentialParser.quote(entry.username()) + " not written: "
              + e.getMessage()));
    }
    return entry;
  }

  private AuthResult succeed(ClientIdentity who, boolean viaPrevious, Credential entry, boolean cached) {
    if (guard != null) {
      guard.recordSuccess(who);
    }
    String how = viaPrevious
        ? "password verified against the previous credential, accepted until " + entry.previousUntil().orElseThrow()
        : "password verified";
    listener.deliver(new SecurityEvent.AuthSucceeded(clock.instant(), who,
        cached ? "password (cached)" : "password"));
    return AuthResult.success(entry.username(), how);
  }

  private AuthResult fail(ClientIdentity who, AuthResult.Outcome outcome, String reason, String detail,
                          boolean count) {
    if (count && guard != null) {
      guard.recordFailure(who);
    }
    listener.deliver(new SecurityEvent.AuthFailed(clock.instant(), who, outcome, detail));
    return AuthResult.failure(outcome, reason);
  }

  /** The login cache's key for a user name and password: an HMAC under this authenticator's random key. */
  byte[] tag(String user, byte[] password) {
    Mac mac = tagger.get();
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    mac.update((byte) (name.length >>> 24));
    mac.update((byte) (name.length >>> 16));
    mac.update((byte) (name.length >>> 8));
    mac.update((byte) name.length);
    mac.update(name);
    mac.update(password);
    return mac.doFinal();
  }

  @Override
  public String toString() {
    return "PasswordAuthenticator{" + store + ", cache=" + (cache == null ? "off" : "on") + ", guard="
        + (guard == null ? "off" : guard) + ", upgradeOnLogin=" + upgradeOnLogin + '}';
  }

  /** Builds a {@link PasswordAuthenticator}; each setting may be set once. */
  public static final class Builder {
    private final CredentialStore store;
    private Duration cacheTtl;
    private Long cacheMaxEntries;
    private boolean noCache;
    private BruteForceGuard guard;
    private boolean noGuard;
    private SecurityEventListener listener;
    private Clock clock;
    private boolean upgradeOnLogin;

    private Builder(CredentialStore store) {
      this.store = store;
    }

    /** Verified logins are remembered for {@code ttl}, at most {@code maxEntries} users. If unset, 5 min and 100,000. */
    public Builder cache(Duration ttl, long maxEntries) {
      if (cacheTtl != null || noCache) {
        throw new IllegalStateException("the cache was already configured");
      }
      if (ttl.isNegative() || ttl.isZero() || maxEntries < 1) {
        throw new IllegalArgumentException("the cache needs a positive time to live and size, not " + ttl + " and "
            + maxEntries);
      }
      cacheTtl = ttl;
      cacheMaxEntries = maxEntries;
      return this;
    }

    /** Every login hashes. */
    public Builder noCache() {
      if (cacheTtl != null || noCache) {
        throw new IllegalStateException("the cache was already configured");
      }
      noCache = true;
      return this;
    }

    /** The guard against password guessing. If unset, one with the defaults, this builder's clock and listener. */
    public Builder bruteForceGuard(BruteForceGuard bruteForceGuard) {
      if (guard != null || noGuard) {
        throw new IllegalStateException("the brute-force guard was already configured");
      }
      guard = Objects.requireNonNull(bruteForceGuard, "bruteForceGuard");
      return this;
    }

    /** No brute-force guard: for a broker that throttles logins itself. */
    public Builder noBruteForceGuard() {
      if (guard != null || noGuard) {
        throw new IllegalStateException("the brute-force guard was already configured");
      }
      noGuard = true;
      return this;
    }

    /** Where login events go. If unset, nowhere. */
    public Builder listener(SecurityEventListener eventListener) {
      Checks.requireUnset("listener", listener);
      listener = Objects.requireNonNull(eventListener, "eventListener");
      return this;
    }

    /** The clock for event times, cache expiry and rotation windows. If unset, the UTC system clock. */
    public Builder clock(Clock authClock) {
      Checks.requireUnset("clock", clock);
      clock = Objects.requireNonNull(authClock, "authClock");
      return this;
    }

    /** Re-hash weak hashes with the store's policy on a successful login and write them back. */
    public Builder upgradeOnLogin() {
      if (upgradeOnLogin) {
        throw new IllegalStateException("upgradeOnLogin was already set");
      }
      upgradeOnLogin = true;
      return this;
    }

    /** Builds the authenticator. */
    public PasswordAuthenticator build() {
      return new PasswordAuthenticator(this);
    }
  }
}
