/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import io.mqttsec.api.MqttSecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The fleet store's tables, in a PostgreSQL schema of their own, created and brought up to date by versioned
 * migrations kept in this module ({@code V1__fleet.sql}, ...). A broker never migrates: it refuses a schema older
 * than it needs, and {@code mqtt-sec store init} (or {@link #migrate}) brings it up to date, one migration per
 * transaction, under an advisory lock so that two at once cannot interleave.
 */
public final class StoreSchema {

  /** The version this mqtt-sec needs. */
  public static final int VERSION = 1;

  /** The schema the store lives in unless told otherwise. */
  public static final String DEFAULT_NAME = "mqtt_sec";

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  private StoreSchema() {
  }

  /**
   * Checks a schema name: lower-case letters, digits and {@code _}, not starting with a digit, at most 48
   * characters, so it needs no quoting and its channel name fits PostgreSQL's 63-byte identifiers.
   *
   * @throws IllegalArgumentException naming the rule it breaks
   */
  public static String checkName(String schema) {
    if (schema == null || !NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException("a store schema name is 1 to 48 of a-z, 0-9 and _, not starting with a "
          + "digit: " + (schema == null ? "none given" : "\"" + schema + "\""));
    }
    return schema;
  }

  /** The notification channel on which the schema's triggers announce changes. */
  static String channel(String schema) {
    return schema + "_changes";
  }

  /** The schema's version: 0 when it has no mqtt-sec tables yet. */
  public static int version(Connection c, String schema) throws SQLException {
    checkName(schema);
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT to_regclass('" + schema
        + ".schema_version') IS NOT NULL")) {
      r.next();
      if (!r.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM "
        + schema + ".schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  /**
   * Creates the schema if it is missing and applies every migration it lacks.
   *
   * @return the version before
   * @throws MqttSecException when the schema is newer than this mqtt-sec knows
   */
  public static int migrate(Connection c, String schema) throws SQLException {
    checkName(schema);
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      int before;
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('mqtt-sec store " + schema + "'))");
        s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        s.execute("CREATE TABLE IF NOT EXISTS " + schema + ".schema_version (version integer PRIMARY KEY, "
            + "applied_at timestamptz NOT NULL DEFAULT now())");
        before = version(c, schema);
        if (before > VERSION) {
          throw new MqttSecException("the store schema " + schema + " is at version " + before + ", newer than "
              + "this mqtt-sec knows (" + VERSION + "): upgrade mqtt-sec");
        }
        for (int v = before + 1; v <= VERSION; v++) {
          s.execute(script(v).replace("SCHEMA", schema).replace("CHANNEL", channel(schema)));
          s.execute("INSERT INTO " + schema + ".schema_version (version) VALUES (" + v + ")");
        }
      }
      c.commit();
      return before;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static String script(int version) {
    String name = "V" + version + "__fleet.sql";
    try (InputStream in = StoreSchema.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("migration " + name + " is missing from the module");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + name, e);
    }
  }
}
