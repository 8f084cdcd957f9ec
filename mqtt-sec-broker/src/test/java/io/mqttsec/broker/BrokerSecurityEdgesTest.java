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
import io.mqttsec.api.Authenticator;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.creds.PasswordHasher;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker layer's decisions on their less travelled paths: a login queue that is full, a check that dies with
 * an {@link Error}, a component that throws where mqtt-sec must still decide, the order in which waiting logins
 * are decided, each connect limit's scope and code, and every reservation given back when a CONNECT fails after
 * taking it. {@link BrokerSecurityTest} covers the paths a broker takes every day.
 */
class BrokerSecurityEdgesTest {

  static final String CALLER = Thread.currentThread().getName();

  @TempDir
  Path dir;
  final FakeBroker broker = new FakeBroker();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  BrokerSecurity security;

  @AfterEach
  void close() {
    if (security != null) {
      security.close();
    }
  }

  /** Accepts a password equal to the user name plus "-pw"; answers at once and is never "returning". */
  static final Authenticator BY_NAME = (who, password) -> new String(password, StandardCharsets.UTF_8)
      .equals(who.username().orElse("") + "-pw") ? AuthResult.success(who.username().orElseThrow(), "ok")
      : AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "wrong password");

  static final Authorizer ALLOW_ALL = (who, action, topic) -> Decision.allow("all");

  BrokerSecurity.Builder builder(Authenticator authenticator) {
    return BrokerSecurity.builder().acl(ALLOW_ALL).broker(broker).audit(events::add).authenticator(authenticator);
  }

  static ConnectRequest.Builder request(String user, String clientId, String address) throws Exception {
    return ConnectRequest.builder("tls", clientId).username(user).password((user + "-pw").getBytes(
        StandardCharsets.UTF_8)).remoteAddress(InetAddress.getByName(address));
  }

  static ConnectRequest.Builder anonymous(String clientId, String address) throws Exception {
    return ConnectRequest.builder("tls", clientId).remoteAddress(InetAddress.getByName(address));
  }

  <T extends SecurityEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** What connectLater decided, and on which thread. */
  record Later(ConnectResult result, String thread) {
  }

  CompletableFuture<Later> later(ConnectRequest request) {
    CompletableFuture<Later> out = new CompletableFuture<>();
    security.connectLater(request, () -> { }, r -> out.complete(new Later(r, Thread.currentThread().getName())));
    return out;
  }

  static Later get(CompletableFuture<Later> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------------------------------- login threads

  /** An authenticator whose logins wait for {@link #open} after they started, recording their order. */
  static final class Gate implements Authenticator {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
    final List<String> order = new CopyOnWriteArrayList<>();
    final Set<String> returning = ConcurrentHashMap.newKeySet();
    final Set<String> throwing = ConcurrentHashMap.newKeySet();

    @Override
    public AuthResult authenticate(ClientIdentity who, byte[] password) {
      order.add(who.username().orElseThrow());
      started.countDown();
      try {
        open.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return BY_NAME.authenticate(who, password);
    }

    @Override
    public boolean likelyReturning(ClientIdentity who) {
      String user = who.username().orElseThrow();
      if (throwing.contains(user)) {
        throw new IllegalStateException("cannot tell");
      }
      return returning.contains(user);
    }
  }

  @Test
  void aFullLoginQueue_refusesAtOnce_asUnavailable_withAnErrorLine() throws Exception {
    Gate gate = new Gate();
    security = builder(gate).loginThreads(1, 1).build();
    CompletableFuture<Later> running = later(request("a", "a", "10.0.0.1").build());
    assertThat(gate.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Later> queued = later(request("b", "b", "10.0.0.1").build());
    Later full = get(later(request("c", "c", "10.0.0.1").build()));
    assertThat(full.result().accepted()).isFalse();
    assertThat(full.result().refusal()).contains(ConnectResult.Refusal.SERVER_UNAVAILABLE);
    assertThat(full.thread()).as("refused on the caller's thread").isEqualTo(CALLER);
    assertThat(events(SecurityEvent.AuthFailed.class)).singleElement().satisfies(f -> {
      assertThat(f.outcome()).isEqualTo(AuthResult.Outcome.ERROR);
      assertThat(f.reason()).isEqualTo("the verification queue was full; refused");
      assertThat(f.who().username()).contains("c");
    });
    gate.open.countDown();
    assertThat(get(running).result().accepted()).isTrue();
    assertThat(get(queued).result().accepted()).isTrue();
  }

  @Test
  void waitingLogins_knownClientsComingBackGoFirst_andAnAuthenticatorThatCannotTellPutsThemLast()
      throws Exception {
    Gate gate = new Gate();
    gate.returning.add("known");
    gate.throwing.add("odd");
    security = builder(gate).loginThreads(1, 10).build();
    List<CompletableFuture<Later>> all = new ArrayList<>();
    all.add(later(request("first", "first", "10.0.0.1").build()));
    assertThat(gate.started.await(10, TimeUnit.SECONDS)).isTrue();
    for (String user : List.of("guess", "odd", "known")) {
      all.add(later(request(user, user, "10.0.0.1").build()));
    }
    gate.open.countDown();
    for (CompletableFuture<Later> f : all) {
      assertThat(get(f).result().accepted()).isTrue();
    }
    assertThat(gate.order).containsExactly("first", "known", "guess", "odd");
  }

  @Test
  void aCheckThatDiesWithAnError_refusesTheConnect_andAuditsIt() throws Exception {
    security = builder((who, password) -> {
      throw new AssertionError("a broken check");
    }).build();
    Later died = get(later(request("a", "a", "10.0.0.1").build()));
    assertThat(died.result().accepted()).isFalse();
    assertThat(died.result().refusal()).contains(ConnectResult.Refusal.NOT_AUTHORIZED);
    assertThat(events(SecurityEvent.AuthFailed.class)).singleElement().satisfies(f -> {
      assertThat(f.outcome()).isEqualTo(AuthResult.Outcome.ERROR);
      assertThat(f.reason()).isEqualTo("internal error (AssertionError) while connecting; refused");
    });
    assertThat(security.connectedCount()).isZero();
  }

  @Test
  void whoAnswersAtOnce_isDecidedOnTheCallersThread_andAnAuthenticatorThatThrowsThereHandsOver() throws Exception {
    Authenticator neverAtOnce = BY_NAME::authenticate;
    security = builder(neverAtOnce).anonymous(true).build();
    assertThat(get(later(anonymous("anon", "10.0.0.1").build())).thread()).as("anonymous: nothing to hash")
        .isEqualTo(CALLER);
    assertThat(get(later(request("a", "a", "10.0.0.1").build())).thread()).isNotEqualTo(CALLER);
    security.close();
    Authenticator throwing = new Authenticator() {
      @Override
      public AuthResult authenticate(ClientIdentity who, byte[] password) {
        return BY_NAME.authenticate(who, password);
      }

      @Override
      public boolean answersAtOnce(ClientIdentity who, byte[] password) {
        throw new IllegalStateException("cannot tell");
      }
    };
    security = builder(throwing).build();
    Later handed = get(later(request("b", "b", "10.0.0.1").build()));
    assertThat(handed.result().accepted()).isTrue();
    assertThat(handed.thread()).isNotEqualTo(CALLER);
  }

  @Test
  void aCallbackThatThrowsBeforeWaiting_givesTheAddressItsAdmissionBack() throws Exception {
    // an anonymous persistent session is tried at once, must wait for the journal, and holds the address's
    // admission when the broker's switch to answering later fails
    security = builder(BY_NAME).anonymous(true).sessionOwners(SessionOwners.file(dir.resolve("owners")))
        .limits(Limits.builder().addressMaxConnections(1).build()).build();
    ConnectRequest persistent = anonymous("p", "10.0.0.1").cleanStart(false).sessionExpiry(Duration.ofHours(1))
        .build();
    assertThatThrownBy(() -> security.connectLater(persistent, () -> {
      throw new IllegalStateException("the broker cannot wait");
    }, r -> { })).hasMessage("the broker cannot wait");
    ConnectResult next = security.connect(anonymous("q", "10.0.0.1").build());
    assertThat(next.accepted()).as("%s", next).isTrue();
  }

  @Test
  void aFullQueue_givesTheAddressTheAdmissionOfAConnectTriedAtOnce() throws Exception {
    Gate gate = new Gate();
    security = builder(gate).anonymous(true).loginThreads(1, 1).sessionOwners(SessionOwners.file(
        dir.resolve("owners"))).limits(Limits.builder().addressMaxConnections(2).build()).build();
    CompletableFuture<Later> running = later(request("a", "a", "10.0.0.9").build());
    assertThat(gate.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Later> queued = later(request("b", "b", "10.0.0.9").build());
    Later full = get(later(anonymous("p", "10.0.0.1").cleanStart(false).sessionExpiry(Duration.ofHours(1))
        .build()));
    assertThat(full.result().refusal()).contains(ConnectResult.Refusal.SERVER_UNAVAILABLE);
    gate.open.countDown();
    assertThat(get(running).result().accepted()).isTrue();
    assertThat(get(queued).result().accepted()).isTrue();
    assertThat(security.connect(anonymous("q", "10.0.0.1").build()).accepted()).isTrue();
    assertThat(security.connect(anonymous("r", "10.0.0.1").build()).accepted()).as("two, not one").isTrue();
  }

  // --------------------------------------------------------------------------------------- connect limits

  @Test
  void aRefusedConnect_givesItsAddressItsConnectionBack() throws Exception {
    security = builder(BY_NAME).limits(Limits.builder().addressMaxConnections(1).build()).build();
    ConnectResult wrong = security.connect(ConnectRequest.builder("tls", "a").username("a").password("x".getBytes(
        StandardCharsets.UTF_8)).remoteAddress(InetAddress.getByName("10.0.0.1")).build());
    assertThat(wrong.refusal()).contains(ConnectResult.Refusal.BAD_CREDENTIALS);
    assertThat(security.connect(request("a", "a", "10.0.0.1").build()).accepted()).isTrue();
  }

  @Test
  void eachConnectLimit_refusesWithItsCode_andReportsItsScope_sinceItsFirstExcess() throws Exception {
    security = builder(BY_NAME).limits(Limits.builder().addressConnectRate(Rate.of(0.001, 1))
        .prefixMaxConnections(2).brokerConnectRate(Rate.of(0.001, 3)).build()).build();
    assertThat(security.connect(request("a", "a", "10.0.0.1").build()).accepted()).isTrue();
    assertThat(security.connect(request("a", "a2", "10.0.0.1").build()).refusal()).contains(
        ConnectResult.Refusal.CONNECTION_RATE_EXCEEDED);
    assertThat(security.connect(request("b", "b", "10.0.0.2").build()).accepted()).isTrue();
    assertThat(security.connect(request("c", "c", "10.0.0.3").build()).refusal()).contains(
        ConnectResult.Refusal.QUOTA_EXCEEDED);
    assertThat(security.connect(request("d", "d", "10.0.1.4").build()).accepted()).isTrue();
    assertThat(security.connect(request("e", "e", "10.0.2.5").build()).refusal()).contains(
        ConnectResult.Refusal.CONNECTION_RATE_EXCEEDED);
    List<SecurityEvent.LimitExceeded> limits = events(SecurityEvent.LimitExceeded.class);
    assertThat(limits).extracting(e -> e.limit() + " " + e.scope() + " " + e.verdict() + " " + e.count())
        .containsExactly("address-connect-rate address 10.0.0.1 refused 1",
            "prefix-connections prefix 10.0.0.0/24 refused 1", "broker-connect-rate broker refused 1");
    assertThat(limits).allSatisfy(e -> assertThat(e.since()).isEqualTo(e.time()));
    assertThat(security.counters().value("limit.exceeded")).isEqualTo(3);
  }

  @Test
  void aUsersConnectionIsGivenBack_whenRecordingItsOwnerFails() throws Exception {
    boolean[] failing = {true};
    SessionOwners owners = new SessionOwners() {
      final Map<String, String> map = new ConcurrentHashMap<>();

      @Override
      public Optional<String> owner(String clientId) {
        return Optional.ofNullable(map.get(clientId));
      }

      @Override
      public void record(String clientId, String owner) {
        if (failing[0]) {
          throw new IllegalStateException("disk full");
        }
        map.put(clientId, owner);
      }

      @Override
      public void forget(String clientId) {
        map.remove(clientId);
      }

      @Override
      public int size() {
        return map.size();
      }

      @Override
      public void close() {
      }
    };
    security = builder(BY_NAME).sessionOwners(owners).limits(Limits.builder().clients(ClientLimits.builder()
        .maxConnections(1).build()).build()).build();
    ConnectRequest persistent = request("a", "a", "10.0.0.1").cleanStart(false).sessionExpiry(Duration.ofHours(1))
        .build();
    ConnectResult failed = security.connect(persistent);
    assertThat(failed.refusal()).contains(ConnectResult.Refusal.NOT_AUTHORIZED);
    assertThat(events(SecurityEvent.AuthFailed.class)).singleElement().extracting(SecurityEvent.AuthFailed::reason)
        .isEqualTo("internal error (IllegalStateException) while connecting; refused");
    failing[0] = false;
    assertThat(security.connect(request("a", "a", "10.0.0.1").cleanStart(false).sessionExpiry(Duration.ofHours(1))
        .build()).accepted()).as("the failed CONNECT holds none of a's one connection").isTrue();
  }

  @Test
  void aSessionThatEndsWithItsConnection_isOwnedUntilDisconnect_aPersistentOneIsRecorded() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    SessionOwners inner = SessionOwners.inMemory();
    SessionOwners owners = new SessionOwners() {
      @Override
      public Optional<String> owner(String clientId) {
        return inner.owner(clientId);
      }

      @Override
      public void record(String clientId, String owner) {
        calls.add("record " + clientId);
        inner.record(clientId, owner);
      }

      @Override
      public void recordUntilDisconnect(String clientId, String owner) {
        calls.add("until-disconnect " + clientId);
        inner.recordUntilDisconnect(clientId, owner);
      }

      @Override
      public void forget(String clientId) {
        inner.forget(clientId);
      }

      @Override
      public int size() {
        return inner.size();
      }

      @Override
      public void close() {
        calls.add("close");
      }
    };
    security = builder(BY_NAME).sessionOwners(owners).build();
    security.connect(request("a", "clean", "10.0.0.1").build());
    security.connect(request("a", "expiring", "10.0.0.1").sessionExpiry(Duration.ofMinutes(1)).build());
    security.connect(request("a", "resumed", "10.0.0.1").cleanStart(false).build());
    security.close();
    assertThat(calls).containsExactly("until-disconnect clean", "record expiring", "record resumed", "close");
    security = null;
  }

  // ------------------------------------------------------------------------------------- subscriptions

  @Test
  void aResumedSession_countsTheSubscriptionsItHolds_againstItsLimit() throws Exception {
    broker.sessions.put("a", new HashSet<>(Set.of("x/1", "x/2")));
    security = builder(BY_NAME).limits(Limits.builder().clients(ClientLimits.builder().maxSubscriptions(2)
        .build()).build()).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").cleanStart(false).build()).session()
        .orElseThrow();
    assertThat(security.subscribe(s, "x/1")).isEqualTo(Verdict.ALLOWED);
    Verdict third = security.subscribe(s, "x/3");
    assertThat(third.kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    assertThat(third.reason()).isEqualTo("more than 2 subscriptions");
    assertThat(events(SecurityEvent.LimitExceeded.class)).singleElement().satisfies(e -> {
      assertThat(e.limit()).isEqualTo("subscriptions");
      assertThat(e.scope()).isEqualTo("client");
    });
  }

  @Test
  void aSubscriptionTheAclRefuses_isNotAuthorized_withTheAclsReason() throws Exception {
    security = BrokerSecurity.builder().acl((who, action, topic) -> topic.startsWith("ok/") ? Decision.allow("ok")
        : Decision.deny("not yours")).broker(broker).audit(events::add).authenticator(BY_NAME).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    assertThat(security.subscribe(s, "ok/1")).isEqualTo(Verdict.ALLOWED);
    assertThat(security.subscribe(s, "no/1")).isEqualTo(new Verdict(Verdict.Kind.NOT_AUTHORIZED, "not yours"));
  }

  @Test
  void anAclReload_thatRemovesASubscription_freesItsPlaceUnderTheLimit() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "pattern readwrite x/#\n");
    try (ReloadingAcl acl = ReloadingAcl.builder(dir.resolve("acl.conf")).pollInterval(Duration.ofHours(1))
        .build()) {
      security = BrokerSecurity.builder().acl(acl).broker(broker).audit(events::add).authenticator(BY_NAME)
          .limits(Limits.builder().clients(ClientLimits.builder().maxSubscriptions(1).build()).build()).build();
      ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
      assertThat(security.subscribe(s, "x/1")).isEqualTo(Verdict.ALLOWED);
      broker.sessions.put("a", new HashSet<>(Set.of("x/1")));
      Files.writeString(dir.resolve("acl.conf"), "pattern readwrite y/#\n");
      acl.reload();
      assertThat(broker.sessions.get("a")).isEmpty();
      assertThat(security.subscribe(s, "y/1")).as("x/1 no longer counts").isEqualTo(Verdict.ALLOWED);
    }
  }

  @Test
  void anAclReload_whoseSweepFails_keepsTheNewAcl_andSaysSo() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "pattern readwrite x/#\n");
    FakeBroker failing = new FakeBroker() {
      @Override
      public void forEachSession(java.util.function.BiConsumer<String, Set<String>> consumer) {
        throw new IllegalStateException("broker stopping");
      }
    };
    try (ReloadingAcl acl = ReloadingAcl.builder(dir.resolve("acl.conf")).pollInterval(Duration.ofHours(1))
        .build()) {
      security = BrokerSecurity.builder().acl(acl).broker(failing).audit(events::add).authenticator(BY_NAME)
          .build();
      Files.writeString(dir.resolve("acl.conf"), "pattern readwrite y/#\n");
      acl.reload();
      assertThat(events(SecurityEvent.PolicyReloadFailed.class)).singleElement().satisfies(e -> {
        assertThat(e.source()).isEqualTo("subscriptions");
        assertThat(e.error()).isEqualTo("the new ACL is in force, but removing the subscriptions it refuses "
            + "failed (IllegalStateException)");
      });
      assertThat(acl.authorize(ClientIdentity.of("a", "a"), Action.PUBLISH, "y/1").allowed()).isTrue();
    }
  }

  // ------------------------------------------------------------------------------------------ PUBLISH

  @Test
  void withoutPublishLimits_admitIsAllowed() throws Exception {
    security = builder(BY_NAME).limits(Limits.NONE).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    assertThat(security.admit(s, "t", Integer.MAX_VALUE)).isSameAs(Verdict.ALLOWED);
  }

  @Test
  void anExcessOfAConnectionThatEndedNormally_isRefused_withNothingToEnd() throws Exception {
    security = builder(BY_NAME).limits(Limits.builder().clients(ClientLimits.builder().maxMessageBytes(10).build())
        .build()).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    security.disconnected(s, SecurityEvent.Initiator.CLIENT, "DISCONNECT", false);
    Verdict v = security.admit(s, "t", 11);
    assertThat(v).isEqualTo(new Verdict(Verdict.Kind.QUOTA_EXCEEDED, "message of 11 bytes, more than 10"));
    assertThat(broker.disconnected).isEmpty();
    assertThat(security.admit(s, "t", 10)).isSameAs(Verdict.ALLOWED);
  }

  @Test
  void aConnectionMqttSecEnded_answersForNothing_andEndingItWhenTheBrokerFailsIsReported() throws Exception {
    FakeBroker failing = new FakeBroker() {
      @Override
      public void disconnect(String clientId, DisconnectReason code, String reason) {
        throw new IllegalStateException("gone");
      }
    };
    security = BrokerSecurity.builder().acl(ALLOW_ALL).broker(failing).audit(events::add).authenticator(BY_NAME)
        .limits(Limits.builder().clients(ClientLimits.builder().maxMessageBytes(10).build()).build()).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    assertThat(security.session(s.id(), "a")).isSameAs(s);
    assertThat(security.admit(s, "t", 11).kind()).isEqualTo(Verdict.Kind.DISCONNECTED);
    assertThat(events(SecurityEvent.PolicyReloadFailed.class)).singleElement().satisfies(e -> {
      assertThat(e.source()).isEqualTo("disconnect");
      assertThat(e.error()).isEqualTo("could not end the connection of a (IllegalStateException): message of 11 "
          + "bytes, more than 10");
    });
    assertThat(security.session(s.id(), "a").id()).as("a stand-in that every check denies").isEmpty();
    assertThat(security.publish(s, "t").denied()).isTrue();
  }

  @Test
  void checks_areCountedAndTimed_oneInSixtyFourStandingForAll() throws Exception {
    security = builder(BY_NAME).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    assertThat(security.counters().value("acl.check.nanos")).isZero();
    long before = System.nanoTime();
    security.publish(s, "t");
    long elapsed = System.nanoTime() - before;
    long timed = security.counters().value("acl.check.nanos");
    assertThat(timed).as("the first check is timed, for 64").isPositive().isLessThanOrEqualTo(64 * elapsed)
        .isEqualTo(timed / 64 * 64);
    for (int i = 0; i < 63; i++) {
      security.publish(s, "t");
    }
    assertThat(security.counters().value("acl.check.nanos")).as("the next 63 are not").isEqualTo(timed);
    security.publish(s, "t");
    assertThat(security.counters().value("acl.check.nanos")).isGreaterThan(timed);
    assertThat(security.counters().value("acl.allow")).isEqualTo(65);
  }

  // --------------------------------------------------------------------------------------------- wills

  @Test
  void aWillTheBrokerFailsToPublish_isReportedSuppressed() throws Exception {
    security = builder(BY_NAME).build();
    Will will = new Will("w/a", Duration.ZERO, () -> {
      throw new IllegalStateException("queue full");
    });
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").will(will).build()).session().orElseThrow();
    security.disconnected(s, SecurityEvent.Initiator.CLIENT, "connection lost", true);
    BrokerSecurityTest.await(() -> !events(SecurityEvent.WillSuppressed.class).isEmpty(), "the suppressed will");
    assertThat(events(SecurityEvent.WillSuppressed.class)).singleElement().extracting(
        SecurityEvent.WillSuppressed::reason).isEqualTo("the broker failed to publish it (IllegalStateException)");
  }

  @Test
  void aDelayedWill_ofASessionResumedByANewConnectionBeforeTheDelayEnds_isNeverDue() throws Exception {
    security = builder(BY_NAME).build();
    List<String> published = new CopyOnWriteArrayList<>();
    Will will = new Will("w/a", Duration.ofMillis(100), () -> published.add("w/a"));
    ClientSession old = security.connect(request("a", "a", "10.0.0.1").cleanStart(false).sessionExpiry(
        Duration.ofHours(1)).will(will).build()).session().orElseThrow();
    ClientSession resumed = security.connect(request("a", "a", "10.0.0.1").cleanStart(false).sessionExpiry(
        Duration.ofHours(1)).build()).session().orElseThrow();
    security.disconnected(old, SecurityEvent.Initiator.BROKER, "session taken over", true);
    Thread.sleep(400);
    assertThat(published).isEmpty();
    assertThat(events(SecurityEvent.WillSuppressed.class)).isEmpty();
    assertThat(security.session(resumed.id())).isPresent();
  }

  // ------------------------------------------------------------------------------------------ passwords

  @Test
  void aRotatedPassword_keepsItsSessionsForTheGrace_andNotPastIt() throws Exception {
    PasswordHasher cheap = PasswordHasher.pbkdf2Sha512(1000);
    Files.writeString(dir.resolve("passwd"), "");
    try (CredentialFile passwd = CredentialFile.builder(dir.resolve("passwd")).hasher(cheap).build()) {
      passwd.put("a", "a-pw".getBytes(StandardCharsets.UTF_8));
      passwd.put("b", "b-pw".getBytes(StandardCharsets.UTF_8));
      Clock twoDaysOn = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
      security = BrokerSecurity.builder().acl(ALLOW_ALL).broker(broker).audit(events::add).credentials(passwd)
          .clock(twoDaysOn).authenticator(PasswordAuthenticator.builder(passwd).noCache().build()).build();
      security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
      passwd.rotate("a", "new".getBytes(StandardCharsets.UTF_8), Instant.now().plus(Duration.ofDays(3)));
      assertThat(broker.disconnected).as("two days into a three-day grace").isEmpty();
      security.connect(request("b", "b", "10.0.0.1").build()).session().orElseThrow();
      passwd.rotate("b", "new".getBytes(StandardCharsets.UTF_8), Instant.now().plus(Duration.ofDays(1)));
      assertThat(broker.disconnected).as("two days into a one-day grace").containsExactly("b: password replaced");
    }
  }

  @Test
  void aUserTheFileDidNotKnowAtConnect_keepsTheConnectionWhenTheFileLearnsThem() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    try (CredentialFile passwd = CredentialFile.builder(dir.resolve("passwd")).hasher(PasswordHasher.pbkdf2Sha512(
        1000)).build()) {
      security = builder(BY_NAME).credentials(passwd).build();
      security.connect(request("ghost", "g", "10.0.0.1").build()).session().orElseThrow();
      passwd.put("ghost", "x".getBytes(StandardCharsets.UTF_8));
      assertThat(broker.disconnected).as("its login was not the file's to revoke").isEmpty();
    }
  }

  // -------------------------------------------------------------------------------------------- plumbing

  @Test
  void everyAuditListener_getsEveryEvent() throws Exception {
    List<SecurityEvent> second = new CopyOnWriteArrayList<>();
    security = builder(BY_NAME).audit(second::add).build();
    security.connect(anonymous("a", "10.0.0.1").build());
    assertThat(events).hasSize(1);
    assertThat(second).isEqualTo(events);
  }

  @Test
  void close_stopsTheLoginThreads_closesWhatItWasGiven_andFlushesAuditLogs() throws Exception {
    List<String> closed = new CopyOnWriteArrayList<>();
    List<String> lines = new CopyOnWriteArrayList<>();
    security = BrokerSecurity.builder().acl((who, action, topic) -> Decision.deny("no")).broker(broker)
        .authenticator(BY_NAME).audit(AuditLog.of(AuditFormat.MQTT_SEC, lines::add))
        .closing(() -> closed.add("watch")).closing(() -> {
          throw new IllegalStateException("already closed");
        }).closing(() -> closed.add("after")).warning("w").clock(Clock.systemUTC()).loginThreads(1, 1).build();
    assertThat(security.warnings()).containsExactly("w");
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    assertThat(security.connectedCount()).isEqualTo(1);
    assertThat(security).hasToString("BrokerSecurity{clientIds=owned, anonymous=false, connected=1, "
        + "owners=SessionOwners{in memory, 1 owned}}");
    for (int i = 0; i < AuditLog.DENIALS_PER_MINUTE + 2; i++) {
      security.publish(s, "t");
    }
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE);
    security.close();
    assertThat(closed).containsExactly("watch", "after");
    assertThat(lines).hasSize(1 + AuditLog.DENIALS_PER_MINUTE);
    assertThat(lines.get(lines.size() - 1)).contains("\"event\":\"acl.denied.suppressed\"")
        .contains("\"suppressed\":2");
    Later after = get(later(request("b", "b", "10.0.0.1").build()));
    assertThat(after.result().refusal()).as("no login thread after close").contains(
        ConnectResult.Refusal.SERVER_UNAVAILABLE);
    security.disconnected(s, SecurityEvent.Initiator.CLIENT, "DISCONNECT", false);
    assertThat(security.connectedCount()).isZero();
    security = null;
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void theTimersSweep_writesTheSummaryOfADenialWindowOnceItIsAMinuteOld() throws Exception {
    MovingClock clock = new MovingClock();
    List<String> lines = new CopyOnWriteArrayList<>();
    security = BrokerSecurity.builder().acl((who, action, topic) -> Decision.deny("no")).broker(broker)
        .authenticator(BY_NAME).audit(AuditLog.of(AuditFormat.MQTT_SEC, lines::add)).clock(clock).build();
    ClientSession s = security.connect(request("a", "a", "10.0.0.1").build()).session().orElseThrow();
    for (int i = 0; i < AuditLog.DENIALS_PER_MINUTE + 3; i++) {
      security.publish(s, "t");
    }
    security.sweep();
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE);
    clock.now = clock.now.plusSeconds(60);
    security.sweep();
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE + 1);
    assertThat(lines.get(AuditLog.DENIALS_PER_MINUTE)).contains("\"suppressed\":3");
  }

  @Test
  void theTimerThread_isADaemon_soItNeverKeepsAProcessAlive() throws Exception {
    security = builder(BY_NAME).build();
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().equals("mqtt-sec-broker"))
        .isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
  }

  @Test
  void counters_countEachKindOfEvent_andSampledChecksByTheirWeight() {
    SecurityCounters c = new SecurityCounters();
    ClientIdentity who = ClientIdentity.of("a", "a");
    Instant t = Instant.EPOCH;
    List<SecurityEvent> each = List.of(new SecurityEvent.AuthSucceeded(t, who, "password"),
        new SecurityEvent.AuthFailed(t, who, AuthResult.Outcome.BAD_CREDENTIALS, "x"),
        new SecurityEvent.ClientLockedOut(t, who, Duration.ofMinutes(1), 5),
        new SecurityEvent.AddressBlocked(t, InetAddress.getLoopbackAddress(), who, Duration.ofMinutes(1), 5),
        new SecurityEvent.TakeoverRefused(t, who, "b"),
        new SecurityEvent.PolicyReloadFailed(t, "acl", "x"),
        new SecurityEvent.ClientDisconnected(t, who, SecurityEvent.Initiator.MQTT_SEC, "x"),
        new SecurityEvent.ClientDisconnected(t, who, SecurityEvent.Initiator.CLIENT, "x"),
        new SecurityEvent.ClientDisconnected(t, who, SecurityEvent.Initiator.MQTT_SEC, "y"),
        new SecurityEvent.WillSuppressed(t, who, "w", "x"),
        new SecurityEvent.AlertRaised(t, "brute-force", who, "user a", 10, Duration.ofMinutes(1), "x"),
        new SecurityEvent.StoreUnavailable(t, "db", "down", true), new SecurityEvent.StoreRecovered(t, "db",
            Duration.ofSeconds(1)));
    each.forEach(c::on);
    c.decision(true);
    c.decision(false);
    c.decision(false);
    c.sampledCheck(100, 64);
    c.limitExceeded();
    Map<String, Long> expected = new java.util.LinkedHashMap<>();
    for (String name : List.of("auth.success", "auth.failure", "auth.lockout", "auth.address-blocked",
        "takeover.refused")) {
      expected.put(name, 1L);
    }
    expected.put("acl.allow", 1L);
    expected.put("acl.deny", 2L);
    expected.put("acl.check.nanos", 6400L);
    expected.put("reload.failure", 1L);
    expected.put("disconnect.mqtt-sec", 2L);
    expected.put("will.suppressed", 1L);
    expected.put("limit.exceeded", 1L);
    expected.put("alert", 1L);
    expected.put("store.unavailable", 1L);
    assertThat(c.snapshot()).containsExactlyEntriesOf(expected);
    assertThat(c.names()).containsExactlyElementsOf(expected.keySet());
    assertThat(c).hasToString("SecurityCounters" + expected);
    assertThatThrownBy(() -> c.value("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(
        "no counter nope (known: [auth.success, ");
  }

  @Test
  void builder_tlsIsSetOnce() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), io.mqttsec.tls.Pem.encode(List.of(BrokerSecurityTest.CA
        .certificate())));
    io.mqttsec.tls.ClientCertificateVerifier v = io.mqttsec.tls.ClientCertificateVerifier.builder(
        dir.resolve("ca.pem")).build();
    BrokerSecurity.Builder b = builder(BY_NAME).tls(v);
    assertThatThrownBy(() -> b.tls(v)).isInstanceOf(IllegalStateException.class).hasMessageStartingWith(
        "certificate verifier was already set to");
    v.close();
  }
}
