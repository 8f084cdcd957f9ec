/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordAuthenticatorTest {

  static final PasswordHasher FAST = PasswordHasher.pbkdf2Sha512(1000);

  @TempDir
  Path dir;
  Path file;
  final TestClock clock = new TestClock();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  CredentialFile store;

  @BeforeEach
  void setUp() throws Exception {
    file = dir.resolve("passwd");
    Files.writeString(file, "# test fleet\nalice:" + PasswordHashTest.MOSQUITTO_PBKDF2_1000 + "\n");
    store = CredentialFile.builder(file).hasher(FAST).clock(clock).build();
  }

  PasswordAuthenticator.Builder auth() {
    return PasswordAuthenticator.builder(store).clock(clock).listener(events::add);
  }

  static ClientIdentity who(String user) throws Exception {
    return ClientIdentity.of(user, "client-" + user).withRemoteAddress(InetAddress.getByName("127.0.0.7"));
  }

  static byte[] pw(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void authenticate_rightPassword_succeeds() throws Exception {
    AuthResult r = auth().build().authenticate(who("alice"), pw("pass"));
    assertThat(r.succeeded()).isTrue();
    assertThat(r.username()).contains("alice");
    assertThat(r.reason()).isEqualTo("password verified");
    assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthSucceeded.class,
        e -> assertThat(e.method()).isEqualTo("password"));
  }

  @Test
  void authenticate_wrongPasswordAndUnknownUser_lookTheSame() throws Exception {
    PasswordAuthenticator auth = auth().build();
    AuthResult wrong = auth.authenticate(who("alice"), pw("nope"));
    AuthResult unknown = auth.authenticate(who("mallory"), pw("pass"));
    assertThat(wrong.outcome()).isEqualTo(AuthResult.Outcome.BAD_CREDENTIALS);
    assertThat(unknown.outcome()).isEqualTo(AuthResult.Outcome.BAD_CREDENTIALS);
    assertThat(wrong.reason()).isEqualTo(unknown.reason()).isEqualTo("bad user name or password");
    assertThat(events).extracting(e -> ((SecurityEvent.AuthFailed) e).reason())
        .containsExactly("wrong password", "unknown user");
    assertThat(events.toString()).doesNotContain("nope");
  }

  @Test
  void authenticate_emptyOrNullPassword_neverMatches() throws Exception {
    PasswordAuthenticator auth = auth().build();
    assertThat(auth.authenticate(who("alice"), new byte[0]).outcome()).isEqualTo(AuthResult.Outcome.BAD_CREDENTIALS);
    assertThat(auth.authenticate(who("alice"), null).outcome()).isEqualTo(AuthResult.Outcome.BAD_CREDENTIALS);
  }

  @Test
  void authenticate_emptyUserName_isAnonymousAndRefused() {
    PasswordAuthenticator auth = auth().build();
    assertThat(auth.authenticate(ClientIdentity.of("", "c"), pw("pass")).outcome())
        .isEqualTo(AuthResult.Outcome.ANONYMOUS_REFUSED);
    assertThat(auth.authenticate(ClientIdentity.of(null, "c"), pw("pass")).outcome())
        .isEqualTo(AuthResult.Outcome.ANONYMOUS_REFUSED);
  }

  @Test
  void cache_secondLoginIsServedFromTheCache_andAWrongPasswordIsNot() throws Exception {
    PasswordAuthenticator auth = auth().build();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(auth.authenticate(who("alice"), pw("pas")).succeeded()).isFalse();
    assertThat(events).extracting(e -> e instanceof SecurityEvent.AuthSucceeded s ? s.method() : "failed")
        .containsExactly("password", "password (cached)", "failed");
  }

  @Test
  void cache_expiresAfterItsTimeToLive() throws Exception {
    PasswordAuthenticator auth = auth().cache(Duration.ofMinutes(1), 10).build();
    auth.authenticate(who("alice"), pw("pass"));
    clock.advance(Duration.ofSeconds(61));
    auth.authenticate(who("alice"), pw("pass"));
    assertThat(events).extracting(e -> ((SecurityEvent.AuthSucceeded) e).method())
        .containsExactly("password", "password");
  }

  @Test
  void cache_changedOrRemovedEntry_endsCachedLoginsAtOnce() throws Exception {
    PasswordAuthenticator auth = auth().build();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    store.put("alice", pw("rotated"));
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isFalse();
    assertThat(auth.authenticate(who("alice"), pw("rotated")).succeeded()).isTrue();
    // An edit by another tool, seen by a reload, counts the same.
    Files.writeString(file, "# emptied\n");
    assertThat(store.reload()).isTrue();
    assertThat(auth.authenticate(who("alice"), pw("rotated")).succeeded()).isFalse();
  }

  @Test
  void rotation_previousPasswordWorksUntilTheDeadlineOnly() throws Exception {
    PasswordAuthenticator auth = auth().noCache().build();
    store.rotate("alice", pw("fresh"), clock.instant().plus(Duration.ofDays(7)));
    assertThat(auth.authenticate(who("alice"), pw("fresh")).reason()).isEqualTo("password verified");
    AuthResult old = auth.authenticate(who("alice"), pw("pass"));
    assertThat(old.succeeded()).isTrue();
    assertThat(old.reason()).isEqualTo("password verified against the previous credential, accepted until "
        + clock.instant().plus(Duration.ofDays(7)));
    clock.advance(Duration.ofDays(7));
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isFalse();
    assertThat(auth.authenticate(who("alice"), pw("fresh")).succeeded()).isTrue();
  }

  @Test
  void rotation_cachedLoginWithThePreviousPassword_endsAtTheDeadline() throws Exception {
    PasswordAuthenticator auth = auth().cache(Duration.ofDays(30), 10).build();
    store.rotate("alice", pw("fresh"), clock.instant().plus(Duration.ofMinutes(1)));
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isFalse();
  }

  @Test
  void guard_lockedOutUser_isRefusedEvenWithTheRightPassword_butNotFromAnotherAddress() throws Exception {
    PasswordAuthenticator auth = auth().noCache().build();
    for (int i = 0; i < 5; i++) {
      auth.authenticate(who("alice"), pw("guess" + i));
    }
    AuthResult r = auth.authenticate(who("alice"), pw("pass"));
    assertThat(r.outcome()).isEqualTo(AuthResult.Outcome.LOCKED_OUT);
    ClientIdentity elsewhere = ClientIdentity.of("alice", "d").withRemoteAddress(InetAddress.getByName("127.0.0.8"));
    assertThat(auth.authenticate(elsewhere, pw("pass")).succeeded()).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(events).anyMatch(SecurityEvent.ClientLockedOut.class::isInstance);
  }

  @Test
  void upgradeOnLogin_rewritesAWeakHashWithTheCurrentPolicy() throws Exception {
    Files.writeString(file, "# fleet\nalice:" + PasswordHashTest.MOSQUITTO_SHA512 + "\nbob:"
        + PasswordHashTest.MOSQUITTO_PBKDF2 + "\n");
    store.reload();
    Credential weak = store.lookup("alice").orElseThrow();
    PasswordAuthenticator auth = auth().upgradeOnLogin().build();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(store.isRehashOf(store.lookup("alice").orElseThrow(), weak)).as("a broker keeps alice connected")
        .isTrue();
    assertThat(store.isRehashOf(store.lookup("bob").orElseThrow(), weak)).isFalse();
    String text = Files.readString(file);
    assertThat(text).startsWith("# fleet\nalice:$7$1000$").endsWith("\nbob:" + PasswordHashTest.MOSQUITTO_PBKDF2 + "\n");
    assertThat(store.lookup("alice").orElseThrow().hash().isWeakerThan(FAST)).isFalse();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(auth.authenticate(who("alice"), pw("wrong")).succeeded()).isFalse();
    // The login that upgraded is cached against the new entry: the next one costs no hash.
    assertThat(events).filteredOn(SecurityEvent.AuthSucceeded.class::isInstance)
        .extracting(e -> ((SecurityEvent.AuthSucceeded) e).method())
        .containsExactly("password", "password (cached)");
  }

  @Test
  void upgradeOnLogin_strongHashIsLeftAlone() throws Exception {
    byte[] before = Files.readAllBytes(file);
    auth().upgradeOnLogin().build().authenticate(who("alice"), pw("pass"));
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void upgradeOnLogin_leavesAGeneratedSecretCheap() throws Exception {
    Files.writeString(file, "sensor:" + PasswordHasher.forGeneratedSecrets().hash(pw("192 random bits")).encoded()
        + "\n");
    store.reload();
    byte[] before = Files.readAllBytes(file);
    assertThat(auth().upgradeOnLogin().build().authenticate(who("sensor"), pw("192 random bits")).succeeded())
        .isTrue();
    assertThat(Files.readAllBytes(file)).as("not re-hashed at the typed-password cost").isEqualTo(before);
  }

  @Test
  void likelyReturning_isAKnownDeviceComingBack_notAGuess() throws Exception {
    Files.writeString(file, "alice:" + FAST.hash(pw("pass")).encoded() + "\nsensor:"
        + PasswordHasher.forGeneratedSecrets().hash(pw("192 random bits")).encoded() + "\n");
    store.reload();
    PasswordAuthenticator auth = auth().build();
    ClientIdentity alice = who("alice");
    assertThat(auth.likelyReturning(who("nobody"))).as("an unknown user").isFalse();
    assertThat(auth.likelyReturning(ClientIdentity.of(null, "c"))).as("anonymous").isFalse();
    assertThat(auth.likelyReturning(who("sensor"))).as("a generated secret: cheap to verify").isTrue();
    assertThat(auth.likelyReturning(alice)).as("a typed password, never seen from this address").isFalse();
    assertThat(auth.authenticate(alice, pw("pass")).succeeded()).isTrue();
    assertThat(auth.likelyReturning(alice)).as("logged in from here before").isTrue();
    assertThat(auth.authenticate(who("nobody"), pw("guess")).succeeded()).isFalse();
    assertThat(auth.likelyReturning(alice)).as("a failure from this address a moment ago").isFalse();
    assertThat(auth.likelyReturning(who("sensor"))).isFalse();
  }

  @Test
  void answersAtOnce_onlyWhenNoSlowHashStandsBetweenTheLoginAndItsAnswer() throws Exception {
    PasswordHasher generated = PasswordHasher.forGeneratedSecrets();
    Files.writeString(file, "alice:" + FAST.hash(pw("pass")).encoded() + "\nsensor:"
        + generated.hash(pw("192 random bits")).encoded() + "\n");
    store.reload();
    PasswordAuthenticator auth = auth().build();
    assertThat(auth.answersAtOnce(who("sensor"), pw("wrong"))).as("a generated secret, right or wrong").isTrue();
    assertThat(auth.answersAtOnce(ClientIdentity.of(null, "c"), null)).as("anonymous: refused unhashed").isTrue();
    assertThat(auth.answersAtOnce(who("alice"), pw("pass"))).as("a typed password not yet verified").isFalse();
    assertThat(auth.answersAtOnce(who("nobody"), pw("x"))).as("the decoy has alice's typed cost").isFalse();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(auth.answersAtOnce(who("alice"), pw("pass"))).as("a remembered login").isTrue();
    assertThat(auth.answersAtOnce(who("alice"), pw("pas"))).as("another password: a full verification").isFalse();
    assertThat(auth.answersAtOnce(who("alice"), null)).isFalse();
    assertThat(PasswordAuthenticator.builder(store).clock(clock).noCache().build()
        .answersAtOnce(who("alice"), pw("pass"))).as("without a cache nothing is remembered").isFalse();

    assertThat(auth.authenticate(who("nobody"), pw("guess")).succeeded()).isFalse();
    assertThat(auth.answersAtOnce(who("sensor"), pw("192 random bits")))
        .as("an address that failed a moment ago waits in line, whatever it claims").isFalse();
    assertThat(auth.answersAtOnce(ClientIdentity.of("sensor", "c").withRemoteAddress(
        InetAddress.getByName("127.0.0.8")), pw("192 random bits"))).as("another address").isTrue();
  }

  @Test
  void answersAtOnce_countsTheHashesARotationStillAccepts_andTheDecoy() throws Exception {
    PasswordHasher generated = PasswordHasher.forGeneratedSecrets();
    Files.writeString(file, "sensor:" + generated.hash(pw("old secret")).encoded() + "\n");
    store.reload();
    PasswordAuthenticator auth = auth().noBruteForceGuard().build();
    assertThat(auth.answersAtOnce(who("nobody"), pw("x"))).as("only generated secrets: so is the decoy").isTrue();

    CredentialFile typedFirst = CredentialFile.builder(file).hasher(generated).clock(clock).build();
    Files.writeString(file, "sensor:" + FAST.hash(pw("typed once")).encoded() + "\n");
    typedFirst.reload();
    typedFirst.rotate("sensor", pw("now generated"), clock.instant().plus(Duration.ofDays(1)));
    PasswordAuthenticator rotating = PasswordAuthenticator.builder(typedFirst).clock(clock).noBruteForceGuard()
        .build();
    assertThat(rotating.answersAtOnce(who("sensor"), pw("wrong")))
        .as("a wrong secret is tried against the typed previous hash too").isFalse();
    clock.advance(Duration.ofDays(2));
    assertThat(rotating.answersAtOnce(who("sensor"), pw("wrong"))).as("the grace period is over").isTrue();
  }

  @Test
  void listenerThatThrows_doesNotChangeTheDecision() throws Exception {
    PasswordAuthenticator auth = PasswordAuthenticator.builder(store).clock(clock)
        .listener(e -> { throw new IllegalStateException("listener down"); }).build();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    assertThat(auth.authenticate(who("alice"), pw("x")).succeeded()).isFalse();
  }

  /**
   * The loose form of the timing requirement: the unknown-user path hashes a decoy of the file's most common
   * cost, so its median stays near the wrong-password median. The benchmark measures it closely.
   */
  @Test
  void timing_unknownUserCostsAboutAsMuchAsAWrongPassword() throws Exception {
    Files.writeString(file, "alice:" + PasswordHasher.pbkdf2Sha512(20_000).hash(pw("pass")).encoded() + "\n");
    store.reload();
    PasswordAuthenticator auth = PasswordAuthenticator.builder(store).noCache().noBruteForceGuard().build();
    int samples = 41;
    long[] unknown = new long[samples];
    long[] wrong = new long[samples];
    for (int warm = 0; warm < 10; warm++) {
      auth.authenticate(who("alice"), pw("x"));
      auth.authenticate(who("nobody"), pw("x"));
    }
    for (int i = 0; i < samples; i++) {
      long t0 = System.nanoTime();
      auth.authenticate(who("alice"), pw("wrong"));
      long t1 = System.nanoTime();
      auth.authenticate(who("nobody"), pw("wrong"));
      long t2 = System.nanoTime();
      wrong[i] = t1 - t0;
      unknown[i] = t2 - t1;
    }
    Arrays.sort(unknown);
    Arrays.sort(wrong);
    double ratio = (double) unknown[samples / 2] / wrong[samples / 2];
    assertThat(ratio).as("median unknown/wrong").isBetween(0.67, 1.5);
  }

  @Test
  void decoy_followsTheFilesMostCommonCost() throws Exception {
    Files.writeString(file, "a:" + PasswordHashTest.MOSQUITTO_PBKDF2 + "\nb:" + PasswordHashTest.MOSQUITTO_PBKDF2_1000
        + "\nc:" + FAST.hash(pw("x")).encoded() + "\n");
    store.reload();
    assertThat(store.snapshot().decoy.toString()).isEqualTo("PasswordHash{PBKDF2_SHA512, 1000 iterations}");
    assertThat(store.snapshot().decoy.verify(pw("pass"))).isFalse();
    Files.writeString(file, "# none\n");
    store.reload();
    assertThat(store.snapshot().decoy.toString()).isEqualTo("PasswordHash{PBKDF2_SHA512, 1000 iterations}");
  }

  @Test
  void decoy_takesTheCostOfTypedPasswords_evenWhenGeneratedSecretsAreMore() throws Exception {
    PasswordHasher generated = PasswordHasher.forGeneratedSecrets();
    Files.writeString(file, "operator:" + PasswordHashTest.MOSQUITTO_PBKDF2_1000 + "\ns1:"
        + generated.hash(pw("a")).encoded() + "\ns2:" + generated.hash(pw("b")).encoded() + "\ns3:"
        + generated.hash(pw("c")).encoded() + "\n");
    store.reload();
    assertThat(store.snapshot().decoy.toString()).as("an unknown name costs what a person's account costs")
        .isEqualTo("PasswordHash{PBKDF2_SHA512, 1000 iterations}");
    Files.writeString(file, "s1:" + generated.hash(pw("a")).encoded() + "\n");
    store.reload();
    assertThat(store.snapshot().decoy.toString()).as("a fleet of devices only: their cost")
        .isEqualTo("PasswordHash{PBKDF2_SHA512, 100 iterations}");
  }

  /**
   * The login cache is keyed by an HMAC of user name and password under a key each authenticator draws at random:
   * a key shared by every process (all zeros, say) would let whoever reads a heap dump test guesses offline.
   */
  @Test
  void loginCacheTags_areKeyedPerAuthenticator() {
    byte[] first = auth().build().tag("alice", pw("pass"));
    byte[] second = auth().build().tag("alice", pw("pass"));
    assertThat(first).hasSize(32).isNotEqualTo(second);
  }

  /** A device that logged in through the authenticator is spared when a guesser behind its address gets blocked. */
  @Test
  void authenticate_aSuccessfulLogin_sparesTheDeviceFromItsAddressBlock() throws Exception {
    PasswordAuthenticator auth = auth().noCache().build();
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
    for (int i = 0; i < 11; i++) {
      assertThat(auth.authenticate(who("user" + i), pw("guess")).succeeded()).isFalse();
    }
    assertThat(auth.authenticate(who("bob"), pw("guess")).outcome()).isEqualTo(AuthResult.Outcome.ADDRESS_BLOCKED);
    assertThat(auth.authenticate(who("alice"), pw("pass")).succeeded()).isTrue();
  }
}
