/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import io.mqttsec.acl.Access;
import io.mqttsec.acl.AclLimits;
import io.mqttsec.acl.AclPolicy;
import io.mqttsec.acl.LiveAcl;
import io.mqttsec.acl.SubscribeMode;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.broker.SharedStore;
import io.mqttsec.creds.Credential;
import io.mqttsec.creds.CredentialStore;
import io.mqttsec.creds.GuardSharing;
import io.mqttsec.creds.PasswordHash;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.Reloading;
import io.mqttsec.tls.RevocationSource;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.security.auth.x500.X500Principal;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A fleet's users, password hashes, ACL and certificate revocations in PostgreSQL, served from memory by every
 * broker and kept current by the database's own push: triggers announce each change on a {@code LISTEN/NOTIFY}
 * channel (so an edit made with plain SQL is seen too), and each node fetches what changed and swaps it in,
 * driving the same live-change handling as a file reload (a reset password or a removed user ends that user's
 * connections, an ACL edit removes the subscriptions it no longer allows, a revocation drops the device).
 *
 * <pre>{@code
 * try (PostgresStore store = PostgresStore.builder("jdbc:postgresql://db.factory:5432/mqtt")
 *     .user("mqtt_broker").passwordFile(Path.of("/etc/mqtt-sec/db-password")).listener(events).build()) {
 *   BrokerSecurity security = BrokerSecurity.builder().acl(store.acl()).credentials(store.credentials())
 *       .authenticator(PasswordAuthenticator.builder(store.credentials()).build())...build();
 * }
 * }</pre>
 *
 * <p><b>Consistency.</b> The first load, and every load after a lost connection, reads users and rules in one
 * repeatable-read transaction, after {@code LISTEN}: no change is missed between the two.
 *
 * <p><b>Failure.</b> When the database goes away, the last snapshot stays in force (nothing is let in that it
 * would refuse), a {@code StoreUnavailable} event says so once per outage, and the store reconnects with
 * exponential backoff and jitter, loading everything again when it is back ({@code StoreRecovered}). A store that
 * has never loaded refuses every login, denies every request and counts every certificate as revoked.
 *
 * <p>The database password is kept in memory for reconnects and never printed.
 */
public final class PostgresStore implements SharedStore {

  private final String url;
  private final String user;
  private final char[] password;
  private final String schema;
  private final String channel;
  private final String source;
  private final SecurityEventListener listener;
  private final Clock clock;
  private final SubscribeMode subscribeMode;
  private final AclLimits aclLimits;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration heartbeat;
  private final Credentials credentials;
  private final Acl acl;
  private final Revocations revocations = new Revocations();
  private final Sharing sharing = new Sharing();
  private final Thread follower;
  private volatile boolean closed;
  private volatile boolean loaded;
  private volatile boolean available;
  /** Whether the outage under way was reported (once per outage). Written by the follower thread only. */
  private boolean outageReported;
  private Instant outageSince;
  /** Whether the first try to load has ended, either way: {@link Builder#build()} waits for it. */
  private volatile boolean triedOnce;
  private final Object firstLoad = new Object();

  private PostgresStore(Builder b) {
    this.url = b.url;
    this.user = b.user;
    this.password = b.password;
    this.schema = b.schema == null ? StoreSchema.DEFAULT_NAME : b.schema;
    this.channel = StoreSchema.channel(schema);
    this.source = describe(url) + " schema " + schema;
    this.listener = b.listener == null ? SecurityEventListener.none() : b.listener;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.subscribeMode = b.subscribeMode == null ? SubscribeMode.STRICT : b.subscribeMode;
    this.aclLimits = b.aclLimits == null ? AclLimits.DEFAULT : b.aclLimits;
    this.minBackoff = b.minBackoff == null ? Duration.ofMillis(100) : b.minBackoff;
    this.maxBackoff = b.maxBackoff == null ? Duration.ofSeconds(10) : b.maxBackoff;
    this.heartbeat = b.heartbeat == null ? Duration.ofSeconds(1) : b.heartbeat;
    this.credentials = new Credentials(b.hasher, listener, clock);
    this.acl = new Acl(AclPolicy.denyAll("the ACL of " + source + " is not loaded yet"));
    this.follower = new Thread(this::follow, "mqtt-sec-postgres-" + schema);
    follower.setDaemon(true);
  }

