/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import java.io.File;
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
 * The factory scenarios on Moquette with mosquitto's own clients (OpenSSL on the client side), MQTT 3.1.1 (the
 * version Moquette speaks). CI installs them; outside CI the class is skipped when they are missing.
 */
class MoquetteMosquittoClientsTest {

  @TempDir
  static Path dir;
  static MoquetteFixture broker;

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
    broker = new MoquetteFixture(dir, Map.of("press-1", "press-1-pw", "dashboard", "dashboard-pw"),
        MoquetteSecurityTest.ACL, "");
    HeldCertificate press2 = MoquetteFixture.CA.issue("press-2").clientAuth().issue();
    Files.writeString(dir.resolve("press-2.pem"), Pem.encode(press2.chain()));
    Files.writeString(dir.resolve("press-2.key"), Pem.encodePrivateKey(press2.privateKey()));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static List<String> base(String tool, String clientId, String... credentials) {
    List<String> c = new ArrayList<>(List.of(tool, "-h", "127.0.0.1", "-p", String.valueOf(broker.port),
        "--cafile", dir.resolve("ca.pem").toString(), "-V", "mqttv311", "-q", "1", "-i", clientId));
    if (credentials.length == 2) {
      c.addAll(List.of("-u", credentials[0], "-P", credentials[1]));
    }
    return c;
  }

  static Process launch(List<String> command) throws Exception {
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

  static Process subscriber(String filter) throws Exception {
    List<String> c = base("mosquitto_sub", "dashboard-" + System.nanoTime(), "dashboard", "dashboard-pw");
    c.addAll(List.of("-t", filter, "-C", "1", "-W", "20", "-v"));
    String id = c.get(c.indexOf("-i") + 1);
    Process p = launch(c);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!broker.security.allowedSubscription(id, filter)) { // the SUBSCRIBE follows the CONNACK
      if (System.nanoTime() > deadline || !p.isAlive()) {
        throw new AssertionError("the subscriber never subscribed to " + filter);
      }
      Thread.sleep(20);
    }
    Thread.sleep(100); // Moquette adds the subscription right after asking mqtt-sec
    return p;
  }

  static Run publish(List<String> command, String topic) throws Exception {
    command.addAll(List.of("-t", topic, "-m", "21.5"));
    return finish(launch(command));
  }

  @Test
  void aPasswordDevice_publishesInItsSubtree_andTheDashboardReceives() throws Exception {
    Process sub = subscriber("factory/#");
    Run pub = publish(base("mosquitto_pub", "press-1", "press-1", "press-1-pw"), "factory/press-1/temp");
    assertThat(pub.exit()).as(pub.err()).isZero();
    Run received = finish(sub);
    assertThat(received.out()).as(received.err()).isEqualTo("factory/press-1/temp 21.5\n");
  }

  @Test
  void aCertificateDevice_publishesAsItsCommonName() throws Exception {
    Process sub = subscriber("factory/#");
    List<String> c = base("mosquitto_pub", "press-2");
    c.addAll(List.of("--cert", dir.resolve("press-2.pem").toString(), "--key", dir.resolve("press-2.key").toString()));
    Run pub = publish(c, "factory/press-2/temp");
    assertThat(pub.exit()).as(pub.err()).isZero();
    assertThat(finish(sub).out()).isEqualTo("factory/press-2/temp 21.5\n");
    broker.awaitAudit("connect.success", "\"user\":\"press-2\"", "\"listener\":\"mtls\"");
  }

  @Test
  void aWrongPassword_noCredentials_andAnotherDevicesId_areRefused() throws Exception {
    Run wrong = publish(base("mosquitto_pub", "press-1", "press-1", "guess"), "factory/press-1/temp");
    assertThat(wrong.exit()).isNotZero();
    assertThat(wrong.err()).containsIgnoringCase("bad user name or password");
    Run anonymous = publish(base("mosquitto_pub", "anon"), "factory/press-1/temp");
    assertThat(anonymous.exit()).isNotZero();
    List<String> owner = base("mosquitto_sub", "press-2");
    owner.addAll(List.of("--cert", dir.resolve("press-2.pem").toString(), "--key",
        dir.resolve("press-2.key").toString(), "-t", "factory/press-2/cmd", "-C", "1", "-W", "20", "-v"));
    int before = broker.audit.size();
    Process ownerProcess = launch(owner);
    try {
      broker.awaitAuditAfter(before, "connect.success", "\"clientId\":\"press-2\"", "\"user\":\"press-2\"");
      Run thief = publish(base("mosquitto_pub", "press-2", "press-1", "press-1-pw"), "factory/press-1/temp");
      assertThat(thief.exit()).as("press-2's client id belongs to the connected press-2 certificate").isNotZero();
      broker.awaitAudit("takeover.refused", "\"clientId\":\"press-2\"", "\"user\":\"press-1\"");
      assertThat(ownerProcess.isAlive()).as("the owner is not kicked").isTrue();
    } finally {
      ownerProcess.destroy();
    }
  }

  @Test
  void aPublishOutsideTheSubtree_isNotDelivered() throws Exception {
    Process sub = subscriber("factory/#");
    publish(base("mosquitto_pub", "press-1", "press-1", "press-1-pw"), "factory/press-9/temp");
    broker.awaitAudit("acl.denied", "factory/press-9/temp");
    Run received = finish(sub);
    assertThat(received.out()).isEmpty();
  }
}
