/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.postgres.Proxy;
import io.mqttsec.postgres.StoreAdmin;
import io.mqttsec.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Moquette brokers, each behind mqtt-sec, on one fleet store in the PostgreSQL that {@code ./run-tests} starts:
 * a change made on the store with plain SQL reaches the clients of both, and a spray over both is locked out as if
 * it hit one. Broker B reaches the database through a relay the outage test cuts and restores.
 */
class MoquetteFleetTest {

  static final String SCHEMA = "t_moquette_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  static final HeldCertificate DEVICE = MoquetteFixture.CA.issue("press-9").clientAuth().issue();

  @TempDir
  static Path dir;
  static final List<Node> nodes = new ArrayList<>();
  static String url;
  static String user;
  static Proxy relay;

  /** One broker of the fleet: its folder, port and audit. */
  record Node(Path dir, int port, List<String> audit, MoquetteSecurity security, io.moquette.broker.Server server) {

    Mqtt3BlockingClient client(String clientId, HeldCertificate device) {
      io.mqttsec.tls.TlsContexts.ClientBuilder b = io.mqttsec.tls.TlsContexts.forClient().trustedCertificates(
          dir.resolve("ca.pem"));
      if (device != null) {
        b.identity(device.privateKey(), device.chain());
      }
      io.mqttsec.tls.ClientTls tls = b.build();
      var ssl = com.hivemq.client.mqtt.mqtt3.Mqtt3Client.builder().identifier(clientId).serverHost("127.0.0.1")
          .serverPort(port).sslConfig().trustManagerFactory(tls.trustManagerFactory());
      if (tls.keyManagerFactory() != null) {
        ssl.keyManagerFactory(tls.keyManagerFactory());
      }
      return ssl.applySslConfig().buildBlocking();
    }

