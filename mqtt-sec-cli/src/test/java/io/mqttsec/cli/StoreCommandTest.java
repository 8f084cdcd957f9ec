/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mqtt-sec store} against the PostgreSQL that {@code ./run-tests} starts: a store made, filled from the
 * demo's kind of files, written back, and every bad input named.
 */
class StoreCommandTest {

  static String url;
  static String user;
  /** A schema of each test's own. */
  String schema = "t_cli_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);

  @TempDir
  Path dir;

  @BeforeAll
  static void database() {
    url = System.getenv("MQTTSEC_TEST_PG_URL");
    if (url == null) {
      throw new IllegalStateException("no test database: run the tests with ./run-tests, which starts PostgreSQL");
    }
    user = System.getenv("MQTTSEC_TEST_PG_USER");
  }

  @AfterEach
  void drop() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", System.getenv("PGPASSWORD"));
    try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  Cli.Result store(String... args) {
    String[] all = new String[args.length + 7];
    all[0] = "store";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(new String[] {"--url", url, "--user", user, "--schema", schema}, 0, all, args.length + 1, 6);
    return Cli.run(all);
  }

  @Test
  void init_import_export_roundTrip() throws Exception {
    Cli.Result made = store("init");
    assertThat(made.exit()).as(made.err()).isZero();
    assertThat(made.out()).isEqualTo("created the store in schema " + schema + " to version 1\n");
    assertThat(store("init").out()).isEqualTo("the store in schema " + schema + " is at version 1 already\n");

    Path passwd = dir.resolve("passwd");
    assertThat(Cli.run("passwd", "add", passwd.toString(), "press-1", "--generate").exit()).isZero();
    Path acl = Files.writeString(dir.resolve("acl.conf"), "user press-1\ntopic readwrite factory/press-1/#\n"
        + "pattern read status/%u\n");
    Cli.Result in = store("import", "--passwd", passwd.toString(), "--acl", acl.toString());
    assertThat(in.exit()).as(in.err()).isZero();
    assertThat(in.out()).isEqualTo("imported 1 user and 2 rules into schema " + schema + "\n");

    Path outPasswd = dir.resolve("out-passwd");
    Path outAcl = dir.resolve("out-acl.conf");
    Cli.Result out = store("export", "--passwd", outPasswd.toString(), "--acl", outAcl.toString());
    assertThat(out.exit()).as(out.err()).isZero();
    assertThat(out.out()).isEqualTo("exported 1 user and 2 rules from schema " + schema + "\n");
    assertThat(Files.readString(outPasswd)).isEqualTo(Files.readString(passwd));
    assertThat(Files.readString(outAcl)).isEqualTo("# exported from the mqtt-sec store, schema " + schema + "\n"
        + "pattern read status/%u\n\nuser press-1\ntopic readwrite factory/press-1/#\n");
    Cli.Result check = Cli.run("acl", "check", outAcl.toString(), "--user", "press-1", "--publish",
        "factory/press-1/temp");
    assertThat(check.exit()).as(check.out()).isZero();
  }

  @Test
  void badInput_isNamed_andWritesNothing() throws Exception {
    assertThat(store("init").exit()).isZero();
    Path acl = Files.writeString(dir.resolve("acl.conf"), "user u\ntopic reed x\n");
    Cli.Result broken = store("import", "--acl", acl.toString());
    assertThat(broken.exit()).isEqualTo(CliException.BAD_INPUT);
    assertThat(broken.err()).startsWith("mqtt-sec: " + acl + ":2:");
    Cli.Result nothing = store("import");
    assertThat(nothing.err()).isEqualTo("mqtt-sec: name what to import: --passwd FILE, --acl FILE or both\n");
    Cli.Result mysql = Cli.run("store", "init", "--url", "jdbc:mysql://127.0.0.1/x");
    assertThat(mysql.exit()).isEqualTo(CliException.BAD_INPUT);
    assertThat(mysql.err()).isEqualTo("mqtt-sec: a store URL is a JDBC PostgreSQL URL "
        + "(jdbc:postgresql://HOST:PORT/DB), not mysql://127.0.0.1/x\n");
    Cli.Result withPassword = Cli.run("store", "init", "--url", url + "?password=hunter2");
    assertThat(withPassword.err()).isEqualTo("mqtt-sec: the URL carries a password; the database password comes "
        + "from PGPASSWORD or a password file, never the command line\n");
    assertThat(Cli.run("passwd", "list", "--store", url + "?user=x&Password=hunter2").err()).contains(
        "the URL carries a password");
    Cli.Result schemaName = Cli.run("store", "init", "--url", url, "--schema", "Robert'); DROP TABLE x;--");
    assertThat(schemaName.err()).startsWith("mqtt-sec: a store schema name is 1 to 48 of a-z, 0-9 and _");
  }

