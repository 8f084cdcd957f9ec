/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundInput;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundOutput;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import io.mqttsec.broker.Will;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes each will out of the CONNECT before HiveMQ sees it, so HiveMQ never publishes one on its own: HiveMQ
 * checks a will only at CONNECT, and would publish it later whatever the rules and credentials say by then.
 * The broker layer gets the will instead and publishes it (through HiveMQ's publish service) only if it is still
 * allowed when it falls due.
 *
 * <p>A will waits here, under a token in the connection's attributes, until the authenticator hands it over,
 * or the connection ends first.
 */
final class Wills implements ConnectInboundInterceptor {

  static final String TOKEN = "io.mqttsec.will";

  /** MQTT 5's largest message expiry interval, in seconds. */
  private static final long MAX_EXPIRY = 4_294_967_295L;
  private static final Runnable UNUSABLE = () -> {
    throw new IllegalStateException("this will could not be taken over from its CONNECT");
  };

  /** Past this many waiting wills, those older than {@link #STALE} are dropped when another arrives. */
  private static final int PURGE_ABOVE = 10_000;
  private static final long STALE = TimeUnit.MINUTES.toNanos(2);

  /** A will and when it arrived. */
  private record Waiting(Will will, long since) {
  }

  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();

  @Override
  public void onConnect(ConnectInboundInput input, ConnectInboundOutput output) {
    Optional<WillPublishPacket> will = input.getConnectPacket().getWillPublish();
    if (will.isEmpty()) {
      return;
    }
    WillPublishPacket packet = will.get();
    String token = Long.toString(tokens.incrementAndGet(), 36);
    Will held;
    try {
      Publish publish = publish(packet);
      held = new Will(packet.getTopic(), Duration.ofSeconds(packet.getWillDelay()),
          () -> Services.publishService().publish(publish));
    } catch (RuntimeException e) {
      // a will mqtt-sec cannot hold must not be left for the broker to publish unchecked: the CONNECT is refused
      held = new Will(packet.getTopic(), Duration.ZERO, UNUSABLE);
    }
    long now = System.nanoTime();
    if (waiting.size() > PURGE_ABOVE) {
      // a connection HiveMQ dropped before authentication, without an event that reached Lifecycle
      waiting.values().removeIf(w -> now - w.since > STALE);
    }
    waiting.put(token, new Waiting(held, now));
    input.getConnectionInformation().getConnectionAttributeStore().putAsString(TOKEN, token);
    output.getConnectPacket().setWillPublish(null);
  }

  /**
   * The will as a PUBLISH for HiveMQ's publish service, field by field: {@code Builders.publish().fromPublish}
   * refuses a will without a message expiry (it reads "none" as an expiry of {@code Long.MAX_VALUE}).
   */
  private static Publish publish(WillPublishPacket will) {
    PublishBuilder b = Builders.publish().topic(will.getTopic()).qos(will.getQos()).retain(will.getRetain())
        .payload(will.getPayload().orElse(ByteBuffer.allocate(0)));
    will.getMessageExpiryInterval().filter(e -> e <= MAX_EXPIRY).ifPresent(b::messageExpiryInterval);
    will.getPayloadFormatIndicator().ifPresent(b::payloadFormatIndicator);
    will.getResponseTopic().ifPresent(b::responseTopic);
    will.getCorrelationData().ifPresent(b::correlationData);
    will.getContentType().ifPresent(b::contentType);
    will.getUserProperties().asList().forEach(p -> b.userProperty(p.getName(), p.getValue()));
    return b.build();
  }

  /** The will the connection's CONNECT carried, once; null when it had none. */
  Will take(ConnectionInformation connection) {
    return token(connection).map(waiting::remove).map(Waiting::will).orElse(null);
  }

  /** Whether {@code will} could not be taken over from the CONNECT, which must then be refused. */
  static boolean unusable(Will will) {
    return will != null && will.publish() == UNUSABLE;
  }

  private static Optional<String> token(ConnectionInformation connection) {
    return connection.getConnectionAttributeStore().getAsString(TOKEN, StandardCharsets.UTF_8);
  }
}
