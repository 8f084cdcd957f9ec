/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The login lanes: known clients coming back first, guesses bounded behind them, nothing lost on close. */
class LoginLanesTest {

  final List<String> ran = new CopyOnWriteArrayList<>();
  final List<String> refused = new CopyOnWriteArrayList<>();

  LoginLanes.Login login(String name, CountDownLatch done) {
    return new LoginLanes.Login() {
      @Override
      public void run() {
        ran.add(name);
        done.countDown();
      }

      @Override
      public void refuse() {
        refused.add(name);
      }
    };
  }

  /** Keeps the only worker busy until {@code busy} opens, and returns once it is. */
  static void occupy(LoginLanes lanes, CountDownLatch busy, boolean lane) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    assertThat(lanes.offer(new LoginLanes.Login() {
      @Override
      public void run() {
        started.countDown();
        try {
          busy.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void refuse() {
      }
    }, lane)).isTrue();
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void returningClients_goFirst_guessesWaitBehind_andPastTheirBoundAreRefused() throws Exception {
    try (LoginLanes lanes = new LoginLanes(1, 10, 2)) {
      CountDownLatch busy = new CountDownLatch(1);
      occupy(lanes, busy, true);
      CountDownLatch done = new CountDownLatch(4);
      assertThat(lanes.offer(login("guess-1", done), false)).isTrue();
      assertThat(lanes.offer(login("guess-2", done), false)).isTrue();
      assertThat(lanes.offer(login("guess-3", done), false)).as("the guesses' lane holds 2").isFalse();
      assertThat(lanes.offer(login("device-1", done), true)).isTrue();
      assertThat(lanes.offer(login("device-2", done), true)).isTrue();
      assertThat(lanes.waiting()).containsExactly(2, 2);
      busy.countDown();
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(ran).containsExactly("device-1", "device-2", "guess-1", "guess-2");
    }
  }

  @Test
  void closing_refusesWhatStillWaits() throws Exception {
    LoginLanes lanes = new LoginLanes(1, 10, 10);
    occupy(lanes, new CountDownLatch(1), false);
    lanes.offer(login("device", new CountDownLatch(1)), true);
    lanes.offer(login("guess", new CountDownLatch(1)), false);
    lanes.close();
    assertThat(refused).containsExactlyInAnyOrder("device", "guess");
    assertThat(lanes.offer(login("late", new CountDownLatch(1)), true)).isFalse();
    assertThat(ran).isEmpty();
  }
}
