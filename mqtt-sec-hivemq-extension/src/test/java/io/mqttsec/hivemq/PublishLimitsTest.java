/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitAudit;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.Mqtt5Unsubscribe;
import io.mqttsec.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each per-client limit on a real HiveMQ CE, with the answer a client sees: a PUBLISH over the rate is refused
 * with 0x97 (MQTT 5) or dropped (3.1.1) while the connection stays, a flood is held to the rate and ended with
 * 0x96 when it lasts, an oversized message ends the connection with 0x95, a topic too deep is refused with 0x90,
 * a SUBSCRIBE past the limit with 0x97 (an UNSUBSCRIBE frees room), a user's connection past its limit with
 * 0x97 at CONNECT; and a flood writes a bounded number of {@code limit.exceeded} lines.
 */
class PublishLimitsTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      user dashboard
      topic read factory/#
      """;
  static final String LIMITS = """
        <limits>
          <clients message-rate="20" message-burst="20" byte-rate="none" max-message-bytes="1024"
                   max-subscriptions="3" max-topic-levels="5" max-connections="2"/>
          <user name="bulk-*" message-rate="none" byte-rate="1000" byte-burst="1000"/>
          <user name="dashboard" message-rate="none" max-subscriptions="none" max-connections="none"/>
          <address connect-rate="none"/>
          <excess disconnect-after="PT4S"/>
        </limits>
      """;
  static final Map<String, String> USERS = Map.of("press-1", "press-1-secret", "press-2", "press-2-secret",
      "press-3", "press-3-secret", "bulk-1", "bulk-1-secret", "dashboard", "dashboard-secret");

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir, USERS, ACL, LIMITS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static Mqtt5BlockingClient connect(String user, String clientId) {
    Mqtt5BlockingClient c = broker.client(clientId);
    c.connectWith().simpleAuth().username(user).password(USERS.get(user).getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    return c;
  }

  static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String topic, int bytes) {
    try {
      var result = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[bytes]).send();
      Mqtt5PubAckReasonCode code = ((com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult
          .Mqtt5Qos1Result) result).getPubAck().getReasonCode();
      return code == Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS ? Mqtt5PubAckReasonCode.SUCCESS : code;
    } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  @Test
  void messageRate_mqtt5_refusesPastTheBurstWith0x97_andTheConnectionStays() {
    Mqtt5BlockingClient c = connect("press-1", "rate-5");
    try {
      int refused = 0;
      for (int i = 0; i < 30; i++) {
        refused += publish(c, "factory/press-1/temp", 8) == Mqtt5PubAckReasonCode.QUOTA_EXCEEDED ? 1 : 0;
      }
      assertThat(refused).as("past the burst of 20, some of 30 quick PUBLISHes").isBetween(5, 10);
      assertThat(c.getState().isConnected()).isTrue();
    } finally {
      close(c);
    }
  }

  @Test
  void messageRate_mqtt311_dropsPastTheBurst_withoutADisconnect() throws Exception {
    Mqtt5BlockingClient dashboard = connect("dashboard", "board-311");
    Mqtt3BlockingClient c = Mqtt3Client.builder().identifier("rate-311").serverHost("127.0.0.1")
        .serverPort(broker.tlsPort).sslConfig().trustManagerFactory(TlsContexts.forClient()
            .trustedCertificates(List.of(TestBroker.CA.certificate())).build().trustManagerFactory())
        .applySslConfig().buildBlocking();
    c.connectWith().simpleAuth().username("press-2").password("press-2-secret".getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      dashboard.subscribeWith().topicFilter("factory/press-2/#").qos(MqttQos.AT_LEAST_ONCE).send();
      for (int i = 0; i < 30; i++) {
        c.publishWith().topic("factory/press-2/temp").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[8]).send();
      }
      int received = 0;
      while (inbox.receive(500, TimeUnit.MILLISECONDS).isPresent()) {
        received++;
      }
      assertThat(received).as("acknowledged, but only the burst delivered").isBetween(20, 24);
      assertThat(c.getState().isConnected()).isTrue();
    } finally {
      c.disconnect();
      close(dashboard);
    }
  }

  @Test
  void aFlood_isHeldToTheRate_thenEndedWith0x96_andWritesABoundedAudit() throws Exception {
    Mqtt5BlockingClient dashboard = connect("dashboard", "board-flood");
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Mqtt5BlockingClient flooder = broker.client("flooder", context -> ended.set(context.getCause()));
    flooder.connectWith().simpleAuth().username("press-3").password("press-3-secret".getBytes(
        StandardCharsets.UTF_8)).applySimpleAuth().send();
    Mqtt5BlockingClient neighbour = connect("press-1", "neighbour");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      dashboard.subscribeWith().topicFilter("factory/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();
      AtomicInteger delivered = new AtomicInteger();
      AtomicInteger neighbourDelivered = new AtomicInteger();
      CompletableFuture<Void> counting = CompletableFuture.runAsync(() -> {
        try {
          for (var m = inbox.receive(2, TimeUnit.SECONDS); m.isPresent(); m = inbox.receive(2, TimeUnit.SECONDS)) {
            (m.get().getTopic().toString().contains("press-1") ? neighbourDelivered : delivered).incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      // a well-behaved device on the same broker: 10 a second, within its 20/s, for 3 s of the flood
      CompletableFuture<List<Mqtt5PubAckReasonCode>> neighbourly = CompletableFuture.supplyAsync(() -> {
        List<Mqtt5PubAckReasonCode> codes = new java.util.ArrayList<>();
        for (int n = 0; n < 30; n++) {
          codes.add(publish(neighbour, "factory/press-1/temp", 8));
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return codes;
      });
      long start = System.nanoTime();
      long elapsed = 0;
      int sent = 0;
      while (flooder.getState().isConnected() && elapsed < TimeUnit.SECONDS.toNanos(8)) {
        try {
          flooder.toAsync().publishWith().topic("factory/press-3/temp").qos(MqttQos.AT_MOST_ONCE)
              .payload(new byte[8]).send();
          sent++;
        } catch (RuntimeException e) {
          break;
        }
        if (sent % 200 == 0) {
          Thread.sleep(1);
        }
        elapsed = System.nanoTime() - start;
      }
      double seconds = elapsed / 1e9;
      assertThat(neighbourly.get(20, TimeUnit.SECONDS)).as("the neighbour's PUBLISHes during the flood")
          .hasSize(30).containsOnly(Mqtt5PubAckReasonCode.SUCCESS);
      counting.get(20, TimeUnit.SECONDS);
      assertThat(neighbourDelivered.get()).as("every message of the neighbour delivered").isEqualTo(30);
      String measured = String.format("sent %d, delivered %d in %.2f s", sent, delivered.get(), seconds);
      assertThat(flooder.getState().isConnected()).as("ended after 4 s of excess; %s", measured).isFalse();
      // a client still writing its flood may meet the closed socket before it reads the DISCONNECT
      if (ended.get() instanceof Mqtt5DisconnectException e) {
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
      } else {
        assertThat(ended.get()).isInstanceOf(ConnectionClosedException.class);
      }
      assertThat(seconds).as("the flood lasted until the disconnect; %s", measured).isBetween(3.5, 7.0);
      double expected = 20 + 20 * seconds;
      assertThat(sent).as("the flood was a flood; %s", measured).isGreaterThan((int) (5 * expected));
      assertThat((double) delivered.get()).as("held to 20/s plus the burst; %s", measured)
          .isBetween(0.9 * expected, 1.1 * expected);
    } finally {
      close(dashboard);
      close(neighbour);
    }
    awaitAudit(broker, 0, "\"event\":\"disconnect\"", "\"clientId\":\"flooder\"", "\"initiator\":\"mqtt-sec\"",
        "messages past 20/s (burst 20) for ");
    awaitAudit(broker, 0, "\"event\":\"limit.exceeded\"", "\"clientId\":\"flooder\"", "\"limit\":\"message-rate\"",
        "\"count\":1,");
    List<String> lines = List.copyOf(broker.audit).stream().filter(l -> l.contains("\"clientId\":\"flooder\"")
        && l.contains("limit.exceeded")).toList();
    assertThat(lines).as("a first line and the count at the disconnect, not one per refusal: %s", lines)
        .hasSizeBetween(2, 3);
    assertThat(lines).anySatisfy(l -> assertThat(l).containsPattern("\"count\":[0-9]{3,}"));
  }

  @Test
  void byteRate_refusesPastTheBurstOfBytes() {
    Mqtt5BlockingClient bulk = connect("bulk-1", "bulk");
    try {
      assertThat(publish(bulk, "factory/bulk-1/blob", 600)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(publish(bulk, "factory/bulk-1/blob", 600)).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      assertThat(publish(bulk, "factory/bulk-1/blob", 100)).as("what is left of the burst")
          .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    } finally {
      close(bulk);
    }
  }

  @Test
  void anOversizedMessage_endsTheConnectionWith0x95() throws Exception {
    AtomicReference<Throwable> reason = new AtomicReference<>();
    Mqtt5BlockingClient big = broker.client("too-big", context -> reason.set(context.getCause()));
    big.connectWith().simpleAuth().username("press-1").password("press-1-secret".getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    big.toAsync().publishWith().topic("factory/press-1/blob").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[2000])
        .send();
    ExtensionTest.awaitDisconnected(big);
    awaitAudit(broker, 0, "\"event\":\"disconnect\"", "\"clientId\":\"too-big\"", "\"initiator\":\"mqtt-sec\"",
        "message of 2000 bytes, more than 1024");
    awaitAudit(broker, 0, "\"event\":\"limit.exceeded\"", "\"clientId\":\"too-big\"", "\"limit\":\"message-size\"",
        "\"verdict\":\"disconnected\"");
    assertThat(reason.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> assertThat(
        e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.PACKET_TOO_LARGE));
  }

  @Test
  void aTopicTooDeep_isRefusedWith0x90() {
    Mqtt5BlockingClient c = connect("press-1", "deep");
    try {
      assertThat(publish(c, "factory/press-1/a/b/c/d", 8)).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
      assertThat(publish(c, "factory/press-1/a/b", 8)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    } finally {
      close(c);
    }
  }

  @Test
  void subscriptions_pastTheLimit_areRefusedWith0x97_andAnUnsubscribeFreesRoom() {
    Mqtt5BlockingClient c = connect("press-1", "subs");
    try {
      for (String f : List.of("factory/press-1/a", "factory/press-1/b", "factory/press-1/c")) {
        assertThat(ExtensionTest.subscribe(c, f)).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      }
      assertThat(ExtensionTest.subscribe(c, "factory/press-1/d")).isEqualTo(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
      assertThat(ExtensionTest.subscribe(c, "factory/press-1/a")).as("the same filter again")
          .isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      c.unsubscribe(Mqtt5Unsubscribe.builder().topicFilter("factory/press-1/a").build());
      assertThat(ExtensionTest.subscribe(c, "factory/press-1/d")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    } finally {
      close(c);
    }
  }

  @Test
  void connectionsPerUser_pastTheLimit_areRefusedWith0x97() throws Exception {
    Mqtt5BlockingClient one = connect("press-2", "p2-one");
    Mqtt5BlockingClient two = connect("press-2", "p2-two");
    try {
      assertThat(ExtensionTest.refusal(() -> connect("press-2", "p2-three")))
          .isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
      awaitAudit(broker, 0, "\"event\":\"limit.exceeded\"", "\"limit\":\"user-connections\"",
          "\"scope\":\"user press-2\"");
      close(two);
      Thread.sleep(300); // the disconnect reaches the broker layer
      Mqtt5BlockingClient three = connect("press-2", "p2-three");
      close(three);
    } finally {
      close(one);
      close(two);
    }
  }
}
