/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.mqttsec.postgres.StoreAdmin;
import io.mqttsec.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HiveMQ CE with the extension configured by {@code <store><postgres .../></store>}: its users and ACL come from
 * the PostgreSQL that {@code ./run-tests} starts, and a change made there with plain SQL reaches a client that is
 * connected to the broker.
 */
class FleetStoreTest {

  static final String SCHEMA = "t_hivemq_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);

  @TempDir
  static Path dir;
  static String url;
  static String user;

  @BeforeAll
  static void start() throws Exception {
    url = System.getenv("MQTTSEC_TEST_PG_URL");
    if (url == null) {
      throw new IllegalStateException("no test database: run the tests with ./run-tests, which starts PostgreSQL");
    }
    user = System.getenv("MQTTSEC_TEST_PG_USER");
    char[] password = System.getenv("PGPASSWORD").toCharArray();
    Path passwd = Files.writeString(dir.resolve("import-passwd"), "press-42:" + TestBroker.HASHER.hash(
        "press-42-secret".getBytes(StandardCharsets.UTF_8)).encoded() + "\n");
    Path acl = Files.writeString(dir.resolve("import-acl.conf"), "pattern readwrite factory/%u/#\n");
    try (StoreAdmin admin = StoreAdmin.connect(url, user, password, SCHEMA)) {
      admin.init();
      admin.importFiles(passwd, acl);
    }
    Files.writeString(dir.resolve("db-password"), new String(password) + "\n");
    ExtensionTest.broker = new TestBroker(dir, Map.of(), "", "", TestBroker.Options.DEFAULT.withStore(
        "<postgres url=\"" + url + "\" user=\"" + user + "\" password-file=\"db-password\" schema=\"" + SCHEMA
            + "\"/>"));
    ExtensionTest.trust = TlsContexts.forClient().trustedCertificates(List.of(TestBroker.CA.certificate())).build()
        .trustManagerFactory();
  }

  @AfterAll
  static void stop() throws Exception {
    if (ExtensionTest.broker != null) {
      ExtensionTest.broker.close();
      ExtensionTest.broker = null;
    }
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  static Connection admin() throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", user);
    p.setProperty("password", System.getenv("PGPASSWORD"));
    return new org.postgresql.Driver().connect(url, p);
  }

  static void sql(String statement) throws Exception {
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute(statement.replace("S.", SCHEMA + "."));
    }
  }

  @Test
  void theStoresUsersAndAcl_decide_andAPasswordResetInSqlEndsTheLiveConnection() throws Exception {
    Mqtt5BlockingClient press = ExtensionTest.connect("press-42", "press-42-secret");
    assertThat(ExtensionTest.publish(press, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(ExtensionTest.publish(press, "factory/press-43/temp")).isEqualTo(
        Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(ExtensionTest.refusal(() -> ExtensionTest.connect("press-42", "guess"))).isEqualTo(
        Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);

    // HiveMQ ends an MQTT 5 client whose PUBLISH is refused: a fresh connection stays for the reset
    press = ExtensionTest.connect("press-42", "press-42-secret");
    sql("UPDATE S.users SET hash = '" + TestBroker.HASHER.hash("new-secret".getBytes(StandardCharsets.UTF_8))
        .encoded() + "' WHERE username = 'press-42'");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (press.getState().isConnected() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(press.getState().isConnected()).as("ended by the reset").isFalse();
    assertThat(ExtensionTest.broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"disconnect\"")
        .contains("\"initiator\":\"mqtt-sec\"").contains("password replaced"));
    assertThat(ExtensionTest.broker.audit).filteredOn(line -> line.contains("\"event\":\"reload\"") && line.contains(
        " users\",")).as("the users' load reported once").hasSize(1);
    Mqtt5BlockingClient again = ExtensionTest.connect("press-42", "new-secret");
    assertThat(again.getState().isConnected()).isTrue();
    again.disconnect();
  }
}
