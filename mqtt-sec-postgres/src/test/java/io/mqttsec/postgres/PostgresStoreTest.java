/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.Action;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.ConnectRequest;
import io.mqttsec.broker.ConnectResult;
import io.mqttsec.broker.ListenerAuth;
import io.mqttsec.creds.BruteForceGuard;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.tls.ClientCertificateVerifier;
import io.mqttsec.tls.Pem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet store against a real PostgreSQL: two nodes (each a store and a broker layer) on one database, every
 * change made with plain SQL as an operator would, and the database cut off by a relay the test controls.
 */
class PostgresStoreTest {

  static final PasswordHasher CHEAP = PasswordHasher.pbkdf2Sha512(1000);
  static TestDatabase db;

  @BeforeAll
  static void database() throws Exception {
    db = new TestDatabase("PostgresStoreTest");
  }

  @AfterAll
  static void drop() throws Exception {
    db.close();
  }

  /** One broker of the fleet. */
  record Node(PostgresStore store, BrokerSecurity security, Spi broker, List<SecurityEvent> events) {

    ConnectResult connect(String user, String clientId, String password) {
      return security.connect(ConnectRequest.builder("tls", clientId).username(user)
          .password(password.getBytes(StandardCharsets.UTF_8)).build());
    }

    ClientSession connected(String user, String clientId) {
      ConnectResult r = connect(user, clientId, user + "-pw");
      assertThat(r.accepted()).as("%s on %s: %s", user, store, r).isTrue();
      return r.session().orElseThrow();
    }

    <T extends SecurityEvent> List<T> events(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void empty() throws Exception {
    db.sql("TRUNCATE S.users", "TRUNCATE S.acl_rules RESTART IDENTITY", "TRUNCATE S.revocations");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  Node node() {
    return node(db.store(), b -> { });
  }

  Node node(PostgresStore.Builder builder, Consumer<PasswordAuthenticator.Builder> auth) {
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    // the store starts before the broker layer: its events go straight to the audit until the layer exists
    java.util.concurrent.atomic.AtomicReference<io.mqttsec.api.SecurityEventListener> layer =
        new java.util.concurrent.atomic.AtomicReference<>(events::add);
    PostgresStore store = builder.listener(e -> layer.get().deliver(e)).reconnect(Duration.ofMillis(50),
        Duration.ofMillis(200)).heartbeat(Duration.ofMillis(200)).startWait(Duration.ofSeconds(10)).build();
    open.add(store);
    Spi broker = new Spi();
    PasswordAuthenticator.Builder a = PasswordAuthenticator.builder(store.credentials()).listener(e -> layer.get()
        .deliver(e));
    auth.accept(a);
    BrokerSecurity security = BrokerSecurity.builder().acl(store.acl()).credentials(store.credentials())
        .authenticator(a.build()).broker(broker).audit(events::add).build();
    layer.set(security.componentEvents());
    open.add(security);
    return new Node(store, security, broker, events);
  }

  /** A store of the test schema that reaches the database through {@code proxy}. */
  static PostgresStore.Builder throughProxy(Proxy proxy) {
    String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + URI.create(db.url.substring(5)).getPath();
    PostgresStore.Builder b = PostgresStore.builder(url).schema(db.schema).password(db.password);
    return db.user == null ? b : b.user(db.user);
  }

  static String hash(String password) {
    return CHEAP.hash(password.getBytes(StandardCharsets.UTF_8)).encoded();
  }

  static String user(String name) {
    return "INSERT INTO S.users (username, hash) VALUES ('" + name + "', '" + hash(name + "-pw") + "')";
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 10 s for " + what);
      }
      Thread.sleep(10);
    }
  }

