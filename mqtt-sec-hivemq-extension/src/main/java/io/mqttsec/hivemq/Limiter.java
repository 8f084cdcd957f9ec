/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.interceptor.unsubscribe.UnsubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.unsubscribe.parameter.UnsubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.unsubscribe.parameter.UnsubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The limits on HiveMQ's inbound PUBLISHes, and the UNSUBSCRIBEs that free room under the subscription limit.
 *
 * <p>An interceptor rather than the authorizer, because HiveMQ CE disconnects every client whose PUBLISH an
 * authorizer refuses, while an interceptor that prevents delivery answers an MQTT 5 client with the reason code
 * and keeps the connection: a PUBLISH over the rate is refused with 0x97 Quota exceeded (QoS 0: dropped), a topic
 * too long or deep with 0x90 Topic Name invalid. An MQTT 3.1.1 client has no reason codes: its PUBLISH over a
 * rate is dropped (HiveMQ still acknowledges it), and an invalid topic ends the connection. An oversized message,
 * or a rate exceeded for too long, is dropped while the broker layer ends the connection (0x95, 0x96).
 */
final class Limiter implements PublishInboundInterceptor, UnsubscribeInboundInterceptor {

  private final BrokerSecurity security;

  Limiter(BrokerSecurity security) {
    this.security = security;
  }

  private ClientSession session(ConnectionInformation connection, String clientId) {
    return security.session(connection.getConnectionAttributeStore().getAsString(MqttSecAuthenticator.SESSION,
        StandardCharsets.UTF_8).orElse(null), clientId);
  }

  @Override
  public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
    ConnectionInformation connection = input.getConnectionInformation();
    int bytes = input.getPublishPacket().getPayload().map(ByteBuffer::remaining).orElse(0);
    Verdict v = security.admit(session(connection, input.getClientInformation().getClientId()),
        input.getPublishPacket().getTopic(), bytes);
    boolean mqtt5 = connection.getMqttVersion() == MqttVersion.V_5;
    switch (v.kind()) {
      case ALLOWED -> {
      }
      case QUOTA_EXCEEDED -> {
        if (mqtt5) {
          output.preventPublishDelivery(AckReasonCode.QUOTA_EXCEEDED, v.reason());
        } else {
          output.preventPublishDelivery(); // 3.1.1 has no reason codes: dropped, not disconnected
        }
      }
      case TOPIC_NAME_INVALID -> output.preventPublishDelivery(AckReasonCode.TOPIC_NAME_INVALID, v.reason());
      case DISCONNECTED, NOT_AUTHORIZED -> output.preventPublishDelivery();
    }
  }

  @Override
  public void onInboundUnsubscribe(UnsubscribeInboundInput input, UnsubscribeInboundOutput output) {
    security.unsubscribed(session(input.getConnectionInformation(), input.getClientInformation().getClientId()),
        input.getUnsubscribePacket().getTopicFilters());
  }
}
