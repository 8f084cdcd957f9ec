/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edges of the credential decisions that the mutation run found unpinned: which characters a user name may
 * hold, which hash counts as weaker than the policy, which cost the decoy takes, and that every change of the
 * file reaches the listeners that end sessions.
 */
class CredsEdgesTest {

  static final PasswordHasher FAST = PasswordHasher.pbkdf2Sha512(1000);

  @TempDir
  Path dir;

  static byte[] pw(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void userNames_refuseC0DelAndC1ControlCharactersAndTheColon_only() {
    for (char c : new char[] {0x00, 0x1F, 0x7F, 0x80, 0x9F, ':'}) {
      assertThat(CredentialParser.badUsernameChar("ab" + c)).as("U+%04X", (int) c).isEqualTo(2);
    }
    for (char c : new char[] {0x20, 0x7E, 0xA0, 0xE9, 0x4E2D}) {
      assertThat(CredentialParser.badUsernameChar("ab" + c)).as("U+%04X", (int) c).isEqualTo(-1);
    }
  }

  @Test
  void putAndPutAll_refuseANameTheFileCouldNotHold() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    try (CredentialFile store = CredentialFile.builder(dir.resolve("passwd")).hasher(FAST).build()) {
      assertThatThrownBy(() -> store.put("press:1", pw("secret"))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.put("press\u007f", pw("secret"))).isInstanceOf(IllegalArgumentException.class);
      PasswordHash h = FAST.hash(pw("secret"));
      assertThatThrownBy(() -> store.putAll(Map.of("ok", h, "bad\u0085", h), false))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(store.users()).as("nothing written").isEmpty();
      store.putAll(Map.of("a", h, "b", h), false);
      assertThat(store.users()).containsExactlyInAnyOrder("a", "b");
      assertThat(store.size()).isEqualTo(2);
    }
  }

  @Test
  void aReload_tellsTheListenersWhichUsersChanged() throws Exception {
    Path file = dir.resolve("passwd");
    Files.writeString(file, "a:" + FAST.hash(pw("1")).encoded() + "\nb:" + FAST.hash(pw("2")).encoded() + "\n");
    try (CredentialFile store = CredentialFile.builder(file).hasher(FAST).build()) {
      List<Set<String>> changes = new CopyOnWriteArrayList<>();
      store.onUsersChanged(changes::add);
      Files.writeString(file, "a:" + FAST.hash(pw("new")).encoded() + "\nc:" + FAST.hash(pw("3")).encoded()
          + "\n");
      assertThat(store.reload()).isTrue();
      assertThat(changes).containsExactly(Set.of("a", "b", "c"));
      assertThat(store.reload()).isTrue();
      assertThat(changes).as("nothing changed the second time").hasSize(1);
    }
  }

  @Test
  void theDecoy_takesTheMostCommonCost_evenWhenAnotherComesLast() throws Exception {
    Path file = dir.resolve("passwd");
    PasswordHasher rare = PasswordHasher.pbkdf2Sha512(2000);
    Files.writeString(file, "a:" + FAST.hash(pw("1")).encoded() + "\nb:" + FAST.hash(pw("2")).encoded()
        + "\nc:" + FAST.hash(pw("3")).encoded() + "\nd:" + rare.hash(pw("4")).encoded() + "\n");
    try (CredentialFile store = CredentialFile.builder(file).hasher(FAST).build()) {
      assertThat(store.snapshot().decoy.iterations()).isEqualTo(1000);
    }
    Files.writeString(file, "d:" + rare.hash(pw("4")).encoded() + "\na:" + FAST.hash(pw("1")).encoded()
        + "\nb:" + FAST.hash(pw("2")).encoded() + "\n");
    try (CredentialFile store = CredentialFile.builder(file).hasher(FAST).build()) {
      assertThat(store.snapshot().decoy.iterations()).isEqualTo(1000);
    }
  }

  @Test
  void aHashIsWeakerThanThePolicy_exactlyBelowItsCost() {
    PasswordHash at1000 = FAST.hash(pw("x"));
    assertThat(at1000.isWeakerThan(FAST)).isFalse();
    assertThat(at1000.isWeakerThan(PasswordHasher.pbkdf2Sha512(1001))).isTrue();
    assertThat(PasswordHasher.pbkdf2Sha512(1001).hash(pw("x")).isWeakerThan(FAST)).isFalse();
    if (Argon2.available()) {
      PasswordHash floor = PasswordHasher.argon2id(19 * 1024, 2, 1).hash(pw("x"));
      assertThat(floor.isWeakerThan(FAST)).as("at OWASP's Argon2id floor").isFalse();
      assertThat(PasswordHasher.argon2id(19 * 1024 - 1, 2, 1).hash(pw("x")).isWeakerThan(FAST)).isTrue();
      assertThat(PasswordHasher.argon2id(19 * 1024, 1, 1).hash(pw("x")).isWeakerThan(FAST)).isTrue();
      assertThat(floor.isWeakerThan(PasswordHasher.argon2id(19 * 1024, 2, 1))).isFalse();
      assertThat(floor.isWeakerThan(PasswordHasher.argon2id(19 * 1024 + 1, 2, 1))).isTrue();
      assertThat(floor.isWeakerThan(PasswordHasher.argon2id(19 * 1024, 3, 1))).isTrue();
      assertThat(at1000.isWeakerThan(PasswordHasher.argon2id(19 * 1024, 2, 1))).as("PBKDF2 under Argon2id")
          .isTrue();
    }
  }

