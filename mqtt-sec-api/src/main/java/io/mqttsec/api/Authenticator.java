/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * Decides whether a connecting client is who it claims to be.
 *
 * <p><b>Thread safety:</b> implementations are called concurrently. <b>Security:</b> implementations fail
 * closed (every error is a failed {@link AuthResult}), compare secrets in constant time, and never log or keep
 * the password. The caller owns the password array and may wipe it after the call returns.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Authenticates one connection attempt.
   *
   * @param who      the client, with its username (absent for anonymous), client id, remote address and, on a
   *                 TLS connection with a client certificate, its certificate chain
   * @param password the raw MQTT password field, or null when the CONNECT packet carried none
   * @return the result, never null
   */
  AuthResult authenticate(ClientIdentity who, byte[] password);

  /**
   * Whether authenticating {@code who} now looks like a known client coming back (cheap to verify and likely to
   * succeed) rather than a guess. A broker uses it only to order logins under a storm: it decides nothing, and a
   * wrong answer costs only waiting time. The default, false, puts every login in the same lane.
   */
  default boolean likelyReturning(ClientIdentity who) {
    return false;
  }

  /**
   * Whether {@link #authenticate} would answer {@code who} and {@code password} at once: without a deliberately
   * slow computation (a login it remembers, a hash cheap by design) and without waiting for I/O. A broker may then
   * decide the CONNECT on the thread that received it instead of handing it to a login thread. It must itself be
   * cheap, never block, and answer false when unsure; the default, false, hands every login over.
   */
  default boolean answersAtOnce(ClientIdentity who, byte[] password) {
    return false;
  }
}
