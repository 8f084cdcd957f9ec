/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitDisconnected;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static io.mqttsec.hivemq.ExtensionTest.publish;
import static io.mqttsec.hivemq.ExtensionTest.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** mosquitto's filter-on-delivery mode, and a password file change that reaches a connected client. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveChangesTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      user line-1-board
      topic read factory/press-42/#
      """;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    ExtensionTest.broker = new TestBroker(dir, Map.of("press-42", "press-42-secret", "press-43", "press-43-secret",
        "line-1-board", "board-secret"), ACL, "  <subscribe-mode>filter-on-delivery</subscribe-mode>\n");
    ExtensionTest.trust = TlsContexts.forClient().trustedCertificates(List.of(TestBroker.CA.certificate())).build()
        .trustManagerFactory();
  }

  @AfterAll
  static void stop() throws Exception {
    if (ExtensionTest.broker != null) {
      ExtensionTest.broker.close();
      ExtensionTest.broker = null;
    }
  }

  @Test
  @Order(1)
  void filterOnDelivery_grantsAnIntersectingFilter_butDeliversOnlyReadableTopics() throws Exception {
    Mqtt5BlockingClient board = ExtensionTest.connect("line-1-board", "board-secret");
    Mqtt5BlockingClient press42 = ExtensionTest.connect("press-42", "press-42-secret");
    Mqtt5BlockingClient press43 = ExtensionTest.connect("press-43", "press-43-secret");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = board.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(subscribe(board, "factory/#")).as("intersects factory/press-42/#")
          .isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThat(subscribe(board, "plant/#")).as("intersects nothing").isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      assertThat(publish(press43, "factory/press-43/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(publish(press42, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      Optional<Mqtt5Publish> first = inbox.receive(10, TimeUnit.SECONDS);
      assertThat(first).isPresent();
      assertThat(first.get().getTopic().toString()).as("press-43's message was dropped on delivery")
          .isEqualTo("factory/press-42/temp");
      assertThat(inbox.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
    } finally {
      close(board);
      close(press42);
      close(press43);
    }
    assertThat(ExtensionTest.broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"acl.denied\"",
        "\"user\":\"line-1-board\"", "\"action\":\"RECEIVE\"", "\"topic\":\"factory/press-43/temp\""));
  }

  @Test
  @Order(2)
  void resettingAPassword_disconnects_rotatingOne_keepsTheClientUntilItReconnects() throws Exception {
    Mqtt5BlockingClient press42 = ExtensionTest.connect("press-42", "press-42-secret");
    Mqtt5BlockingClient board = ExtensionTest.connect("line-1-board", "board-secret");
    try (CredentialFile file = passwd()) {
      file.rotate("line-1-board", "board-secret-2".getBytes(StandardCharsets.UTF_8),
          Instant.now().plus(Duration.ofDays(7)));
      file.put("press-42", "press-42-secret-2".getBytes(StandardCharsets.UTF_8));
      awaitDisconnected(press42);
      assertThat(board.getState().isConnected()).as("the old password is still valid in the window").isTrue();
      Mqtt5BlockingClient again = ExtensionTest.connect("press-42", "press-42-secret-2");
      assertThat(again.getState().isConnected()).isTrue();
      close(again);
    } finally {
      close(press42);
      close(board);
    }
  }

  static CredentialFile passwd() {
    return CredentialFile.builder(dir.resolve("passwd")).hasher(TestBroker.HASHER).build();
  }

  @Test
  @Order(3) // removes press-43 for good
  void removingAUserFromThePasswordFile_disconnectsItsClients() throws Exception {
    Mqtt5BlockingClient press42 = ExtensionTest.connect("press-42", "press-42-secret-2");
    Mqtt5BlockingClient press43 = ExtensionTest.connect("press-43", "press-43-secret");
    try {
      try (CredentialFile file = passwd()) {
        file.remove("press-43"); // the other lines stay byte for byte
      }
      awaitDisconnected(press43);
      assertThat(press42.getState().isConnected()).as("the others stay").isTrue();
    } finally {
      close(press42);
      close(press43);
    }
  }
}
