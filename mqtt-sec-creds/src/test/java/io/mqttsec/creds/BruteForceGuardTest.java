/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BruteForceGuardTest {

  final TestClock clock = new TestClock();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  static ClientIdentity who(String user, String address) throws Exception {
    return ClientIdentity.of(user, "c-" + user).withRemoteAddress(InetAddress.getByName(address));
  }

  BruteForceGuard guard() {
    return BruteForceGuard.builder().clock(clock).listener(events::add).build();
  }

  @Test
  void fiveFailuresInARow_lockOneSecond_thenDoubleUpToFifteenMinutes() throws Exception {
    BruteForceGuard guard = guard();
    ClientIdentity dev = who("dev", "127.0.0.2");
    for (int i = 0; i < 4; i++) {
      guard.recordFailure(dev);
      assertThat(guard.check(dev)).isEmpty();
    }
    guard.recordFailure(dev);
    AuthResult locked = guard.check(dev).orElseThrow();
    assertThat(locked.outcome()).isEqualTo(AuthResult.Outcome.LOCKED_OUT);
    assertThat(locked.reason()).isEqualTo("locked for 1 s more after 5 failed logins in a row");
    clock.advance(Duration.ofMillis(999));
    assertThat(guard.check(dev)).isPresent();
    clock.advance(Duration.ofMillis(1));
    assertThat(guard.check(dev)).isEmpty();

    guard.recordFailure(dev); // 6th: 2 s
    clock.advance(Duration.ofMillis(1999));
    assertThat(guard.check(dev)).isPresent();
    clock.advance(Duration.ofMillis(1));
    assertThat(guard.check(dev)).isEmpty();

    assertThat(guard.lockoutFor(7)).isEqualTo(Duration.ofSeconds(4));
    assertThat(guard.lockoutFor(14)).isEqualTo(Duration.ofSeconds(512));
    assertThat(guard.lockoutFor(15)).isEqualTo(Duration.ofMinutes(15));
    assertThat(guard.lockoutFor(1000)).isEqualTo(Duration.ofMinutes(15));

    List<SecurityEvent.ClientLockedOut> locks = events.stream()
        .filter(SecurityEvent.ClientLockedOut.class::isInstance).map(SecurityEvent.ClientLockedOut.class::cast).toList();
    assertThat(locks).extracting(SecurityEvent.ClientLockedOut::lockedFor)
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(locks.get(1).consecutiveFailures()).isEqualTo(6);
    assertThat(locks.get(1).who()).isEqualTo(dev);
  }

  @Test
  void lockOut_neverBlocksTheSameUserFromAnotherAddress() throws Exception {
    BruteForceGuard guard = guard();
    ClientIdentity attacker = who("press-42", "127.0.0.66");
    ClientIdentity device = who("press-42", "127.0.0.42");
    for (int i = 0; i < 10; i++) {
      guard.recordFailure(attacker);
    }
    assertThat(guard.check(attacker)).isPresent();
    assertThat(guard.check(device)).isEmpty();
  }

  @Test
  void success_resetsTheCount() throws Exception {
    BruteForceGuard guard = guard();
    ClientIdentity dev = who("dev", "127.0.0.2");
    for (int i = 0; i < 4; i++) {
      guard.recordFailure(dev);
    }
    guard.recordSuccess(dev);
    for (int i = 0; i < 4; i++) {
      guard.recordFailure(dev);
    }
    assertThat(guard.check(dev)).isEmpty();
    guard.recordFailure(dev);
    assertThat(guard.check(dev)).isPresent();
  }

  @Test
  void moreThanTenFailuresAMinuteFromOneAddress_blockItForTenMinutes() throws Exception {
    BruteForceGuard guard = guard();
    for (int i = 0; i < 10; i++) {
      guard.recordFailure(who("user" + i, "127.0.0.9"));
      clock.advance(Duration.ofSeconds(5));
    }
    assertThat(guard.check(who("fresh", "127.0.0.9"))).isEmpty();
    guard.recordFailure(who("user10", "127.0.0.9")); // 11th within 55 s
    AuthResult blocked = guard.check(who("fresh", "127.0.0.9")).orElseThrow();
    assertThat(blocked.outcome()).isEqualTo(AuthResult.Outcome.ADDRESS_BLOCKED);
    assertThat(blocked.reason()).isEqualTo("address blocked for 600 s more after too many failed logins");
    assertThat(guard.check(who("fresh", "127.0.0.10"))).isEmpty();
    SecurityEvent.AddressBlocked event = events.stream().filter(SecurityEvent.AddressBlocked.class::isInstance)
        .map(SecurityEvent.AddressBlocked.class::cast).findFirst().orElseThrow();
    assertThat(event.address().getHostAddress()).isEqualTo("127.0.0.9");
    assertThat(event.blockedFor()).isEqualTo(Duration.ofMinutes(10));
    assertThat(event.failuresInWindow()).isEqualTo(11);
    assertThat(event.who().username()).contains("user10");
    clock.advance(Duration.ofMinutes(10));
    assertThat(guard.check(who("fresh", "127.0.0.9"))).isEmpty();
  }

  @Test
  void addressBlock_sparesADeviceThatLoggedInFromThatAddressBefore() throws Exception {
    BruteForceGuard guard = guard();
    guard.recordSuccess(who("press-1", "127.0.0.9")); // a device behind the same NAT gateway
    for (int i = 0; i < 11; i++) {
      guard.recordFailure(who("user" + i, "127.0.0.9"));
    }
    assertThat(guard.check(who("fresh", "127.0.0.9")).orElseThrow().outcome())
        .isEqualTo(AuthResult.Outcome.ADDRESS_BLOCKED);
    assertThat(guard.check(who("press-1", "127.0.0.9"))).isEmpty();
  }

  @Test
  void tenFailuresSpreadOverMoreThanAMinute_doNotBlock() throws Exception {
    BruteForceGuard guard = guard();
    for (int i = 0; i < 30; i++) {
      guard.recordFailure(who("user" + i, "127.0.0.9"));
      clock.advance(Duration.ofSeconds(7)); // at most 9 in any minute
    }
    assertThat(guard.check(who("fresh", "127.0.0.9"))).isEmpty();
    assertThat(events).noneMatch(SecurityEvent.AddressBlocked.class::isInstance);
  }

  @Test
  void accountLimit_locksUnknownAddressesButNotOnesThatLoggedInBefore() throws Exception {
    BruteForceGuard guard = guard();
    ClientIdentity device = who("gw", "127.0.0.42");
    guard.recordSuccess(device);
    // A botnet: 100 addresses, one guess each, never tripping a pair or address limit.
    for (int i = 0; i < 100; i++) {
      guard.recordFailure(who("gw", "127.0.1." + i));
    }
    AuthResult refused = guard.check(who("gw", "127.0.2.1")).orElseThrow();
    assertThat(refused.outcome()).isEqualTo(AuthResult.Outcome.LOCKED_OUT);
    assertThat(refused.reason()).isEqualTo(
        "account locked for 900 s more for addresses it never logged in from, after 100 failed logins in a row");
    assertThat(guard.check(device)).isEmpty();
    guard.recordSuccess(device);
    assertThat(guard.check(who("gw", "127.0.2.1"))).isEmpty();
  }

  @Test
  void concurrentFailuresFromEightThreads_countExactly() throws Exception {
    int perThread = 250;
    BruteForceGuard guard = BruteForceGuard.builder().clock(clock).listener(events::add)
        .failuresBeforeLockout(8 * perThread).addressFailuresPerMinute(100_000).build();
    ClientIdentity dev = who("dev", "127.0.0.2");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      pool.execute(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (int i = 0; i < perThread; i++) {
          guard.recordFailure(dev);
        }
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    List<SecurityEvent.ClientLockedOut> locks = events.stream().filter(SecurityEvent.ClientLockedOut.class::isInstance)
        .map(SecurityEvent.ClientLockedOut.class::cast).filter(e -> e.consecutiveFailures() == 8 * perThread).toList();
    // One pair lock (first lock: 1 s) and one account lock (15 min), each at exactly 2,000 failures.
    assertThat(locks).extracting(SecurityEvent.ClientLockedOut::lockedFor)
        .containsExactlyInAnyOrder(Duration.ofSeconds(1), Duration.ofMinutes(15));
    assertThat(events.stream().filter(SecurityEvent.ClientLockedOut.class::isInstance)
        .mapToInt(e -> ((SecurityEvent.ClientLockedOut) e).consecutiveFailures()).max().orElse(0))
        .isEqualTo(8 * perThread);
    assertThat(guard.check(dev)).isPresent();
  }

  @Test
  void noAddress_countsByUserAndNeverBlocksAnAddress() {
    BruteForceGuard guard = guard();
    ClientIdentity local = ClientIdentity.of("dev", "c");
    for (int i = 0; i < 20; i++) {
      guard.recordFailure(local);
    }
    assertThat(guard.check(local).orElseThrow().outcome()).isEqualTo(AuthResult.Outcome.LOCKED_OUT);
    assertThat(events).noneMatch(SecurityEvent.AddressBlocked.class::isInstance);
  }

  @Test
  void builder_settingTwice_orConflicting_fails() {
    assertThatThrownBy(() -> BruteForceGuard.builder().maxLockout(Duration.ofMinutes(1)).maxLockout(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class).hasMessage("maxLockout was already set to PT1M");
    assertThatThrownBy(() -> BruteForceGuard.builder().initialLockout(Duration.ofMinutes(20)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("initial lockout PT20M is longer than the maximum PT15M");
    assertThatThrownBy(() -> BruteForceGuard.builder().accountFailureLimit(101))
        .hasMessage("accountFailureLimit must be from 1 to 100 (NIST SP 800-63B), not 101");
  }

  @Test
  void everyThreshold_holdsAtItsExactValue() throws Exception {
    BruteForceGuard guard = BruteForceGuard.builder().clock(clock).listener(events::add).failuresBeforeLockout(3)
        .initialLockout(Duration.ofSeconds(2)).maxLockout(Duration.ofSeconds(60)).addressFailuresPerMinute(4)
        .addressBlock(Duration.ofMinutes(5)).accountFailureLimit(6).build();
    ClientIdentity alice = who("alice", "127.0.0.2");
    guard.recordFailure(alice);
    guard.recordFailure(alice);
    assertThat(guard.check(alice)).as("two failures: no lock yet").isEmpty();
    guard.recordFailure(alice);
    assertThat(guard.check(alice)).as("the third locks").isPresent();
    clock.advance(Duration.ofMillis(1999));
    assertThat(guard.check(alice)).as("a moment before the lock ends").isPresent();
    clock.advance(Duration.ofMillis(1));
    assertThat(guard.check(alice)).as("the moment it ends").isEmpty();
    assertThat(guard.lockoutFor(3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(guard.lockoutFor(4)).isEqualTo(Duration.ofSeconds(4));
    assertThat(guard.lockoutFor(8)).isEqualTo(Duration.ofSeconds(60));
    assertThat(guard.lockoutFor(100)).isEqualTo(Duration.ofSeconds(60));

    // failures of one address against many names: more than four a minute blocks it
    for (int i = 0; i < 4; i++) {
      guard.recordFailure(who("user" + i, "127.0.0.3"));
    }
    assertThat(guard.check(who("user9", "127.0.0.3"))).as("four in a minute").isEmpty();
    assertThat(guard.failedRecently(InetAddress.getByName("127.0.0.3"))).isTrue();
    guard.recordFailure(who("user4", "127.0.0.3"));
    assertThat(guard.check(who("user9", "127.0.0.3"))).as("the fifth").isPresent();
    clock.advance(Duration.ofMinutes(1));
    assertThat(guard.failedRecently(InetAddress.getByName("127.0.0.3"))).as("a minute on, exactly").isFalse();
  }

  @Test
  void theAccountLimit_locksAtItsValue_butNotTheAddressesTheUserLoggedInFrom() throws Exception {
    BruteForceGuard guard = BruteForceGuard.builder().clock(clock).listener(events::add).failuresBeforeLockout(100)
        .accountFailureLimit(3).build();
    ClientIdentity home = who("bob", "127.0.0.2");
    guard.recordSuccess(home);
    guard.recordSuccess(home); // the usual reconnect keeps what the first taught
    guard.recordFailure(who("bob", "127.0.0.4"));
    guard.recordFailure(who("bob", "127.0.0.5"));
    assertThat(guard.check(who("bob", "127.0.0.6"))).as("two failures of three").isEmpty();
    guard.recordFailure(who("bob", "127.0.0.6"));
    assertThat(guard.check(who("bob", "127.0.0.7"))).as("the third locks the account").isPresent();
    assertThat(guard.check(home)).as("where bob logged in from before").isEmpty();
  }

  /** Two guards joined in memory, as a fleet's store joins them: each publishes to the other. */
  static final class Pair implements GuardSharing {
    final List<String> published = new CopyOnWriteArrayList<>();
    Pair other;
    GuardSharing.Remote receiver;

    @Override
    public void publish(String user, InetAddress address, boolean failed) {
      published.add((failed ? "failed " : "succeeded ") + user + " " + (address == null ? "-"
          : address.getHostAddress()));
      other.receiver.login(user, address, failed);
    }

    @Override
    public void onRemote(GuardSharing.Remote remote) {
      receiver = remote;
    }
  }

  @Test
  void sharedGuards_countEachOthersFailures_andShareOnlySuccessesThatChangeSomething() throws Exception {
    Pair toB = new Pair();
    Pair toA = new Pair();
    toB.other = toA;
    toA.other = toB;
    List<SecurityEvent> eventsB = new CopyOnWriteArrayList<>();
    BruteForceGuard a = BruteForceGuard.builder().clock(clock).listener(events::add).sharing(toB).build();
    BruteForceGuard b = BruteForceGuard.builder().clock(clock).listener(eventsB::add).sharing(toA).build();
    ClientIdentity dev = who("dev", "10.0.0.5");
    for (int i = 0; i < 3; i++) {
      a.recordFailure(dev);
    }
    b.recordFailure(dev);
    assertThat(a.check(dev)).isEmpty();
    b.recordFailure(dev);
    assertThat(a.check(dev).orElseThrow().outcome()).as("five failures over two guards").isEqualTo(
        AuthResult.Outcome.LOCKED_OUT);
    assertThat(b.check(dev)).isPresent();
    assertThat(events).filteredOn(SecurityEvent.ClientLockedOut.class::isInstance).hasSize(1);
    assertThat(eventsB).filteredOn(SecurityEvent.ClientLockedOut.class::isInstance).hasSize(1);
    assertThat(toB.published).containsExactly("failed dev 10.0.0.5", "failed dev 10.0.0.5", "failed dev 10.0.0.5");
    clock.advance(Duration.ofHours(1));
    a.recordSuccess(dev);
    assertThat(b.check(dev)).as("the success reset the pair on the other guard too").isEmpty();
    assertThat(toB.published).hasSize(4).last().isEqualTo("succeeded dev 10.0.0.5");
    a.recordSuccess(dev);
    assertThat(toB.published).as("the usual reconnect is not shared").hasSize(4);
    assertThatThrownBy(() -> BruteForceGuard.builder().sharing(toA).sharing(toB)).isInstanceOf(
        IllegalStateException.class);
  }
}
