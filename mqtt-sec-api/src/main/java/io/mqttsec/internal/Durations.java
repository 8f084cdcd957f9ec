/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, everywhere mqtt-sec reads one: {@code 30d}, {@code 12h}, {@code 90m},
 * {@code 45s}, {@code 500ms}, combined ({@code 1h30m}), or ISO-8601 ({@code P1D}, {@code PT2S}); and said back in
 * days, hours, minutes or seconds rather than {@code PT168H}. Internal to mqtt-sec.
 */
public final class Durations {

  /** What a duration may look like, for error messages. */
  public static final String FORMS = "such as 30d, 12h, 90m, 45s, 500ms, 1h30m, or ISO-8601 P1D, PT2S";

  private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|d|h|m|s)");

  private Durations() {
  }

  /**
   * The duration {@code text} writes.
   *
   * @throws IllegalArgumentException {@code "\"2x\" is not a duration (such as ...)"}
   */
  public static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("p") || t.startsWith("-p")) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw notADuration(text);
      }
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int at = 0;
    try {
      while (at < t.length() && m.find(at) && m.start() == at) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "d" -> Duration.ofDays(n);
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMillis(n);
        });
        at = m.end();
      }
    } catch (ArithmeticException e) {
      throw notADuration(text);
    }
    if (at == 0 || at != t.length()) {
      throw notADuration(text);
    }
    return total;
  }

  /**
   * {@code d} in the largest whole unit: {@code 7 days}, {@code 1 hour}, {@code 90 minutes}, {@code 2 s},
   * {@code 500 ms}.
   */
  public static String describe(Duration d) {
    if (d.isNegative()) {
      return "-" + describe(d.negated());
    }
    if (d.isZero()) {
      return "0 s";
    }
    if (d.toNanos() % 1_000_000 != 0 && d.toSeconds() < 1) {
      return d.toNanos() + " ns";
    }
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0) {
      return plural(ms / 86_400_000, "day");
    }
    if (ms % 3_600_000 == 0) {
      return plural(ms / 3_600_000, "hour");
    }
    if (ms % 60_000 == 0) {
      return plural(ms / 60_000, "minute");
    }
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException("\"" + text + "\" is not a duration (" + FORMS + ")");
  }
}
