/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.mqttsec.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The extension in a real HiveMQ CE, over TLS on loopback, with the HiveMQ MQTT 5 client. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtensionTest {

  static final String ACL = """
      # devices write their own subtree
      pattern readwrite factory/%u/#
      user dashboard
      topic read factory/#
      """;

  @TempDir
  static Path dir;
  static TestBroker broker;
  static TrustManagerFactory trust;

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir, Map.of("press-42", "press-42-secret", "press-43", "press-43-secret",
        "dashboard", "dashboard-secret"), ACL, "");
    trust = TlsContexts.forClient().trustedCertificates(List.of(TestBroker.CA.certificate())).build()
        .trustManagerFactory();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static Mqtt5BlockingClient client(String clientId) {
    return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.tlsPort)
        .sslConfig().trustManagerFactory(trust).applySslConfig().buildBlocking();
  }

  static Mqtt5BlockingClient connect(String user, String password) {
    Mqtt5BlockingClient c = client(user + "-" + UUID.randomUUID().toString().substring(0, 8));
    c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    return c;
  }

  static Mqtt5ConnAckReasonCode refusal(Runnable connect) {
    try {
      connect.run();
    } catch (Mqtt5ConnAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
    throw new AssertionError("the connection was accepted");
  }

  /** The CONNACK's reason code, whether the connection was accepted or refused. */
  static Mqtt5ConnAckReasonCode connAck(Runnable connect) {
    try {
      connect.run();
      return Mqtt5ConnAckReasonCode.SUCCESS;
    } catch (Mqtt5ConnAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String topic) {
    try {
      Mqtt5PublishResult result = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
          .payload("21.5".getBytes(StandardCharsets.UTF_8)).send();
      if (result.getError().isPresent() && result.getError().get() instanceof Mqtt5PubAckException e) {
        return e.getMqttMessage().getReasonCode();
      }
      Mqtt5PubAckReasonCode code = ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
      // accepted either way; the broker says whether anyone was listening
      return code == Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS ? Mqtt5PubAckReasonCode.SUCCESS : code;
    } catch (Mqtt5PubAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  static Mqtt5SubAckReasonCode subscribe(Mqtt5BlockingClient c, String filter) {
    try {
      return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().getReasonCodes().get(0);
    } catch (Mqtt5SubAckException e) {
      return e.getMqttMessage().getReasonCodes().get(0);
    } catch (RuntimeException e) {
      Throwable t = e;
      while (t != null && !(t instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException)) {
        t = t.getCause();
      }
      if (t != null) {
        throw new AssertionError("disconnected: " + ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException) t)
            .getMqttMessage(), e);
      }
      throw e;
    }
  }

  @Test
  @Order(1)
  void connect_badCredentials_areRefused_rightPasswordConnects() {
    assertThat(refusal(() -> connect("press-42", "wrong"))).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal(() -> connect("nobody", "press-42-secret")))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal(() -> connect("press-42", ""))).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal(() -> client("anonymous-1").connect())).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    Mqtt5BlockingClient ok = connect("press-42", "press-42-secret");
    assertThat(ok.getState().isConnected()).isTrue();
    ok.disconnect();
    assertThat(broker.audit).anySatisfy(line -> assertThat(line)
        .contains("\"event\":\"connect.failure\"", "\"user\":\"press-42\"", "\"address\":\"127.0.0.1\"",
            "\"listener\":\"tls\"", "\"outcome\":\"BAD_CREDENTIALS\"")
        .doesNotContain("wrong"));
    assertThat(broker.audit).anySatisfy(line -> assertThat(line)
        .contains("\"event\":\"connect.success\"", "\"user\":\"press-42\""));
  }

  @Test
  @Order(2)
  void device_publishesAndSubscribesOnlyInItsSubtree_dashboardReadsAll() throws Exception {
    Mqtt5BlockingClient press = connect("press-42", "press-42-secret");
    Mqtt5BlockingClient dashboard = connect("dashboard", "dashboard-secret");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(subscribe(dashboard, "factory/#")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThat(publish(press, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      Optional<Mqtt5Publish> received = inbox.receive(10, TimeUnit.SECONDS);
      assertThat(received).isPresent();
      assertThat(received.get().getTopic().toString()).isEqualTo("factory/press-42/temp");

      assertThat(subscribe(press, "factory/#")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      assertThat(subscribe(press, "factory/press-42/#")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThat(subscribe(dashboard, "$share/g/factory/+/temp")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThat(subscribe(press, "$share/g/factory/+/temp")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);

      // HiveMQ answers a refused PUBLISH with PUBACK NOT_AUTHORIZED, then disconnects the client
      assertThat(publish(press, "factory/press-43/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      awaitDisconnected(press);
      Mqtt5BlockingClient reader = connect("dashboard", "dashboard-secret");
      assertThat(publish(reader, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      awaitDisconnected(reader);
      assertThat(inbox.receive(300, TimeUnit.MILLISECONDS)).isEmpty(); // the refused publish was not delivered
    } finally {
      close(press);
      close(dashboard);
    }
    assertThat(broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"acl.denied\"",
        "\"user\":\"press-42\"", "\"action\":\"PUBLISH\"", "\"topic\":\"factory/press-43/temp\"",
        "\"rule\":\"no rule matched\""));
  }

  @Test
  @Order(3)
  void aclReload_removesSubscriptionsNoLongerAllowed_brokenFileKeepsThePolicy() throws Exception {
    Mqtt5BlockingClient dashboard = connect("dashboard", "dashboard-secret");
    Mqtt5BlockingClient press = connect("press-42", "press-42-secret");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(subscribe(dashboard, "factory/+/temp")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThat(publish(press, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(inbox.receive(10, TimeUnit.SECONDS)).isPresent();

      replace(broker.dir.resolve("acl.conf"), "pattern readwrite factory/%u/#\nuser dashboard\n"
          + "topic read factory/press-1/#\n");
      awaitAudit("\"event\":\"acl.denied\"", "subscription removed after an ACL reload");
      assertThat(publish(press, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(inbox.receive(500, TimeUnit.MILLISECONDS)).isEmpty();

      replace(broker.dir.resolve("acl.conf"), "pattern readwrite factory/%u/#\nbogus line\n");
      awaitAudit("\"event\":\"reload.failure\"", "acl.conf:2");
      assertThat(publish(press, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    } finally {
      close(press);
      close(dashboard);
    }
  }

  @Test
  @Order(4)
  void bruteForce_twentyWrongPasswords_lockTheGuesserOut_theDeviceKeepsConnecting() {
    for (int i = 0; i < 20; i++) {
      assertThat(refusal(() -> connect("press-43", "guess"))).isIn(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD,
          Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }
    assertThat(refusal(() -> connect("press-43", "press-43-secret"))).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    Mqtt5BlockingClient device = connect("press-42", "press-42-secret");
    assertThat(device.getState().isConnected()).isTrue();
    device.disconnect();
    assertThat(broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"lockout\"",
        "\"user\":\"press-43\""));
  }

  static void awaitDisconnected(Mqtt5BlockingClient c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (c.getState().isConnected()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the broker did not disconnect the client");
      }
      Thread.sleep(20);
    }
  }

  /** Disconnects {@code c} unless the broker already did (it may, between the check and the DISCONNECT). */
  static void close(Mqtt5BlockingClient c) {
    if (c.getState().isConnected()) {
      try {
        c.disconnect();
      } catch (com.hivemq.client.mqtt.exceptions.MqttClientStateException alreadyGone) {
        // HiveMQ disconnected it meanwhile (after a refused PUBLISH, for one): nothing left to close
      }
    }
  }

  static void replace(Path file, String text) throws Exception {
    Path temp = Files.createTempFile(file.getParent(), ".new", ".tmp");
    Files.writeString(temp, text);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void awaitAudit(String... parts) throws InterruptedException {
    awaitAudit(broker, 0, parts);
  }

  /** Waits for an audit line of {@code b}, from line {@code from} on, that contains every one of {@code parts}. */
  static void awaitAudit(TestBroker b, int from, String... parts) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (List.copyOf(b.audit).stream().skip(from)
        .noneMatch(l -> List.of(parts).stream().allMatch(l::contains))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no audit line with " + List.of(parts) + " in " + b.audit);
      }
      Thread.sleep(20);
    }
  }
}
