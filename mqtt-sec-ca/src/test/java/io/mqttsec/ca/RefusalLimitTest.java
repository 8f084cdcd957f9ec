/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RefusalLimitTest {

  static final Instant T = Instant.parse("2026-06-01T08:00:00Z");

  static InetAddress address(int n) throws Exception {
    return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
  }

  @Test
  void theRefusalThatReachesTheLimit_holdsOffForTheWindowFromThen() throws Exception {
    RefusalLimit limit = new RefusalLimit(3, Duration.ofMinutes(10));
    InetAddress a = address(1);
    limit.refused(a, T);
    limit.refused(a, T.plusSeconds(60));
    assertThat(limit.heldOff(a, T.plusSeconds(61))).as("two of three").isNull();
    limit.refused(a, T.plusSeconds(120));
    assertThat(limit.heldOff(a, T.plusSeconds(120))).isEqualTo(Duration.ofMinutes(10));
    assertThat(limit.heldOff(a, T.plusSeconds(719))).isEqualTo(Duration.ofSeconds(1));
    assertThat(limit.heldOff(a, T.plusSeconds(720))).as("the window over").isNull();
    limit.refused(a, T.plusSeconds(721));
    assertThat(limit.heldOff(a, T.plusSeconds(721))).as("counting starts again").isNull();
    assertThat(limit.heldOff(address(2), T.plusSeconds(130))).as("another address").isNull();
  }

  @Test
  void refusalsOlderThanTheWindow_areForgotten() throws Exception {
    RefusalLimit limit = new RefusalLimit(2, Duration.ofMinutes(10));
    InetAddress a = address(1);
    limit.refused(a, T);
    limit.refused(a, T.plus(Duration.ofMinutes(10)));
    assertThat(limit.heldOff(a, T.plus(Duration.ofMinutes(10)))).as("exactly a window apart").isNull();
    limit.refused(a, T.plus(Duration.ofMinutes(19)));
    assertThat(limit.heldOff(a, T.plus(Duration.ofMinutes(19)))).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void atMostTenThousandAddressesAreRemembered_theLeastRecentlySeenForgottenFirst() throws Exception {
    RefusalLimit limit = new RefusalLimit(1, Duration.ofMinutes(10));
    for (int i = 0; i < RefusalLimit.ADDRESSES; i++) {
      limit.refused(address(i), T);
    }
    assertThat(limit.heldOff(address(0), T)).as("seen again, so kept").isNotNull();
    limit.refused(address(RefusalLimit.ADDRESSES), T);
    assertThat(limit.heldOff(address(1), T)).as("the least recently seen, forgotten").isNull();
    assertThat(limit.heldOff(address(0), T)).isNotNull();
    assertThat(limit.heldOff(address(2), T)).isNotNull();
    assertThat(limit.heldOff(address(RefusalLimit.ADDRESSES), T)).isNotNull();
  }
}
