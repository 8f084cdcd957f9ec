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
import io.mqttsec.api.Action;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Checks every PUBLISH (Will messages included, which HiveMQ authorizes at CONNECT) and every subscription
 * filter ({@code $share/group/filter} on its inner filter) against the live ACL. The ACL is read once per
 * check, so a reload takes effect on the next packet. One instance serves all clients; it is stateless.
 *
 * <p>Fail closed: a check that throws, or a client with no identity, is denied; denials answer
 * {@code NOT_AUTHORIZED} with the deciding rule as the reason string (MQTT 5) and go to the audit log. It never
 * defers to another extension.
 *
 * <p>In {@code filter-on-delivery} mode it also intercepts outbound PUBLISHes and drops those the receiver may
 * not read (RECEIVE), as mosquitto does.
 */
final class MqttSecAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer, PublishOutboundInterceptor {

  private final Authorizer acl;
  private final SecurityEventListener audit;
  private final Clock clock;
  private final SecurityMetrics metrics;

  MqttSecAuthorizer(Authorizer acl, SecurityEventListener audit, Clock clock, SecurityMetrics metrics) {
    this.acl = acl;
    this.audit = audit;
    this.clock = clock;
    this.metrics = metrics;
  }

  static ClientIdentity identity(ConnectionInformation connection, String clientId) {
    ClientIdentity who = ClientIdentity.of(MqttSecAuthenticator.user(connection).orElse(null), clientId);
    return connection.getInetAddress().map(who::withRemoteAddress).orElse(who);
  }

  private Decision decide(ConnectionInformation connection, String clientId, Action action, String topic) {
    ClientIdentity who;
    Decision decision;
    long start = System.nanoTime();
    try {
      who = identity(connection, clientId);
      decision = acl.authorize(who, action, topic);
    } catch (RuntimeException e) {
      who = ClientIdentity.of(null, clientId);
      decision = Decision.deny("internal error (" + e.getClass().getSimpleName() + "); denied");
    }
    metrics.aclCheck.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    if (decision.denied()) {
      metrics.aclDeny.inc();
      audit.deliver(new SecurityEvent.AccessDenied(clock.instant(), who, action, topic, decision.reason()));
    } else {
      metrics.aclAllow.inc();
    }
    return decision;
  }

  @Override
  public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
    Decision d = decide(input.getConnectionInformation(), input.getClientInformation().getClientId(),
        Action.PUBLISH, input.getPublishPacket().getTopic());
    if (d.allowed()) {
      output.authorizeSuccessfully();
    } else {
      output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, d.reason());
    }
  }

  @Override
  public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
    Decision d = decide(input.getConnectionInformation(), input.getClientInformation().getClientId(),
        Action.SUBSCRIBE, input.getSubscription().getTopicFilter());
    if (d.allowed()) {
      output.authorizeSuccessfully();
    } else {
      output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, d.reason());
    }
  }

  @Override
  public void onOutboundPublish(PublishOutboundInput input, PublishOutboundOutput output) {
    Decision d = decide(input.getConnectionInformation(), input.getClientInformation().getClientId(),
        Action.RECEIVE, input.getPublishPacket().getTopic());
    if (d.denied()) {
      output.preventPublishDelivery();
    }
  }
}
