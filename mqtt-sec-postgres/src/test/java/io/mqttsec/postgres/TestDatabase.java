/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL the tests run against: {@code MQTTSEC_TEST_PG_URL}, {@code MQTTSEC_TEST_PG_USER} and
 * {@code PGPASSWORD}, as {@code ./run-tests} sets them after starting a server on 127.0.0.1. Each test class
 * takes a schema of its own and drops it. Without a server the tests fail, saying how to get one: they are never
 * skipped.
 */
final class TestDatabase implements AutoCloseable {

  final String url;
  final String user;
  final char[] password;
  final String schema;

  TestDatabase(String owner) throws SQLException {
    String u = System.getenv("MQTTSEC_TEST_PG_URL");
    if (u == null || u.isEmpty()) {
      throw new IllegalStateException("no test database: run the tests with ./run-tests, which installs and starts "
          + "PostgreSQL and sets MQTTSEC_TEST_PG_URL, MQTTSEC_TEST_PG_USER and PGPASSWORD");
    }
    if (!u.startsWith("jdbc:postgresql://127.0.0.1:") && !u.startsWith("jdbc:postgresql://localhost:")) {
      throw new IllegalStateException("the test database must be on 127.0.0.1, not " + u);
    }
    this.url = u;
    this.user = System.getenv("MQTTSEC_TEST_PG_USER");
    String pw = System.getenv("PGPASSWORD");
    this.password = pw == null ? new char[0] : pw.toCharArray();
    this.schema = "t_" + owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "").substring(0,
        Math.min(20, owner.length())) + "_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    try (Connection c = connect()) {
      StoreSchema.migrate(c, schema);
    }
  }

  Connection connect() throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    p.setProperty("password", new String(password));
    return DriverManager.getConnection(url, p);
  }

  /** Runs statements in one transaction, as an operator's SQL session would. */
  void sql(String... statements) throws SQLException {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String statement : statements) {
          s.execute(statement.replace("S.", schema + "."));
        }
      }
      c.commit();
    }
  }

  PostgresStore.Builder store() {
    PostgresStore.Builder b = PostgresStore.builder(url).schema(schema).password(password);
    return user == null ? b : b.user(user);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
