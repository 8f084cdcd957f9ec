/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.LiveAcl;
import io.mqttsec.acl.ReloadingAcl;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.postgres.PostgresStore;
import io.mqttsec.postgres.StoreAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One PUBLISH check as a broker makes it, through the {@link LiveAcl} it is given: a factory-shaped ACL
 * ({@link FactoryAcl}) read from a file ({@code file}: {@link ReloadingAcl}) against the same rules imported into a
 * PostgreSQL fleet store and served by {@link PostgresStore#acl()} ({@code store}), in the same run. The store must
 * answer from memory: a database round trip per check would show here as a thousandfold difference.
 *
 * <p>Run against the database that {@code ./run-tests} starts ({@code MQTTSEC_TEST_PG_URL},
 * {@code MQTTSEC_TEST_PG_USER}, {@code PGPASSWORD}, as it sets them):
 * {@code java -jar benchmarks/target/benchmarks.jar FleetStoreCheckBenchmark}. Each trial imports the rules into a
 * schema of its own ({@code StoreAdmin.importFiles}, as {@code mqtt-sec store import} does) and drops it after.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class FleetStoreCheckBenchmark {

  @Param({"1000", "100000", "1000000"})
  public int rules;

  @Param({"file", "store"})
  public String source;

  private static final int REQUESTS = 4096;

  private ClientIdentity[] who;
  private String[] topics;
  private LiveAcl acl;
  private PostgresStore store;
  private Path dir;
  private String schema;
  private int i;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    FactoryAcl factory = new FactoryAcl(rules, REQUESTS, 42, false);
    who = factory.who.toArray(new ClientIdentity[0]);
    topics = factory.topics.toArray(new String[0]);
    dir = Files.createTempDirectory("fleet-check");
    Path file = Files.writeString(dir.resolve("acl.conf"), factory.text);
    if (source.equals("file")) {
      acl = ReloadingAcl.builder(file).requireValidAtStart().build();
      return;
    }
    String url = System.getenv("MQTTSEC_TEST_PG_URL");
    String user = System.getenv("MQTTSEC_TEST_PG_USER");
    String password = System.getenv("PGPASSWORD");
    if (url == null || user == null || password == null) {
      throw new IllegalStateException("set MQTTSEC_TEST_PG_URL, MQTTSEC_TEST_PG_USER and PGPASSWORD (./run-tests "
          + "sets them and starts the database)");
    }
    schema = "bench_" + Long.toString(System.nanoTime(), 36);
    try (StoreAdmin admin = StoreAdmin.connect(url, user, password.toCharArray(), schema)) {
      admin.init();
      admin.importFiles(null, file);
    }
    try (Connection c = FleetStoreRun.connect(url); Statement s = c.createStatement()) {
      // done now, so autovacuum does not work through a million new rows beside the measurement
      s.execute("VACUUM ANALYZE " + schema + ".acl_rules");
    }
    store = PostgresStore.builder(url).user(user).password(password.toCharArray()).schema(schema)
        .startWait(Duration.ofMinutes(5)).build();
    acl = store.acl();
    if (acl.current().ruleCount() != rules) {
      throw new IllegalStateException("the store serves " + acl.current().ruleCount() + " rules, not " + rules);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (store == null) {
      acl.close();
    } else {
      store.close();
      try (Connection c = FleetStoreRun.connect(System.getenv("MQTTSEC_TEST_PG_URL"));
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
    Files.deleteIfExists(dir.resolve("acl.conf"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public Decision publish() {
    int k = i++ & (REQUESTS - 1);
    return acl.check(who[k], Action.PUBLISH, topics[k]);
  }
}
