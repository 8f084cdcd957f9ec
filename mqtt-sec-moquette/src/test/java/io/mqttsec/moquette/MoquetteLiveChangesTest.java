/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * On Moquette: a brute-force lock-out, wills held by mqtt-sec, device certificates and their revocation, and
 * changes to the password file and the ACL reaching connected clients.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MoquetteLiveChangesTest {

  @TempDir
  static Path dir;
  static MoquetteFixture broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new MoquetteFixture(dir, Map.of("press-1", "press-1-pw", "press-2", "press-2-pw", "press-3",
        "press-3-pw", "dashboard", "dashboard-pw"), MoquetteSecurityTest.ACL, "");
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static Mqtt3BlockingClient connect(String clientId, String user, String password) {
    Mqtt3BlockingClient c = broker.client(clientId, null);
    c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    return c;
  }

  static void awaitDisconnected(Mqtt3BlockingClient c) throws InterruptedException {
    awaitDisconnectedOf(c, broker);
  }

  static void awaitDisconnectedOf(Mqtt3BlockingClient c, MoquetteFixture on) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (c.getState().isConnected()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the broker did not disconnect the client");
      }
      Thread.sleep(20);
    }
  }

  static void replace(Path file, String text) throws Exception {
    Path temp = file.resolveSibling(file.getFileName() + ".new");
    Files.writeString(temp, text);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A CONNECT with a will over a raw TLS socket, which is then closed without DISCONNECT when {@code lost}. */
  static void connectWithWillThenEnd(String user, String willTopic, boolean lost) throws Exception {
    SSLSocket socket = (SSLSocket) io.mqttsec.tls.TlsContexts.forClient()
        .trustedCertificates(dir.resolve("ca.pem")).build().sslContext().getSocketFactory()
        .createSocket("127.0.0.1", broker.port);
    socket.startHandshake();
    socket.getOutputStream().write(ConnectPacketTest.connect(4, user, true, willTopic, "gone".getBytes(), 1, false,
        user, (user + "-pw").getBytes()));
    socket.getOutputStream().flush();
    byte[] connack = socket.getInputStream().readNBytes(4);
    assertThat(connack).containsExactly(0x20, 2, 0, 0);
    if (!lost) {
      socket.getOutputStream().write(new byte[] {(byte) 0xE0, 0});
      socket.getOutputStream().flush();
    }
    socket.close();
  }

  @Test
  @Order(1)
  void aWill_isPublishedByMqttSec_whenTheConnectionIsLost_notAfterADisconnect() throws Exception {
    Mqtt3BlockingClient dashboard = connect("dashboard", "dashboard", "dashboard-pw");
    dashboard.subscribeWith().topicFilter("factory/#").qos(MqttQos.AT_LEAST_ONCE).send();
    try (Mqtt3BlockingClient.Mqtt3Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      connectWithWillThenEnd("press-3", "factory/press-3/status", false);
      broker.awaitAudit("disconnect", "\"user\":\"press-3\"", "DISCONNECT");
      assertThat(inbox.receive(500, TimeUnit.MILLISECONDS)).as("a normal DISCONNECT discards the will").isEmpty();

      connectWithWillThenEnd("press-3", "factory/press-3/status", true);
      var will = inbox.receive(10, TimeUnit.SECONDS);
      assertThat(will).isPresent();
      assertThat(will.get().getTopic().toString()).isEqualTo("factory/press-3/status");
      assertThat(new String(will.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("gone");
    }
    // a will on a topic the ACL refuses is refused with the CONNECT: Moquette never holds one
    assertThatThrownBy(() -> connectWithWillThenEnd("press-3", "factory/press-1/status", true))
        .isInstanceOf(AssertionError.class);
    broker.awaitAudit("connect.failure", "\"user\":\"press-3\"", "factory/press-1/status");
    dashboard.disconnect();
  }

  @Test
  @Order(2)
  void twentyWrongPasswords_lockTheGuesserOut_otherDevicesKeepConnecting() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> connect("press-2", "press-2", "guess")).isInstanceOf(Mqtt3ConnAckException.class);
    }
    assertThatThrownBy(() -> connect("press-2", "press-2", "press-2-pw")).as("locked out")
        .isInstanceOf(Mqtt3ConnAckException.class);
    broker.awaitAudit("\"event\":\"lockout\"", "\"user\":\"press-2\"");
    Mqtt3BlockingClient device = connect("press-1", "press-1", "press-1-pw");
    assertThat(device.getState().isConnected()).isTrue();
    device.disconnect();
  }

  @Test
  @Order(3)
  void aDeviceCertificate_isItsIdentity_andARevocationDropsIt() throws Exception {
    HeldCertificate press = MoquetteFixture.CA.issue("press-1").clientAuth().issue();
    Mqtt3BlockingClient device = broker.client("press-1", press);
    device.connect();
    assertThat(broker.awaitAudit("connect.success", "\"listener\":\"mtls\"")).contains("\"user\":\"press-1\"",
        "\"method\":\"certificate\"");
    device.publishWith().topic("factory/press-1/temp").payload("20".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();

    MoquetteFixture.CA.revoke(press.certificate().getSerialNumber());
    replace(dir.resolve("ca.crl"), Pem.encode(MoquetteFixture.CA.crl(Duration.ofDays(7))));
    awaitDisconnected(device);
    broker.awaitAudit("disconnect", "\"user\":\"press-1\"", "\"initiator\":\"mqtt-sec\"");
    Mqtt3BlockingClient again = broker.client("press-1", press);
    assertThatThrownBy(again::connect).isInstanceOf(Mqtt3ConnAckException.class);
    broker.awaitAudit("connect.failure", "\"listener\":\"mtls\"", "revoked");
  }

  @Test
  @Order(4)
  void aRemovedUser_isDisconnected_andAnAclEditEndsASessionWhoseSubscriptionItRefuses() throws Exception {
    Mqtt3BlockingClient dashboard = connect("dashboard", "dashboard", "dashboard-pw");
    dashboard.subscribeWith().topicFilter("factory/#").send();
    Mqtt3BlockingClient press = connect("press-3", "press-3", "press-3-pw");

    CredentialFile.builder(dir.resolve("passwd")).hasher(MoquetteFixture.HASHER).build().remove("press-3");
    awaitDisconnected(press);
    broker.awaitAudit("disconnect", "\"user\":\"press-3\"", "\"initiator\":\"mqtt-sec\"");
    assertThat(dashboard.getState().isConnected()).isTrue();

    replace(dir.resolve("acl.conf"), "pattern readwrite factory/%u/#\nuser dashboard\ntopic read factory/line-1/#\n");
    awaitDisconnected(dashboard);
    broker.awaitAudit("acl.denied", "\"user\":\"dashboard\"", "subscription removed after an ACL reload");

    replace(dir.resolve("acl.conf"), "pattern readwrite factory/%u/#\nbogus line\n");
    broker.awaitAudit("reload.failure", "acl.conf:2");
    Mqtt3BlockingClient still = connect("press-1", "press-1", "press-1-pw");
    still.publishWith().topic("factory/press-1/x").payload("1".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
    still.disconnect();
  }
}
