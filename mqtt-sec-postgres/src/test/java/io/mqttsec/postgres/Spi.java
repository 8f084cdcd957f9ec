/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import io.mqttsec.broker.BrokerSpi;
import io.mqttsec.broker.DisconnectReason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/** One node's broker as the broker layer sees it: sessions with their subscriptions, and what it was asked to end. */
final class Spi implements BrokerSpi {

  final Map<String, Set<String>> sessions = new ConcurrentHashMap<>();
  final List<String> disconnected = new CopyOnWriteArrayList<>();

  @Override
  public void disconnect(String clientId, DisconnectReason code, String reason) {
    disconnected.add(clientId + ": " + reason);
  }

  @Override
  public boolean sessionExists(String clientId) {
    return sessions.containsKey(clientId);
  }

  @Override
  public void forEachSession(BiConsumer<String, Set<String>> consumer) {
    new ArrayList<>(sessions.keySet()).forEach(id -> consumer.accept(id, Set.copyOf(sessions.get(id))));
  }

  @Override
  public Set<String> subscriptions(String clientId) {
    return Set.copyOf(sessions.getOrDefault(clientId, Set.of()));
  }

  @Override
  public void removeSubscriptions(String clientId, Set<String> filters) {
    sessions.getOrDefault(clientId, new HashSet<>()).removeAll(filters);
  }
}