  static int ruleId(String filter) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT id FROM " + db.schema + ".acl_rules WHERE filter = '" + filter + "'")) {
      r.next();
      return r.getInt(1);
    }
  }

  // ------------------------------------------------------------------------------------------------ load

  @Test
  void aSnapshot_servesLoginsAndTheAcl_namingTheRowsItDecidesBy() throws Exception {
    db.sql(user("press-1"), user("dashboard"),
        "INSERT INTO S.acl_rules (kind, username, access, filter) VALUES ('topic', 'press-1', 'readwrite', "
            + "'factory/press-1/#'), ('topic', 'dashboard', 'read', 'factory/#'), ('pattern', null, 'write', "
            + "'status/%u')");
    Node n = node();
    assertThat(n.store().loaded()).isTrue();
    ClientSession press = n.connected("press-1", "press-1");
    assertThat(n.connect("press-1", "p2", "guess").accepted()).isFalse();
    assertThat(n.connect("nobody", "x", "nobody-pw").accepted()).isFalse();
    Decision own = n.security().publish(press, "factory/press-1/temp");
    assertThat(own.allowed()).isTrue();
    assertThat(own.reason()).isEqualTo(db.schema + ".acl_rules:" + ruleId("factory/press-1/#")
        + " readwrite factory/press-1/#");
    assertThat(n.security().publish(press, "factory/press-2/temp").denied()).isTrue();
    assertThat(n.security().publish(press, "status/press-1").reason()).isEqualTo(db.schema + ".acl_rules:"
        + ruleId("status/%u") + " write status/%u");
    assertThat(n.events(SecurityEvent.PolicyReloaded.class)).extracting(SecurityEvent.PolicyReloaded::summary)
        .contains("2 users", "3 rules, 2 users");
    assertThat(n.store()).hasToString("PostgresStore{" + n.store().source() + ", 2 users, 3 rules}");
    assertThat(n.store().toString()).doesNotContain("password");
  }

  // --------------------------------------------------------------------------------------- live changes

  @Test
  void aPasswordResetInSql_endsTheUsersConnectionOnEveryNode_aRotationKeepsIt() throws Exception {
    db.sql(user("press-1"), user("press-2"), user("press-3"));
    Node a = node();
    Node b = node();
    b.connected("press-1", "p1");
    b.connected("press-2", "p2");
    a.connected("press-3", "p3");
    b.connected("press-3", "p3b");
    db.sql("UPDATE S.users SET hash = '" + hash("new") + "' WHERE username = 'press-1'");
    await(() -> b.broker().disconnected.contains("p1: password replaced"), "press-1 ended on node B");
    db.sql("DELETE FROM S.users WHERE username = 'press-2'");
    await(() -> b.broker().disconnected.contains("p2: credential removed"), "press-2 ended on node B");
    db.sql("UPDATE S.users SET previous_hash = hash, previous_until = now() + interval '1 day', hash = '"
        + hash("next") + "' WHERE username = 'press-3'");
    await(() -> a.store().credentials().lookup("press-3").orElseThrow().previous().isPresent()
        && b.store().credentials().lookup("press-3").orElseThrow().previous().isPresent(), "the rotation");
    assertThat(a.broker().disconnected).isEmpty();
    assertThat(b.broker().disconnected).containsExactly("p1: password replaced", "p2: credential removed");
    assertThat(a.connect("press-1", "x", "new").accepted()).as("node A has the new password too").isTrue();
    assertThat(a.connect("press-3", "y", "press-3-pw").accepted()).as("the previous, in its grace").isTrue();
  }

  @Test
  void anAclEditInSql_removesTheLiveSubscriptionsItNoLongerAllows() throws Exception {
    db.sql(user("press-1"), "INSERT INTO S.acl_rules (username, access, filter) VALUES ('press-1', 'read', "
        + "'factory/#')");
    Node b = node();
    ClientSession s = b.connected("press-1", "p1");
    assertThat(b.security().subscribe(s, "factory/#").allowed()).isTrue();
    b.broker().sessions.put("p1", new HashSet<>(Set.of("factory/#")));
    db.sql("UPDATE S.acl_rules SET filter = 'factory/press-1/#'");
    await(() -> b.broker().sessions.get("p1").isEmpty(), "the subscription removed");
    assertThat(b.security().subscribe(s, "factory/press-1/#").allowed()).isTrue();
    assertThat(b.events(SecurityEvent.AccessDenied.class)).singleElement().satisfies(d -> assertThat(d.reason())
        .endsWith("(subscription removed after an ACL reload)"));
  }

  @Test
  void aBadRow_keepsWhatIsInForce_andNamesTheRow() throws Exception {
    db.sql(user("press-1"), "INSERT INTO S.acl_rules (username, access, filter) VALUES ('press-1', 'write', "
        + "'factory/press-1/#')");
    Node n = node();
    ClientSession s = n.connected("press-1", "p1");
    int id = ruleId("factory/press-1/#");
    db.sql("UPDATE S.acl_rules SET filter = 'factory/#/x'");
    await(() -> !n.events(SecurityEvent.PolicyReloadFailed.class).isEmpty(), "the refused ACL");
    assertThat(n.events(SecurityEvent.PolicyReloadFailed.class)).singleElement().satisfies(f -> {
      assertThat(f.source()).isEqualTo(n.store().source() + " acl_rules");
      assertThat(f.error()).startsWith(db.schema + ".acl_rules id " + id + ": ").endsWith(
          "; the ACL in force stays");
    });
    assertThat(n.security().publish(s, "factory/press-1/temp").allowed()).isTrue();
    String secretHash = "$7$1000$bm90IGEgaGFzaA==$AAAA";
    db.sql("UPDATE S.users SET hash = '" + secretHash + "' WHERE username = 'press-1'");
    await(() -> n.events(SecurityEvent.PolicyReloadFailed.class).size() == 2, "the refused row");
    SecurityEvent.PolicyReloadFailed row = n.events(SecurityEvent.PolicyReloadFailed.class).get(1);
    assertThat(row.error()).startsWith("row \"press-1\": ").endsWith("; the entry in force stays")
        .doesNotContain("bm90IGEgaGFzaA");
    assertThat(n.connect("press-1", "p2", "press-1-pw").accepted()).isTrue();
    assertThat(n.broker().disconnected).isEmpty();
    assertThatThrownBy(() -> db.sql("UPDATE S.users SET hash = 'plain' WHERE username = 'press-1'"))
        .as("a hash of no known form never gets in").hasMessageContaining("users_hash_check");
  }

  @Test
  void upgradeOnLogin_onOneNode_endsNoSessionOnAnother() throws Exception {
    db.sql(user("press-1"));
    Node a = node(db.store().hasher(PasswordHasher.pbkdf2Sha512(2000)),
        PasswordAuthenticator.Builder::upgradeOnLogin);
    Node b = node();
    b.connected("press-1", "on-b");
    a.connected("press-1", "on-a");
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT hash, rehash_of IS NOT NULL FROM " + db.schema + ".users")) {
      r.next();
      assertThat(r.getString(1)).startsWith("$7$2000$");
      assertThat(r.getBoolean(2)).isTrue();
    }
    await(() -> b.store().credentials().lookup("press-1").orElseThrow().hash().encoded().startsWith("$7$2000$"),
        "node B has the rehash");
    assertThat(b.broker().disconnected).isEmpty();
    assertThat(a.broker().disconnected).isEmpty();
    assertThat(b.connect("press-1", "again", "press-1-pw").accepted()).isTrue();
  }

  @Test
  void aRevocationInSql_dropsTheDeviceOnEveryNode_andRefusesItFromThenOn() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Fleet CA, O=Factory", Duration.ofDays(30));
    HeldCertificate press = ca.issue("press-1").clientAuth().issue();
    HeldCertificate other = ca.issue("press-2").clientAuth().issue();
    Path caPem = Files.createTempFile("fleet-ca", ".pem");
    Files.writeString(caPem, Pem.encode(List.of(ca.certificate())));
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    PostgresStore store = db.store().listener(events::add).build();
    open.add(store);
    ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(caPem).revocations(store.revocations())
        .build();
    open.add(verifier);
    Spi broker = new Spi();
    BrokerSecurity security = BrokerSecurity.builder().acl(store.acl()).tls(verifier).broker(broker)
        .defaultAuthentication(ListenerAuth.certificate(ListenerAuth.Identity.CN)).audit(events::add).build();
    open.add(security);
    X509Certificate[] chain = press.chain().toArray(new X509Certificate[0]);
    X509Certificate[] otherChain = other.chain().toArray(new X509Certificate[0]);
    assertThat(security.connect(ConnectRequest.builder("mtls", "p1").certificateChain(chain).build()).accepted())
        .isTrue();
    assertThat(security.connect(ConnectRequest.builder("mtls", "p2").certificateChain(otherChain).build())
        .accepted()).isTrue();
    // the issuer as RFC 1779 writes it (spaces after commas): matched by the name, not by its spelling
    String issuer = press.certificate().getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal
        .RFC1779);
    db.sql("INSERT INTO S.revocations (issuer, serial, reason) VALUES ('" + issuer + "', '"
        + press.certificate().getSerialNumber().toString(16) + "', 'key compromise')");
    await(() -> broker.disconnected.size() == 1, "the revoked device dropped");
    assertThat(broker.disconnected.get(0)).startsWith("p1: certificate no longer accepted: certificate CN=press-1 "
        + "(serial " + press.certificate().getSerialNumber().toString(16) + ") is revoked: revoked in " + db.schema
        + ".revocations at ").endsWith(" (key compromise)");
    ConnectResult again = security.connect(ConnectRequest.builder("mtls", "p1").certificateChain(chain).build());
    assertThat(again.accepted()).isFalse();
    assertThat(security.connect(ConnectRequest.builder("mtls", "p3").certificateChain(otherChain).build())
        .accepted()).as("another device of the same CA").isTrue();
    Files.delete(caPem);
  }

  @Test
  void aPasswordSprayOverTwoNodes_isLockedOutAsIfItHitOne() throws Exception {
    db.sql(user("press-1"));
    List<BruteForceGuard> guards = new ArrayList<>();
    List<List<SecurityEvent>> lockouts = new ArrayList<>();
    Node[] nodes = new Node[2];
    for (int i = 0; i < 2; i++) {
      PostgresStore store = db.store().reconnect(Duration.ofMillis(50), Duration.ofMillis(200)).build();
      open.add(store);
      List<SecurityEvent> events = new CopyOnWriteArrayList<>();
      BruteForceGuard guard = BruteForceGuard.builder().listener(events::add).sharing(store.guardSharing()
          .orElseThrow()).build();
      guards.add(guard);
      lockouts.add(events);
      Spi broker = new Spi();
      BrokerSecurity security = BrokerSecurity.builder().acl(store.acl()).credentials(store.credentials())
          .authenticator(PasswordAuthenticator.builder(store.credentials()).bruteForceGuard(guard).build())
          .broker(broker).audit(events::add).build();
      open.add(security);
      nodes[i] = new Node(store, security, broker, events);
    }
    java.net.InetAddress sprayer = java.net.InetAddress.getByName("10.9.9.9");
    ClientIdentity who = ClientIdentity.of("press-1", "x").withRemoteAddress(sprayer);
    for (int i = 0; i < 5; i++) {
      Node n = nodes[i % 2]; // three guesses on node A, two on node B
      assertThat(n.security().connect(ConnectRequest.builder("tls", "g" + i).username("press-1").password(
          ("guess-" + i).getBytes(StandardCharsets.UTF_8)).remoteAddress(sprayer).build()).accepted()).isFalse();
    }
    await(() -> guards.get(0).check(who).isPresent() && guards.get(1).check(who).isPresent(),
        "both nodes locking the pair out");
    assertThat(guards.get(0).check(who).orElseThrow().outcome()).isEqualTo(io.mqttsec.api.AuthResult.Outcome
        .LOCKED_OUT);
    ConnectResult right = nodes[0].security().connect(ConnectRequest.builder("tls", "p1").username("press-1")
        .password("press-1-pw".getBytes(StandardCharsets.UTF_8)).remoteAddress(sprayer).build());
    assertThat(right.accepted()).as("even the right password waits out the lock").isFalse();
    for (List<SecurityEvent> events : lockouts) {
      assertThat(events).filteredOn(SecurityEvent.ClientLockedOut.class::isInstance).as(
          "each node reports the lock it applies").hasSize(1);
    }
  }

  // -------------------------------------------------------------------------------------------- failures

  @Test
  void whenTheDatabaseGoesAway_theSnapshotServes_andWhenItComesBackEverythingMissedIsApplied() throws Exception {
    db.sql(user("press-1"), user("press-2"), "INSERT INTO S.acl_rules (username, access, filter) VALUES "
        + "('press-1', 'write', 'factory/press-1/#')");
    try (Proxy proxy = new Proxy(URI.create(db.url.substring(5)).getPort())) {
      Node n = node(throughProxy(proxy), x -> { });
      ClientSession s = n.connected("press-1", "p1");
      proxy.down();
      await(() -> !n.store().available(), "the outage noticed");
      assertThat(n.events(SecurityEvent.StoreUnavailable.class)).singleElement().satisfies(f -> {
        assertThat(f.store()).isEqualTo(n.store().source());
        assertThat(f.snapshotInForce()).isTrue();
        assertThat(f.error()).isNotEmpty();
      });
      assertThat(n.security().counters().value("store.unavailable")).isEqualTo(1);
      db.sql("DELETE FROM S.users WHERE username = 'press-1'");
      Thread.sleep(300);
      assertThat(n.security().publish(s, "factory/press-1/temp").allowed()).as("the snapshot decides").isTrue();
      assertThat(n.connected("press-2", "p2")).isNotNull();
      assertThat(n.broker().disconnected).isEmpty();
      assertThat(n.events(SecurityEvent.StoreUnavailable.class)).as("once per outage").hasSize(1);
      proxy.up();
      await(() -> n.store().available() && n.broker().disconnected.contains("p1: credential removed"),
          "the missed removal applied");
      assertThat(n.events(SecurityEvent.StoreRecovered.class)).singleElement().satisfies(r -> assertThat(
          r.outage()).isPositive());
      assertThat(n.connect("press-1", "p3", "press-1-pw").accepted()).isFalse();
    }
  }

  @Test
  void withoutADatabaseAtStart_everyClientIsRefused_untilItComes() throws Exception {
    db.sql(user("press-1"), "INSERT INTO S.acl_rules (username, access, filter) VALUES ('press-1', 'write', "
        + "'factory/#')");
    try (Proxy proxy = new Proxy(URI.create(db.url.substring(5)).getPort())) {
      proxy.down();
      Node n = node(throughProxy(proxy), x -> { });
      assertThat(n.store().loaded()).isFalse();
      assertThat(n.connect("press-1", "p1", "press-1-pw").accepted()).isFalse();
      assertThat(n.events(SecurityEvent.AuthFailed.class)).singleElement().satisfies(f -> assertThat(f.outcome())
          .as("an unknown user, checked against a decoy, not an internal error").isEqualTo(
              io.mqttsec.api.AuthResult.Outcome.BAD_CREDENTIALS));
      Decision d = n.store().acl().check(ClientIdentity.of("press-1", "p1"), Action.PUBLISH, "factory/a");
      assertThat(d.denied()).isTrue();
      assertThat(d.reason()).endsWith("is not loaded yet");
      assertThat(n.events(SecurityEvent.StoreUnavailable.class)).singleElement().satisfies(f -> assertThat(
          f.snapshotInForce()).isFalse());
      proxy.up();
      await(() -> n.store().loaded(), "the first snapshot");
      assertThat(n.connected("press-1", "p1")).isNotNull();
    }
  }

  @Test
  void aSchemaWithoutTheStore_isNamed_withWhatToRun() throws Exception {
    PostgresStore.Builder b = PostgresStore.builder(db.url).schema("t_no_such_store").password(db.password);
    Node n = node(db.user == null ? b : b.user(db.user), x -> { });
    assertThat(n.store().loaded()).isFalse();
    assertThat(n.events(SecurityEvent.StoreUnavailable.class)).singleElement().satisfies(f -> assertThat(
        f.error()).contains("no mqtt-sec store in schema t_no_such_store (run mqtt-sec store init)"));
  }

  // ------------------------------------------------------------------------------------------- settings

  @Test
  void migrations_runOnce_andTheSchemaKnowsItsVersion() throws Exception {
    try (Connection c = db.connect()) {
      assertThat(StoreSchema.version(c, db.schema)).isEqualTo(StoreSchema.VERSION);
      assertThat(StoreSchema.migrate(c, db.schema)).as("nothing to do").isEqualTo(StoreSchema.VERSION);
      assertThat(StoreSchema.version(c, "t_never_made")).isZero();
    }
    assertThatThrownBy(() -> StoreSchema.checkName("Mqtt")).hasMessage("a store schema name is 1 to 48 of a-z, "
        + "0-9 and _, not starting with a digit: \"Mqtt\"");
    assertThatThrownBy(() -> StoreSchema.checkName("a; drop table x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresStore.builder("jdbc:mysql://db/x")).hasMessage("a store URL is a JDBC "
        + "PostgreSQL URL (jdbc:postgresql://HOST:PORT/DB), not mysql://db/x");
    assertThat(PostgresStore.builder("jdbc:postgresql://db:5432/mqtt?password=secret").user("u"))
        .hasToString("PostgresStore.Builder{postgresql://db:5432/mqtt, user u}");
  }
}
