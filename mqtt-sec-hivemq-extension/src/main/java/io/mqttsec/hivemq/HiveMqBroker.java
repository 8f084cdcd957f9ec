/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.mqttsec.broker.BrokerSpi;
import io.mqttsec.broker.DisconnectReason;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/** HiveMQ CE as mqtt-sec's broker layer sees it: its client service and subscription store. */
final class HiveMqBroker implements BrokerSpi {

  private static final long TIMEOUT_SECONDS = 30;

  @Override
  public void disconnect(String clientId, DisconnectReason code, String reason) {
    // preventWillMessage: mqtt-sec holds every will (HiveMQ has none to publish) and drops this one itself
    Services.clientService().disconnectClient(clientId, true, switch (code) {
      case NOT_AUTHORIZED -> DisconnectReasonCode.NOT_AUTHORIZED;
      case MESSAGE_RATE_TOO_HIGH -> DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH;
      case PACKET_TOO_LARGE -> DisconnectReasonCode.PACKET_TOO_LARGE;
    }, reason);
  }

  @Override
  public boolean sessionExists(String clientId) {
    return await(Services.clientService().getSession(clientId)).isPresent();
  }

  @Override
  public void forEachSession(BiConsumer<String, Set<String>> consumer) {
    await(Services.subscriptionStore().iterateAllSubscriptions((context, result) -> consumer.accept(
        result.getClientId(), filters(result.getSubscriptions()))));
  }

  @Override
  public Set<String> subscriptions(String clientId) {
    return filters(await(Services.subscriptionStore().getSubscriptions(clientId)));
  }

  @Override
  public void removeSubscriptions(String clientId, Set<String> filters) {
    await(Services.subscriptionStore().removeSubscriptions(clientId, filters));
  }

  private static Set<String> filters(Set<? extends TopicSubscription> subscriptions) {
    Set<String> out = new HashSet<>();
    subscriptions.forEach(s -> out.add(s.getTopicFilter()));
    return out;
  }

  /** HiveMQ's answer, or an exception the broker layer treats as "cannot tell" (which fails closed). */
  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for HiveMQ", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("HiveMQ did not answer: " + e.getClass().getSimpleName(), e);
    }
  }
}