  public static Builder builder(String jdbcUrl) {
    return new Builder(Objects.requireNonNull(jdbcUrl, "jdbcUrl"));
  }

  /** The users and hashes, for {@code PasswordAuthenticator.builder(...)} and {@code BrokerSecurity.credentials}. */
  @Override
  public CredentialStore credentials() {
    return credentials;
  }

  /** The ACL, for {@code BrokerSecurity.acl}: a {@link LiveAcl}, so the broker sweeps subscriptions after edits. */
  @Override
  public LiveAcl acl() {
    return acl;
  }

  /**
   * The revoked certificates, for {@code ClientCertificateVerifier.Builder.revocations}: until the first snapshot
   * every certificate counts as revoked (a store that has never loaded refuses every client).
   */
  @Override
  public RevocationSource revocations() {
    return revocations;
  }

  /**
   * How the brokers on this store share their brute-force guards' counts: each failed (and each unusual
   * successful) login is announced on the store's channel, and every other node counts it.
   */
  @Override
  public Optional<GuardSharing> guardSharing() {
    return Optional.of(sharing);
  }

  /** Whether a snapshot was ever loaded; until then every login is refused and every request denied. */
  public boolean loaded() {
    return loaded;
  }

  /** Whether the store is connected to the database now (false during an outage: the last snapshot serves). */
  public boolean available() {
    return available;
  }

  /** The database and schema, without credentials: {@code postgresql://db:5432/mqtt schema mqtt_sec}. */
  public String source() {
    return source;
  }

