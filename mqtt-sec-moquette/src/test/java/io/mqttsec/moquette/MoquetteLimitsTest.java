/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits on Moquette: counted after Moquette routed a PUBLISH, so a client over them is disconnected. */
class MoquetteLimitsTest {

  @TempDir
  static Path dir;
  static MoquetteFixture broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new MoquetteFixture(dir, Map.of("press-1", "press-1-pw", "press-2", "press-2-pw"),
        "pattern readwrite factory/%u/#\n", """
          <limits>
            <clients max-message-bytes="1000"/>
            <user name="press-2" message-rate="1" message-burst="2"/>
          </limits>
        """);
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static Mqtt3BlockingClient connect(String user) {
    Mqtt3BlockingClient c = broker.client(user, null);
    c.connectWith().simpleAuth().username(user).password((user + "-pw").getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    return c;
  }

  @Test
  void aFloodingClient_isDisconnected_afterItsBurst() throws Exception {
    Mqtt3BlockingClient press = connect("press-2");
    for (int i = 0; i < 10 && press.getState().isConnected(); i++) {
      try {
        press.publishWith().topic("factory/press-2/temp").payload("1".getBytes()).qos(MqttQos.AT_MOST_ONCE).send();
      } catch (RuntimeException closed) {
        break;
      }
    }
    MoquetteLiveChangesTest.awaitDisconnectedOf(press, broker);
    broker.awaitAudit("limit.exceeded", "\"user\":\"press-2\"");
    broker.awaitAudit("disconnect", "\"user\":\"press-2\"", "over its limits");
  }

  @Test
  void anOversizedMessage_endsTheConnection_andIsNotDelivered() throws Exception {
    Mqtt3BlockingClient press = connect("press-1");
    press.publishWith().topic("factory/press-1/blob").payload(new byte[5_000]).qos(MqttQos.AT_MOST_ONCE).send();
    MoquetteLiveChangesTest.awaitDisconnectedOf(press, broker);
    broker.awaitAudit("limit.exceeded", "\"user\":\"press-1\"");
    Mqtt3BlockingClient small = connect("press-1");
    small.publishWith().topic("factory/press-1/t").payload(new byte[500]).qos(MqttQos.AT_LEAST_ONCE).send();
    assertThat(small.getState().isConnected()).isTrue();
    small.disconnect();
  }
}
