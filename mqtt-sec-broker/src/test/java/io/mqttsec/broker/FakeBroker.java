/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/** A broker as {@link BrokerSecurity} sees it: sessions with subscriptions, and a record of what it was asked. */
class FakeBroker implements BrokerSpi {

  /** Every session the broker holds (connected or offline), with its subscription filters. */
  final Map<String, Set<String>> sessions = new ConcurrentHashMap<>();
  final List<String> disconnected = new CopyOnWriteArrayList<>();
  /** When set, {@link #sessionExists} throws it. */
  volatile RuntimeException failure;
  volatile int existsCalls;
  /** The threads the broker was asked on, one name per question. */
  final List<String> askedOn = new CopyOnWriteArrayList<>();

  void session(String clientId, String... filters) {
    sessions.put(clientId, new HashSet<>(List.of(filters)));
  }

  /** The reason codes of {@link #disconnected}, in the same order. */
  final List<DisconnectReason> codes = new CopyOnWriteArrayList<>();

  @Override
  public void disconnect(String clientId, DisconnectReason code, String reason) {
    codes.add(code);
    disconnected.add(clientId + ": " + reason);
  }

  @Override
  public boolean sessionExists(String clientId) {
    askedOn.add(Thread.currentThread().getName());
    existsCalls++;
    if (failure != null) {
      throw failure;
    }
    return sessions.containsKey(clientId);
  }

  @Override
  public void forEachSession(BiConsumer<String, Set<String>> consumer) {
    new ArrayList<>(sessions.keySet()).forEach(id -> consumer.accept(id, Set.copyOf(sessions.get(id))));
  }

  @Override
  public Set<String> subscriptions(String clientId) {
    askedOn.add(Thread.currentThread().getName());
    return Set.copyOf(sessions.getOrDefault(clientId, Set.of()));
  }

  @Override
  public void removeSubscriptions(String clientId, Set<String> filters) {
    sessions.getOrDefault(clientId, new HashSet<>()).removeAll(filters);
  }
}
