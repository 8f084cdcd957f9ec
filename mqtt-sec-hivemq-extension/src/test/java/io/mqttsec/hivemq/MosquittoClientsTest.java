/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same scenarios with mosquitto's own command-line clients (OpenSSL, not the JDK, on the client side),
 * MQTT 5 and 3.1.1. CI installs them; outside CI the class is skipped when they are missing.
 */
class MosquittoClientsTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      user dashboard
      topic read factory/#
      """;

  @TempDir
  static Path dir;
  static TestBroker broker;
  static Path caFile;

  record Run(int exit, String out, String err) {
  }

  @BeforeAll
  static void start() throws Exception {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, "mosquitto_pub")));
    if (System.getenv("CI") != null) {
      assertThat(installed).as("mosquitto_pub on the PATH (.ci/run installs mosquitto-clients)").isTrue();
    }
    assumeTrue(installed, "mosquitto-clients are not installed");
    broker = new TestBroker(dir, Map.of("press-42", "press-42-secret", "dashboard", "dashboard-secret"), ACL,
        CertificateAuthTest.CONFIG, true);
    caFile = dir.resolve("ca.pem");
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static List<String> base(String tool, String version, int port) {
    return new ArrayList<>(List.of(tool, "-h", "127.0.0.1", "-p", String.valueOf(port), "--cafile",
        caFile.toString(), "-V", version, "-q", "1"));
  }

  static List<String> withPassword(List<String> command, String user, String password) {
    command.addAll(List.of("-u", user, "-P", password));
    return command;
  }

  static Process launch(List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
  }

  static Run finish(Process p) throws Exception {
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + p.info().commandLine().orElse("?"));
    }
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  static Run run(List<String> command) throws Exception {
    return finish(launch(command));
  }

  /** Starts a subscriber that prints one message (or gives up after 10 s) and waits until it is subscribed. */
  static Process subscriber(List<String> command, String filter) throws Exception {
    int before = broker.audit.size();
    command.addAll(List.of("-t", filter, "-C", "1", "-W", "10", "-v"));
    Process p = launch(command);
    ExtensionTest.awaitAudit(broker, before, "\"event\":\"connect.success\"");
    Thread.sleep(300); // the SUBSCRIBE follows the CONNACK
    return p;
  }

  static Run publish(List<String> command, String topic) throws Exception {
    command.addAll(List.of("-t", topic, "-m", "21.5"));
    return run(command);
  }

  @Test
  void passwordDevices_mqtt5AndMqtt311_publishInTheirSubtree_dashboardReceives() throws Exception {
    for (String[] versions : new String[][] {{"mqttv5", "mqttv311"}, {"mqttv311", "mqttv5"}}) {
      Process sub = subscriber(withPassword(base("mosquitto_sub", versions[0], broker.tlsPort), "dashboard",
          "dashboard-secret"), "factory/#");
      Run pub = publish(withPassword(base("mosquitto_pub", versions[1], broker.tlsPort), "press-42",
          "press-42-secret"), "factory/press-42/temp");
      assertThat(pub.exit()).as(pub.err()).isZero();
      Run received = finish(sub);
      assertThat(received.out()).as(received.err()).isEqualTo("factory/press-42/temp 21.5\n");
    }
  }

  @Test
  void wrongPassword_isRefused_inBothVersions() throws Exception {
    Run v5 = publish(withPassword(base("mosquitto_pub", "mqttv5", broker.tlsPort), "press-42", "guess"),
        "factory/press-42/temp");
    assertThat(v5.exit()).isNotZero();
    assertThat(v5.err()).containsIgnoringCase("bad user name or password");
    Run v311 = publish(withPassword(base("mosquitto_pub", "mqttv311", broker.tlsPort), "press-42", "guess"),
        "factory/press-42/temp");
    assertThat(v311.exit()).isNotZero();
    assertThat(v311.err()).containsIgnoringCase("bad user name or password");
    Run anonymous = publish(base("mosquitto_pub", "mqttv311", broker.tlsPort), "factory/press-42/temp");
    assertThat(anonymous.exit()).isNotZero();
  }

  @Test
  void publishOutsideTheSubtree_isRefused_andNotDelivered() throws Exception {
    Process sub = subscriber(withPassword(base("mosquitto_sub", "mqttv5", broker.tlsPort), "dashboard",
        "dashboard-secret"), "factory/#");
    int before = broker.audit.size();
    Run pub = publish(withPassword(base("mosquitto_pub", "mqttv5", broker.tlsPort), "press-42",
        "press-42-secret"), "factory/press-43/temp");
    ExtensionTest.awaitAudit(broker, before, "\"event\":\"acl.denied\"", "\"topic\":\"factory/press-43/temp\"");
    assertThat(pub.err()).containsIgnoringCase("not authorized");
    Run received = finish(sub);
    assertThat(received.out()).as("nothing delivered").isEmpty();
  }

  @Test
  void subscriptionOutsideTheSubtree_isRefused() throws Exception {
    List<String> command = withPassword(base("mosquitto_sub", "mqttv5", broker.tlsPort), "press-42",
        "press-42-secret");
    command.addAll(List.of("-t", "factory/#", "-C", "1", "-W", "5"));
    Run sub = run(command);
    // mosquitto_sub 2.0 exits 0 here; the SUBACK's refusal is what it prints
    assertThat(sub.err()).contains("All subscription requests were denied.");
    assertThat(sub.out()).isEmpty();
  }

  @Test
  void clientCertificate_withCertAndKey_isTheIdentity() throws Exception {
    HeldCertificate press = TestBroker.CA.issue("press-77").clientAuth().issue();
    Path cert = Files.writeString(dir.resolve("press-77.pem"), Pem.encode(press.chain()));
    Path key = Files.writeString(dir.resolve("press-77.key"), Pem.encodePrivateKey(press.privateKey()));
    for (String version : List.of("mqttv5", "mqttv311")) {
      List<String> subCommand = base("mosquitto_sub", version, broker.mtlsPort);
      subCommand.addAll(List.of("--cert", cert.toString(), "--key", key.toString()));
      Process sub = subscriber(subCommand, "factory/press-77/#");
      List<String> pubCommand = base("mosquitto_pub", version, broker.mtlsPort);
      pubCommand.addAll(List.of("--cert", cert.toString(), "--key", key.toString()));
      Run pub = publish(pubCommand, "factory/press-77/temp");
      assertThat(pub.exit()).as(pub.err()).isZero();
      assertThat(finish(sub).out()).isEqualTo("factory/press-77/temp 21.5\n");
    }
    Run bare = publish(base("mosquitto_pub", "mqttv5", broker.mtlsPort), "factory/press-77/temp");
    assertThat(bare.exit()).as("no certificate on a listener that requires one").isNotZero();
  }
}
