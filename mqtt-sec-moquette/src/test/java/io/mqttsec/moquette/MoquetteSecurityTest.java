/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory scenarios on Moquette, driven by the HiveMQ MQTT client (MQTT 3.1.1, Moquette's version). */
class MoquetteSecurityTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      user dashboard
      topic read factory/#
      """;

  @TempDir
  static Path dir;
  static MoquetteFixture broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new MoquetteFixture(dir, Map.of("press-1", "press-1-pw", "press-2", "press-2-pw", "dashboard",
        "dashboard-pw"), ACL, "");
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static Mqtt3BlockingClient connect(String user, String password) {
    Mqtt3BlockingClient c = broker.client(user, null);
    c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    return c;
  }

  @Test
  void aWrongPassword_orNone_isRefused_theRightOneConnects() throws Exception {
    Mqtt3BlockingClient wrong = broker.client("press-1", null);
    assertThatThrownBy(() -> wrong.connectWith().simpleAuth().username("press-1").password("guess".getBytes())
        .applySimpleAuth().send()).isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(
        e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
    broker.awaitAudit("connect.failure", "\"user\":\"press-1\"");

    Mqtt3BlockingClient anonymous = broker.client("nobody", null);
    assertThatThrownBy(anonymous::connect).as("Moquette would let a CONNECT without a user name in unasked")
        .isInstanceOf(Mqtt3ConnAckException.class);

    Mqtt3BlockingClient press = connect("press-1", "press-1-pw");
    assertThat(press.getState().isConnected()).isTrue();
    broker.awaitAudit("connect.success", "\"clientId\":\"press-1\"", "\"address\":\"127.0.0.1\"");
    press.disconnect();
  }

  @Test
  void theFactoryAcl_holds_forPublishAndSubscribe() throws Exception {
    Mqtt3BlockingClient dashboard = connect("dashboard", "dashboard-pw");
    assertThat(dashboard.subscribeWith().topicFilter("factory/#").qos(MqttQos.AT_LEAST_ONCE).send()
        .getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
    Mqtt3BlockingClient press = connect("press-1", "press-1-pw");
    assertThatThrownBy(() -> press.subscribeWith().topicFilter("factory/press-2/#").send())
        .isInstanceOfSatisfying(com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException.class,
            e -> assertThat(e.getMqttMessage().getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE));
    broker.awaitAudit("acl.denied", "\"user\":\"press-1\"", "factory/press-2/#");
    try (Mqtt3BlockingClient.Mqtt3Publishes received = dashboard.publishes(
        com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
      press.publishWith().topic("factory/press-1/temp").payload("21.5".getBytes()).qos(MqttQos.AT_LEAST_ONCE)
          .send();
      assertThat(received.receive(5, TimeUnit.SECONDS).map(p -> p.getTopic().toString()))
          .contains("factory/press-1/temp");
      press.publishWith().topic("factory/press-2/temp").payload("spoofed".getBytes()).qos(MqttQos.AT_MOST_ONCE)
          .send();
      broker.awaitAudit("acl.denied", "factory/press-2/temp");
      broker.awaitAudit("disconnect", "\"user\":\"press-1\"", "\"initiator\":\"broker\"",
          "PUBLISH to factory/press-2/temp not authorized");
      assertThat(received.receive(1, TimeUnit.SECONDS)).as("the neighbour's topic was never delivered").isEmpty();
    }
    dashboard.disconnect();
  }

  @Test
  void anotherDevicesClientId_isRefused_andTheOwnerStays() throws Exception {
    Mqtt3BlockingClient owner = connect("press-2", "press-2-pw");
    Mqtt3BlockingClient thief = broker.client("press-2", null);
    assertThatThrownBy(() -> thief.connectWith().simpleAuth().username("press-1").password("press-1-pw".getBytes())
        .applySimpleAuth().send()).isInstanceOf(Mqtt3ConnAckException.class);
    broker.awaitAudit("takeover.refused", "\"clientId\":\"press-2\"", "\"user\":\"press-1\"");
    Thread.sleep(200);
    assertThat(owner.getState().isConnected()).as("the owner is not kicked").isTrue();
    owner.publishWith().topic("factory/press-2/still").payload("here".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
    owner.disconnect();
  }

  @Test
  void theAddressAndListener_areThoseOfTheConnection() throws Exception {
    Mqtt3BlockingClient press = connect("press-1", "press-1-pw");
    String line = broker.awaitAudit("connect.success", "\"user\":\"press-1\"");
    assertThat(line).contains("\"listener\":\"tls\"", "\"method\":\"password\"");
    press.disconnect();
    broker.awaitAudit("disconnect", "\"user\":\"press-1\"", "\"initiator\":\"client\"");
    assertThat(List.copyOf(broker.audit)).noneMatch(l -> l.contains("press-1-pw"));
  }
}
