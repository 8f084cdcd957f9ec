/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import io.mqttsec.acl.AclRule;
import io.mqttsec.api.MqttSecException;
import io.mqttsec.creds.Credential;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Edits a fleet store: what {@code mqtt-sec store} and {@code mqtt-sec passwd --store} do. Every edit is one
 * transaction, and the schema's triggers push it to every broker. Hashes are made by the caller; nothing here sees
 * a password.
 */
public final class StoreAdmin implements AutoCloseable {

  private final Connection c;
  private final String schema;

  private StoreAdmin(Connection c, String schema) {
    this.c = c;
    this.schema = schema;
  }

  /**
   * Connects to the store in {@code schema} of the database at {@code jdbcUrl}.
   *
   * @param password the role's password, or an empty array for none (the URL's, or {@code .pgpass})
   */
  public static StoreAdmin connect(String jdbcUrl, String user, char[] password, String schema) throws SQLException {
    PostgresStore.checkUrl(Objects.requireNonNull(jdbcUrl, "jdbcUrl"));
    StoreSchema.checkName(schema);
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password.length > 0) {
      p.setProperty("password", new String(password));
    }
    p.setProperty("ApplicationName", "mqtt-sec admin");
    p.setProperty("connectTimeout", "10");
    return new StoreAdmin(PostgresStore.open(jdbcUrl, p), schema);
  }

  /** Creates or migrates the store's tables; returns the version before (0: there was no store). */
  public int init() throws SQLException {
    return StoreSchema.migrate(c, schema);
  }

  private void requireCurrent() throws SQLException {
    int v = StoreSchema.version(c, schema);
    if (v != StoreSchema.VERSION) {
      throw new MqttSecException(v == 0 ? "no mqtt-sec store in schema " + schema + ": run mqtt-sec store init first"
          : "the store schema " + schema + " is at version " + v + ", this mqtt-sec needs " + StoreSchema.VERSION
              + (v < StoreSchema.VERSION ? ": run mqtt-sec store init" : ""));
    }
  }

  /** Every user, by name. */
  public List<Credential> users() throws SQLException {
    requireCurrent();
    List<Credential> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT username, hash, previous_hash, "
        + "previous_until FROM " + schema + ".users ORDER BY username")) {
      while (r.next()) {
        out.add(entry(r));
      }
    }
    return out;
  }

  /** The entry of {@code username}, if the store has one. */
  public java.util.Optional<Credential> lookup(String username) throws SQLException {
    requireCurrent();
    try (PreparedStatement s = c.prepareStatement("SELECT username, hash, previous_hash, previous_until FROM "
        + schema + ".users WHERE username = ?")) {
      s.setString(1, username);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? java.util.Optional.of(entry(r)) : java.util.Optional.empty();
      }
    }
  }

  /**
   * Sets the hash of {@code username}, adding the user if new and ending any rotation.
   *
   * @param replace whether an existing user gets the new hash; when false, an existing user is an error
   * @return whether the user existed
   */
  public boolean put(String username, PasswordHash hash, boolean replace) throws SQLException {
    requireCurrent();
    Credential.of(username, hash, null, null); // the name's rules, before any SQL
    return inTransaction(() -> {
      boolean existed = exists(username);
      if (existed && !replace) {
        throw new IllegalArgumentException("user \"" + username + "\" is in the store already (replace it to "
            + "reset the password)");
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".users (username, hash) VALUES (?, ?) "
          + "ON CONFLICT (username) DO UPDATE SET hash = excluded.hash, previous_hash = null, previous_until = null, "
          + "rehash_of = null, changed_at = now()")) {
        s.setString(1, username);
        s.setString(2, hash.encoded());
        s.executeUpdate();
      }
      return existed;
    });
  }

  /** Removes {@code username}; returns whether it was there. */
  public boolean remove(String username) throws SQLException {
    requireCurrent();
    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + schema + ".users WHERE username = ?")) {
      s.setString(1, username);
      return s.executeUpdate() == 1;
    }
  }

  /**
   * Starts a rotation: {@code hash} becomes current and the current hash stays valid until {@code graceUntil}.
   *
   * @throws IllegalArgumentException when the user is not in the store
   */
  public void rotate(String username, PasswordHash hash, Instant graceUntil) throws SQLException {
    requireCurrent();
    try (PreparedStatement s = c.prepareStatement("UPDATE " + schema + ".users SET previous_hash = hash, "
        + "previous_until = ?, hash = ?, rehash_of = null, changed_at = now() WHERE username = ?")) {
      s.setTimestamp(1, Timestamp.from(graceUntil));
      s.setString(2, hash.encoded());
      s.setString(3, username);
      if (s.executeUpdate() != 1) {
        throw new IllegalArgumentException("no user \"" + username + "\" in the store to rotate");
      }
    }
  }

  /**
   * Imports a mosquitto password file and ACL file in one transaction: the file's users are added or replaced
   * (users only in the store stay), and the file's rules replace every rule (an ACL file is a whole ACL). Either
   * file may be null. Both are parsed completely first, with the file parsers' strictness.
   *
   * @return how many users and rules were written
   */
  public int[] importFiles(Path passwd, Path acl) throws SQLException {
    requireCurrent();
    Map<String, Credential> users = new LinkedHashMap<>();
    if (passwd != null) {
      try (CredentialFile file = CredentialFile.load(passwd)) {
        for (String u : file.users()) {
          users.put(u, file.lookup(u).orElseThrow());
        }
      }
    }
    List<AclRule> rules = acl == null ? List.of() : AclRule.readAll(acl);
    return inTransaction(() -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".users (username, hash, "
          + "previous_hash, previous_until) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET hash = "
          + "excluded.hash, previous_hash = excluded.previous_hash, previous_until = excluded.previous_until, "
          + "rehash_of = null, changed_at = now()")) {
        for (Credential e : users.values()) {
          s.setString(1, e.username());
          s.setString(2, e.hash().encoded());
          s.setString(3, e.previous().map(PasswordHash::encoded).orElse(null));
          s.setTimestamp(4, e.previousUntil().map(Timestamp::from).orElse(null));
          s.addBatch();
        }
        s.executeBatch();
      }
      if (acl != null) {
        try (Statement s = c.createStatement()) {
          s.execute("DELETE FROM " + schema + ".acl_rules");
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".acl_rules (kind, username, "
            + "access, filter) VALUES (?, ?, ?, ?)")) {
          for (AclRule r : rules) {
            s.setString(1, r.pattern() ? "pattern" : "topic");
            s.setString(2, r.user().orElse(null));
            s.setString(3, r.access().word());
            s.setString(4, r.filter());
            s.addBatch();
          }
          s.executeBatch();
        }
      }
      return new int[] {users.size(), rules.size()};
    });
  }

  /**
   * Writes the store's users as a mosquitto password file and its rules as an ACL file (either may be null),
   * each replacing its file atomically with permissions 0600 (the password file) and 0644 (the ACL). Rules are
   * written anonymous block first, then patterns, then each user's block, each in id order.
   *
   * @return how many users and rules were written
   */
  public int[] exportFiles(Path passwd, Path acl) throws SQLException, java.io.IOException {
    requireCurrent();
    int users = 0;
    int rules = 0;
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      StringBuilder pw = new StringBuilder();
      for (Credential e : users()) {
        pw.append(e.username()).append(':').append(e.encodedFields()).append('\n');
        users++;
      }
      StringBuilder anonymous = new StringBuilder();
      StringBuilder patterns = new StringBuilder();
      Map<String, StringBuilder> byUser = new LinkedHashMap<>();
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT kind, username, access, filter "
          + "FROM " + schema + ".acl_rules ORDER BY id")) {
        while (r.next()) {
          String line = r.getString(1) + " " + r.getString(3) + " " + r.getString(4) + "\n";
          if (r.getString(1).equals("pattern")) {
            patterns.append(line);
          } else if (r.getString(2) == null) {
            anonymous.append(line);
          } else {
            byUser.computeIfAbsent(r.getString(2), u -> new StringBuilder()).append(line);
          }
          rules++;
        }
      }
      c.commit();
      if (passwd != null) {
        write(passwd, pw.toString(), "rw-------");
      }
      if (acl != null) {
        StringBuilder text = new StringBuilder("# exported from the mqtt-sec store, schema ").append(schema)
            .append('\n').append(anonymous).append(patterns);
        byUser.forEach((u, lines) -> text.append("\nuser ").append(u).append('\n').append(lines));
        write(acl, text.toString(), "rw-r--r--");
      }
    } finally {
      c.setAutoCommit(true);
    }
    return new int[] {users, rules};
  }

  private static void write(Path file, String text, String permissions) throws java.io.IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private boolean exists(String username) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + schema + ".users WHERE username = ?")) {
      s.setString(1, username);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  private static Credential entry(ResultSet r) throws SQLException {
    String previous = r.getString(3);
    Timestamp until = r.getTimestamp(4);
    return Credential.of(r.getString(1), PasswordHash.parse(r.getString(2)), previous == null ? null
        : PasswordHash.parse(previous), until == null ? null : until.toInstant());
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> T inTransaction(Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run();
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }

  @Override
  public String toString() {
    return "StoreAdmin{schema " + schema + '}';
  }
}
