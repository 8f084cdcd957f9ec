/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.internal.Reloading;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The users and password hashes a {@link PasswordAuthenticator} checks against, held in memory and replaced
 * whole or user by user as their source changes: a {@link CredentialFile}, or a database shared by a fleet of
 * brokers. Whatever the source, lookups read an immutable snapshot, and {@link #onUsersChanged} callbacks learn
 * which users a change touched (a broker ends the connections whose password no longer holds).
 *
 * <p>A source hands its entries over with {@link #install} (all of them) or {@link #installChanges} (some), and
 * writes upgrade-on-login rehashes in {@link #replaceIfUnchanged}.
 */
public abstract class CredentialStore implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecurityEventListener listener;
  private final Clock clock;
  private final PasswordHasher hasher;
  private final Reloading.Callbacks<Set<String>> changeListeners = new Reloading.Callbacks<>();
  /** The last upgrade-on-login rewrite of each user, so a rehash is not mistaken for a reset. */
  private final Map<String, Rehash> rehashes = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot;
  /** Whether entries were ever installed: the first install tells the change callbacks nothing. */
  private boolean installed;

  /** What lookups read: the entries and the decoy hash that unknown users are verified against. */
  static final class Snapshot {
    final Map<String, Credential> users;
    final PasswordHash decoy;

    Snapshot(Map<String, Credential> users, PasswordHash decoy) {
      this.users = users;
      this.decoy = decoy;
    }
  }

  /**
   * @param hasher   how new passwords are hashed (null: {@link PasswordHasher#pbkdf2Sha512()})
   * @param listener where changes are reported (null: nowhere)
   * @param clock    for event times and rotation deadlines (null: the UTC system clock)
   */
  protected CredentialStore(PasswordHasher hasher, SecurityEventListener listener, Clock clock) {
    this.hasher = hasher == null ? PasswordHasher.pbkdf2Sha512() : hasher;
    this.listener = listener == null ? SecurityEventListener.none() : listener;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    // no users yet (a source that has not loaded): every login is checked against a decoy and refused
    this.snapshot = new Snapshot(Map.of(), this.hasher.decoy(RANDOM));
  }

  /** The entry of {@code username}, if there is one. */
  public Optional<Credential> lookup(String username) {
    return Optional.ofNullable(snapshot.users.get(username));
  }

  /** The user names, in the source's order. */
  public Set<String> users() {
    return snapshot.users.keySet();
  }

  /** The number of users. */
  public int size() {
    return snapshot.users.size();
  }

  /** The policy new passwords are hashed with, and that upgrade-on-login raises weaker hashes to. */
  public PasswordHasher hasher() {
    return hasher;
  }

  /** Where the entries come from, for events and messages: a file's path, or a database without its password. */
  public abstract String source();

  /**
   * Registers {@code callback} to receive the names of users whose entry was added, changed or removed. Called on
   * the thread that made the change; it must not block.
   */
  public void onUsersChanged(Consumer<Set<String>> callback) {
    changeListeners.add(callback);
  }

  /**
   * Whether {@code now} is {@code before} hashed again by upgrade-on-login ({@link
   * PasswordAuthenticator.Builder#upgradeOnLogin()}): the same password, so a client that logged in against
   * {@code before} still holds a valid one. A broker uses this to tell a rehash, which must not disconnect anyone,
   * from a password reset, which must.
   */
  public boolean isRehashOf(Credential now, Credential before) {
    Rehash r = rehashes.get(now.username());
    return r != null && r.to.equals(now) && r.from.equals(before);
  }

  /**
   * Replaces the current hash of {@code expected}'s user with {@code hash}, keeping a rotation under way, only if
   * the source still holds exactly {@code expected}: a concurrent change wins over an upgrade. An implementation
   * calls {@link #recordRehash} before the new entry is installed.
   */
  protected abstract boolean replaceIfUnchanged(Credential expected, PasswordHash hash);

  /** Notes that {@code to} is {@code from} hashed again, before {@code to} is installed. */
  protected final void recordRehash(Credential from, Credential to) {
    rehashes.put(to.username(), new Rehash(from, to));
  }

  /** The events' clock. */
  protected final Clock clock() {
    return clock;
  }

  /** Where events go. */
  protected final SecurityEventListener listener() {
    return listener;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Puts {@code users} in force in place of every entry, and tells the change callbacks which users differ from
   * before (none on the first install). Reports no event: the source reports its load as it must ({@link
   * #summary} says what a {@code PolicyReloaded} event says of the users).
   */
  protected final synchronized void install(Map<String, Credential> users) {
    Map<String, Credential> copy = Collections.unmodifiableMap(new LinkedHashMap<>(users));
    boolean first = !installed;
    installed = true;
    Map<String, Credential> before = snapshot.users;
    snapshot = new Snapshot(copy, decoyFor(copy.values()));
    if (!first) {
      changed(before, copy);
    }
  }

  /**
   * Puts in force the entries of {@code changes}, a null value removing its user, keeping every other entry, and
   * tells the change callbacks which users differ from before. Reports no event: a source that changes user by user
   * reports what it must itself.
   */
  protected final synchronized void installChanges(Map<String, Credential> changes) {
    Map<String, Credential> before = snapshot.users;
    Map<String, Credential> after = new LinkedHashMap<>(before);
    changes.forEach((user, entry) -> {
      if (entry == null) {
        after.remove(user);
      } else {
        after.put(user, entry);
      }
    });
    Map<String, Credential> copy = Collections.unmodifiableMap(after);
    snapshot = new Snapshot(copy, decoyFor(copy.values()));
    changed(before, copy);
  }

  /** "3 users, 1 rotating": what a {@code PolicyReloaded} event says of {@code users}. */
  protected static String summary(Map<String, Credential> users) {
    int rotating = 0;
    for (Credential c : users.values()) {
      rotating += c.previous().isPresent() ? 1 : 0;
    }
    return users.size() + (users.size() == 1 ? " user" : " users") + (rotating > 0 ? ", " + rotating + " rotating"
        : "");
  }

  /** Tells the {@link #onUsersChanged} callbacks which users differ between {@code before} and {@code after}. */
  private void changed(Map<String, Credential> before, Map<String, Credential> after) {
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, Credential> e : before.entrySet()) {
      if (!e.getValue().equals(after.get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    for (String user : after.keySet()) {
      if (!before.containsKey(user)) {
        changed.add(user);
      }
    }
    if (!changed.isEmpty()) {
      changeListeners.run(Collections.unmodifiableSet(changed));
    }
  }

  /**
   * A decoy with the algorithm and cost most users with a typed password have, so an unknown user's failure
   * costs what theirs does; only when every user holds a generated secret, the cost of those. With no users,
   * the hasher's policy decides.
   *
   * <p>The residual leak, chosen: a wrong password for a user holding a generated secret answers in a fraction
   * of a millisecond, faster than an unknown user, so such names can be told from unknown ones by timing. Those are
   * device names (usually systematic anyway) whose secrets are 192 random bits; the accounts of people, whose
   * passwords can be guessed, stay indistinguishable from unknown names.
   */
  private PasswordHash decoyFor(Iterable<Credential> entries) {
    PasswordHash typed = mostCommonCost(entries, false);
    return typed != null ? typed : Objects.requireNonNullElseGet(mostCommonCost(entries, true),
        () -> hasher.decoy(RANDOM));
  }

  /** A decoy of the most common cost among the hashes that are (or are not) at the generated-secret cost. */
  private static PasswordHash mostCommonCost(Iterable<Credential> entries, boolean generated) {
    Map<String, Integer> counts = new HashMap<>();
    Map<String, PasswordHash> sample = new HashMap<>();
    String best = null;
    for (Credential c : entries) {
      PasswordHash h = c.hash();
      if (h.isGeneratedSecretCost() != generated) {
        continue;
      }
      String key = h.algorithm() + " " + h.cost();
      int n = counts.merge(key, 1, Integer::sum);
      sample.putIfAbsent(key, h);
      if (best == null || n > counts.get(best)) {
        best = key;
      }
    }
    return best == null ? null : sample.get(best).decoy(RANDOM);
  }

  /** An entry upgrade-on-login wrote: the same password as {@code from}, hashed again. */
  private record Rehash(Credential from, Credential to) {
  }

  /** Stops following the source, if it is followed. Lookups keep working on the last entries. */
  @Override
  public void close() {
  }
}
