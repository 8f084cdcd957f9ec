/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.acl.ReloadingAcl;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.creds.PasswordHasher;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BrokerSecurity#connectLater}: which CONNECTs are decided on the broker's own thread (nothing to wait for)
 * and which go to a login thread (a slow hash, a question to the broker, a journal write), and that a CONNECT
 * tried at once and then handed over counts once against the address's rate.
 */
class ConnectLaterTest {

  static final String CALLER = Thread.currentThread().getName();

  @TempDir
  Path dir;
  final FakeBroker broker = new FakeBroker();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  CredentialFile passwd;
  ReloadingAcl acl;
  BrokerSecurity security;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "pattern readwrite factory/%u/#\n");
    Files.writeString(dir.resolve("passwd"), "");
    passwd = CredentialFile.builder(dir.resolve("passwd")).hasher(PasswordHasher.pbkdf2Sha512(1000)).build();
    passwd.put("person", secret("person"));
    CredentialFile generated = CredentialFile.builder(dir.resolve("passwd"))
        .hasher(PasswordHasher.forGeneratedSecrets()).build();
    for (String device : List.of("press-1", "press-2")) {
      generated.put(device, secret(device));
    }
    generated.close();
    passwd.reload();
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

  static byte[] secret(String user) {
    return (user + "-secret").getBytes(StandardCharsets.UTF_8);
  }

  void start(Limits limits, SessionOwners owners) {
    security = BrokerSecurity.builder().acl(acl).broker(broker).audit(events::add).limits(limits)
        .sessionOwners(owners)
        .authenticator(PasswordAuthenticator.builder(passwd).listener(e -> security.componentEvents().deliver(e))
            .build())
        .credentials(passwd).build();
  }

  static ConnectRequest.Builder request(String user, String clientId) throws Exception {
    return ConnectRequest.builder("tls", clientId).username(user).password(secret(user))
        .remoteAddress(InetAddress.getByName("127.0.0.9"));
  }

  /** Where one connectLater call was decided and waited. */
  record Outcome(ConnectResult result, String decidedOn, boolean returnedFirst, boolean handedOver) {
  }

  Outcome connectLater(ConnectRequest request) throws Exception {
    CompletableFuture<Outcome> out = new CompletableFuture<>();
    AtomicReference<Boolean> returned = new AtomicReference<>(false);
    AtomicReference<Boolean> handedOver = new AtomicReference<>(false);
    security.connectLater(request, () -> {
      assertThat(Thread.currentThread().getName()).isEqualTo(CALLER);
      handedOver.set(true);
    }, r -> out.complete(new Outcome(r, Thread.currentThread().getName(), returned.get(), handedOver.get())));
    returned.set(true);
    return out.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aGeneratedSecretOnACleanSession_isDecidedOnTheCallersThread_beforeConnectLaterReturns() throws Exception {
    start(Limits.DEFAULT, SessionOwners.inMemory());
    Outcome o = connectLater(request("press-1", "press-1").build());
    assertThat(o.result().accepted()).as("%s", o.result()).isTrue();
    assertThat(o.decidedOn()).isEqualTo(CALLER);
    assertThat(o.returnedFirst()).as("decided inside the call").isFalse();
    assertThat(o.handedOver()).isFalse();
    assertThat(events).filteredOn(SecurityEvent.AuthSucceeded.class::isInstance).hasSize(1);

    Outcome wrong = connectLater(ConnectRequest.builder("tls", "press-2").username("press-2")
        .password("guess".getBytes(StandardCharsets.UTF_8)).remoteAddress(InetAddress.getByName("127.0.0.9"))
        .build());
    assertThat(wrong.result().accepted()).isFalse();
    assertThat(wrong.decidedOn()).as("a wrong generated secret costs no more").isEqualTo(CALLER);
  }

  @Test
  void aTypedPassword_goesToALoginThread_untilItsLoginIsRemembered() throws Exception {
    start(Limits.DEFAULT, SessionOwners.inMemory());
    Outcome first = connectLater(request("person", "laptop").build());
    assertThat(first.result().accepted()).as("%s", first.result()).isTrue();
    assertThat(first.handedOver()).isTrue();
    assertThat(first.decidedOn()).startsWith("mqtt-sec-login-");

    Outcome again = connectLater(request("person", "laptop").build());
    assertThat(again.result().accepted()).isTrue();
    assertThat(again.decidedOn()).as("the login cache answers").isEqualTo(CALLER);
    assertThat(events).filteredOn(SecurityEvent.AuthSucceeded.class::isInstance).hasSize(2);
  }

  @Test
  void aResumedSessionWithASubscriptionLimit_isCountedOnALoginThread_andAdmittedOnce() throws Exception {
    // one CONNECT an hour from an address: a try at once that hands over must not spend it twice
    start(Limits.builder().clients(ClientLimits.DEVICE).addressConnectRate(Rate.of(1.0 / 3600, 1)).build(),
        SessionOwners.inMemory());
    broker.session("press-1", "factory/press-1/cmd");
    Outcome o = connectLater(request("press-1", "press-1").cleanStart(false).sessionExpiry(Duration.ofHours(1))
        .build());
    assertThat(o.result().accepted()).as("%s", o.result()).isTrue();
    assertThat(o.handedOver()).isTrue();
    assertThat(broker.askedOn).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("mqtt-sec-login-"));
    assertThat(events).filteredOn(SecurityEvent.AuthSucceeded.class::isInstance).as("one success line")
        .hasSize(1);

    Outcome next = connectLater(request("press-2", "press-2").build());
    assertThat(next.result().refusal()).as("the hour's one CONNECT is spent")
        .contains(ConnectResult.Refusal.CONNECTION_RATE_EXCEEDED);
  }

  @Test
  void anotherIdentitysClientId_isJudgedOnALoginThread_whereTheBrokerIsAsked() throws Exception {
    start(Limits.NONE, SessionOwners.inMemory());
    ClientSession owner = security.connect(request("press-1", "shared").cleanStart(false)
        .sessionExpiry(Duration.ofHours(1)).build()).session().orElseThrow();
    broker.session("shared");
    security.disconnected(owner, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
    broker.askedOn.clear();

    Outcome o = connectLater(request("press-2", "shared").build());
    assertThat(o.result().refusal()).contains(ConnectResult.Refusal.CLIENT_ID_NOT_VALID);
    assertThat(o.handedOver()).isTrue();
    assertThat(broker.askedOn).singleElement().asString().startsWith("mqtt-sec-login-");
    assertThat(events).filteredOn(SecurityEvent.TakeoverRefused.class::isInstance).hasSize(1);
  }

  @Test
  void aNewOwnerForTheJournal_isWrittenOnALoginThread_thenKnownOwnersGoAtOnce() throws Exception {
    start(Limits.NONE, SessionOwners.file(dir.resolve("owners")));
    ConnectRequest persistent = request("press-1", "press-1").sessionExpiry(Duration.ofHours(1)).build();
    Outcome first = connectLater(persistent);
    assertThat(first.result().accepted()).as("%s", first.result()).isTrue();
    assertThat(first.handedOver()).as("a journal write").isTrue();
    assertThat(Files.readString(dir.resolve("owners"))).contains("+ press-1 press-1");
    security.disconnected(first.result().session().orElseThrow(), SecurityEvent.Initiator.CLIENT,
        "NORMAL_DISCONNECTION", false);

    Outcome again = connectLater(persistent);
    assertThat(again.result().accepted()).isTrue();
    assertThat(again.decidedOn()).as("the journal already names this owner").isEqualTo(CALLER);
  }
}
