/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link BrokerSecurity#connect} decided: a {@link ClientSession} to keep for the connection, or a refusal
 * and the reason to send back.
 *
 * <p>An adapter maps a {@link Refusal} to the CONNACK code of the client's protocol version:
 * <table>
 *   <caption>CONNACK codes</caption>
 *   <tr><th>refusal</th><th>MQTT 5</th><th>MQTT 3.1.1</th></tr>
 *   <tr><td>{@code BAD_CREDENTIALS}</td><td>0x86 Bad User Name or Password</td><td>0x04</td></tr>
 *   <tr><td>{@code NOT_AUTHORIZED}</td><td>0x87 Not authorized</td><td>0x05</td></tr>
 *   <tr><td>{@code CLIENT_ID_NOT_VALID}</td><td>0x85 Client Identifier not valid</td><td>0x02</td></tr>
 *   <tr><td>{@code SERVER_UNAVAILABLE}</td><td>0x89 Server busy (or 0x88 Server unavailable)</td><td>0x03</td></tr>
 *   <tr><td>{@code CONNECTION_RATE_EXCEEDED}</td><td>0x9F Connection rate exceeded</td><td>0x03</td></tr>
 *   <tr><td>{@code QUOTA_EXCEEDED}</td><td>0x97 Quota exceeded</td><td>0x03</td></tr>
 * </table>
 *
 * <p>The reason is fit for the client (an MQTT 5 reason string): it names what failed, never a secret, and does
 * not tell an unknown user from a wrong password.
 */
public final class ConnectResult {

  /** Why a CONNECT was refused, in the terms of the CONNACK that says so. */
  public enum Refusal {
    /** The user is unknown, or the password is wrong or empty. */
    BAD_CREDENTIALS,
    /** No credentials where some are needed, a rejected certificate, a lock-out, a refused will, an error. */
    NOT_AUTHORIZED,
    /** The client id belongs to another identity's session, or breaks the client-id policy. */
    CLIENT_ID_NOT_VALID,
    /** mqtt-sec could not decide now: the adapter's verification queue was full, or the check died. */
    SERVER_UNAVAILABLE,
    /** Too many CONNECTs a second from the client's address, its prefix, or to the broker. */
    CONNECTION_RATE_EXCEEDED,
    /** Too many connections at once: of the user, from the address, or from its prefix. */
    QUOTA_EXCEEDED
  }

  private final ClientSession session;
  private final Refusal refusal;
  private final String reason;

  private ConnectResult(ClientSession session, Refusal refusal, String reason) {
    this.session = session;
    this.refusal = refusal;
    this.reason = reason;
  }

  static ConnectResult accepted(ClientSession session) {
    return new ConnectResult(Objects.requireNonNull(session, "session"), null, "accepted");
  }

  static ConnectResult refused(Refusal refusal, String reason) {
    return new ConnectResult(null, Objects.requireNonNull(refusal, "refusal"), Objects.requireNonNull(reason,
        "reason"));
  }

  /** Whether the client may connect. */
  public boolean accepted() {
    return session != null;
  }

  /** The session to keep for the connection; present exactly when {@link #accepted()}. */
  public Optional<ClientSession> session() {
    return Optional.ofNullable(session);
  }

  /** Why the CONNECT was refused; empty when it was accepted. */
  public Optional<Refusal> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** For the client: {@code "accepted"}, or what failed. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return session != null ? "ConnectResult{accepted " + session + '}'
        : "ConnectResult{" + refusal + ", " + reason + '}';
  }
}
