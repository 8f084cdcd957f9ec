/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.BrokerSpi;
import io.mqttsec.broker.ConnectRequest;
import io.mqttsec.broker.DisconnectReason;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.postgres.PostgresStore;
import io.mqttsec.postgres.StoreSchema;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;

/**
 * The fleet store's two figures that JMH cannot measure: how long a committed change takes to end a session on
 * another node, and what a large snapshot costs to load against the same users and rules from files.
 *
 * <pre>
 * MQTTSEC_TEST_PG_URL=... MQTTSEC_TEST_PG_USER=... PGPASSWORD=... \
 *   java -cp ... io.mqttsec.benchmarks.FleetStoreRun propagation 200
 *   java -Xmx8g -cp ... io.mqttsec.benchmarks.FleetStoreRun load 100000 1000000
 * </pre>
 *
 * (or {@code python3 benchmarks/fleet.py}, which builds the class path). Each run makes a schema of its own and drops it.
 */
public final class FleetStoreRun {

  private static final PasswordHasher CHEAP = PasswordHasher.pbkdf2Sha512(100);

  private FleetStoreRun() {
  }

  public static void main(String[] args) throws Exception {
    String url = System.getenv("MQTTSEC_TEST_PG_URL");
    if (url == null) {
      throw new IllegalStateException("set MQTTSEC_TEST_PG_URL, MQTTSEC_TEST_PG_USER and PGPASSWORD");
    }
    String schema = "bench_" + Long.toString(System.nanoTime(), 36);
    try (Connection c = connect(url)) {
      StoreSchema.migrate(c, schema);
    }
    try {
      if (args[0].equals("propagation")) {
        propagation(url, schema, Integer.parseInt(args[1]));
      } else {
        load(url, schema, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      }
    } finally {
      try (Connection c = connect(url); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  static Connection connect(String url) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", System.getenv("MQTTSEC_TEST_PG_USER"));
    p.setProperty("password", System.getenv("PGPASSWORD"));
    return new org.postgresql.Driver().connect(url, p);
  }

  static PostgresStore store(String url, String schema) {
    return PostgresStore.builder(url).user(System.getenv("MQTTSEC_TEST_PG_USER")).password(System.getenv(
        "PGPASSWORD").toCharArray()).schema(schema).build();
  }

  /** Sessions of {@code users} on a second node; each UPDATE's commit to that user's disconnect, one at a time. */
  static void propagation(String url, String schema, int users) throws Exception {
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      StringBuilder sql = new StringBuilder("INSERT INTO " + schema + ".users (username, hash) VALUES ");
      for (int i = 0; i < users; i++) {
        sql.append(i == 0 ? "" : ",").append("('u").append(i).append("', '").append(CHEAP.hash(("pw" + i)
            .getBytes(StandardCharsets.UTF_8)).encoded()).append("')");
      }
      s.execute(sql.toString());
    }
    Map<String, Long> ended = new ConcurrentHashMap<>();
    BrokerSpi spi = new LimitsBenchmark.NoBroker() {
      @Override
      public void disconnect(String clientId, DisconnectReason code, String reason) {
        ended.put(clientId, System.nanoTime());
      }
    };
    try (PostgresStore a = store(url, schema); PostgresStore b = store(url, schema);
         BrokerSecurity node = BrokerSecurity.builder().acl(b.acl()).credentials(b.credentials()).broker(spi)
             .authenticator(PasswordAuthenticator.builder(b.credentials()).build()).build();
         Connection c = connect(url); Statement s = c.createStatement()) {
      for (int i = 0; i < users; i++) {
        if (!node.connect(ConnectRequest.builder("tls", "u" + i).username("u" + i).password(("pw" + i).getBytes(
            StandardCharsets.UTF_8)).build()).accepted()) {
          throw new IllegalStateException("u" + i + " did not connect");
        }
      }
      String newHash = CHEAP.hash("new".getBytes(StandardCharsets.UTF_8)).encoded();
      long[] latencies = new long[users];
      for (int i = 0; i < users; i++) {
        s.executeUpdate("UPDATE " + schema + ".users SET hash = '" + newHash + "' WHERE username = 'u" + i + "'");
        long committed = System.nanoTime(); // autocommit: the statement returned after its commit
        long deadline = committed + 10_000_000_000L;
        Long at;
        while ((at = ended.get("u" + i)) == null && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        if (at == null) {
          throw new IllegalStateException("u" + i + " was not disconnected within 10 s");
        }
        latencies[i] = Math.max(0, at - committed);
      }
      Arrays.sort(latencies);
      System.out.printf("propagation over %d changes (commit on the database to the disconnect on the other node):"
          + " p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", users, latencies[users / 2] / 1e6,
          latencies[(int) Math.ceil(users * 0.99) - 1] / 1e6, latencies[users - 1] / 1e6);
      System.out.println("(node A: " + a + ")");
    }
  }

  /** The store's snapshot against the same users and rules as files: load time, and heap once loaded. */
  static void load(String url, String schema, int users, int rules) throws Exception {
    String hash = CHEAP.hash("pw".getBytes(StandardCharsets.UTF_8)).encoded();
    StringBuilder passwd = new StringBuilder();
    StringBuilder acl = new StringBuilder();
    StringBuilder userRows = new StringBuilder();
    StringBuilder ruleRows = new StringBuilder();
    int perUser = Math.max(1, rules / users);
    for (int u = 0; u < users; u++) {
      passwd.append("u").append(u).append(':').append(hash).append('\n');
      userRows.append("u").append(u).append('\t').append(hash).append('\n');
      acl.append("user u").append(u).append('\n');
      for (int r = 0; r < perUser; r++) {
        String filter = "factory/line-" + (u % 50) + "/u" + u + "/sensor-" + r + "/#";
        acl.append("topic readwrite ").append(filter).append('\n');
        ruleRows.append("u").append(u).append("\treadwrite\t").append(filter).append('\n');
      }
    }
    try (Connection c = connect(url)) {
      PGConnection pg = c.unwrap(PGConnection.class);
      pg.getCopyAPI().copyIn("COPY " + schema + ".users (username, hash) FROM STDIN", new StringReader(
          userRows.toString()));
      pg.getCopyAPI().copyIn("COPY " + schema + ".acl_rules (username, access, filter) FROM STDIN",
          new StringReader(ruleRows.toString()));
    }
    Path dir = Files.createTempDirectory("fleet-load");
    Files.writeString(dir.resolve("passwd"), passwd);
    Files.writeString(dir.resolve("acl.conf"), acl);
    passwd.setLength(0);
    acl.setLength(0);
    userRows.setLength(0);
    ruleRows.setLength(0);

    long before = usedHeap();
    long t0 = System.nanoTime();
    CredentialFile file = CredentialFile.load(dir.resolve("passwd"));
    AclPolicy policy = AclPolicy.parse(dir.resolve("acl.conf"), io.mqttsec.acl.AclLimits.builder()
        .maxRules(Math.max(rules + users, 1)).maxFileBytes(1L << 30).build());
    long fileMillis = (System.nanoTime() - t0) / 1_000_000;
    long fileHeap = usedHeap() - before;
    System.out.printf("files: %d users, %d rules loaded in %d ms, %.1f MiB of heap (%.0f bytes a rule with its"
        + " user's share)%n", file.size(), policy.ruleCount(), fileMillis, fileHeap / 1048576.0,
        (double) fileHeap / policy.ruleCount());
    file = null;
    policy = null;

    before = usedHeap();
    t0 = System.nanoTime();
    PostgresStore store = PostgresStore.builder(url).user(System.getenv("MQTTSEC_TEST_PG_USER")).password(System
        .getenv("PGPASSWORD").toCharArray()).schema(schema).aclLimits(io.mqttsec.acl.AclLimits.builder()
        .maxRules(Math.max(rules + users, 1)).build()).startWait(java.time.Duration.ofMinutes(10)).build();
    long storeMillis = (System.nanoTime() - t0) / 1_000_000;
    long storeHeap = usedHeap() - before;
    System.out.printf("store: %d users, %d rules loaded in %d ms, %.1f MiB of heap (%.0f bytes a rule with its"
        + " user's share); %.2fx the files' time, %.2fx their heap%n", store.credentials().size(),
        store.acl().current().ruleCount(), storeMillis, storeHeap / 1048576.0,
        (double) storeHeap / store.acl().current().ruleCount(), (double) storeMillis / fileMillis,
        (double) storeHeap / fileHeap);
    store.close();
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
