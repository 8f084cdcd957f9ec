/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.AclParseException;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingAclTest {

  private static final ClientIdentity U = ClientIdentity.of("u", "c");

  @TempDir
  Path dir;

  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  private ReloadingAcl start(Path file) {
    return ReloadingAcl.builder(file).listener(events::add).pollInterval(Duration.ofMillis(50)).build();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void fileRewritten_newPolicyInForce_andEventRaised() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    try (ReloadingAcl acl = start(file)) {
      assertThat(acl.check(U, Action.RECEIVE, "a/1").allowed()).isTrue();
      Files.writeString(file, "user u\ntopic read b/#\n");
      await(() -> acl.check(U, Action.RECEIVE, "b/1").allowed());
      assertThat(acl.check(U, Action.RECEIVE, "a/1").allowed()).isFalse();
      assertThat(events).first().isInstanceOf(SecurityEvent.PolicyReloaded.class);
      assertThat(events).last().isInstanceOfSatisfying(SecurityEvent.PolicyReloaded.class,
          e -> assertThat(e.summary()).isEqualTo("1 rules, 1 users"));
    }
  }

  @Test
  void onReload_runsAfterAGoodReloadOnly() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    try (ReloadingAcl acl = ReloadingAcl.builder(file).build()) {
      AtomicLong runs = new AtomicLong();
      acl.onReload(runs::incrementAndGet);
      acl.onReload(() -> {
        throw new IllegalStateException("a broken callback");
      });
      acl.onReload(runs::incrementAndGet);
      Files.writeString(file, "user u\ntopic read a/#/b\n");
      assertThat(acl.reload()).isFalse();
      assertThat(runs.get()).as("a refused reload changes nothing").isZero();
      Files.writeString(file, "user u\ntopic read b/#\n");
      assertThat(acl.reload()).isTrue();
      // the watch thread may have reloaded the same file too: each reload runs both counting callbacks
      assertThat(runs.get()).as("both callbacks, despite the one that threw").isGreaterThanOrEqualTo(2).isEven();
    }
  }

  @Test
  void brokenFile_keepsLastGoodPolicy_andReportsTheParseError() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    try (ReloadingAcl acl = start(file)) {
      Files.writeString(file, "user u\ntopic read a/#/b\n");
      await(() -> events.stream().anyMatch(e -> e instanceof SecurityEvent.PolicyReloadFailed));
      assertThat(acl.check(U, Action.RECEIVE, "a/1").reason()).isEqualTo("acl.conf:2 read a/#");
      SecurityEvent.PolicyReloadFailed failed = (SecurityEvent.PolicyReloadFailed) events.stream()
          .filter(e -> e instanceof SecurityEvent.PolicyReloadFailed).findFirst().orElseThrow();
      assertThat(failed.error()).isEqualTo(file + ":2:14: topic filter \"a/#/b\": '#' at index 2 must be the last level");
      // Deleting the file is a broken reload too.
      Files.delete(file);
      assertThat(acl.reload()).isFalse();
      assertThat(acl.check(U, Action.RECEIVE, "a/1").allowed()).isTrue();
    }
  }

  @Test
  void kubernetesSymlinkSwap_isSeen() throws Exception {
    // The layout kubelet uses for a mounted config map: acl.conf -> ..data/acl.conf, ..data -> ..v1
    Path v1 = Files.createDirectory(dir.resolve("..v1"));
    Files.writeString(v1.resolve("acl.conf"), "user u\ntopic read v1/#\n");
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("acl.conf"), Path.of("..data", "acl.conf"));
    try (ReloadingAcl acl = start(file)) {
      assertThat(acl.check(U, Action.RECEIVE, "v1/x").allowed()).isTrue();
      Path v2 = Files.createDirectory(dir.resolve("..v2"));
      Files.writeString(v2.resolve("acl.conf"), "user u\ntopic read v2/#\n");
      Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
      Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      await(() -> acl.check(U, Action.RECEIVE, "v2/x").allowed());
      assertThat(acl.check(U, Action.RECEIVE, "v1/x").allowed()).isFalse();
    }
  }

  @Test
  void missingAtStart_deniesAll_thenLoadsWhenTheFileAppears() throws Exception {
    Path file = dir.resolve("acl.conf");
    try (ReloadingAcl acl = start(file)) {
      assertThat(acl.check(U, Action.RECEIVE, "a/1").reason())
          .isEqualTo("ACL " + file + " not loaded: " + file + ": no such file");
      assertThat(events).singleElement().isInstanceOf(SecurityEvent.PolicyReloadFailed.class);
      Files.writeString(file, "user u\ntopic read a/#\n");
      await(() -> acl.check(U, Action.RECEIVE, "a/1").allowed());
    }
  }

  @Test
  void requireValidAtStart_throwsTheParseError() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "usr u\n");
    assertThatThrownBy(() -> ReloadingAcl.builder(file).requireValidAtStart().build())
        .isInstanceOf(AclParseException.class)
        .hasMessage(file + ":1:1: unknown keyword \"usr\"; expected user, topic or pattern");
  }

  @Test
  void requireValidAtStart_aValidFileIsLoadedAndReported_anInvalidOneLeavesNothingWatching() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    try (ReloadingAcl acl = ReloadingAcl.builder(file).listener(events::add).requireValidAtStart().build()) {
      assertThat(acl.check(U, Action.RECEIVE, "a/1").allowed()).isTrue();
      assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.PolicyReloaded.class, e -> {
        assertThat(e.source()).isEqualTo(file.toString());
        assertThat(e.summary()).contains("1 rule");
      });
      AclView view = acl.current().viewFor(U);
      assertThat(view.policy()).isSameAs(acl.current());
    }
    events.clear();
    Files.writeString(file, "usr u\n");
    assertThatThrownBy(() -> ReloadingAcl.builder(file).listener(events::add).pollInterval(Duration.ofMillis(20))
        .requireValidAtStart().build()).isInstanceOf(AclParseException.class);
    Files.writeString(file, "user u\ntopic read b/#\n");
    Thread.sleep(300);
    assertThat(events).as("the refused ACL's watch was closed: nothing reloads it").isEmpty();
  }

  @Test
  void failingListener_doesNotStopReloads() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    try (ReloadingAcl acl = ReloadingAcl.builder(file).listener(e -> {
      throw new IllegalStateException("listener bug");
    }).build()) {
      Files.writeString(file, "user u\ntopic read b/#\n");
      assertThat(acl.reload()).isTrue();
      assertThat(acl.check(U, Action.RECEIVE, "b/1").allowed()).isTrue();
    }
  }

  /** 4 threads check continuously while the file is rewritten 100 times, good and broken versions alternating. */
  @Test
  void reloadUnderLoad_checksSeeOnlyWholePolicies() throws Exception {
    int rulesPerVersion = 50;
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, version(0, rulesPerVersion));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong checks = new AtomicLong();
    try (ReloadingAcl acl = start(file)) {
      Thread[] checkers = new Thread[4];
      for (int t = 0; t < checkers.length; t++) {
        checkers[t] = new Thread(() -> {
          try {
            while (!stop.get()) {
              AclPolicy snapshot = acl.current();
              int version = -1;
              for (int k = 0; k <= 100 && version < 0; k += 2) {
                if (snapshot.check(U, Action.PUBLISH, "v" + k + "/r0").allowed()) {
                  version = k;
                }
              }
              assertThat(version).as("a good version is in force").isNotNegative();
              assertThat(snapshot.ruleCount()).isEqualTo(rulesPerVersion);
              for (int i = 0; i < rulesPerVersion; i++) {
                assertThat(snapshot.check(U, Action.PUBLISH, "v" + version + "/r" + i).allowed()).isTrue();
              }
              acl.check(U, Action.SUBSCRIBE, "v" + version + "/#");
              checks.incrementAndGet();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        checkers[t].start();
      }
      for (int k = 1; k <= 100; k++) {
        // Odd versions are broken on their last line, so a half-applied parse would be visible.
        String text = k % 2 == 0 ? version(k, rulesPerVersion) : version(k, rulesPerVersion) + "topic read a/#/b\n";
        replaceAtomically(file, text);
        assertThat(acl.reload()).isEqualTo(k % 2 == 0);
      }
      stop.set(true);
      for (Thread t : checkers) {
        t.join();
      }
    }
    assertThat(failure.get()).isNull();
    assertThat(checks.get()).isPositive();
    assertThat(events.stream().filter(e -> e instanceof SecurityEvent.PolicyReloadFailed).count()).isGreaterThanOrEqualTo(50);
  }

  /** How configuration should be written: a temporary file renamed over the old one. */
  private static void replaceAtomically(Path file, String text) throws java.io.IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String version(int k, int rules) {
    StringBuilder sb = new StringBuilder("user u\n");
    for (int i = 0; i < rules; i++) {
      sb.append("topic readwrite v").append(k).append("/r").append(i).append('\n');
    }
    return sb.toString();
  }

  @Test
  void builder_failsFast_onEverySettingGivenTwice() {
    ReloadingAcl.Builder b = ReloadingAcl.builder(dir.resolve("acl.conf")).listener(events::add)
        .pollInterval(Duration.ofSeconds(1)).limits(AclLimits.DEFAULT).subscribeMode(SubscribeMode.STRICT)
        .clock(java.time.Clock.systemUTC());
    assertThatThrownBy(() -> b.listener(events::add)).hasMessageStartingWith("listener was already set to ");
    assertThatThrownBy(() -> b.pollInterval(Duration.ofSeconds(2))).hasMessage("poll interval was already set to PT1S");
    assertThatThrownBy(() -> b.limits(AclLimits.DEFAULT)).hasMessageStartingWith("limits was already set to ");
    assertThatThrownBy(() -> b.subscribeMode(SubscribeMode.STRICT))
        .hasMessage("subscribe mode was already set to STRICT");
    assertThatThrownBy(() -> b.clock(java.time.Clock.systemUTC())).hasMessageStartingWith("clock was already set to ");
  }

  /** After close, edits are no longer followed: the policy in force stays, and no event is raised. */
  @Test
  void close_stopsFollowingTheFile() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    ReloadingAcl acl = start(file);
    acl.close();
    int seen = events.size();
    Files.writeString(file, "user u\ntopic read b/#\n");
    Thread.sleep(500); // ten poll intervals
    assertThat(acl.check(U, Action.RECEIVE, "a/1").allowed()).isTrue();
    assertThat(acl.check(U, Action.RECEIVE, "b/1").allowed()).isFalse();
    assertThat(events).hasSize(seen);
  }

  /** A view follows reloads: its next check after one decides by the new policy; a refused reload changes nothing. */
  @Test
  void aView_decidesByThePolicyInForce_afterEachReload() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "user u\ntopic read a/#\n");
    try (ReloadingAcl acl = ReloadingAcl.builder(file).pollInterval(Duration.ofHours(1)).build()) {
      io.mqttsec.api.Authorizer.View view = acl.viewFor(U);
      assertThat(view.authorize(Action.RECEIVE, "a/1").reason()).isEqualTo("acl.conf:2 read a/#");
      Files.writeString(file, "user u\ntopic read b/#\n");
      assertThat(acl.reload()).isTrue();
      assertThat(view.authorize(Action.RECEIVE, "a/1").reason()).isEqualTo("no rule matched");
      assertThat(view.authorize(Action.RECEIVE, "b/1").reason()).isEqualTo("acl.conf:2 read b/#");
      Files.writeString(file, "user u\ntopic reed c/#\n");
      assertThat(acl.reload()).isFalse();
      assertThat(view.authorize(Action.RECEIVE, "b/1").reason()).isEqualTo("acl.conf:2 read b/#");
      assertThat(view).hasToString("ReloadingAcl.View{" + U + ", " + file + "}");
    }
  }
}
