/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ConnectRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The authorizer's callbacks against a broker's inputs and outputs, without a broker: what each decision and each
 * failure turns into. The embedded-broker tests ({@link ExtensionTest}) cover the same path end to end for
 * decisions; an ACL that throws cannot be put into a running broker, so its denial is proved here.
 */
class MqttSecAuthorizerTest {

  private final SdkFakes fakes = new SdkFakes();
  private final List<String> calls = fakes.calls;
  private final List<SecurityEvent> audit = new ArrayList<>();
  private final List<ClientIdentity> asked = new ArrayList<>();
  private BrokerSecurity security;
  private String sessionId;

  private MqttSecAuthorizer authorizer(Authorizer acl) {
    security = BrokerSecurity.builder().acl((who, action, topic) -> {
      asked.add(who);
      return acl.authorize(who, action, topic);
    }).broker(new NoBroker()).audit(audit::add).authenticator((who, pw) -> AuthResult.success("press-1", "ok"))
        .build();
    sessionId = security.connect(ConnectRequest.builder("tls", "press-1-main").username("press-1")
        .password("pw".getBytes(StandardCharsets.UTF_8)).build()).session().orElseThrow().id();
    audit.clear();
    return new MqttSecAuthorizer(security);
  }

  @AfterEach
  void close() {
    if (security != null) {
      security.close();
    }
  }

  private static final Authorizer THROWS = (who, action, topic) -> {
    throw new IllegalStateException("policy state lost");
  };

  @Test
  void anAclThatThrows_deniesPublish_withAReasonAndAnAuditLine() {
    PublishAuthorizerOutput output = fakes.output(PublishAuthorizerOutput.class);
    authorizer(THROWS).authorizePublish(publishInput("factory/press-1/temp"), output);

    assertThat(calls).containsExactly(
        "failAuthorization(NOT_AUTHORIZED, internal error (IllegalStateException); denied)");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AccessDenied.class, e -> {
      assertThat(e.action()).isEqualTo(Action.PUBLISH);
      assertThat(e.topic()).isEqualTo("factory/press-1/temp");
      assertThat(e.reason()).doesNotContain("policy state lost");
    });
    assertThat(security.counters().value("acl.deny")).isEqualTo(1);
    assertThat(security.counters().value("acl.allow")).isZero();
  }

  @Test
  void anAclThatThrows_deniesSubscribe() {
    SubscriptionAuthorizerOutput output = fakes.output(SubscriptionAuthorizerOutput.class);
    authorizer(THROWS).authorizeSubscribe(subscribeInput("factory/#"), output);

    assertThat(calls).containsExactly(
        "failAuthorization(NOT_AUTHORIZED, internal error (IllegalStateException); denied)");
    assertThat(audit).singleElement().isInstanceOf(SecurityEvent.AccessDenied.class);
  }

  @Test
  void anAclThatThrows_dropsTheOutboundMessage() {
    PublishOutboundOutput output = fakes.output(PublishOutboundOutput.class);
    authorizer(THROWS).onOutboundPublish(outboundInput("factory/press-1/temp"), output);

    assertThat(calls).containsExactly("preventPublishDelivery()");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AccessDenied.class,
        e -> assertThat(e.action()).isEqualTo(Action.RECEIVE));
  }

  @Test
  void decisionsReachTheOutput_andTheAclSeesTheAuthenticatedUser() {
    Authorizer acl = (who, action, topic) -> topic.startsWith("factory/press-1/")
        ? Decision.allow("acl.conf:2 readwrite factory/%u/#") : Decision.deny("no rule matched");
    MqttSecAuthorizer a = authorizer(acl);

    a.authorizePublish(publishInput("factory/press-1/temp"), fakes.output(PublishAuthorizerOutput.class));
    a.authorizePublish(publishInput("factory/press-2/temp"), fakes.output(PublishAuthorizerOutput.class));
    a.onOutboundPublish(outboundInput("factory/press-1/temp"), fakes.output(PublishOutboundOutput.class));

    assertThat(calls).containsExactly("authorizeSuccessfully()",
        "failAuthorization(NOT_AUTHORIZED, no rule matched)");
    assertThat(asked).extracting(ClientIdentity::username).containsOnly(Optional.of("press-1"));
    assertThat(asked).extracting(ClientIdentity::clientId).containsOnly("press-1-main");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AccessDenied.class,
        e -> assertThat(e.topic()).isEqualTo("factory/press-2/temp"));
  }

  @Test
  void aConnectionWithoutASession_isDenied() {
    MqttSecAuthorizer a = authorizer((who, action, topic) -> Decision.allow("everything"));
    sessionId = null;
    a.authorizePublish(publishInput("factory/press-1/temp"), fakes.output(PublishAuthorizerOutput.class));
    assertThat(calls).containsExactly("failAuthorization(NOT_AUTHORIZED, the connection is not authenticated)");
    assertThat(asked).isEmpty();
  }

  // ------------------------------------------------------------ fakes of the broker's side

  private PublishAuthorizerInput publishInput(String topic) {
    return SdkFakes.input(PublishAuthorizerInput.class, Map.of("getConnectionInformation", connection(),
        "getClientInformation", client(), "getPublishPacket", publish(topic)));
  }

  private SubscriptionAuthorizerInput subscribeInput(String filter) {
    return SdkFakes.input(SubscriptionAuthorizerInput.class, Map.of("getConnectionInformation", connection(),
        "getClientInformation", client(),
        "getSubscription", SdkFakes.input(Subscription.class, Map.of("getTopicFilter", filter))));
  }

  private PublishOutboundInput outboundInput(String topic) {
    return SdkFakes.input(PublishOutboundInput.class, Map.of("getConnectionInformation", connection(),
        "getClientInformation", client(), "getPublishPacket", publish(topic)));
  }

  private ConnectionInformation connection() {
    // the authenticator stored the session's id in the connection's attributes
    return SdkFakes.input(ConnectionInformation.class, Map.of("getConnectionAttributeStore", fakes.attributes(
        sessionId == null ? Map.of() : Map.of(MqttSecAuthenticator.SESSION, sessionId))));
  }

  private ClientInformation client() {
    return SdkFakes.input(ClientInformation.class, Map.of("getClientId", "press-1-main"));
  }

  private PublishPacket publish(String topic) {
    return SdkFakes.input(PublishPacket.class, Map.of("getTopic", topic));
  }
}