  /** Stops following the database; the last snapshot stays usable. */
  @Override
  public void close() {
    closed = true;
    sharing.close();
    follower.interrupt();
    try {
      follower.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Arrays.fill(password, '\0');
  }

  @Override
  public String toString() {
    return "PostgresStore{" + source + ", " + (loaded ? credentials.size() + " users, " + acl.current().ruleCount()
        + " rules" : "not loaded") + (available ? "" : ", unavailable") + '}';
  }

  // ------------------------------------------------------------------------------------------- following

  private void follow() {
    long backoff = minBackoff.toMillis();
    while (!closed) {
      try (Connection c = connect()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        loadAll(c);
        if (outageReported) {
          listener.deliver(new SecurityEvent.StoreRecovered(clock.instant(), source, Duration.between(outageSince,
              clock.instant())));
          outageReported = false;
        }
        available = true; // only once everything missed is applied and the recovery reported
        synchronized (firstLoad) {
          triedOnce = true;
          firstLoad.notifyAll();
        }
        backoff = minBackoff.toMillis();
        PGConnection pg = c.unwrap(PGConnection.class);
        long beat = System.nanoTime();
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(250);
          if (notes != null && notes.length > 0) {
            apply(c, notes);
          }
          if (System.nanoTime() - beat >= heartbeat.toNanos()) {
            try (Statement s = c.createStatement()) {
              s.execute("SELECT 1"); // a lost server is found within a heartbeat, not at the next change
            }
            beat = System.nanoTime();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (!outageReported) {
          outageReported = true;
          outageSince = clock.instant();
          listener.deliver(new SecurityEvent.StoreUnavailable(outageSince, source, describe(e), loaded));
        }
        available = false;
        synchronized (firstLoad) {
          triedOnce = true;
          firstLoad.notifyAll();
        }
        try {
          Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(backoff * 2, maxBackoff.toMillis());
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password.length > 0) {
      p.setProperty("password", new String(password));
    }
    p.setProperty("ApplicationName", "mqtt-sec");
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", "30");
    p.setProperty("tcpKeepAlive", "true");
    Connection c = open(url, p);
    try {
      int version = StoreSchema.version(c, schema);
      if (version != StoreSchema.VERSION) {
        throw new SQLException(version == 0 ? "no mqtt-sec store in schema " + schema + " (run mqtt-sec store init)"
            : "the store schema " + schema + " is at version " + version + ", this mqtt-sec needs "
                + StoreSchema.VERSION + (version < StoreSchema.VERSION ? " (run mqtt-sec store init)" : ""));
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Users and rules in one consistent snapshot. */
  private void loadAll(Connection c) throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    c.setReadOnly(true);
    Map<String, Credential> users;
    AclPolicy policy;
    Map<X500Principal, Map<BigInteger, String>> revoked;
    try {
      users = readUsers(c, null);
      policy = readAclOrKeep(c);
      revoked = readRevocations(c);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setReadOnly(false);
      c.setAutoCommit(true);
    }
    credentials.replaceAll(users);
    if (policy != null) {
      acl.replace(policy);
    }
    revocations.replace(revoked);
    loaded = true;
  }

  private void apply(Connection c, PGNotification[] notes) throws SQLException {
    Set<String> users = new HashSet<>();
    boolean allUsers = false;
    boolean rules = false;
    boolean revoked = false;
    for (PGNotification n : notes) {
      String what = n.getParameter();
      if (what.startsWith("user ")) {
        users.add(what.substring(5));
      } else if (what.equals("users")) {
        allUsers = true;
      } else if (what.equals("acl_rules")) {
        rules = true;
      } else if (what.equals("revocations")) {
        revoked = true;
      } else if (what.startsWith("login ")) {
        sharing.received(what);
      }
    }
    if (revoked) {
      revocations.replace(readRevocations(c)); // first: a revoked device must not slip through a later change
    }
    if (allUsers) {
      credentials.replaceAll(readUsers(c, null));
    } else if (!users.isEmpty()) {
      Map<String, Credential> found = readUsers(c, users);
      Map<String, Credential> changes = new LinkedHashMap<>();
      for (String u : users) {
        changes.put(u, found.get(u));
      }
      credentials.change(changes, rehashesOf(c, users));
    }
    if (rules) {
      AclPolicy policy = readAclOrKeep(c);
      if (policy != null) {
        acl.replace(policy);
      }
    }
  }

  /** The rules, or null (reported) when a row is bad: the ACL in force then stays, as a broken file's would. */
  private AclPolicy readAclOrKeep(Connection c) throws SQLException {
    try {
      return readAcl(c);
    } catch (IllegalArgumentException e) {
      listener.deliver(new SecurityEvent.PolicyReloadFailed(clock.instant(), acl.source(), e.getMessage()
          + "; the ACL in force stays"));
      return null;
    }
  }

  /**
   * The users named in {@code only} (all when null). A row that does not make a valid entry is reported and its
   * user keeps the entry in force (none, if it had none), as a broken password file keeps the last good state.
   */
  private Map<String, Credential> readUsers(Connection c, Set<String> only) throws SQLException {
    String sql = "SELECT username, hash, previous_hash, previous_until FROM " + schema + ".users"
        + (only == null ? " ORDER BY username" : " WHERE username = ANY (?)");
    Map<String, Credential> out = new LinkedHashMap<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      if (only != null) {
        Array names = c.createArrayOf("text", only.toArray());
        s.setArray(1, names);
      }
      s.setFetchSize(10_000);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String name = r.getString(1);
          try {
            String previous = r.getString(3);
            Timestamp until = r.getTimestamp(4);
            out.put(name, Credential.of(name, PasswordHash.parse(r.getString(2)), previous == null ? null
                : PasswordHash.parse(previous), until == null ? null : until.toInstant()));
          } catch (RuntimeException e) {
            Credential kept = credentials.lookup(name).orElse(null);
            if (kept != null) {
              out.put(name, kept);
            }
            listener.deliver(new SecurityEvent.PolicyReloadFailed(clock.instant(), credentials.source(), "row "
                + quote(name) + ": " + e.getMessage() + (kept == null ? "; the user cannot log in"
                : "; the entry in force stays")));
          }
        }
      }
    }
    return out;
  }

  /** For each of {@code users} whose row says it is a rehash, the hash it replaced. */
  private Map<String, String> rehashesOf(Connection c, Set<String> users) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT username, rehash_of FROM " + schema + ".users "
        + "WHERE username = ANY (?) AND rehash_of IS NOT NULL")) {
      s.setArray(1, c.createArrayOf("text", users.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), r.getString(2));
        }
      }
    }
    return out;
  }

  /** Every rule, in id order, compiled as a file's would be; a bad row refuses the whole read. */
  private AclPolicy readAcl(Connection c) throws SQLException {
    AclPolicy.Builder b = AclPolicy.builder().source(schema + ".acl_rules").subscribeMode(subscribeMode)
        .limits(aclLimits);
    int count = 0;
    try (Statement s = c.createStatement()) {
      s.setFetchSize(10_000);
      try (ResultSet r = s.executeQuery("SELECT id, kind, username, access, filter FROM " + schema
          + ".acl_rules ORDER BY id")) {
        while (r.next()) {
          int id = r.getInt(1);
          if (++count > aclLimits.maxRules()) {
            throw new IllegalArgumentException(schema + ".acl_rules: more than " + aclLimits.maxRules()
                + " rules");
          }
          try {
            Access access = Access.valueOf(r.getString(4).toUpperCase(Locale.ROOT));
            String filter = r.getString(5);
            b.number(id);
            if (r.getString(2).equals("pattern")) {
              b.pattern(access, filter);
              continue;
            }
            String name = r.getString(3);
            if (name == null) {
              b.anonymous();
            } else {
              b.user(name);
            }
            if (access == Access.DENY) {
              b.deny(filter);
            } else {
              b.allow(access, filter);
            }
          } catch (RuntimeException e) {
            throw new IllegalArgumentException(schema + ".acl_rules id " + id + ": " + e.getMessage(), e);
          }
        }
      }
    }
    return b.build();
  }

  /** Every revocation, by issuer; a row whose issuer is not a distinguished name is reported and left out. */
  private Map<X500Principal, Map<BigInteger, String>> readRevocations(Connection c) throws SQLException {
    Map<X500Principal, Map<BigInteger, String>> out = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT issuer, serial, revoked_at, reason "
        + "FROM " + schema + ".revocations")) {
      while (r.next()) {
        X500Principal issuer;
        try {
          issuer = new X500Principal(r.getString(1));
        } catch (IllegalArgumentException e) {
          listener.deliver(new SecurityEvent.PolicyReloadFailed(clock.instant(), revocations.source(), "row of "
              + "issuer " + quote(r.getString(1)) + ", serial " + r.getString(2) + ": not a distinguished name ("
              + e.getMessage() + "); left out"));
          continue;
        }
        String reason = r.getString(4);
        out.computeIfAbsent(issuer, i -> new HashMap<>()).put(new BigInteger(r.getString(2), 16), "revoked in "
            + schema + ".revocations at " + r.getTimestamp(3).toInstant() + (reason == null ? "" : " (" + reason
            + ")"));
      }
    }
    return out;
  }

  private static String quote(String name) {
    return name.length() <= 40 ? '"' + name + '"' : '"' + name.substring(0, 40) + "\"...";
  }

  /** A JDBC URL as messages show it, without its query (where a password may be): {@code postgresql://db/mqtt}. */
  public static String describe(String jdbcUrl) {
    String u = jdbcUrl.startsWith("jdbc:") ? jdbcUrl.substring(5) : jdbcUrl;
    int q = u.indexOf('?');
    return q < 0 ? u : u.substring(0, q);
  }

  /**
   * A connection from the PostgreSQL driver itself, not through {@code DriverManager}, which finds drivers on the
   * system class path only: inside a broker's extension the driver is on the extension's class path.
   */
  static Connection open(String url, Properties properties) throws SQLException {
    Connection c = new org.postgresql.Driver().connect(url, properties);
    if (c == null) {
      throw new SQLException("the PostgreSQL driver does not take the URL " + describe(url));
    }
    return c;
  }

  /**
   * Whether {@code url} carries a password ({@code ?password=...}), which a command line or a configuration file
   * must not: they show it to {@code ps}, to shell history, to whoever reads the file.
   */
  public static boolean carriesPassword(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return false;
    }
    for (String parameter : url.substring(q + 1).split("&")) {
      if (parameter.toLowerCase(Locale.ROOT).startsWith("password=")) {
        return true;
      }
    }
    return false;
  }

  /** {@code url}, if it is a JDBC PostgreSQL URL. */
  static String checkUrl(String url) {
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("a store URL is a JDBC PostgreSQL URL (jdbc:postgresql://HOST:PORT/DB), not "
          + describe(url));
    }
    return url;
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }

  // ---------------------------------------------------------------------------------------------- parts

  /** The users, as a {@link CredentialStore} the authenticator and the broker layer read. */
  private final class Credentials extends CredentialStore {

    Credentials(PasswordHasher hasher, SecurityEventListener events, Clock eventClock) {
      super(hasher, events, eventClock);
    }

    @Override
    public String source() {
      return source + " users";
    }

    void replaceAll(Map<String, Credential> users) {
      install(users);
      listener().deliver(new SecurityEvent.PolicyReloaded(clock().instant(), source(), summary(users)));
    }

    void change(Map<String, Credential> changes, Map<String, String> rehashOf) {
      rehashOf.forEach((name, previousHash) -> {
        Credential before = lookup(name).orElse(null);
        Credential after = changes.get(name);
        if (before != null && after != null && before.hash().encoded().equals(previousHash)) {
          recordRehash(before, after);
        }
      });
      installChanges(changes);
    }

    /** Upgrade-on-login: one conditional UPDATE, so a change made meanwhile (anywhere in the fleet) wins. */
    @Override
    protected boolean replaceIfUnchanged(Credential expected, PasswordHash hash) {
      Credential rehashed = Credential.of(expected.username(), hash, expected.previous().orElse(null),
          expected.previousUntil().orElse(null));
      try (Connection c = connect(); PreparedStatement s = c.prepareStatement("UPDATE " + schema + ".users "
          + "SET hash = ?, rehash_of = hash, changed_at = now() WHERE username = ? AND hash = ? "
          + "AND previous_hash IS NOT DISTINCT FROM ?")) {
        s.setString(1, hash.encoded());
        s.setString(2, expected.username());
        s.setString(3, expected.hash().encoded());
        s.setString(4, expected.previous().map(PasswordHash::encoded).orElse(null));
        if (s.executeUpdate() != 1) {
          return false;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot write the upgraded hash to " + source + " (" + describe(e) + ")",
            e);
      }
      recordRehash(expected, rehashed);
      Map<String, Credential> one = new HashMap<>();
      one.put(expected.username(), rehashed);
      installChanges(one);
      return true;
    }
  }

  /** The rules, as a {@link LiveAcl} the broker layer reads and sweeps subscriptions after. */
  private final class Acl extends LiveAcl {

    Acl(AclPolicy initial) {
      super(initial);
    }

    void replace(AclPolicy policy) {
      install(policy);
      listener.deliver(new SecurityEvent.PolicyReloaded(clock.instant(), source(), policy.ruleCount() + " rules, "
          + policy.userCount() + " users"));
    }

    @Override
    protected String source() {
      return source + " acl_rules";
    }
  }

  /** The revoked certificates, as a {@link RevocationSource} a certificate verifier consults. */
  private final class Revocations implements RevocationSource {
    private final Reloading.Callbacks<Void> callbacks = new Reloading.Callbacks<>();
    /** Null until the first snapshot: then every certificate is refused. */
    private volatile Map<X500Principal, Map<BigInteger, String>> revoked;

    @Override
    public String revoked(X500Principal issuer, BigInteger serial) {
      Map<X500Principal, Map<BigInteger, String>> now = revoked;
      if (now == null) {
        return "the revocations of " + source + " are not loaded yet";
      }
      Map<BigInteger, String> ofIssuer = now.get(issuer);
      return ofIssuer == null ? null : ofIssuer.get(serial);
    }

    @Override
    public void onChange(Runnable callback) {
      Objects.requireNonNull(callback, "callback");
      callbacks.add(ignored -> callback.run());
    }

    void replace(Map<X500Principal, Map<BigInteger, String>> next) {
      boolean changed = !next.equals(revoked);
      revoked = next;
      int count = next.values().stream().mapToInt(Map::size).sum();
      listener.deliver(new SecurityEvent.PolicyReloaded(clock.instant(), source(), count
          + (count == 1 ? " revoked certificate" : " revoked certificates")));
      if (changed) {
        callbacks.run(null);
      }
    }

    String source() {
      return source + " revocations";
    }
  }

  /**
   * The guards' logins on the store's channel, as {@code login NODE f|s ADDRESS USER}: published from a thread and
   * connection of their own (a bounded queue; when it is full, or the database is away, a login is counted where it
   * happened only), received by the follower, which skips this node's own.
   */
  private final class Sharing implements GuardSharing {
    private final String node = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private final java.util.concurrent.ThreadPoolExecutor publisher = new java.util.concurrent.ThreadPoolExecutor(1,
        1, 0, java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(10_000),
        r -> {
          Thread t = new Thread(r, "mqtt-sec-postgres-share-" + schema);
          t.setDaemon(true);
          return t;
        }, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
    private volatile GuardSharing.Remote receiver;
    private Connection connection;

    @Override
    public void publish(String user, InetAddress address, boolean failed) {
      String payload = "login " + node + " " + (failed ? "f" : "s") + " " + (address == null ? "-"
          : address.getHostAddress()) + " " + user;
      if (payload.getBytes(StandardCharsets.UTF_8).length > 7_000) {
        return; // NOTIFY carries 8,000 bytes at most: so long a name is counted here only
      }
      publisher.execute(() -> send(payload));
    }

    private void send(String payload) {
      try {
        if (connection == null || connection.isClosed()) {
          connection = connect();
        }
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
          s.setString(1, channel);
          s.setString(2, payload);
          s.execute();
        }
      } catch (SQLException | RuntimeException e) {
        closeConnection(); // the next login tries again; this one counted where it happened
      }
    }

    private void closeConnection() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // closing a broken connection
        }
        connection = null;
      }
    }

    @Override
    public void onRemote(GuardSharing.Remote remote) {
      receiver = Objects.requireNonNull(remote, "remote");
    }

    void received(String note) {
      String[] f = note.split(" ", 5);
      GuardSharing.Remote r = receiver;
      if (f.length < 5 || f[1].equals(node) || r == null) {
        return;
      }
      try {
        InetAddress address = f[3].equals("-") ? null : InetAddress.getByName(f[3]); // a literal: no lookup
        r.login(f[4], address, f[2].equals("f"));
      } catch (java.net.UnknownHostException | RuntimeException e) {
        // not one of ours: ignored
      }
    }

    void close() {
      publisher.shutdown();
      try {
        publisher.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeConnection();
    }
  }

  /** Builds a {@link PostgresStore}; each setting may be set once. */
  public static final class Builder {
    private final String url;
    private String user;
    private char[] password = new char[0];
    private boolean passwordSet;
    private String schema;
    private SecurityEventListener listener;
    private Clock clock;
    private PasswordHasher hasher;
    private SubscribeMode subscribeMode;
    private AclLimits aclLimits;
    private Duration minBackoff;
    private Duration maxBackoff;
    private Duration heartbeat;
    private Duration startWait;

    private Builder(String url) {
      this.url = checkUrl(url);
    }

    /** The database role. If unset, the driver's default (the URL's {@code user=}, or the system user). */
    public Builder user(String role) {
      Checks.requireUnset("user", user);
      user = Objects.requireNonNull(role, "role");
      return this;
    }

    /** The role's password; copied (wipe yours). If unset, none (or the URL's, or a {@code .pgpass} file). */
    public Builder password(char[] secret) {
      if (passwordSet) {
        throw new IllegalStateException("the password was already set");
      }
      password = secret.clone();
      passwordSet = true;
      return this;
    }

    /** The role's password, read from the first line of {@code file}. */
    public Builder passwordFile(Path file) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": cannot read the database password (" + e.getMessage() + ")",
            e);
      }
      String first = text.lines().findFirst().orElse("");
      return password(first.toCharArray());
    }

    /** The schema the store's tables are in. If unset, {@value StoreSchema#DEFAULT_NAME}. */
    public Builder schema(String name) {
      Checks.requireUnset("schema", schema);
      schema = StoreSchema.checkName(name);
      return this;
    }

    /** Where loads, failures and outages are reported. If unset, nowhere. */
    public Builder listener(SecurityEventListener events) {
      Checks.requireUnset("listener", listener);
      listener = Objects.requireNonNull(events, "events");
      return this;
    }

    public Builder clock(Clock eventClock) {
      Checks.requireUnset("clock", clock);
      clock = Objects.requireNonNull(eventClock, "eventClock");
      return this;
    }

    /** How passwords are hashed (and what upgrade-on-login raises weaker hashes to). */
    public Builder hasher(PasswordHasher policy) {
      Checks.requireUnset("hasher", hasher);
      hasher = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder subscribeMode(SubscribeMode mode) {
      Checks.requireUnset("subscribe mode", subscribeMode);
      subscribeMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    public Builder aclLimits(AclLimits limits) {
      Checks.requireUnset("ACL limits", aclLimits);
      aclLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** The first and the longest wait between reconnects (doubling, with jitter). If unset, 100 ms and 10 s. */
    public Builder reconnect(Duration first, Duration longest) {
      Checks.requireUnset("reconnect", minBackoff);
      if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
        throw new IllegalArgumentException("reconnect waits must be positive and the longest at least the first, "
            + "not " + first + " and " + longest);
      }
      minBackoff = first;
      maxBackoff = longest;
      return this;
    }

    /** How often an idle connection is checked, so a lost server is noticed. If unset, 1 s. */
    public Builder heartbeat(Duration interval) {
      Checks.requireUnset("heartbeat", heartbeat);
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("the heartbeat must be positive, not " + interval);
      }
      heartbeat = interval;
      return this;
    }

    /** How long {@link #build()} waits for the first snapshot before returning unloaded. If unset, 10 s. */
    public Builder startWait(Duration wait) {
      Checks.requireUnset("start wait", startWait);
      startWait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    /**
     * Starts following the database and waits (up to {@link #startWait}) for the first snapshot. Without a
     * database the store still starts, unloaded: every login refused, every request denied, until it connects.
     */
    public PostgresStore build() {
      PostgresStore store = new PostgresStore(this);
      store.follower.start();
      long deadline = System.nanoTime() + (startWait == null ? Duration.ofSeconds(10) : startWait).toNanos();
      synchronized (store.firstLoad) {
        while (!store.triedOnce && System.nanoTime() < deadline) {
          try {
            store.firstLoad.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      return store;
    }

    @Override
    public String toString() {
      return "PostgresStore.Builder{" + describe(url) + (user == null ? "" : ", user " + user) + '}';
    }
  }
}
