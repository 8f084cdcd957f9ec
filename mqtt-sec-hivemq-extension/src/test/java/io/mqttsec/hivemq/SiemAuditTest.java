/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.mqttsec.broker.JsonTree;
import io.mqttsec.broker.SchemaCheck;
import io.mqttsec.tls.Pem;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on a real HiveMQ CE with three audit files beside its log, one a format: a password spray from one
 * address, a device's credentials used from a new address, a connect storm and a burst of refused subscriptions
 * from mosquitto_sub. Each raises its alert, and every line of every file follows its schema (the official ECS and
 * OCSF references, by {@link SchemaCheck}). Clients bind to different loopback addresses (Linux routes all of
 * 127.0.0.0/8 to the loopback interface); the broker listens on 127.0.0.1 only.
 */
class SiemAuditTest {

  static final String CONFIG = """
        <audit format="mqtt-sec"/>
        <audit format="mqtt-sec" file="audit-mqtt-sec.jsonl"/>
        <audit format="ecs" file="audit-ecs.jsonl"/>
        <audit format="ocsf" file="audit-ocsf.jsonl"/>
        <limits><clients max-connections="none"/></limits>
        <detection>
          <connection-spike interval="PT10S" factor="5" minimum="30" warm-up="PT0S"/>
        </detection>
      """;

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> passwords = new HashMap<>();
    passwords.put("press-1", "press-1-secret");
    passwords.put("press-2", "press-2-secret");
    passwords.put("fleet", "fleet-secret");
    broker = new TestBroker(dir, passwords, "pattern readwrite factory/%u/#\n", CONFIG);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  /** A CONNECT from {@code address}, disconnected at once when accepted; the CONNACK's code. */
  static Mqtt5ConnAckReasonCode connect(String address, String clientId, String user, String password) {
    Mqtt5BlockingClient c = broker.clientFrom(address, clientId);
    Mqtt5ConnAckReasonCode code = ExtensionTest.connAck(() -> c.connectWith().simpleAuth().username(user)
        .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    if (code == Mqtt5ConnAckReasonCode.SUCCESS) {
      c.disconnect();
    }
    return code;
  }

  /** Every line of the file of {@code format}, each checked against its schema, as objects. */
  static List<Map<String, Object>> lines(String format) throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("audit-" + format + ".jsonl"))) {
      List<String> problems = switch (format) {
        case "ecs" -> SchemaCheck.ecs(line);
        case "ocsf" -> SchemaCheck.ocsf(line);
        default -> List.of();
      };
      assertThat(problems).as(line).isEmpty();
      out.add(JsonTree.flatten(JsonTree.object(line)));
    }
    return out;
  }

  /** Waits until the file of {@code format} has a line that {@code wanted} accepts, and answers it. */
  static Map<String, Object> await(String format, Predicate<Map<String, Object>> wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      for (Map<String, Object> line : lines(format)) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no such line in audit-" + format + ".jsonl:\n"
            + String.join("\n", Files.readAllLines(dir.resolve("audit-" + format + ".jsonl"))));
      }
      Thread.sleep(50);
    }
  }

  static Predicate<Map<String, Object>> has(Object... keyValues) {
    return line -> {
      for (int i = 0; i < keyValues.length; i += 2) {
        if (!keyValues[i + 1].equals(line.get((String) keyValues[i]))) {
          return false;
        }
      }
      return true;
    };
  }

  @Test
  void aPasswordSprayFromOneAddress_isAnAlertInEveryFormat() throws Exception {
    for (int i = 0; i < 12; i++) {
      assertThat(connect("127.0.5.1", "spray-" + i, "user-" + i, "Winter2026!")).isNotEqualTo(
          Mqtt5ConnAckReasonCode.SUCCESS);
    }
    Map<String, Object> ecs = await("ecs", has("event.action", "alert.brute-force", "source.ip", "127.0.5.1"));
    assertThat(ecs).containsEntry("event.kind", "alert").containsEntry("rule.name", "alert.brute-force")
        .containsEntry("mqtt.scope", "address 127.0.5.1").containsEntry("mqtt.count", 10L)
        .containsEntry("event.category", List.of("authentication", "intrusion_detection"));
    assertThat(await("ecs", has("event.action", "connect.failure", "source.ip", "127.0.5.1", "user.name",
        "user-0"))).containsEntry("event.outcome", "failure").containsEntry("mqtt.client_id", "spray-0")
        .containsEntry("mqtt.listener", "tls");
    Map<String, Object> ocsf = await("ocsf", has("metadata.event_code", "alert.brute-force",
        "unmapped.scope", "address 127.0.5.1"));
    assertThat(ocsf).containsEntry("class_uid", 2004L).containsEntry("is_alert", true)
        .containsEntry("severity_id", 4L).containsEntry("count", 10L);
    assertThat(await("ocsf", has("class_uid", 3002L, "src_endpoint.ip", "127.0.5.1", "user.name", "user-0")))
        .containsEntry("status_id", 2L).containsEntry("activity_id", 1L);
    assertThat(await("mqtt-sec", has("event", "alert.brute-force", "scope", "address 127.0.5.1")))
        .containsEntry("address", "127.0.5.1");
  }

  @Test
  void aDevicesCredentials_fromANewAddress_areAnAlert() throws Exception {
    assertThat(connect("127.0.6.1", "press-1", "press-1", "press-1-secret")).isEqualTo(
        Mqtt5ConnAckReasonCode.SUCCESS);
    assertThat(connect("127.0.6.9", "press-1", "press-1", "press-1-secret")).isEqualTo(
        Mqtt5ConnAckReasonCode.SUCCESS);
    assertThat(lines("ecs")).noneMatch(has("event.action", "alert.new-address", "user.name", "press-1"));
    assertThat(connect("127.0.7.1", "press-1", "press-1", "press-1-secret")).isEqualTo(
        Mqtt5ConnAckReasonCode.SUCCESS);
    Map<String, Object> ecs = await("ecs", has("event.action", "alert.new-address", "user.name", "press-1"));
    assertThat(ecs).containsEntry("source.ip", "127.0.7.1").containsEntry("event.kind", "alert");
    assertThat((String) ecs.get("event.reason")).startsWith("press-1 logged in from 127.0.7.1, outside the /24 "
        + "prefixes it logged in from before (");
    assertThat(await("ocsf", has("metadata.event_code", "alert.new-address"))).containsEntry("class_uid", 2004L)
        .containsEntry("unmapped.scope", "user press-1");
    await("mqtt-sec", has("event", "alert.new-address", "user", "press-1", "address", "127.0.7.1"));
  }

  @Test
  void aConnectStorm_isAnAlert() throws Exception {
    for (int i = 0; i < 60; i++) {
      assertThat(connect("127.0.9." + (1 + i % 200), "fleet-" + i, "fleet", "fleet-secret")).isEqualTo(
          Mqtt5ConnAckReasonCode.SUCCESS);
    }
    Map<String, Object> ecs = await("ecs", has("event.action", "alert.connection-spike"));
    assertThat(ecs).containsEntry("mqtt.scope", "broker").containsEntry("event.category",
        List.of("network", "intrusion_detection"));
    assertThat((Long) ecs.get("mqtt.count")).isGreaterThanOrEqualTo(30L);
    assertThat(await("ocsf", has("metadata.event_code", "alert.connection-spike"))).containsEntry("class_uid",
        2004L).containsEntry("severity_id", 3L);
    await("mqtt-sec", has("event", "alert.connection-spike", "scope", "broker"));
  }

  @Test
  void aBurstOfRefusedSubscriptions_fromMosquittoSub_isAnAlert() throws Exception {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, "mosquitto_sub")));
    if (System.getenv("CI") != null) {
      assertThat(installed).as("mosquitto_sub on the PATH (.ci/run installs mosquitto-clients)").isTrue();
    }
    assumeTrue(installed, "mosquitto-clients are not installed");
    Path ca = Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(TestBroker.CA.certificate())));
    List<String> command = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.tlsPort), "--cafile", ca.toString(), "-V", "mqttv5", "-i", "press-2-sub",
        "-u", "press-2", "-P", "press-2-secret", "-W", "2"));
    for (int i = 0; i < 25; i++) {
      command.addAll(List.of("-t", "factory/press-1/" + i)); // another device's topics
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Map<String, Object> ecs = await("ecs", has("event.action", "alert.denial-burst"));
    assertThat(ecs).containsEntry("mqtt.scope", "client press-2-sub").containsEntry("user.name", "press-2")
        .containsEntry("mqtt.count", 20L);
    assertThat(await("ecs", has("event.action", "acl.denied", "mqtt.client_id", "press-2-sub")))
        .containsEntry("event.category", List.of("api")).containsEntry("event.type", List.of("denied"))
        .containsEntry("mqtt.action", "SUBSCRIBE");
    assertThat(await("ocsf", has("metadata.event_code", "acl.denied", "src_endpoint.uid", "press-2-sub")))
        .containsEntry("class_uid", 6003L).containsEntry("activity_id", 2L)
        .containsEntry("api.operation", "SUBSCRIBE");
    await("ocsf", has("metadata.event_code", "alert.denial-burst"));
    await("mqtt-sec", has("event", "alert.denial-burst", "clientId", "press-2-sub"));
    // the broker's log gets the same lines as the mqtt-sec file
    ExtensionTest.awaitAudit(broker, 0, "\"event\":\"alert.denial-burst\"", "\"clientId\":\"press-2-sub\"");
  }
}