  @Test
  void aWipedPassword_cannotBeReadAgain() {
    Password p = PasswordGenerator.create().generate();
    p.close();
    assertThatThrownBy(p::bytes).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLockedOutLogin_isAudited_withTheLockAsReason() throws Exception {
    Path file = dir.resolve("passwd");
    Files.writeString(file, "alice:" + FAST.hash(pw("pass")).encoded() + "\n");
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    try (CredentialFile store = CredentialFile.builder(file).hasher(FAST).build()) {
      PasswordAuthenticator auth = PasswordAuthenticator.builder(store).noCache().listener(events::add).build();
      ClientIdentity alice = ClientIdentity.of("alice", "c").withRemoteAddress(InetAddress.getByName("127.0.0.9"));
      for (int i = 0; i < 5; i++) {
        auth.authenticate(alice, pw("guess" + i));
      }
      events.clear();
      AuthResult locked = auth.authenticate(alice, pw("pass"));
      assertThat(locked.outcome()).isEqualTo(AuthResult.Outcome.LOCKED_OUT);
      assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthFailed.class, e -> {
        assertThat(e.outcome()).isEqualTo(AuthResult.Outcome.LOCKED_OUT);
        assertThat(e.reason()).isEqualTo(locked.reason());
      });
    }
  }

