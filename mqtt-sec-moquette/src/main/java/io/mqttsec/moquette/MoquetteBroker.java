/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.broker.BrokerSpi;
import io.mqttsec.broker.DisconnectReason;
import io.moquette.broker.Server;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The broker layer's view of Moquette. Moquette's API can end a connection and drop a whole session, but cannot
 * list a session's subscriptions or remove one of them; the adapter therefore keeps the sessions it accepted and
 * the subscriptions it allowed, and removes a subscription the only way Moquette allows: by ending the client's
 * session (fail closed). Moquette runs without persistence under mqtt-sec, so no session outlives the process
 * unseen.
 */
final class MoquetteBroker implements BrokerSpi {

  /** The connection each client id has now. */
  final Map<String, TappedEngine> live = new ConcurrentHashMap<>();
  /** Client ids whose (not clean) session outlived its connection. */
  final Set<String> offline = ConcurrentHashMap.newKeySet();
  /** The filters mqtt-sec allowed each client id to subscribe to. */
  final Map<String, Set<String>> subscriptions = new ConcurrentHashMap<>();
  volatile Server server;

  @Override
  public void disconnect(String clientId, DisconnectReason code, String reason) {
    TappedEngine c = live.get(clientId);
    if (c != null) {
      c.refuse(reason); // whatever Moquette does next, this connection reads nothing more
    }
    Server s = server;
    if (s != null) {
      s.disconnectClient(clientId);
    }
  }

  @Override
  public boolean sessionExists(String clientId) {
    return live.containsKey(clientId) || offline.contains(clientId);
  }

  @Override
  public void forEachSession(BiConsumer<String, Set<String>> consumer) {
    Set<String> ids = new HashSet<>(live.keySet());
    ids.addAll(offline);
    ids.forEach(id -> consumer.accept(id, subscriptions(id)));
  }

  @Override
  public Set<String> subscriptions(String clientId) {
    return Set.copyOf(subscriptions.getOrDefault(clientId, Set.of()));
  }

  /**
   * Moquette cannot remove one subscription: the session goes, with every subscription and queued message, and
   * its connection with it. The client starts afresh on its next CONNECT, under the rules then in force.
   */
  @Override
  public void removeSubscriptions(String clientId, Set<String> filters) {
    subscriptions.remove(clientId);
    offline.remove(clientId);
    Server s = server;
    if (s != null) {
      s.disconnectAndPurgeClientState(clientId);
    }
  }

  void subscribed(String clientId, String filter) {
    subscriptions.computeIfAbsent(clientId, k -> ConcurrentHashMap.newKeySet()).add(filter);
  }

  void unsubscribed(String clientId, String filter) {
    Set<String> s = subscriptions.get(clientId);
    if (s != null) {
      s.remove(filter);
    }
  }
}
