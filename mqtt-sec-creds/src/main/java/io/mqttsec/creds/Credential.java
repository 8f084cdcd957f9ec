/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One user's entry in a password file: the current hash and, during a rotation, the previous hash with the
 * instant it stops being accepted.
 *
 * <p>On disk a rotating entry reads {@code user:CURRENT_HASH:PREVIOUS_HASH:UNTIL}, {@code UNTIL} being an
 * ISO-8601 instant such as {@code 2026-12-01T00:00:00Z}. mosquitto 2.x reads only the first two fields of a
 * line, so it sees the new credential and ignores the rest (checked against mosquitto 2.0.11).
 *
 * <p>Immutable; equal when user, hashes and expiry are equal. {@link #toString()} shows no hash.
 */
public final class Credential {

  private final String username;
  private final PasswordHash current;
  private final PasswordHash previous;
  private final Instant previousUntil;

  Credential(String username, PasswordHash current, PasswordHash previous, Instant previousUntil) {
    this.username = Objects.requireNonNull(username, "username");
    this.current = Objects.requireNonNull(current, "current");
    if ((previous == null) != (previousUntil == null)) {
      throw new IllegalArgumentException("a previous hash needs an expiry, and an expiry a previous hash");
    }
    this.previous = previous;
    this.previousUntil = previousUntil;
  }

  /**
   * An entry for a store other than a file (a fleet's database): the user name is checked as a password file's
   * writes check it, and {@code previous} with {@code previousUntil} (both or neither) make a rotation.
   *
   * @throws IllegalArgumentException for a name a password file could not hold, or a half-given rotation
   */
  public static Credential of(String username, PasswordHash current, PasswordHash previous, Instant previousUntil) {
    CredentialFile.checkUsername(username);
    return new Credential(username, current, previous, previousUntil);
  }

  /** The user name, as it appears before the first {@code :}. */
  public String username() {
    return username;
  }

  /** The current hash, which always verifies. */
  public PasswordHash hash() {
    return current;
  }

  /** The hash being rotated out, if this entry is in a rotation window (expired or not). */
  public Optional<PasswordHash> previous() {
    return Optional.ofNullable(previous);
  }

  /** The instant from which {@link #previous()} no longer verifies. */
  public Optional<Instant> previousUntil() {
    return Optional.ofNullable(previousUntil);
  }

  /** Whether the previous hash is still accepted at {@code now} (strictly before its expiry). */
  public boolean acceptsPrevious(Instant now) {
    return previous != null && now.isBefore(previousUntil);
  }

  /**
   * The text after {@code user:} on this entry's line in a password file: {@code HASH}, or
   * {@code HASH:PREVIOUS_HASH:UNTIL} during a rotation. For tools that write password files.
   */
  public String encodedFields() {
    return previous == null
        ? current.encoded()
        : current.encoded() + ':' + previous.encoded() + ':' + previousUntil;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Credential)) {
      return false;
    }
    Credential c = (Credential) o;
    return username.equals(c.username) && current.equals(c.current) && Objects.equals(previous, c.previous)
        && Objects.equals(previousUntil, c.previousUntil);
  }

  @Override
  public int hashCode() {
    return Objects.hash(username, current, previous, previousUntil);
  }

  @Override
  public String toString() {
    return "Credential{" + username + ", " + current
        + (previous == null ? "" : ", rotating from " + previous + " until " + previousUntil) + '}';
  }
}
