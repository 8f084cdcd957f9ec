/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class DetectorTest {

  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  final List<SecurityEvent.AlertRaised> alerts = new CopyOnWriteArrayList<>();

  Detector detector(Detection rules) {
    return Detector.create(rules, e -> alerts.add((SecurityEvent.AlertRaised) e));
  }

  static ClientIdentity from(String user, String address) {
    try {
      return ClientIdentity.of(user, user + "-c").withRemoteAddress(InetAddress.getByName(address));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  static SecurityEvent.AuthFailed failure(Instant at, String user, String address) {
    return new SecurityEvent.AuthFailed(at, from(user, address), AuthResult.Outcome.BAD_CREDENTIALS, "bad password");
  }

  static SecurityEvent.AuthSucceeded login(Instant at, String user, String address) {
    return new SecurityEvent.AuthSucceeded(at, from(user, address), "password");
  }

  @Test
  void bruteForce_tenFailuresFromOneAddressInAMinute_raiseOneAlert() {
    Detector d = detector(Detection.DEFAULT);
    for (int i = 0; i < 9; i++) {
      d.on(failure(T.plusSeconds(i), "user-" + i, "10.0.0.66"));
    }
    assertThat(alerts).isEmpty();
    d.on(failure(T.plusSeconds(9), "user-9", "10.0.0.66"));
    assertThat(alerts).singleElement().satisfies(a -> {
      assertThat(a.name()).isEqualTo("alert.brute-force");
      assertThat(a.scope()).isEqualTo("address 10.0.0.66");
      assertThat(a.count()).isEqualTo(10);
      assertThat(a.window()).isEqualTo(Duration.ofMinutes(1));
      assertThat(a.detail()).isEqualTo("10 failed logins within 60 s from address 10.0.0.66");
      assertThat(a.who().username()).contains("user-9");
    });
    // quiet for a window, then a fresh burst alerts again
    for (int i = 10; i < 30; i++) {
      d.on(failure(T.plusSeconds(i), "user-" + i, "10.0.0.66"));
    }
    assertThat(alerts).hasSize(1);
    for (int i = 0; i < 10; i++) {
      d.on(failure(T.plusSeconds(70 + i), "user-" + i, "10.0.0.66"));
    }
    assertThat(alerts).hasSize(2);
  }

  @Test
  void bruteForce_failuresSpreadWiderThanTheWindow_raiseNothing() {
    Detector d = detector(Detection.DEFAULT);
    for (int i = 0; i < 30; i++) {
      d.on(failure(T.plusSeconds(i * 7L), "press-1", "10.0.0." + i)); // 9 in any minute
    }
    assertThat(alerts).isEmpty();
  }

  @Test
  void bruteForce_oneUserFromManyAddresses_isCaughtPerUser() {
    Detector d = detector(Detection.DEFAULT);
    for (int i = 0; i < 10; i++) {
      d.on(failure(T.plusSeconds(i), "press-1", "10.0." + i + ".1"));
    }
    assertThat(alerts).singleElement().satisfies(a -> assertThat(a.scope()).isEqualTo("user press-1"));
  }

  @Test
  void bruteForce_tenInFiveMinutes_isOneSettingAway() {
    Detector d = detector(Detection.DEFAULT.withBruteForce(new Detection.BruteForce(10, Duration.ofMinutes(5))));
    for (int i = 0; i < 10; i++) {
      d.on(failure(T.plusSeconds(i * 25L), "u" + i, "10.0.0.66")); // 10 in 225 s
    }
    assertThat(alerts).extracting(SecurityEvent.AlertRaised::scope).containsExactly("address 10.0.0.66");
  }

  @Test
  void newAddress_learnsTheFirst_thenAlertsOutsideKnownPrefixes() {
    Detector d = detector(Detection.DEFAULT);
    d.on(login(T, "press-1", "10.0.3.17"));
    d.on(login(T.plusSeconds(1), "press-1", "10.0.3.200")); // same /24
    assertThat(alerts).isEmpty();
    d.on(login(T.plusSeconds(2), "press-1", "192.168.7.5"));
    assertThat(alerts).singleElement().satisfies(a -> {
      assertThat(a.name()).isEqualTo("alert.new-address");
      assertThat(a.scope()).isEqualTo("user press-1");
      assertThat(a.detail()).isEqualTo("press-1 logged in from 192.168.7.5, outside the /24 prefixes it logged in"
          + " from before (10.0.3.0/24)");
    });
    d.on(login(T.plusSeconds(3), "press-1", "192.168.7.9")); // learned now
    d.on(login(T.plusSeconds(4), "press-2", "192.168.7.9")); // another device's first sight
    assertThat(alerts).hasSize(1);
  }

  @Test
  void newAddress_ipv6_comparesSlash64() {
    Detector d = detector(Detection.DEFAULT);
    d.on(login(T, "press-1", "fd00:1:2:3::17"));
    d.on(login(T, "press-1", "fd00:1:2:3:ffff::1"));
    assertThat(alerts).isEmpty();
    d.on(login(T, "press-1", "fd00:1:2:4::17"));
    assertThat(alerts).singleElement().satisfies(a -> assertThat(a.detail()).endsWith("(fd00:1:2:3::/64)"));
  }

  @Test
  void newAddress_remembersTheLastFourPrefixes() {
    Detector d = detector(Detection.DEFAULT);
    for (int i = 0; i < 5; i++) {
      d.on(login(T, "press-1", "10.0." + i + ".1"));
    }
    assertThat(alerts).hasSize(4);
    d.on(login(T, "press-1", "10.0.4.2"));
    d.on(login(T, "press-1", "10.0.1.2"));
    assertThat(alerts).hasSize(4);
    d.on(login(T, "press-1", "10.0.0.2")); // the oldest, forgotten
    assertThat(alerts).hasSize(5);
  }

  @Test
  void connectionSpike_waitsForItsWarmUp_thenComparesWithTheBaseline() {
    Detection.ConnectionSpike rule = new Detection.ConnectionSpike(Duration.ofSeconds(10), 5.0, 20,
        Duration.ofSeconds(30));
    Detector d = detector(Detection.NONE.withConnectionSpike(rule));
    for (int i = 0; i < 40; i++) {
      d.on(login(T.plusMillis(i * 100L), "d" + i, "10.0.0.1")); // 40 in the first interval: warming up
    }
    assertThat(alerts).isEmpty();
    // 8 an interval for a minute: the baseline is the mean so far, (40 + 6 * 8) / 7, the threshold 5 times that
    for (int s = 10; s < 70; s++) {
      if (s % 10 < 8) {
        d.on(login(T.plusSeconds(s), "d" + s, "10.0.0.1"));
      }
    }
    assertThat(alerts).isEmpty();
    for (int i = 0; i < 100; i++) {
      d.on(new SecurityEvent.AuthFailed(T.plusSeconds(70).plusMillis(i * 10L), from("x" + i, "10.0.9.9"),
          AuthResult.Outcome.BAD_CREDENTIALS, "bad"));
    }
    assertThat(alerts).singleElement().satisfies(a -> {
      assertThat(a.name()).isEqualTo("alert.connection-spike");
      assertThat(a.scope()).isEqualTo("broker");
      assertThat(a.count()).isEqualTo(63); // 5 * 88 / 7 = 62.9
      assertThat(a.detail()).contains("connection attempts within 10 s");
    });
  }

  @Test
  void connectionSpike_withoutWarmUp_alertsAtTheMinimum() {
    Detector d = detector(Detection.NONE.withConnectionSpike(new Detection.ConnectionSpike(Duration.ofSeconds(5),
        5.0, 20, Duration.ZERO)));
    for (int i = 0; i < 19; i++) {
      d.on(login(T.plusMillis(i), "d" + i, "10.0.0.1"));
    }
    assertThat(alerts).isEmpty();
    d.on(login(T.plusMillis(19), "d19", "10.0.0.1"));
    assertThat(alerts).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(20));
  }

  @Test
  void denialBurst_perClient() {
    Detector d = detector(Detection.DEFAULT);
    for (int i = 0; i < 19; i++) {
      d.on(new SecurityEvent.AccessDenied(T.plusSeconds(i), from("press-1", "10.0.0.1"), Action.PUBLISH,
          "factory/press-2/temp", "no rule matched"));
      d.on(new SecurityEvent.AccessDenied(T.plusSeconds(i), from("press-2", "10.0.0.2"), Action.PUBLISH,
          "factory/press-1/temp", "no rule matched"));
    }
    assertThat(alerts).isEmpty();
    d.on(new SecurityEvent.AccessDenied(T.plusSeconds(19), from("press-1", "10.0.0.1"), Action.SUBSCRIBE, "#",
        "no rule matched"));
    assertThat(alerts).singleElement().satisfies(a -> {
      assertThat(a.name()).isEqualTo("alert.denial-burst");
      assertThat(a.scope()).isEqualTo("client press-1-c");
      assertThat(a.detail()).isEqualTo("20 ACL denials within 60 s for client press-1-c, the last SUBSCRIBE #");
    });
  }

  @Test
  void memory_isBounded_andTheRestShareOneCount() {
    Detector d = detector(Detection.DEFAULT.withMaxTracked(1000));
    for (int i = 0; i < 5000; i++) {
      d.on(failure(T, "u" + i, "10." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF)));
      d.on(login(T, "d" + i, "10.1." + (i >> 8 & 0xFF) + "." + (i & 0xFF)));
    }
    // addresses, users, devices: at most 1000 each, plus the shared counts
    assertThat(d.tracked()).isLessThanOrEqualTo(3 * 1001);
    assertThat(d.unlearnedDevices()).isEqualTo(4000);
    assertThat(alerts).extracting(SecurityEvent.AlertRaised::scope).contains("address *", "user *");
  }

  @Test
  void sweep_forgetsCountsOlderThanTheirWindow() {
    Detector d = detector(Detection.DEFAULT);
    for (int i = 0; i < 100; i++) {
      d.on(failure(T, "u" + i, "10.0.0." + i));
    }
    assertThat(d.tracked()).isEqualTo(200);
    d.sweep(T.plusSeconds(30));
    assertThat(d.tracked()).isEqualTo(200);
    d.sweep(T.plusSeconds(61));
    assertThat(d.tracked()).isZero();
  }

  @Test
  void badRules_areRefusedWithTheirReason() {
    assertThatThrownBy(() -> new Detection.BruteForce(0, Duration.ofMinutes(1))).hasMessage(
        "failures must be 1 to 10000, was 0");
    assertThatThrownBy(() -> new Detection.NewAddress(24, 96)).hasMessage("ipv6 prefix must be 1 to 64, was 96");
    assertThatThrownBy(() -> new Detection.ConnectionSpike(Duration.ofSeconds(10), 0.5, 10, Duration.ZERO))
        .hasMessage("factor must be a number of at least 1, was 0.5");
    assertThatThrownBy(() -> new Detection.DenialBurst(5, Duration.ZERO)).hasMessage(
        "window must be longer than zero, was 0 s");
  }
}
