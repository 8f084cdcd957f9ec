/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one authentication attempt.
 *
 * <p>The {@link #reason()} is for the audit log. It distinguishes, for example, an unknown user from a wrong
 * password so that operators can see what happened; a broker must not send that distinction back to the
 * client, which would let an attacker enumerate user names. Map every failure to one MQTT reason code.
 */
public final class AuthResult {

  /** What happened, in terms an operator can act on. */
  public enum Outcome {
    /** The credentials were verified. */
    SUCCESS,
    /** The user is unknown, the password is wrong or empty, or the certificate yields no identity. */
    BAD_CREDENTIALS,
    /** The client presented no credentials and anonymous access is off. */
    ANONYMOUS_REFUSED,
    /** The user is locked out from this address after repeated failures. */
    LOCKED_OUT,
    /** The remote address is blocked after too many failures from it. */
    ADDRESS_BLOCKED,
    /** The client certificate is revoked, expired or not trusted. */
    CERTIFICATE_REJECTED,
    /**
     * The client proved who it is, but its CONNECT asks for what that identity may not have: a client id that
     * breaks the broker's client-id policy, or a will on a topic it may not publish to.
     */
    REFUSED,
    /** An internal error; the attempt is refused (fail closed). */
    ERROR
  }

  private final Outcome outcome;
  private final Optional<String> username;
  private final String reason;

  private AuthResult(Outcome outcome, Optional<String> username, String reason) {
    this.outcome = outcome;
    this.username = username;
    this.reason = reason;
  }

  /**
   * A successful result.
   *
   * @param username the authenticated user name, which the broker should use for authorization (for certificate
   *                 authentication, the name taken from the certificate)
   */
  public static AuthResult success(String username, String reason) {
    Objects.requireNonNull(username, "username");
    return new AuthResult(Outcome.SUCCESS, Optional.of(username), Objects.requireNonNull(reason, "reason"));
  }

  /** A failed result; {@code outcome} must not be {@link Outcome#SUCCESS}. */
  public static AuthResult failure(Outcome outcome, String reason) {
    if (outcome == Outcome.SUCCESS) {
      throw new IllegalArgumentException("a failure cannot have outcome SUCCESS");
    }
    return new AuthResult(outcome, Optional.empty(), Objects.requireNonNull(reason, "reason"));
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Whether the client is authenticated. */
  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }

  /** The authenticated user name; present exactly when {@link #succeeded()}. */
  public Optional<String> username() {
    return username;
  }

  /** Why, for the audit log: {@code "unknown user"}, {@code "locked for 4 s more after 6 failed logins in a row"}. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "AuthResult{" + outcome + username.map(u -> ", user=" + u).orElse("") + ", reason=" + reason + '}';
  }
}
