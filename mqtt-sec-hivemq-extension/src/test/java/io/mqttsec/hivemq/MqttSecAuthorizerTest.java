package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import io.mqttsec.api.Action;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The authorizer's callbacks against a broker's inputs and outputs, without a broker: what each decision and each
 * failure of the ACL turns into. The embedded-broker tests ({@link ExtensionTest}) cover the same path end to end
 * for decisions; an ACL that throws cannot be put into a running broker, so its denial is proved here.
 */
class MqttSecAuthorizerTest {

  private final List<String> calls = new ArrayList<>();
  private final List<SecurityEvent> audit = new ArrayList<>();
  private final List<ClientIdentity> asked = new ArrayList<>();
  private final MetricRegistry registry = new MetricRegistry();

  private MqttSecAuthorizer authorizer(Authorizer acl) {
    Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    return new MqttSecAuthorizer((who, action, topic) -> {
      asked.add(who);
      return acl.authorize(who, action, topic);
    }, audit::add, clock, new SecurityMetrics(registry));
  }

  private static final Authorizer THROWS = (who, action, topic) -> {
    throw new IllegalStateException("policy state lost");
  };

  @Test
  void anAclThatThrows_deniesPublish_withAReasonAndAnAuditLine() {
    authorizer(THROWS).authorizePublish(publishInput("factory/press-1/temp"), fake(PublishAuthorizerOutput.class));

    assertThat(calls).containsExactly(
        "failAuthorization(NOT_AUTHORIZED, internal error (IllegalStateException); denied)");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AccessDenied.class, e -> {
      assertThat(e.action()).isEqualTo(Action.PUBLISH);
      assertThat(e.topic()).isEqualTo("factory/press-1/temp");
      assertThat(e.reason()).doesNotContain("policy state lost");
    });
    assertThat(registry.counter(SecurityMetrics.PREFIX + "acl.deny").getCount()).isEqualTo(1);
    assertThat(registry.counter(SecurityMetrics.PREFIX + "acl.allow").getCount()).isZero();
  }

  @Test
  void anAclThatThrows_deniesSubscribe() {
    authorizer(THROWS).authorizeSubscribe(subscribeInput("factory/#"), fake(SubscriptionAuthorizerOutput.class));

    assertThat(calls).containsExactly(
        "failAuthorization(NOT_AUTHORIZED, internal error (IllegalStateException); denied)");
    assertThat(audit).singleElement().isInstanceOf(SecurityEvent.AccessDenied.class);
  }

  @Test
  void anAclThatThrows_dropsTheOutboundMessage() {
    authorizer(THROWS).onOutboundPublish(outboundInput("factory/press-1/temp"), fake(PublishOutboundOutput.class));

    assertThat(calls).containsExactly("preventPublishDelivery()");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AccessDenied.class,
        e -> assertThat(e.action()).isEqualTo(Action.RECEIVE));
  }

  @Test
  void decisionsReachTheOutput_andTheAclSeesTheAuthenticatedUser() {
    Authorizer acl = (who, action, topic) -> topic.startsWith("factory/press-1/")
        ? Decision.allow("acl.conf:2 readwrite factory/%u/#") : Decision.deny("no rule matched");
    MqttSecAuthorizer a = authorizer(acl);

    a.authorizePublish(publishInput("factory/press-1/temp"), fake(PublishAuthorizerOutput.class));
    a.authorizePublish(publishInput("factory/press-2/temp"), fake(PublishAuthorizerOutput.class));
    a.onOutboundPublish(outboundInput("factory/press-1/temp"), fake(PublishOutboundOutput.class));

    assertThat(calls).containsExactly("authorizeSuccessfully()",
        "failAuthorization(NOT_AUTHORIZED, no rule matched)");
    assertThat(asked).extracting(ClientIdentity::username).containsOnly(Optional.of("press-1"));
    assertThat(asked).extracting(ClientIdentity::clientId).containsOnly("press-1-main");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AccessDenied.class,
        e -> assertThat(e.topic()).isEqualTo("factory/press-2/temp"));
  }

  // ------------------------------------------------------------ fakes of the broker's side

  private PublishAuthorizerInput publishInput(String topic) {
    return fake(PublishAuthorizerInput.class, Map.of("getConnectionInformation", connection(),
        "getClientInformation", client(), "getPublishPacket", publish(topic)));
  }

  private SubscriptionAuthorizerInput subscribeInput(String filter) {
    return fake(SubscriptionAuthorizerInput.class, Map.of("getConnectionInformation", connection(),
        "getClientInformation", client(),
        "getSubscription", fake(Subscription.class, Map.of("getTopicFilter", filter))));
  }

  private PublishOutboundInput outboundInput(String topic) {
    return fake(PublishOutboundInput.class, Map.of("getConnectionInformation", connection(),
        "getClientInformation", client(), "getPublishPacket", publish(topic)));
  }

  private ConnectionInformation connection() {
    // The authenticator stores the user it authenticated in the connection's attributes.
    ConnectionAttributeStore store = (ConnectionAttributeStore) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {ConnectionAttributeStore.class}, (p, m, args) -> {
          if (m.getName().equals("getAsString") && MqttSecAuthenticator.USER_ATTRIBUTE.equals(args[0])) {
            return Optional.of("press-1");
          }
          return Optional.empty();
        });
    return fake(ConnectionInformation.class, Map.of("getConnectionAttributeStore", store));
  }

  private ClientInformation client() {
    return fake(ClientInformation.class, Map.of("getClientId", "press-1-main"));
  }

  private PublishPacket publish(String topic) {
    return fake(PublishPacket.class, Map.of("getTopic", topic));
  }

  /** An output: records each call as {@code name(arg, ...)} in {@link #calls}. */
  private <T> T fake(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      calls.add(m.getName() + "(" + (args == null ? "" : String.join(", ",
          Arrays.stream(args).map(String::valueOf).toList())) + ")");
      return null;
    }));
  }

  /** An input: answers the named getters, and any other {@code Optional} getter with empty. */
  private <T> T fake(Class<T> type, Map<String, Object> answers) {
    return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      if (answers.containsKey(m.getName())) {
        return answers.get(m.getName());
      }
      if (m.getReturnType() == Optional.class) {
        return Optional.empty();
      }
      throw new UnsupportedOperationException(type.getSimpleName() + "." + m.getName() + " is not faked");
    }));
  }
}
