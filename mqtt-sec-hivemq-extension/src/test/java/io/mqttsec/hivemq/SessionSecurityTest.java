/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitAudit;
import static io.mqttsec.hivemq.ExtensionTest.awaitDisconnected;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static io.mqttsec.hivemq.ExtensionTest.publish;
import static io.mqttsec.hivemq.ExtensionTest.replace;
import static io.mqttsec.hivemq.ExtensionTest.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.TlsContexts;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * No device acts as another, attacked on a real HiveMQ CE: a device with its own valid password or certificate
 * presents another device's client id (live and offline); offline sessions keep their subscriptions across an
 * ACL reload; wills are checked again when they fall due (clients killed with SIGKILL, so the broker sees the
 * connection lost); disconnects are audited with who ended them; a client flooding refused 60 KB SUBSCRIBEs
 * writes a bounded number of audit lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionSecurityTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      user dashboard
      topic read factory/#
      user ops
      topic readwrite factory/#
      """;
  static final Map<String, String> USERS = Map.of("press-1", "press-1-secret", "press-2", "press-2-secret",
      "press-3", "press-3-secret", "press-4", "press-4-secret", "dashboard", "dashboard-secret", "ops",
      "ops-secret");

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir, USERS, ACL, CertificateAuthTest.CONFIG, true);
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

  /** Connects {@code user} with client id {@code clientId}; a persistent session when {@code persistent}. */
  static Mqtt5ConnAck connect(Mqtt5BlockingClient c, String user, boolean persistent) {
    return c.connectWith().cleanStart(!persistent).sessionExpiryInterval(persistent ? 3600 : 0).simpleAuth()
        .username(user).password(USERS.get(user).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
  }

  static Mqtt5ConnAckReasonCode connAck(Runnable connect) {
    return ExtensionTest.connAck(connect);
  }

  static Mqtt5BlockingClient certificateClient(String clientId, HeldCertificate identity) {
    ClientTls tls = TlsContexts.forClient().trustedCertificates(List.of(TestBroker.CA.certificate()))
        .identity(identity.privateKey(), identity.chain()).build();
    return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.mtlsPort)
        .sslConfig().trustManagerFactory(tls.trustManagerFactory()).keyManagerFactory(tls.keyManagerFactory())
        .applySslConfig().buildBlocking();
  }

  // ----------------------------------------------------------------------------------------- takeovers

  @Test
  @Order(1)
  void takeover_ofALiveSession_withAnotherDevicesOwnPassword_isRefused_andTheOwnerStays() throws Exception {
    Mqtt5BlockingClient owner = client("press-2");
    connect(owner, "press-2", false);
    try {
      int before = broker.audit.size();
      assertThat(connAck(() -> connect(client("press-2"), "press-1", false)))
          .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
      awaitAudit(broker, before, "\"event\":\"takeover.refused\"", "\"clientId\":\"press-2\"",
          "\"user\":\"press-1\"", "\"owner\":\"press-2\"");
      Thread.sleep(200);
      assertThat(owner.getState().isConnected()).as("the owner was not kicked off").isTrue();
      assertThat(List.copyOf(broker.audit).subList(before, broker.audit.size()))
          .noneMatch(l -> l.contains("\"event\":\"connect.success\""));
    } finally {
      close(owner);
    }
  }

  @Test
  @Order(2)
  void takeover_ofAnOfflineSession_isRefused_andItsQueuedCommandWaitsForItsOwner() throws Exception {
    Mqtt5BlockingClient device = client("press-2");
    connect(device, "press-2", true);
    assertThat(subscribe(device, "factory/press-2/cmd")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    device.disconnect();
    Mqtt5BlockingClient ops = client("ops-1");
    connect(ops, "ops", false);
    assertThat(publish(ops, "factory/press-2/cmd")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    close(ops);

    Mqtt5BlockingClient thief = client("press-2");
    assertThat(connAck(() -> connect(thief, "press-1", true)))
        .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);

    Mqtt5BlockingClient back = client("press-2");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = back.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(connect(back, "press-2", true).isSessionPresent()).isTrue();
      Optional<Mqtt5Publish> command = inbox.receive(10, TimeUnit.SECONDS);
      assertThat(command).isPresent();
      assertThat(command.get().getTopic().toString()).isEqualTo("factory/press-2/cmd");
    } finally {
      back.disconnect();
    }
  }

  @Test
  @Order(3)
  void takeover_withAnotherDevicesCertificate_isRefused() throws Exception {
    HeldCertificate press1 = TestBroker.CA.issue("press-1").clientAuth().issue();
    int before = broker.audit.size();
    assertThat(connAck(() -> certificateClient("press-2", press1).connectWith().cleanStart(false)
        .sessionExpiryInterval(3600).send())).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
    awaitAudit(broker, before, "\"event\":\"takeover.refused\"", "\"listener\":\"mtls\"", "\"user\":\"press-1\"",
        "\"certSha256\":", "\"owner\":\"press-2\"");
    Mqtt5BlockingClient own = certificateClient("press-1-cert", press1);
    own.connect();
    close(own);
  }

  @Test
  @Order(4)
  void takeover_byMosquittoSub_isRefusedAsAnIdentifierRejection() throws Exception {
    assumeMosquitto();
    Process sub = mosquitto(List.of("mosquitto_sub", "-i", "press-2", "-u", "press-1", "-P", "press-1-secret",
        "-t", "factory/press-2/#", "-c", "-V", "mqttv311"), broker.tlsPort);
    assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(dir.resolve("mosquitto.log"))).contains("identifier rejected");
  }

  // ------------------------------------------------------------------------------------- offline sessions

  @Test
  @Order(5)
  void aclReload_evenByteIdentical_keepsAnOfflineSessionsSubscriptions() throws Exception {
    // press-2's session from test 2 is offline, subscribed to factory/press-2/cmd
    int before = broker.audit.size();
    replace(dir.resolve("acl.conf"), ACL);
    awaitAudit(broker, before, "\"event\":\"reload\"", "acl.conf");
    Mqtt5BlockingClient ops = client("ops-2");
    connect(ops, "ops", false);
    assertThat(publish(ops, "factory/press-2/cmd")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    close(ops);
    Mqtt5BlockingClient back = client("press-2");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = back.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(connect(back, "press-2", true).isSessionPresent()).isTrue();
      assertThat(inbox.receive(10, TimeUnit.SECONDS)).as("the command queued while it was offline").isPresent();
    } finally {
      back.disconnect();
    }
    assertThat(List.copyOf(broker.audit).subList(before, broker.audit.size()))
        .noneMatch(l -> l.contains("subscription removed"));
  }

  // ------------------------------------------------------------------------------------------------ wills

  @Test
  @Order(6)
  void will_isPublishedWhenTheConnectionIsLost_butNotOnceAnAclChangeTookTheRightAway() throws Exception {
    assumeMosquitto();
    Mqtt5BlockingClient dashboard = client("dashboard-wills");
    connect(dashboard, "dashboard", false);
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(subscribe(dashboard, "factory/+/status")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      Process press4 = withWill("press-4");
      press4.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Optional<Mqtt5Publish> will = inbox.receive(10, TimeUnit.SECONDS);
      assertThat(will).as("the will of a device whose connection was lost").isPresent();
      assertThat(will.get().getTopic().toString()).isEqualTo("factory/press-4/status");

      Process press3 = withWill("press-3");
      int before = broker.audit.size();
      replace(dir.resolve("acl.conf"), ACL.replace("pattern readwrite factory/%u/#",
          "pattern read factory/%u/#"));
      awaitAudit(broker, before, "\"event\":\"reload\"", "acl.conf");
      press3.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      awaitAudit(broker, before, "\"event\":\"will.suppressed\"", "\"clientId\":\"press-3\"",
          "\"topic\":\"factory/press-3/status\"", "the ACL in force refuses it");
      assertThat(inbox.receive(1, TimeUnit.SECONDS)).as("no will after the rights were gone").isEmpty();
    } finally {
      close(dashboard);
      restoreAcl();
    }
    awaitAudit(broker, 0, "\"event\":\"disconnect\"", "\"clientId\":\"press-3\"", "\"initiator\":\"client\"",
        "\"reason\":\"connection lost\"");
  }

  /** mosquitto_sub as {@code user}, with a will on its status topic; returns once it is connected. */
  private static Process withWill(String user) throws Exception {
    int before = broker.audit.size();
    Process p = mosquitto(List.of("mosquitto_sub", "-i", user, "-u", user, "-P", USERS.get(user), "-t",
        "factory/" + user + "/cmd", "--will-topic", "factory/" + user + "/status", "--will-payload", "offline",
        "--will-qos", "1", "-V", "mqttv5"), broker.tlsPort);
    try {
      awaitAudit(broker, before, "\"event\":\"connect.success\"", "\"clientId\":\"" + user + "\"");
    } catch (AssertionError e) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("mosquitto_sub " + user + " (alive " + p.isAlive() + "): "
          + Files.readString(dir.resolve("mosquitto.log")), e);
    }
    return p;
  }

  @Test
  @Order(7)
  void will_ofADeviceMqttSecDisconnectsForRevocation_isNotPublished() throws Exception {
    assumeMosquitto();
    HeldCertificate press5 = TestBroker.CA.issue("press-5").clientAuth().issue();
    Path cert = Files.writeString(dir.resolve("press-5.pem"), Pem.encode(press5.chain()));
    Path key = Files.writeString(dir.resolve("press-5.key"), Pem.encodePrivateKey(press5.privateKey()));
    Mqtt5BlockingClient dashboard = client("dashboard-revoked");
    connect(dashboard, "dashboard", false);
    Process device = null;
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
      subscribe(dashboard, "factory/+/status");
      int before = broker.audit.size();
      device = mosquitto(List.of("mosquitto_sub", "-i", "press-5", "--cert", cert.toString(), "--key",
          key.toString(), "-t", "factory/press-5/cmd", "--will-topic", "factory/press-5/status", "--will-payload",
          "offline", "-V", "mqttv5"), broker.mtlsPort);
      awaitAudit(broker, before, "\"event\":\"connect.success\"", "\"clientId\":\"press-5\"");
      TestBroker.CA.revoke(press5.certificate().getSerialNumber());
      replace(dir.resolve("ca.crl"), Pem.encode(TestBroker.CA.crl(Duration.ofDays(7))));
      awaitAudit(broker, before, "\"event\":\"disconnect\"", "\"clientId\":\"press-5\"",
          "\"initiator\":\"mqtt-sec\"", "certificate no longer accepted");
      awaitAudit(broker, before, "\"event\":\"will.suppressed\"", "\"clientId\":\"press-5\"",
          "mqtt-sec ended the connection");
      assertThat(inbox.receive(1, TimeUnit.SECONDS)).isEmpty();
    } finally {
      if (device != null) {
        device.destroyForcibly();
      }
      close(dashboard);
    }
  }

  // ------------------------------------------------------------------------------------------ disconnects

  @Test
  @Order(8)
  void disconnects_areAudited_withWhoEndedThemAndWhy() throws Exception {
    int before = broker.audit.size();
    Mqtt5BlockingClient polite = client("polite");
    connect(polite, "press-1", false);
    polite.disconnect();
    awaitAudit(broker, before, "\"event\":\"disconnect\"", "\"clientId\":\"polite\"", "\"initiator\":\"client\"",
        "\"reason\":\"NORMAL_DISCONNECTION\"");
    Mqtt5BlockingClient rude = client("rude");
    connect(rude, "press-1", false);
    assertThat(publish(rude, "factory/press-2/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    awaitDisconnected(rude);
    awaitAudit(broker, before, "\"event\":\"disconnect\"", "\"clientId\":\"rude\"", "\"initiator\":\"broker\"",
        "\"reason\":\"NOT_AUTHORIZED");
    Mqtt5BlockingClient removed = client("removed");
    connect(removed, "press-4", false);
    try (CredentialFile file = CredentialFile.builder(dir.resolve("passwd")).hasher(TestBroker.HASHER).build()) {
      file.remove("press-4");
    }
    awaitDisconnected(removed);
    awaitAudit(broker, before, "\"event\":\"disconnect\"", "\"clientId\":\"removed\"",
        "\"initiator\":\"mqtt-sec\"", "\"reason\":\"credential removed\"");
  }

  // ------------------------------------------------------------------------------------------- audit flood

  @Test
  @Order(9)
  void aFloodOfRefused60KbSubscriptions_writesABoundedAudit() throws Exception {
    Mqtt5BlockingClient flooder = client("flooder");
    connect(flooder, "press-1", false);
    String padding = "x".repeat(60_000);
    try {
      for (int i = 0; i < 200; i++) {
        assertThat(subscribe(flooder, "factory/press-2/" + i + "/" + padding))
            .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      }
    } finally {
      close(flooder);
    }
    List<String> lines = List.copyOf(broker.audit).stream().filter(l -> l.contains("\"clientId\":\"flooder\""))
        .toList();
    assertThat(lines.stream().filter(l -> l.contains("\"event\":\"acl.denied\"")).count()).isEqualTo(10);
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(4096));
    assertThat(lines.stream().mapToInt(String::length).sum()).as("200 x 60 KB refused").isLessThan(32 * 1024);
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"topicLength\":600"));
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** Puts the class's ACL back and waits until it is in force. */
  static void restoreAcl() throws Exception {
    int before = broker.audit.size();
    replace(dir.resolve("acl.conf"), ACL + "# restored\n");
    awaitAudit(broker, before, "\"event\":\"reload\"", "acl.conf");
  }

  static void assumeMosquitto() {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, "mosquitto_sub")));
    if (System.getenv("CI") != null) {
      assertThat(installed).as("mosquitto_sub on the PATH (.ci/run installs mosquitto-clients)").isTrue();
    }
    assumeTrue(installed, "mosquitto-clients are not installed");
  }

  static Process mosquitto(List<String> args, int port) throws Exception {
    List<String> command = new ArrayList<>(args);
    command.addAll(List.of("-h", "127.0.0.1", "-p", String.valueOf(port), "--cafile",
        dir.resolve("ca.pem").toString()));
    return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log")
            .toFile())).start();
  }
}