    Mqtt3BlockingClient connect(String user, String password) {
      Mqtt3BlockingClient c = client(user + "-" + System.nanoTime(), null);
      c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().send();
      return c;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    url = System.getenv("MQTTSEC_TEST_PG_URL");
    if (url == null) {
      throw new IllegalStateException("no test database: run the tests with ./run-tests, which starts PostgreSQL");
    }
    user = System.getenv("MQTTSEC_TEST_PG_USER");
    char[] password = System.getenv("PGPASSWORD").toCharArray();
    Path passwd = Files.writeString(dir.resolve("import-passwd"), "press-1:" + MoquetteFixture.HASHER.hash(
        "press-1-pw".getBytes(StandardCharsets.UTF_8)).encoded() + "\ndashboard:" + MoquetteFixture.HASHER.hash(
        "dashboard-pw".getBytes(StandardCharsets.UTF_8)).encoded() + "\npress-7:" + MoquetteFixture.HASHER.hash(
        "press-7-pw".getBytes(StandardCharsets.UTF_8)).encoded() + "\n");
    Path acl = Files.writeString(dir.resolve("import-acl.conf"), "pattern readwrite factory/%u/#\nuser dashboard\n"
        + "topic read factory/#\n");
    try (StoreAdmin admin = StoreAdmin.connect(url, user, password, SCHEMA)) {
      admin.init();
      admin.importFiles(passwd, acl);
    }
    int dbPort = URI.create(url.substring("jdbc:".length())).getPort();
    relay = new Proxy(dbPort);
    for (String name : List.of("a", "b")) {
      String nodeUrl = name.equals("a") ? url : url.replace(":" + dbPort + "/", ":" + relay.port() + "/");
      Path d = Files.createDirectories(dir.resolve(name));
      HeldCertificate server = MoquetteFixture.CA.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1")
          .serverAuth().issue();
      Files.writeString(d.resolve("server.pem"), Pem.encode(server.chain()));
      Files.writeString(d.resolve("server.key"), Pem.encodePrivateKey(server.privateKey()));
      Files.writeString(d.resolve("ca.pem"), Pem.encode(List.of(MoquetteFixture.CA.certificate())));
      Files.writeString(d.resolve("db-password"), new String(password) + "\n");
      Files.writeString(d.resolve("mqtt-sec.xml"), """
          <mqtt-sec>
            <store><postgres url="%s" user="%s" password-file="db-password" schema="%s"/></store>
            <authentication default="password">
              <listener name="mtls" mode="certificate" identity="cn"/>
            </authentication>
            <trusted-certificates>ca.pem</trusted-certificates>
          </mqtt-sec>
          """.formatted(nodeUrl, user, SCHEMA));
      int port = MoquetteFixture.freePort();
      List<String> audit = new CopyOnWriteArrayList<>();
      MoquetteSecurity security = MoquetteSecurity.builder(d.resolve("mqtt-sec.xml")).serverCertificate(
          d.resolve("server.pem"), d.resolve("server.key")).auditSink(audit::add).build();
      Properties p = new Properties();
      p.setProperty("host", "127.0.0.1");
      p.setProperty("ssl_port", String.valueOf(port));
      nodes.add(new Node(d, port, audit, security, security.start(p)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Node n : nodes) {
      n.server().stopServer();
      n.security().close();
    }
    if (relay != null) {
      relay.close();
    }
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", System.getenv("PGPASSWORD"));
    try (Connection c = new org.postgresql.Driver().connect(url, p); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  static void sql(String statement) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", System.getenv("PGPASSWORD"));
    try (Connection c = new org.postgresql.Driver().connect(url, p); Statement s = c.createStatement()) {
      s.execute(statement.replace("S.", SCHEMA + "."));
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 10 s for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aPasswordResetInSql_endsTheUsersConnectionsOnBothBrokers() throws Exception {
    Mqtt3BlockingClient onA = nodes.get(0).connect("press-1", "press-1-pw");
    Mqtt3BlockingClient onB = nodes.get(1).connect("press-1", "press-1-pw");
    sql("UPDATE S.users SET hash = '" + MoquetteFixture.HASHER.hash("new-pw".getBytes(StandardCharsets.UTF_8))
        .encoded() + "' WHERE username = 'press-1'");
    await(() -> !onA.getState().isConnected() && !onB.getState().isConnected(), "both connections ended");
    assertThat(nodes.get(1).audit()).anySatisfy(l -> assertThat(l).contains("password replaced"));
    Mqtt3BlockingClient again = nodes.get(1).connect("press-1", "new-pw");
    assertThat(again.getState().isConnected()).isTrue();
    again.disconnect();
  }

  @Test
  void anAclEditInSql_takesAwayTheLiveSubscriptionOnTheOtherBroker() throws Exception {
    Mqtt3BlockingClient board = nodes.get(1).connect("dashboard", "dashboard-pw");
    board.subscribeWith().topicFilter("factory/#").send();
    sql("UPDATE S.acl_rules SET filter = 'factory/line-1/#' WHERE username = 'dashboard'");
    await(() -> nodes.get(1).audit().stream().anyMatch(l -> l.contains("factory/#")
        && l.contains("subscription removed after an ACL reload")), "the subscription removed on node B");
    // Moquette cannot drop one subscription: the adapter ends the session, so the client keeps none it may not
    await(() -> !board.getState().isConnected(), "the session ended on node B");
    sql("UPDATE S.acl_rules SET filter = 'factory/#' WHERE username = 'dashboard'");
  }

  @Test
  void aRevocationInSql_dropsTheDeviceFromTheOtherBroker_andRefusesItThen() throws Exception {
    Mqtt3BlockingClient device = nodes.get(1).client("press-9", DEVICE);
    device.connect();
    assertThat(device.getState().isConnected()).isTrue();
    sql("INSERT INTO S.revocations (issuer, serial) VALUES ('" + MoquetteFixture.CA.certificate()
        .getSubjectX500Principal().getName() + "', '" + DEVICE.certificate().getSerialNumber().toString(16) + "')");
    await(() -> !device.getState().isConnected(), "the revoked device dropped");
    Mqtt3BlockingClient again = nodes.get(0).client("press-9-again", DEVICE);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(again::connect)).as("refused on node A too")
        .isNotNull();
  }

  @Test
  void aSprayOverBothBrokers_isLockedOutAsIfItHitOne() throws Exception {
    sql("INSERT INTO S.users (username, hash) VALUES ('operator', '" + MoquetteFixture.HASHER.hash("operator-pw"
        .getBytes(StandardCharsets.UTF_8)).encoded() + "')");
    Thread.sleep(300); // the insert reaches both brokers
    for (int i = 0; i < 5; i++) {
      Node n = nodes.get(i % 2);
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> n.connect("operator", "guess"))).isNotNull();
    }
    await(() -> nodes.get(0).audit().stream().anyMatch(l -> l.contains("\"event\":\"lockout\""))
        && nodes.get(1).audit().stream().anyMatch(l -> l.contains("\"event\":\"lockout\"")),
        "both brokers locking the pair out");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> nodes.get(0).connect("operator",
        "operator-pw"))).as("even the right password waits out the lock").isNotNull();
  }

  @Test
  void theDatabaseGoingAway_keepsTheLastGoodStateOnTheBrokerCutOff_andItCatchesUpWhenItReturns() throws Exception {
    Node a = nodes.get(0);
    Node b = nodes.get(1);
    Mqtt3BlockingClient live = b.connect("press-7", "press-7-pw");
    int before = b.audit().size();
    try {
      relay.down();
      await(() -> b.audit().stream().skip(before).anyMatch(l -> l.contains("\"event\":\"store.unavailable\"")),
          "broker B reporting its store unavailable");
      // the snapshot stays in force: the live client keeps its session, a known user still logs in, an unknown
      // one is still refused
      assertThat(live.getState().isConnected()).isTrue();
      Mqtt3BlockingClient second = b.connect("press-7", "press-7-pw");
      assertThat(second.getState().isConnected()).isTrue();
      second.disconnect();
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> b.connect("nobody", "guess"))).isNotNull();
      // a removal while B is cut off: broker A applies it at once, B cannot know of it yet
      Mqtt3BlockingClient onA = a.connect("press-7", "press-7-pw");
      sql("DELETE FROM S.users WHERE username = 'press-7'");
      await(() -> !onA.getState().isConnected(), "broker A ending the removed user's session");
      assertThat(live.getState().isConnected()).as("broker B keeps its last good state").isTrue();
    } finally {
      relay.up();
    }
    await(() -> b.audit().stream().skip(before).anyMatch(l -> l.contains("\"event\":\"store.recovered\"")),
        "broker B reporting its store back");
    await(() -> !live.getState().isConnected(), "broker B ending the session of the user removed while it was cut off");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> b.connect("press-7", "press-7-pw")))
        .as("the removed user refused on broker B").isNotNull();
  }
}
