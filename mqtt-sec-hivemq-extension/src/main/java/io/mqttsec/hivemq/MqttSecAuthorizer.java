/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.mqttsec.api.Decision;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.Verdict;
import java.nio.charset.StandardCharsets;

/**
 * HiveMQ's PUBLISH and SUBSCRIBE callbacks, and in filter-on-delivery mode its outbound PUBLISH interceptor,
 * each answered by {@link BrokerSecurity} with the connection's authenticated session. A denial answers
 * {@code NOT_AUTHORIZED} with the deciding rule as the reason string (MQTT 5), or drops the outbound message.
 * Stateless; one instance serves all clients.
 *
 * <p>Wills never reach {@link #authorizePublish}: {@link Wills} takes them out of the CONNECT, and the broker
 * layer checks them at CONNECT and again when they fall due.
 */
final class MqttSecAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer, PublishOutboundInterceptor {

  private final BrokerSecurity security;

  MqttSecAuthorizer(BrokerSecurity security) {
    this.security = security;
  }

  private ClientSession session(ConnectionInformation connection, String clientId) {
    return security.session(connection.getConnectionAttributeStore().getAsString(MqttSecAuthenticator.SESSION,
        StandardCharsets.UTF_8).orElse(null), clientId);
  }

  @Override
  public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
    Decision d = security.publish(session(input.getConnectionInformation(),
        input.getClientInformation().getClientId()), input.getPublishPacket().getTopic());
    if (d.allowed()) {
      output.authorizeSuccessfully();
    } else {
      output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, d.reason());
    }
  }

  @Override
  public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
    Verdict v = security.subscribe(session(input.getConnectionInformation(),
        input.getClientInformation().getClientId()), input.getSubscription().getTopicFilter());
    if (v.allowed()) {
      output.authorizeSuccessfully();
    } else {
      output.failAuthorization(v.kind() == Verdict.Kind.QUOTA_EXCEEDED ? SubackReasonCode.QUOTA_EXCEEDED
          : SubackReasonCode.NOT_AUTHORIZED, v.reason());
    }
  }

  @Override
  public void onOutboundPublish(PublishOutboundInput input, PublishOutboundOutput output) {
    Decision d = security.deliver(session(input.getConnectionInformation(),
        input.getClientInformation().getClientId()), input.getPublishPacket().getTopic());
    if (d.denied()) {
      output.preventPublishDelivery();
    }
  }
}
