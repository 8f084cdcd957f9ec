/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.acl.ReloadingAcl;
import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.tls.ClientCertificateVerifier;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BrokerSecurity} driven as a broker adapter drives it, with a fake broker behind {@link BrokerSpi}. */
class BrokerSecurityTest {

  static final PasswordHasher CHEAP = PasswordHasher.pbkdf2Sha512(1000);
  static final CertificateAuthority CA = CertificateAuthority.create("CN=Unit CA", Duration.ofDays(30));
  static final String ACL = """
      pattern readwrite factory/%u/#
      user dashboard
      topic read factory/#
      """;

  @TempDir
  Path dir;
  final FakeBroker broker = new FakeBroker();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  final List<String> wills = new CopyOnWriteArrayList<>();
  CredentialFile passwd;
  ReloadingAcl acl;
  BrokerSecurity security;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), ACL);
    Files.writeString(dir.resolve("passwd"), "");
    passwd = CredentialFile.builder(dir.resolve("passwd")).hasher(CHEAP).build();
    for (String user : List.of("press-1", "press-2", "dashboard")) {
      passwd.put(user, (user + "-secret").getBytes(StandardCharsets.UTF_8));
    }
    acl = ReloadingAcl.builder(dir.resolve("acl.conf")).pollInterval(Duration.ofHours(1)).build();
  }

  @AfterEach
  void close() {
    if (security != null) {
      security.close();
    }
    acl.close();
    passwd.close();
  }

  BrokerSecurity.Builder builder() {
    return BrokerSecurity.builder().acl(acl).broker(broker).audit(events::add)
        .authenticator(PasswordAuthenticator.builder(passwd).noCache().listener(e -> security.componentEvents()
            .deliver(e)).build())
        .credentials(passwd);
  }

  BrokerSecurity start() {
    security = builder().build();
    return security;
  }

  static ConnectRequest.Builder request(String user, String clientId) {
    return ConnectRequest.builder("tls", clientId).username(user)
        .password((user + "-secret").getBytes(StandardCharsets.UTF_8));
  }

  ClientSession connect(String user, String clientId) {
    ConnectResult r = security.connect(request(user, clientId).build());
    assertThat(r.accepted()).as("%s connects as %s: %s", user, clientId, r).isTrue();
    return r.session().orElseThrow();
  }

  /** A session that outlives its connection, as MQTT 3.1.1 clean session 0 or MQTT 5 with an expiry. */
  ClientSession connectPersistent(String user, String clientId) {
    ConnectResult r = security.connect(request(user, clientId).cleanStart(false)
        .sessionExpiry(Duration.ofHours(1)).build());
    assertThat(r.accepted()).as("%s", r).isTrue();
    broker.sessions.putIfAbsent(clientId, new java.util.HashSet<>());
    return r.session().orElseThrow();
  }

  <T extends SecurityEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
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

  // ------------------------------------------------------------------------------------------- CONNECT

  @Test
  void connect_rightPassword_isAccepted_withTheAuthenticatedIdentity_andOneSuccessLine() {
    start();
    ClientSession s = connect("press-1", "press-1");
    assertThat(s.identity().username()).contains("press-1");
    assertThat(s.method()).isEqualTo("password");
    assertThat(security.publish(s, "factory/press-1/temp").allowed()).isTrue();
    assertThat(security.publish(s, "factory/press-2/temp").denied()).isTrue();
    assertThat(events(SecurityEvent.AuthSucceeded.class)).singleElement()
        .satisfies(e -> assertThat(e.method()).isEqualTo("password"));
  }

  @Test
  void detection_aPasswordSpray_raisesOneAlert_whereEveryEventGoes_andCountsIt() throws Exception {
    start();
    InetAddress attacker = InetAddress.getByName("10.9.9.9");
    for (int i = 0; i < 12; i++) {
      assertThat(security.connect(ConnectRequest.builder("tls", "spray-" + i).username("user-" + i)
          .password("guess".getBytes(StandardCharsets.UTF_8)).remoteAddress(attacker).build()).accepted()).isFalse();
    }
    assertThat(events(SecurityEvent.AlertRaised.class)).singleElement().satisfies(a -> {
      assertThat(a.name()).isEqualTo(Detector.BRUTE_FORCE);
      assertThat(a.scope()).isEqualTo("address 10.9.9.9");
    });
    assertThat(security.counters().value("alert")).isEqualTo(1);
  }

  @Test
  void detection_none_raisesNothing() throws Exception {
    security = builder().detection(Detection.NONE).build();
    for (int i = 0; i < 12; i++) {
      security.connect(ConnectRequest.builder("tls", "spray-" + i).username("user-" + i)
          .password("guess".getBytes(StandardCharsets.UTF_8)).remoteAddress(InetAddress.getByName("10.9.9.9"))
          .build());
    }
    assertThat(events(SecurityEvent.AuthFailed.class)).hasSize(12);
    assertThat(events(SecurityEvent.AlertRaised.class)).isEmpty();
  }

  @Test
  void connect_wrongPassword_unknownUser_orNoCredentials_areRefused() {
    start();
    ConnectResult wrong = security.connect(ConnectRequest.builder("tls", "x").username("press-1")
        .password("guess".getBytes(StandardCharsets.UTF_8)).build());
    assertThat(wrong.refusal()).contains(ConnectResult.Refusal.BAD_CREDENTIALS);
    ConnectResult unknown = security.connect(ConnectRequest.builder("tls", "y").username("mallory")
        .password("guess".getBytes(StandardCharsets.UTF_8)).build());
    assertThat(unknown.refusal()).contains(ConnectResult.Refusal.BAD_CREDENTIALS);
    assertThat(unknown.reason()).isEqualTo(wrong.reason()).isEqualTo("bad user name or password");
    ConnectResult anonymous = security.connect(ConnectRequest.builder("tls", "z").build());
    assertThat(anonymous.refusal()).contains(ConnectResult.Refusal.NOT_AUTHORIZED);
    assertThat(anonymous.reason()).isEqualTo("anonymous access is off");
    assertThat(events(SecurityEvent.AuthSucceeded.class)).isEmpty();
    assertThat(events(SecurityEvent.AuthFailed.class)).extracting(SecurityEvent.AuthFailed::outcome)
        .containsExactly(AuthResult.Outcome.BAD_CREDENTIALS, AuthResult.Outcome.BAD_CREDENTIALS,
            AuthResult.Outcome.ANONYMOUS_REFUSED);
    assertThat(security.connectedCount()).isZero();
  }

  @Test
  void connect_aCheckThatThrows_refuses_withAnErrorLine() {
    security = BrokerSecurity.builder().acl(acl).broker(broker).audit(events::add).authenticator((who, pw) -> {
      throw new IllegalStateException("store gone");
    }).build();
    ConnectResult r = security.connect(request("press-1", "press-1").build());
    assertThat(r.refusal()).contains(ConnectResult.Refusal.NOT_AUTHORIZED);
    assertThat(r.reason()).isEqualTo("authentication failed");
    assertThat(events(SecurityEvent.AuthFailed.class)).singleElement().satisfies(e -> {
      assertThat(e.outcome()).isEqualTo(AuthResult.Outcome.ERROR);
      assertThat(e.reason()).isEqualTo("internal error (IllegalStateException) while connecting; refused")
          .doesNotContain("store gone");
    });
  }

  // ---------------------------------------------------------------------------------- CLIENT-ID OWNERSHIP

  @Test
  void takeover_ofALiveSession_byAnotherIdentity_isRefused_andTheOwnerStays() {
    start();
    ClientSession victim = connect("press-2", "press-2");
    broker.session("press-2", "factory/press-2/#");
    ConnectResult attack = security.connect(request("press-1", "press-2").build());
    assertThat(attack.refusal()).contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
    assertThat(attack.reason()).isEqualTo("the client id belongs to another identity's session");
    assertThat(events(SecurityEvent.TakeoverRefused.class)).singleElement().satisfies(e -> {
      assertThat(e.who().username()).contains("press-1");
      assertThat(e.who().clientId()).isEqualTo("press-2");
      assertThat(e.owner()).isEqualTo("press-2");
    });
    assertThat(events(SecurityEvent.AuthSucceeded.class)).as("no connect.success for the refused CONNECT")
        .hasSize(1);
    assertThat(security.session(victim.id())).contains(victim);
    assertThat(security.counters().snapshot()).containsEntry("takeover.refused", 1L);
  }

  /**
   * The end of a device's old clean session, handled while the device's next CONNECT registers, must not erase the
   * new session's owner: otherwise another identity could take the client id over from under it.
   */
  @Test
  void anOldSessionsEnd_racingTheOwnersReconnect_keepsTheNewOwner() throws Exception {
    java.util.concurrent.CountDownLatch inForget = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
    SessionOwners memory = SessionOwners.inMemory();
    SessionOwners slowForget = new SessionOwners() {
      @Override
      public java.util.Optional<String> owner(String clientId) {
        return memory.owner(clientId);
      }

      @Override
      public void record(String clientId, String owner) {
        memory.record(clientId, owner);
      }

      @Override
      public void forget(String clientId) {
        inForget.countDown();
        try {
          letGo.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        memory.forget(clientId);
      }

      @Override
      public int size() {
        return memory.size();
      }

      @Override
      public void close() {
        memory.close();
      }
    };
    security = builder().sessionOwners(slowForget).build();
    ClientSession old = connect("press-2", "press-2");
    Thread ending = new Thread(() -> security.disconnected(old, SecurityEvent.Initiator.CLIENT, "connection lost",
        true));
    ending.start();
    assertThat(inForget.await(5, TimeUnit.SECONDS)).isTrue();
    Thread reconnecting = new Thread(() -> connect("press-2", "press-2"));
    reconnecting.start();
    Thread.sleep(200); // the reconnect registers now, unless it waits for the old session's end to finish
    letGo.countDown();
    ending.join(5_000);
    reconnecting.join(5_000);
    assertThat(memory.owner("press-2")).as("the reconnected session's owner").contains("press-2");
    ConnectResult attack = security.connect(request("press-1", "press-2").build());
    assertThat(attack.refusal()).contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
  }

  @Test
  void takeover_ofAnOfflinePersistedSession_isRefused_untilTheSessionIsGone() {
    start();
    ClientSession owner = connectPersistent("press-2", "press-2");
    security.disconnected(owner, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    assertThat(security.connect(request("press-1", "press-2").build()).refusal())
        .contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
    broker.sessions.remove("press-2"); // expired
    ClientSession taken = connect("press-1", "press-2");
    assertThat(taken.identity().username()).contains("press-1");
    assertThat(security.connect(request("press-2", "press-2").build()).refusal())
        .as("the id now belongs to press-1's live session").contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
  }

  @Test
  void takeover_whenTheBrokerCannotSayWhetherASessionExists_isRefused() {
    start();
    ClientSession owner = connectPersistent("press-2", "press-2");
    security.disconnected(owner, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    broker.failure = new IllegalStateException("persistence busy");
    assertThat(security.connect(request("press-1", "press-2").build()).refusal())
        .contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
  }

  @Test
  void reconnect_bySameOwner_isAccepted_withoutAskingTheBroker() {
    start();
    ClientSession first = connectPersistent("press-2", "press-2");
    ClientSession second = connect("press-2", "press-2");
    assertThat(broker.existsCalls).isZero();
    assertThat(security.session(first.id())).contains(first);
    assertThat(security.session(second.id())).contains(second);
  }

  @Test
  void owners_surviveARestart_throughTheJournal() {
    Path journal = dir.resolve("owners.log");
    security = builder().sessionOwners(SessionOwners.file(journal)).build();
    connectPersistent("press-2", "press-2");
    security.close();
    security = builder().sessionOwners(SessionOwners.file(journal)).build();
    assertThat(security.connect(request("press-1", "press-2").build()).refusal())
        .contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
  }

  @Test
  void usernamePolicy_needsTheUserNameAsClientId_orItsPrefix() {
    security = builder().clientIdPolicy(ClientIdPolicy.usernamePrefix("-")).build();
    connect("press-1", "press-1");
    connect("press-1", "press-1-main");
    ConnectResult other = security.connect(request("press-1", "press-2").build());
    assertThat(other.refusal()).contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
    assertThat(other.reason()).isEqualTo("the client id is not the user name nor starts with it and \"-\" "
        + "(client-id policy username (separator \"-\"))");
    assertThat(security.connect(request("press-1", "press-1-").build()).accepted()).as("nothing after '-'")
        .isFalse();
    assertThat(events(SecurityEvent.AuthFailed.class)).extracting(SecurityEvent.AuthFailed::outcome)
        .containsOnly(AuthResult.Outcome.REFUSED);
  }

  @Test
  void anyPolicy_allowsATakeover_butTheSessionsSubscriptionsAreJudgedAgain() {
    security = builder().clientIdPolicy(ClientIdPolicy.ANY).build();
    ClientSession board = connectPersistent("dashboard", "board");
    broker.session("board", "factory/#", "factory/press-1/#");
    security.disconnected(board, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    ConnectResult taken = security.connect(request("press-1", "board").cleanStart(false)
        .sessionExpiry(Duration.ofHours(1)).build());
    assertThat(taken.accepted()).isTrue();
    assertThat(broker.sessions.get("board")).containsExactly("factory/press-1/#");
    assertThat(events(SecurityEvent.AccessDenied.class)).singleElement()
        .satisfies(e -> assertThat(e.reason()).endsWith("(the session changed hands)"));
  }

  // ---------------------------------------------------------------------------------------- CERTIFICATES

  ClientCertificateVerifier verifier() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(CA.certificate())));
    return ClientCertificateVerifier.builder(ca).build();
  }

  static X509Certificate[] chain(HeldCertificate held) {
    return held.chain().toArray(new X509Certificate[0]);
  }

  @Test
  void certificate_identities_cnSanAndFingerprint_ambiguityRefused() throws Exception {
    HeldCertificate press = CA.issue("press-1").uris("spiffe://factory/press-9").clientAuth().issue();
    HeldCertificate twoNames = CA.issue("press-3").dnsNames("a.factory", "b.factory").clientAuth().issue();
    try (ClientCertificateVerifier verifier = verifier()) {
      security = builder().tls(verifier)
          .listener("mtls", ListenerAuth.certificate(ListenerAuth.Identity.CN))
          .listener("spiffe", ListenerAuth.certificate(ListenerAuth.Identity.SAN_URI))
          .listener("pinned", ListenerAuth.certificate(ListenerAuth.Identity.SHA256))
          .listener("dns", ListenerAuth.certificate(ListenerAuth.Identity.SAN_DNS)).build();
      assertThat(user("mtls", press)).isEqualTo("press-1");
      assertThat(user("spiffe", press)).isEqualTo("spiffe://factory/press-9");
      assertThat(user("pinned", press)).hasSize(64).isEqualTo(io.mqttsec.tls.CertificateIdentity.of(
          press.certificate()).sha256Fingerprint());
      ConnectResult ambiguous = security.connect(ConnectRequest.builder("dns", "c3").certificateChain(
          chain(twoNames)).build());
      assertThat(ambiguous.refusal()).contains(ConnectResult.Refusal.BAD_CREDENTIALS);
      assertThat(ambiguous.reason()).isEqualTo("the certificate CN=press-3 has 2 DNS subject alternative names; "
          + "the listener's identity needs exactly one");
      ConnectResult none = security.connect(ConnectRequest.builder("mtls", "c4").build());
      assertThat(none.reason()).isEqualTo("listener mtls requires a client certificate");
    }
  }

  private String user(String listener, HeldCertificate held) {
    ConnectResult r = security.connect(ConnectRequest.builder(listener, listener + "-client").certificateChain(
        chain(held)).build());
    assertThat(r.accepted()).as("%s", r).isTrue();
    return r.session().orElseThrow().identity().username().orElseThrow();
  }

  @Test
  void certificateAndPassword_needsBoth_forTheSameUser() throws Exception {
    HeldCertificate press = CA.issue("press-1").clientAuth().issue();
    try (ClientCertificateVerifier verifier = verifier()) {
      security = builder().tls(verifier)
          .listener("ops", ListenerAuth.certificateAndPassword(ListenerAuth.Identity.CN)).build();
      assertThat(security.connect(ConnectRequest.builder("ops", "a").username("press-1")
          .password("press-1-secret".getBytes(StandardCharsets.UTF_8)).certificateChain(chain(press)).build())
          .accepted()).isTrue();
      ConnectResult other = security.connect(ConnectRequest.builder("ops", "b").username("press-2")
          .password("press-2-secret".getBytes(StandardCharsets.UTF_8)).certificateChain(chain(press)).build());
      assertThat(other.refusal()).contains(ConnectResult.Refusal.BAD_CREDENTIALS);
      assertThat(other.reason()).isEqualTo("the user name press-2 is not the certificate's press-1");
    }
  }

  // ---------------------------------------------------------------------------------- DECISIONS, ERRORS

  @Test
  void decisions_forAnUnknownSession_orAThrowingAcl_deny() {
    Authorizer[] delegate = {acl};
    security = BrokerSecurity.builder().acl((who, action, topic) -> delegate[0].authorize(who, action, topic))
        .broker(broker).audit(events::add).authenticator(PasswordAuthenticator.builder(passwd).build()).build();
    ClientSession s = connect("press-1", "press-1");
    delegate[0] = (who, action, topic) -> {
      throw new IllegalStateException("boom");
    };
    Decision d = security.publish(s, "factory/press-1/temp");
    assertThat(d).isEqualTo(Decision.deny("internal error (IllegalStateException); denied"));
    delegate[0] = acl;
    assertThat(security.publish(security.session(null, "press-1"), "factory/press-1/temp"))
        .as("a connection mqtt-sec did not authenticate").isEqualTo(Decision.deny(
            "the connection is not authenticated"));
    assertThat(security.counters().snapshot()).containsEntry("acl.deny", 2L).containsEntry("acl.allow", 0L);
  }

  @Test
  void aConnectionThatEndedNormally_stillAnswersForItsInFlightPackets_oneMqttSecEndedDoesNot() {
    start();
    ClientSession quick = connect("press-1", "a");
    ClientSession revoked = connect("press-2", "b");
    // mosquitto_pub's CONNECT, PUBLISH, DISCONNECT: the broker may report the DISCONNECT first
    security.disconnected(quick, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    assertThat(security.publish(security.session(quick.id(), "a"), "factory/press-1/temp").allowed()).isTrue();
    passwd.remove("press-2");
    assertThat(security.publish(security.session(revoked.id(), "b"), "factory/press-2/temp"))
        .as("before the broker has even closed it").isEqualTo(Decision.deny("the connection is not authenticated"));
  }

  // ------------------------------------------------------------------------------------------- DISCONNECT

  @Test
  void disconnects_areAudited_withWhoEndedThem() {
    start();
    ClientSession a = connect("press-1", "a");
    ClientSession b = connect("press-2", "b");
    security.disconnected(a, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    security.disconnected(b, SecurityEvent.Initiator.BROKER, "KEEP_ALIVE_TIMEOUT", true);
    security.disconnected(b, SecurityEvent.Initiator.BROKER, "twice", true);
    assertThat(events(SecurityEvent.ClientDisconnected.class)).extracting(e -> e.who().clientId() + " "
        + e.initiator() + " " + e.reason()).containsExactly("a CLIENT NORMAL_DISCONNECTION",
        "b BROKER KEEP_ALIVE_TIMEOUT");
    assertThat(security.connectedCount()).isZero();
  }

  // ---------------------------------------------------------------------------------------------- WILLS

  Will will(String topic, Duration delay) {
    return new Will(topic, delay, () -> wills.add(topic));
  }

  @Test
  void will_onATopicTheClientMayNotPublish_refusesTheConnect() {
    start();
    ConnectResult r = security.connect(request("press-1", "press-1").will(will("factory/press-2/alarm",
        Duration.ZERO)).build());
    assertThat(r.refusal()).contains(ConnectResult.Refusal.NOT_AUTHORIZED);
    assertThat(events(SecurityEvent.AuthFailed.class)).singleElement().satisfies(e -> {
      assertThat(e.outcome()).isEqualTo(AuthResult.Outcome.REFUSED);
      assertThat(e.reason()).isEqualTo("the will topic factory/press-2/alarm is refused: no rule matched");
    });
  }

  @Test
  void will_dueOnConnectionLoss_isPublished_butNotAfterANormalDisconnect() throws Exception {
    start();
    ClientSession lost = connect_withWill("press-1", "a", Duration.ZERO);
    ClientSession normal = connect_withWill("press-2", "b", Duration.ZERO);
    security.disconnected(normal, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    security.disconnected(lost, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    await(() -> !wills.isEmpty(), "the will");
    Thread.sleep(100);
    assertThat(wills).containsExactly("factory/press-1/status");
  }

  private ClientSession connect_withWill(String user, String clientId, Duration delay) {
    ConnectResult r = security.connect(request(user, clientId).will(will("factory/" + user + "/status", delay))
        .cleanStart(false).sessionExpiry(Duration.ofHours(1)).build());
    assertThat(r.accepted()).as("%s", r).isTrue();
    return r.session().orElseThrow();
  }

  @Test
  void will_isCheckedAgainWhenDue_anACLChangeSuppressesIt() throws Exception {
    start();
    ClientSession s = connect_withWill("press-1", "a", Duration.ZERO);
    Files.writeString(dir.resolve("acl.conf"), "user dashboard\ntopic read factory/#\n");
    assertThat(acl.reload()).isTrue();
    security.disconnected(s, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    await(() -> !events(SecurityEvent.WillSuppressed.class).isEmpty(), "the suppressed will");
    assertThat(wills).isEmpty();
    assertThat(events(SecurityEvent.WillSuppressed.class)).singleElement().satisfies(e -> {
      assertThat(e.topic()).isEqualTo("factory/press-1/status");
      assertThat(e.reason()).isEqualTo("the ACL in force refuses it: no rule matched");
    });
  }

  @Test
  void will_ofAConnectionMqttSecEnded_isNeverPublished() throws Exception {
    start();
    ClientSession s = connect_withWill("press-1", "a", Duration.ZERO);
    passwd.remove("press-1");
    assertThat(broker.disconnected).containsExactly("a: credential removed");
    // the broker reports the disconnect it was asked for as its own
    security.disconnected(s, SecurityEvent.Initiator.BROKER, "NOT_AUTHORIZED", true);
    assertThat(events(SecurityEvent.ClientDisconnected.class)).singleElement().satisfies(e -> {
      assertThat(e.initiator()).isEqualTo(SecurityEvent.Initiator.MQTT_SEC);
      assertThat(e.reason()).isEqualTo("credential removed");
    });
    assertThat(events(SecurityEvent.WillSuppressed.class)).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("mqtt-sec ended the connection (credential removed)"));
    Thread.sleep(100);
    assertThat(wills).isEmpty();
  }

  @Test
  void will_withADelay_waits_andAReconnectInTimeCancelsIt_whileACleanStartPublishesIt() throws Exception {
    start();
    ClientSession s = connect_withWill("press-1", "a", Duration.ofMillis(300));
    security.disconnected(s, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    connectPersistent("press-1", "a"); // back before the delay: the session goes on
    Thread.sleep(500);
    assertThat(wills).isEmpty();

    ClientSession t = connect_withWill("press-2", "b", Duration.ofSeconds(30));
    security.disconnected(t, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    connect("press-2", "b"); // a clean start ends the session: the will is due now
    await(() -> !wills.isEmpty(), "the will");
    assertThat(wills).containsExactly("factory/press-2/status");

    ClientSession u = connect_withWill("dashboard", "c", Duration.ofMillis(200));
    Files.writeString(dir.resolve("acl.conf"), ACL + "user dashboard\ntopic write factory/dashboard/status\n");
    acl.reload();
    security.disconnected(u, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    await(() -> wills.size() == 2, "the delayed will");
  }

  // ------------------------------------------------------------------------------------------ LIVE CHANGES

  @Test
  void aConnectedSessionsChecks_followEveryAclReload_throughTheViewItWasGivenAtConnect() throws Exception {
    start();
    ClientSession s = connect("press-1", "press-1");
    assertThat(security.publish(s, "factory/press-1/temp").reason()).isEqualTo("acl.conf:1 readwrite factory/%u/#");

    Files.writeString(dir.resolve("acl.conf"), "user press-1\ntopic deny factory/press-1/temp\n" + ACL);
    assertThat(acl.reload()).isTrue();
    assertThat(security.publish(s, "factory/press-1/temp").reason()).isEqualTo("acl.conf:2 deny factory/press-1/temp");
    assertThat(security.publish(s, "factory/press-1/hum").allowed()).isTrue();

    Files.writeString(dir.resolve("acl.conf"), "user press-1\ntopic read factory/press-1/cmd\n");
    assertThat(acl.reload()).isTrue();
    assertThat(security.publish(s, "factory/press-1/hum").reason()).isEqualTo("no rule matched");
    assertThat(security.subscribe(s, "factory/press-1/cmd")).isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void anAuthorizerThatCannotPrepareAClientsView_deniesEveryRequestOfIt() {
    Authorizer failing = new Authorizer() {
      @Override
      public Decision authorize(ClientIdentity who, Action action, String topic) {
        return Decision.allow("would allow");
      }

      @Override
      public View viewFor(ClientIdentity who) {
        throw new IllegalStateException("broken");
      }
    };
    security = BrokerSecurity.builder().acl(failing).broker(broker).audit(events::add)
        .authenticator(PasswordAuthenticator.builder(passwd).build()).build();
    ClientSession s = connect("press-1", "press-1");
    assertThat(security.publish(s, "factory/press-1/temp")).satisfies(d -> {
      assertThat(d.denied()).isTrue();
      assertThat(d.reason()).isEqualTo("internal error (IllegalStateException) while preparing the client's ACL "
          + "rules; denied");
    });
  }


  @Test
  void aclReload_removesRefusedSubscriptions_judgingOfflineSessionsByTheirOwner() throws Exception {
    start();
    ClientSession board = connectPersistent("dashboard", "board");
    broker.session("board", "factory/#");
    security.disconnected(board, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    connect("press-1", "press-1");
    broker.session("press-1", "factory/press-1/#", "factory/press-1/cmd");
    broker.session("stranger", "factory/#"); // no owner recorded: judged as anonymous

    assertThat(acl.reload()).as("a byte-identical ACL").isTrue();
    assertThat(broker.sessions.get("board")).containsExactly("factory/#");
    assertThat(broker.sessions.get("press-1")).hasSize(2);
    assertThat(broker.sessions.get("stranger")).isEmpty();

    Files.writeString(dir.resolve("acl.conf"), "pattern read factory/%u/cmd\nuser dashboard\ntopic read "
        + "factory/+/temp\n");
    assertThat(acl.reload()).isTrue();
    assertThat(broker.sessions.get("board")).isEmpty();
    assertThat(broker.sessions.get("press-1")).containsExactly("factory/press-1/cmd");
    assertThat(events(SecurityEvent.AccessDenied.class)).allSatisfy(e -> assertThat(e.reason())
        .endsWith("(subscription removed after an ACL reload)"));
  }

  @Test
  void passwordChanges_resetAndRemovalEndTheConnection_rotationKeepsIt() {
    start();
    ClientSession p1 = connect("press-1", "a");
    ClientSession p2 = connect("press-2", "b");
    ClientSession board = connect("dashboard", "c");
    passwd.rotate("press-2", "new".getBytes(StandardCharsets.UTF_8), Instant.now().plus(Duration.ofDays(1)));
    passwd.put("press-1", "new".getBytes(StandardCharsets.UTF_8));
    passwd.remove("dashboard");
    assertThat(broker.disconnected).containsExactly("a: password replaced", "c: credential removed");
    assertThat(security.session(p2.id())).isPresent();
    assertThat(p1).isNotEqualTo(board);
  }

  @Test
  void passwordRehash_byUpgradeOnLogin_keepsTheConnection() throws Exception {
    Files.writeString(dir.resolve("passwd"), "press-1:" + PasswordHasher.pbkdf2Sha512(1000)
        .hash("press-1-secret".getBytes(StandardCharsets.UTF_8)).encoded() + "\n");
    CredentialFile strong = CredentialFile.builder(dir.resolve("passwd")).hasher(PasswordHasher.pbkdf2Sha512(2000))
        .build();
    security = BrokerSecurity.builder().acl(acl).broker(broker).audit(events::add).credentials(strong)
        .authenticator(PasswordAuthenticator.builder(strong).upgradeOnLogin().build()).build();
    ClientSession s = connect("press-1", "a");
    assertThat(Files.readString(dir.resolve("passwd"))).contains("$7$2000$");
    assertThat(broker.disconnected).isEmpty();
    strong.put("press-1", "reset".getBytes(StandardCharsets.UTF_8));
    assertThat(broker.disconnected).containsExactly("a: password replaced");
    assertThat(s.method()).isEqualTo("password");
    strong.close();
  }

  /** Starts with an {@code mtls} listener naming clients by CN, trusting {@link #CA} and checking its CRL. */
  ClientCertificateVerifier startWithCrl() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(CA.certificate())));
    Files.writeString(dir.resolve("ca.crl"), Pem.encode(CA.crl(Duration.ofDays(7))));
    ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(dir.resolve("ca.pem"))
        .crl(dir.resolve("ca.crl")).build();
    security = builder().tls(verifier).listener("mtls", ListenerAuth.certificate(ListenerAuth.Identity.CN)).build();
    return verifier;
  }

  @Test
  void crlReload_endsConnectionsWhoseCertificateIsRevoked() throws Exception {
    HeldCertificate press = CA.issue("press-1").clientAuth().issue();
    HeldCertificate other = CA.issue("press-2").clientAuth().issue();
    try (ClientCertificateVerifier verifier = startWithCrl()) {
      security.connect(ConnectRequest.builder("mtls", "a").certificateChain(chain(press)).build());
      security.connect(ConnectRequest.builder("mtls", "b").certificateChain(chain(other)).build());
      CA.revoke(press.certificate().getSerialNumber());
      Files.writeString(dir.resolve("ca.crl"), Pem.encode(CA.crl(Duration.ofDays(7))));
      assertThat(verifier.reload()).isTrue();
      assertThat(broker.disconnected).singleElement().asString().startsWith("a: certificate no longer accepted: "
          + "certificate serial ").contains("is revoked by the CRL from CN=Unit CA");
    }
  }

  @Test
  void will_whosePasswordWasResetDuringItsDelay_isSuppressed() throws Exception {
    start();
    ClientSession s = connect_withWill("press-1", "a", Duration.ofMillis(300));
    security.disconnected(s, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    passwd.put("press-1", "a new secret".getBytes(StandardCharsets.UTF_8));
    await(() -> !events(SecurityEvent.WillSuppressed.class).isEmpty(), "the suppressed will");
    assertThat(events(SecurityEvent.WillSuppressed.class)).singleElement().satisfies(e ->
        assertThat(e.reason()).isEqualTo("the password it connected with is no longer valid"));
    assertThat(wills).isEmpty();
  }

  @Test
  void certificateLogins_areAuditedOnce_andAWillOfARevokedCertificateIsSuppressed() throws Exception {
    HeldCertificate press = CA.issue("press-1").clientAuth().issue();
    try (ClientCertificateVerifier verifier = startWithCrl()) {
      ConnectResult r = security.connect(ConnectRequest.builder("mtls", "a").certificateChain(chain(press))
          .will(will("factory/press-1/status", Duration.ofMillis(300))).cleanStart(false)
          .sessionExpiry(Duration.ofHours(1)).build());
      assertThat(r.accepted()).as("%s", r).isTrue();
      assertThat(events(SecurityEvent.AuthSucceeded.class)).singleElement().satisfies(e -> {
        assertThat(e.method()).isEqualTo("certificate");
        assertThat(e.who().username()).contains("press-1");
      });
      security.disconnected(r.session().orElseThrow(), SecurityEvent.Initiator.CLIENT, "connection lost", true);
      CA.revoke(press.certificate().getSerialNumber());
      Files.writeString(dir.resolve("ca.crl"), Pem.encode(CA.crl(Duration.ofDays(7))));
      assertThat(verifier.reload()).isTrue();
      await(() -> !events(SecurityEvent.WillSuppressed.class).isEmpty(), "the suppressed will");
      assertThat(events(SecurityEvent.WillSuppressed.class)).singleElement().satisfies(e ->
          assertThat(e.reason()).startsWith("its certificate is no longer accepted: certificate serial "));
      assertThat(wills).isEmpty();
    }
  }

  @Test
  void aUsersConnectionLimit_countsOpenConnections_takeoversAndDisconnectsIncluded() {
    security = builder().limits(Limits.builder().clients(ClientLimits.builder().maxConnections(1).build()).build())
        .build();
    ClientSession first = connect("press-1", "a");
    ConnectResult second = security.connect(request("press-1", "b").build());
    assertThat(second.refusal()).contains(ConnectResult.Refusal.QUOTA_EXCEEDED);
    ClientSession again = connect("press-1", "a"); // takes over its own connection: still one
    assertThat(connect("press-2", "c")).as("another user has its own count").isNotNull();
    security.disconnected(first, SecurityEvent.Initiator.BROKER, "taken over", false);
    assertThat(security.connect(request("press-1", "b").build()).accepted()).as("the takeover still holds the one")
        .isFalse();
    security.disconnected(again, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    assertThat(security.connect(request("press-1", "b").build()).accepted()).as("released on disconnect").isTrue();
  }

  @Test
  void aCertificateOrAnonymousConnect_isDecidedAtOnce() throws Exception {
    HeldCertificate press = CA.issue("press-1").clientAuth().issue();
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(CA.certificate())));
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(dir.resolve("ca.pem")).build()) {
      security = builder().tls(verifier).anonymous(true)
          .listener("mtls", ListenerAuth.certificate(ListenerAuth.Identity.CN)).build();
      String caller = Thread.currentThread().getName();
      List<String> decidedOn = new CopyOnWriteArrayList<>();
      security.connectLater(ConnectRequest.builder("mtls", "a").certificateChain(chain(press)).build(),
          () -> decidedOn.add("handed over"), r -> decidedOn.add(Thread.currentThread().getName() + " "
              + r.accepted()));
      security.connectLater(ConnectRequest.builder("tls", "anon").build(), () -> decidedOn.add("handed over"),
          r -> decidedOn.add(Thread.currentThread().getName() + " " + r.accepted()));
      assertThat(decidedOn).containsExactly(caller + " true", caller + " true");
    }
  }

  // -------------------------------------------------------------------------------------------- BUILDER

  @Test
  void builder_failsFast_onMissingOrRepeatedSettings() {
    assertThatThrownBy(() -> BrokerSecurity.builder().broker(broker).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("an ACL is required: acl(...)");
    assertThatThrownBy(() -> BrokerSecurity.builder().acl(acl).broker(broker).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a listener checks passwords, but no password authenticator is set: authenticator(...)");
    assertThatThrownBy(() -> BrokerSecurity.builder().clientIdPolicy(ClientIdPolicy.ANY)
        .clientIdPolicy(ClientIdPolicy.OWNED)).isInstanceOf(IllegalStateException.class)
        .hasMessage("client-id policy was already set to any");
    assertThatThrownBy(() -> request("a", "b").password(new byte[1])).isInstanceOf(IllegalStateException.class)
        .hasMessage("the password was already set");
  }

  @Test
  void connectRequest_toString_neverShowsThePassword() {
    assertThat(request("press-1", "p").build().toString()).doesNotContain("secret").contains("user=press-1");
  }

  @Test
  void check_actions_mapToTheAcl() {
    start();
    ClientSession board = connect("dashboard", "board");
    assertThat(security.subscribe(board, "factory/#").allowed()).isTrue();
    assertThat(security.subscribe(board, "$share/g/factory/+/temp").allowed()).isTrue();
    assertThat(security.deliver(board, "factory/press-1/temp").allowed()).isTrue();
    assertThat(security.publish(board, "factory/press-1/temp").denied()).isTrue();
    assertThat(events(SecurityEvent.AccessDenied.class)).singleElement()
        .satisfies(e -> assertThat(e.action()).isEqualTo(Action.PUBLISH));
  }

  @Test
  void everyBuilderSetting_mayBeGivenOnce_andLoginThreadsAreBounded() {
    // audit listeners add up, and anonymous is a plain switch: neither is here
    PasswordAuthenticator auth = PasswordAuthenticator.builder(passwd).build();
    List<java.util.function.Consumer<BrokerSecurity.Builder>> settings = List.of(b -> b.acl(acl),
        b -> b.authenticator(auth), b -> b.credentials(passwd), b -> b.broker(broker),
        b -> b.defaultAuthentication(ListenerAuth.password()), b -> b.clientIdPolicy(ClientIdPolicy.ANY),
        b -> b.sessionOwners(SessionOwners.inMemory()), b -> b.detection(Detection.DEFAULT),
        b -> b.clock(java.time.Clock.systemUTC()), b -> b.limits(Limits.NONE));
    for (int i = 0; i < settings.size(); i++) {
      java.util.function.Consumer<BrokerSecurity.Builder> setting = settings.get(i);
      BrokerSecurity.Builder b = BrokerSecurity.builder();
      setting.accept(b);
      assertThatThrownBy(() -> setting.accept(b)).as("setting %d twice", i)
          .isInstanceOf(IllegalStateException.class);
    }
    assertThatThrownBy(() -> BrokerSecurity.builder().loginThreads(0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("login threads must be 1 or more and the queue 0 or more, not 0 and 10");
    assertThatThrownBy(() -> BrokerSecurity.builder().loginThreads(1, -1))
        .isInstanceOf(IllegalArgumentException.class);
    BrokerSecurity.builder().loginThreads(1, 0);
  }
}
