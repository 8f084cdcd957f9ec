/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Durations}: the short forms people type, ISO-8601, and durations said back in words. */
class DurationsTest {

  @Test
  void shortForms_andTheirCombinations_andIso() {
    assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(Durations.parse("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(Durations.parse("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse(" 1H30m ")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1d12h")).isEqualTo(Duration.ofHours(36));
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("P1D")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("pt2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("-PT1S")).isEqualTo(Duration.ofSeconds(-1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "2", "d", "2 s", "2x", "1h 30m", "30d!", "P", "PT", "P1X", "1.5h", "-1d",
      "9999999999d"})
  void anythingElse_isRefusedWithTheFormsItCouldTake(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"" + text + "\" is not a duration (such as 30d, 12h, 90m, 45s, 500ms, 1h30m, or ISO-8601 "
            + "P1D, PT2S)");
  }

  @Test
  void describe_usesTheLargestWholeUnit() {
    assertThat(Durations.describe(Duration.ofDays(7))).isEqualTo("7 days");
    assertThat(Durations.describe(Duration.ofDays(1))).isEqualTo("1 day");
    assertThat(Durations.describe(Duration.ofHours(36))).isEqualTo("36 hours");
    assertThat(Durations.describe(Duration.ofMinutes(90))).isEqualTo("90 minutes");
    assertThat(Durations.describe(Duration.ofSeconds(2))).isEqualTo("2 s");
    assertThat(Durations.describe(Duration.ofMillis(1500))).isEqualTo("1500 ms");
    assertThat(Durations.describe(Duration.ZERO)).isEqualTo("0 s");
    assertThat(Durations.describe(Duration.ofHours(-1))).isEqualTo("-1 hour");
    assertThat(Durations.describe(Duration.ofNanos(10))).isEqualTo("10 ns");
  }
}