  @Test
  void everyBuilderSetting_mayBeGivenOnce() throws Exception {
    java.time.Clock clock = java.time.Clock.systemUTC();
    io.mqttsec.api.SecurityEventListener none = io.mqttsec.api.SecurityEventListener.none();
    java.time.Duration minute = java.time.Duration.ofMinutes(1);
    List<java.util.function.Consumer<BruteForceGuard.Builder>> guard = List.of(b -> b.failuresBeforeLockout(5),
        b -> b.initialLockout(minute), b -> b.maxLockout(minute), b -> b.addressFailuresPerMinute(5),
        b -> b.addressBlock(minute), b -> b.accountFailureLimit(5), b -> b.maxTrackedEntries(10),
        b -> b.clock(clock), b -> b.listener(none));
    for (java.util.function.Consumer<BruteForceGuard.Builder> setting : guard) {
      BruteForceGuard.Builder b = BruteForceGuard.builder();
      setting.accept(b);
      assertThatThrownBy(() -> setting.accept(b)).isInstanceOf(IllegalStateException.class);
    }
    Files.writeString(dir.resolve("passwd"), "");
    List<java.util.function.Consumer<CredentialFile.Builder>> file = List.of(b -> b.listener(none),
        b -> b.clock(clock), b -> b.hasher(FAST), b -> b.reloadOnChange(), b -> b.pollInterval(minute));
    for (java.util.function.Consumer<CredentialFile.Builder> setting : file) {
      CredentialFile.Builder b = CredentialFile.builder(dir.resolve("passwd")).reloadOnChange();
      if (setting != file.get(3)) {
        setting.accept(b);
      }
      assertThatThrownBy(() -> setting.accept(b)).isInstanceOf(IllegalStateException.class);
    }
    try (CredentialFile store = CredentialFile.builder(dir.resolve("passwd")).build()) {
      List<java.util.function.Consumer<PasswordAuthenticator.Builder>> auth = List.of(
          b -> b.cache(minute, 10), b -> b.noCache(), b -> b.bruteForceGuard(BruteForceGuard.withDefaults()),
          b -> b.noBruteForceGuard(), b -> b.listener(none), b -> b.clock(clock), b -> b.upgradeOnLogin());
      for (java.util.function.Consumer<PasswordAuthenticator.Builder> setting : auth) {
        PasswordAuthenticator.Builder b = PasswordAuthenticator.builder(store);
        setting.accept(b);
        assertThatThrownBy(() -> setting.accept(b)).isInstanceOf(IllegalStateException.class);
      }
      assertThatThrownBy(() -> PasswordAuthenticator.builder(store).cache(minute, 10).noCache())
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> PasswordAuthenticator.builder(store).noBruteForceGuard()
          .bruteForceGuard(BruteForceGuard.withDefaults())).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> PasswordAuthenticator.builder(store).cache(minute, 0))
          .isInstanceOf(IllegalArgumentException.class);
      PasswordAuthenticator.builder(store).cache(minute, 1).build();
    }
  }

  @Test
  void theAuthenticator_printsItsSettings_andAnswersFalseWhenItCannotTell() throws Exception {
    Path file = dir.resolve("passwd");
    Files.writeString(file, "");
    try (CredentialFile store = CredentialFile.builder(file).reloadOnChange()
        .pollInterval(java.time.Duration.ofSeconds(1)).build()) {
      assertThat(store.file()).isEqualTo(file);
      PasswordAuthenticator plain = PasswordAuthenticator.builder(store).noCache().noBruteForceGuard().build();
      assertThat(plain.toString()).contains("cache=off").contains("guard=off").contains("upgradeOnLogin=false");
      PasswordAuthenticator full = PasswordAuthenticator.builder(store)
          .bruteForceGuard(BruteForceGuard.withDefaults()).upgradeOnLogin().build();
      assertThat(full.toString()).contains("cache=on").contains("guard=BruteForceGuard{")
          .contains("upgradeOnLogin=true");
      assertThat(full.answersAtOnce(null, pw("x"))).as("no identity: unsure, so false").isFalse();
      assertThat(full.likelyReturning(null)).isFalse();
    }
  }

  @Test
  void eachLoadWriteAndReload_isReportedOnce() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    try (CredentialFile file = CredentialFile.builder(dir.resolve("passwd")).listener(events::add)
        .hasher(PasswordHasher.pbkdf2Sha512(1000)).build()) {
      assertThat(events).hasSize(1);
      file.put("a", "pw".getBytes(UTF_8));
      assertThat(events).hasSize(2);
      assertThat(file.reload()).isTrue();
      assertThat(events).hasSize(3).allSatisfy(e -> assertThat(e).isInstanceOf(SecurityEvent.PolicyReloaded.class));
      assertThat(((SecurityEvent.PolicyReloaded) events.get(2)).summary()).isEqualTo("1 user");
    }
  }

  /** A store fed in memory, as a database's is: whole, then user by user. */
  static final class Fed extends CredentialStore {
    Fed() {
      super(PasswordHasher.pbkdf2Sha512(1000), null, null);
    }

    @Override
    public String source() {
      return "memory";
    }

    @Override
    protected boolean replaceIfUnchanged(Credential expected, PasswordHash hash) {
      return false;
    }
  }

  @Test
  void aStoreFedUserByUser_tellsWhichUsersChanged_andRefusesEveryoneBeforeItsFirstLoad() throws Exception {
    Fed fed = new Fed();
    PasswordAuthenticator auth = PasswordAuthenticator.builder(fed).noCache().noBruteForceGuard().build();
    assertThat(auth.authenticate(ClientIdentity.of("a", "a"), "pw".getBytes(UTF_8)).outcome()).as(
        "no users yet: checked against a decoy").isEqualTo(AuthResult.Outcome.BAD_CREDENTIALS);
    List<Set<String>> changed = new CopyOnWriteArrayList<>();
    fed.onUsersChanged(changed::add);
    PasswordHash pw = PasswordHasher.pbkdf2Sha512(1000).hash("pw".getBytes(UTF_8));
    fed.install(Map.of("a", Credential.of("a", pw, null, null), "b", Credential.of("b", pw, null, null)));
    assertThat(changed).as("the first load changes nobody").isEmpty();
    assertThat(auth.authenticate(ClientIdentity.of("a", "a"), "pw".getBytes(UTF_8)).succeeded()).isTrue();
    java.util.HashMap<String, Credential> changes = new java.util.HashMap<>();
    changes.put("a", null);
    changes.put("c", Credential.of("c", pw, null, null));
    changes.put("b", fed.lookup("b").orElseThrow());
    fed.installChanges(changes);
    assertThat(changed).containsExactly(Set.of("a", "c"));
    assertThat(fed.users()).containsExactlyInAnyOrder("b", "c");
    assertThat(fed.size()).isEqualTo(2);
    Credential b = fed.lookup("b").orElseThrow();
    Credential rehashed = Credential.of("b", PasswordHasher.pbkdf2Sha512(2000).hash("pw".getBytes(UTF_8)), null,
        null);
    assertThat(fed.isRehashOf(rehashed, b)).isFalse();
    fed.recordRehash(b, rehashed);
    assertThat(fed.isRehashOf(rehashed, b)).isTrue();
    assertThatThrownBy(() -> Credential.of("bad:name", pw, null, null)).isInstanceOf(
        IllegalArgumentException.class);
    assertThat(CredentialStore.summary(Map.of("a", Credential.of("a", pw, pw, java.time.Instant.EPOCH))))
        .isEqualTo("1 user, 1 rotating");
  }
}
