/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.Set;
import java.util.function.BiConsumer;

/**
 * What {@link BrokerSecurity} asks of the broker it protects: the few operations a live change needs. A broker
 * adapter implements it with its broker's own API. Methods may block (they run on mqtt-sec's reload and will
 * threads, or inside {@link BrokerSecurity#connect}); an exception from one is treated as the safe answer
 * where there is one ({@link #sessionExists} as "yes"), and otherwise reported as an event.
 */
public interface BrokerSpi {

  /**
   * Ends the live connection of {@code clientId}, if any, because mqtt-sec decided so (a credential removed or
   * reset, a certificate revoked, a limit exceeded), with {@code code} as the MQTT 5 DISCONNECT reason code. The
   * broker must not publish the client's will for it: mqtt-sec holds wills and drops this one. {@code reason} is
   * for the client (an MQTT 5 reason string) and names no secret.
   */
  void disconnect(String clientId, DisconnectReason code, String reason);

  /** Whether a session with this client id exists now, connected or persisted offline. */
  boolean sessionExists(String clientId);

  /**
   * Calls {@code consumer} once for every session, connected or persisted offline, with the client id and its
   * subscription filters ({@code $share/GROUP/FILTER} as the client gave it). Returns when all were visited.
   */
  void forEachSession(BiConsumer<String, Set<String>> consumer);

  /** The subscription filters of one session; empty when it has none or does not exist. */
  Set<String> subscriptions(String clientId);

  /** Removes these subscriptions from the session of {@code clientId}. */
  void removeSubscriptions(String clientId, Set<String> filters);
}
