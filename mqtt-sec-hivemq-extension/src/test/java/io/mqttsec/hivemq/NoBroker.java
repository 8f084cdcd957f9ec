/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import io.mqttsec.broker.BrokerSpi;
import io.mqttsec.broker.DisconnectReason;
import java.util.Set;
import java.util.function.BiConsumer;

/** A broker with no sessions, for tests of one callback without a broker. */
final class NoBroker implements BrokerSpi {
  @Override
  public void disconnect(String clientId, DisconnectReason code, String reason) {
  }

  @Override
  public boolean sessionExists(String clientId) {
    return false;
  }

  @Override
  public void forEachSession(BiConsumer<String, Set<String>> consumer) {
  }

  @Override
  public Set<String> subscriptions(String clientId) {
    return Set.of();
  }

  @Override
  public void removeSubscriptions(String clientId, Set<String> filters) {
  }
}