  @Test
  void passwd_editsTheStore_asItEditsAFile() throws Exception {
    assertThat(store("init").exit()).isZero();
    String[] at = {"--store", url + "?user=" + user, "--store-schema", schema};
    Cli.Result added = Cli.run(concat(new String[] {"passwd", "add", "press-2", "--generate"}, at));
    assertThat(added.exit()).as(added.err()).isZero();
    assertThat(added.out()).contains("added press-2 to the store (schema " + schema + ")");
    String password = added.out().lines().filter(l -> l.startsWith("generated password for press-2: "))
        .findFirst().orElseThrow().substring("generated password for press-2: ".length());
    Cli.Result again = Cli.run(concat(new String[] {"passwd", "add", "press-2", "--generate"}, at));
    assertThat(again.exit()).isEqualTo(CliException.BAD_INPUT);
    assertThat(again.err()).startsWith("mqtt-sec: the store (schema " + schema + "): user press-2 exists; use "
        + "--replace");
    Cli.Result ok = Cli.input(password + "\n", concat(new String[] {"passwd", "verify", "press-2", "--stdin"}, at));
    assertThat(ok.out()).isEqualTo("password ok for press-2\n");
    Cli.Result rotated = Cli.run(concat(new String[] {"passwd", "rotate", "press-2", "--generate", "--grace", "1d"},
        at));
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(rotated.out()).contains("rotated press-2 in the store (schema " + schema + ")");
    Cli.Result old = Cli.input(password + "\n", concat(new String[] {"passwd", "verify", "press-2", "--stdin"},
        at));
    assertThat(old.out()).startsWith("password ok for press-2 (the previous one, valid until ");
    Cli.Result list = Cli.run(concat(new String[] {"passwd", "list"}, at));
    assertThat(list.out()).contains("press-2").contains("rotating: old password valid until ")
        .endsWith("1 user(s)\n").doesNotContain("user=");
    assertThat(Cli.run(concat(new String[] {"passwd", "delete", "press-2"}, at)).out()).isEqualTo(
        "deleted press-2 from the store (schema " + schema + ")\n");
    Cli.Result gone = Cli.run(concat(new String[] {"passwd", "delete", "press-2"}, at));
    assertThat(gone.err()).isEqualTo("mqtt-sec: the store (schema " + schema + "): no user press-2\n");
    Cli.Result both = Cli.run(concat(new String[] {"passwd", "delete", "passwd", "press-2"}, at));
    assertThat(both.err()).isEqualTo("mqtt-sec: with --store, name the user alone (no FILE)\n");
    assertThat(Cli.run("passwd", "list").err()).isEqualTo("mqtt-sec: name a password file, or --store URL (not "
        + "both)\n");
  }

  @Test
  void theDemoBroker_onAStore_isFilledWithTheDemo_andAUserDeletedInTheStoreIsDisconnected() throws Exception {
    Path demo = dir.resolve("demo");
    java.io.StringWriter out = new java.io.StringWriter();
    String at = url + "?user=" + user;
    int port = BrokerCommandTest.freePort();
    BrokerCommand.Running broker = BrokerCommandTest.command(out, new java.io.StringWriter(), "--demo-dir",
        demo.toString(), "--port", String.valueOf(port), "--mtls-port", "0", "--store", at, "--store-schema",
        schema).start();
    try {
      assertThat(out.toString()).contains("filled the store (schema " + schema + ") with the demo's ");
      assertThat(Files.readString(demo.resolve(BrokerCommand.STORE_CONFIG))).contains("<store><postgres url=\""
          + url + "?user=" + user + "\" schema=\"" + schema + "\"/></store>").doesNotContain("<password-file>")
          .doesNotContain("<acl-file>");
      java.util.Map.Entry<String, String> device = Demo.passwords(demo).entrySet().iterator().next();
      var client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier(device.getKey())
          .serverHost("127.0.0.1").serverPort(port).sslConfig().trustManagerFactory(io.mqttsec.tls.TlsContexts
              .forClient().trustedCertificates(demo.resolve("ca/ca.pem")).build().trustManagerFactory())
          .applySslConfig().buildBlocking();
      client.connectWith().simpleAuth().username(device.getKey()).password(device.getValue().getBytes(
          java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth().send();
      assertThat(Cli.run("passwd", "delete", device.getKey(), "--store", at, "--store-schema", schema).exit())
          .isZero();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (client.getState().isConnected() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(client.getState().isConnected()).as("the deleted user's connection ended").isFalse();
    } finally {
      broker.close();
    }
  }

  static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
