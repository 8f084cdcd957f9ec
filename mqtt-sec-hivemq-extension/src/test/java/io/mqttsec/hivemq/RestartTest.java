/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitAudit;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static io.mqttsec.hivemq.ExtensionTest.publish;
import static io.mqttsec.hivemq.ExtensionTest.replace;
import static io.mqttsec.hivemq.ExtensionTest.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions that outlive the broker (HiveMQ's file persistence): after a restart a session's owner still owns its
 * client id, and an ACL reload judges the offline session by that owner, so its subscription and queued command
 * survive for it alone.
 */
class RestartTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      user ops
      topic readwrite factory/#
      """;
  static final Map<String, String> USERS = Map.of("press-1", "press-1-secret", "press-2", "press-2-secret", "ops",
      "ops-secret");

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir, USERS, ACL, "", TestBroker.Options.DEFAULT.withFilePersistence());
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static Mqtt5BlockingClient client(String clientId) {
    return broker.client(clientId);
  }

  static Mqtt5ConnAck connect(Mqtt5BlockingClient c, String user) {
    return c.connectWith().cleanStart(false).sessionExpiryInterval(3600).simpleAuth().username(user)
        .password(USERS.get(user).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
  }

  @Test
  void afterARestart_theOwnerStillOwnsItsSession_andAnAclReloadKeepsItsSubscription() throws Exception {
    Mqtt5BlockingClient device = client("press-2");
    connect(device, "press-2");
    assertThat(subscribe(device, "factory/press-2/cmd")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    device.disconnect();
    assertThat(Files.readString(dir.resolve("session-owners.log"))).contains("+ press-2 press-2");

    broker.restart();

    assertThat(ExtensionTest.connAck(() -> connect(client("press-2"), "press-1")))
        .as("press-1 presents press-2's id after the restart").isEqualTo(
            Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
    int before = broker.audit.size();
    replace(dir.resolve("acl.conf"), ACL + "# touched\n");
    awaitAudit(broker, before, "\"event\":\"reload\"", "acl.conf");
    Mqtt5BlockingClient ops = client("ops");
    connect(ops, "ops");
    assertThat(publish(ops, "factory/press-2/cmd")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    close(ops);

    Mqtt5BlockingClient back = client("press-2");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = back.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(connect(back, "press-2").isSessionPresent()).as("the session survived the restart").isTrue();
      assertThat(inbox.receive(10, TimeUnit.SECONDS)).as("the command queued after the ACL reload").isPresent();
    } finally {
      close(back);
    }
    assertThat(List.copyOf(broker.audit).subList(before, broker.audit.size()))
        .noneMatch(l -> l.contains("subscription removed"));
  }
}
