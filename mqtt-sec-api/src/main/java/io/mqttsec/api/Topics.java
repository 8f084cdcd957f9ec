/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import io.mqttsec.internal.TopicMatching;

/**
 * The MQTT topic rules (MQTT 3.1.1 and MQTT 5, §4.7): validation of topic names and filters, matching, and the
 * two relations between filters that strict authorization needs, {@link #covers} and {@link #intersects}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Names and filters are non-empty, well-formed UTF-16 (so well-formed UTF-8 on the wire), at most 65,535
 *       bytes of UTF-8, and contain no U+0000.
 *   <li>Levels are separated by {@code /} and may be empty: {@code a//b}, {@code /a} and {@code /} are valid.
 *   <li>In a filter, {@code +} and {@code #} occupy a whole level, and {@code #} is the last level. A topic name
 *       contains neither.
 *   <li>{@code #} also matches the parent level: {@code a/#} matches {@code a}. {@code +} matches exactly one
 *       level, which may be empty: {@code a/+} matches {@code a/} but not {@code a}.
 *   <li>A filter whose first level is a wildcard never matches a topic that starts with {@code $}:
 *       {@code #} does not match {@code $SYS/uptime}, {@code $SYS/#} does.
 *   <li>Matching is case-sensitive and exact: no normalisation of any kind.
 *   <li>A name or filter with more than {@link #DEFAULT_MAX_LEVELS} levels is refused (a configurable limit
 *       that bounds the work a single packet can cause).
 * </ul>
 *
 * <h2>Two input paths</h2>
 * {@code validateName}/{@code validateFilter} are for configuration and API input: they throw an
 * {@link InvalidTopicException} that says which rule is broken where. {@code isValid...}, {@link #matches},
 * {@link #covers} and {@link #intersects} are for wire input on the hot path: they never throw and allocate
 * nothing; an invalid argument simply does not match.
 *
 * <p>Stateless and thread-safe.
 */
public final class Topics {

  /** The default limit on the number of levels in a topic name or filter: 200. */
  public static final int DEFAULT_MAX_LEVELS = 200;

  /** The MQTT limit on the UTF-8 length of a topic name or filter: 65,535 bytes. */
  public static final int MAX_BYTES = 65_535;

  private static final long VALID = 0;

  private Topics() {
  }

  // ---------------------------------------------------------------- validation

  /**
   * Checks a topic name (as used in PUBLISH) given as configuration or API input.
   *
   * @throws InvalidTopicException naming the broken rule and its index, e.g.
   *     {@code topic name "a/+": '+' at index 2 is a wildcard, not allowed in a topic name}
   */
  public static void validateName(String name) {
    validateName(name, DEFAULT_MAX_LEVELS);
  }

  /** As {@link #validateName(String)} with a level limit other than the default. */
  public static void validateName(String name, int maxLevels) {
    long result = check(name, false, requirePositive(maxLevels));
    if (result != VALID) {
      throw failure("topic name", name, result, maxLevels);
    }
  }

  /**
   * Checks a topic filter (as used in SUBSCRIBE and in rules) given as configuration or API input.
   *
   * @throws InvalidTopicException naming the broken rule and its index, e.g.
   *     {@code topic filter "a/#/b": '#' at index 2 must be the last level}
   */
  public static void validateFilter(String filter) {
    validateFilter(filter, DEFAULT_MAX_LEVELS);
  }

  /** As {@link #validateFilter(String)} with a level limit other than the default. */
  public static void validateFilter(String filter, int maxLevels) {
    long result = check(filter, true, requirePositive(maxLevels));
    if (result != VALID) {
      throw failure("topic filter", filter, result, maxLevels);
    }
  }

  /** Whether {@code name} is a valid topic name within the default level limit; null is not. Never throws. */
  public static boolean isValidName(String name) {
    return check(name, false, DEFAULT_MAX_LEVELS) == VALID;
  }

  /** Whether {@code name} is a valid topic name with at most {@code maxLevels} levels. Never throws. */
  public static boolean isValidName(String name, int maxLevels) {
    return check(name, false, maxLevels) == VALID;
  }

  /** Whether {@code filter} is a valid topic filter within the default level limit; null is not. Never throws. */
  public static boolean isValidFilter(String filter) {
    return check(filter, true, DEFAULT_MAX_LEVELS) == VALID;
  }

  /** Whether {@code filter} is a valid topic filter with at most {@code maxLevels} levels. Never throws. */
  public static boolean isValidFilter(String filter, int maxLevels) {
    return check(filter, true, maxLevels) == VALID;
  }

  // ---------------------------------------------------------------- relations

  /**
   * Whether the topic name {@code topic} matches the topic filter {@code filter}. Returns false when either is
   * invalid (wire input never throws).
   */
  public static boolean matches(String filter, String topic) {
    return isValidFilter(filter) && isValidName(topic) && TopicMatching.matches(filter, topic);
  }

  /**
   * Whether {@code grant} covers {@code request}: every topic name that {@code request} matches is matched by
   * {@code grant} too. This is what a read grant must satisfy before a subscription is allowed: {@code a/+}
   * covers {@code a/b} and {@code a/+} but not {@code a/#}, because {@code +} never covers {@code #}.
   * Both arguments are filters; a topic name is a filter without wildcards. Returns false when either is
   * invalid.
   */
  public static boolean covers(String grant, String request) {
    return isValidFilter(grant) && isValidFilter(request) && TopicMatching.covers(grant, request);
  }

  /**
   * Whether some topic name is matched by both filters. A deny rule that intersects a requested subscription
   * means the subscription could carry a denied message. Symmetric. Returns false when either is invalid.
   */
  public static boolean intersects(String a, String b) {
    return isValidFilter(a) && isValidFilter(b) && TopicMatching.intersects(a, b);
  }

  /** Whether {@code topic} starts with {@code $}, so that filters with a wildcard first level do not match it. */
  public static boolean isDollarTopic(String topic) {
    return !topic.isEmpty() && topic.charAt(0) == '$';
  }

  // ---------------------------------------------------------------- the checker behind both input paths

  private enum Problem {
    NULL,
    EMPTY,
    TOO_LONG,
    TOO_DEEP,
    NUL,
    UNPAIRED_SURROGATE,
    WILDCARD_IN_NAME,
    PLUS_NOT_WHOLE_LEVEL,
    HASH_NOT_WHOLE_LEVEL,
    HASH_NOT_LAST
  }

  private static final Problem[] PROBLEMS = Problem.values();

  private static long problem(Problem p, int index) {
    return ((long) (p.ordinal() + 1) << 32) | index;
  }

  /**
   * One pass over the input; returns {@link #VALID} or the first problem and its index packed in a long, so the
   * hot path allocates nothing and the throwing path can still say exactly what is wrong.
   */
  private static long check(String s, boolean filter, int maxLevels) {
    if (s == null) {
      return problem(Problem.NULL, 0);
    }
    int n = s.length();
    if (n == 0) {
      return problem(Problem.EMPTY, 0);
    }
    if (n > MAX_BYTES) {
      return problem(Problem.TOO_LONG, MAX_BYTES);
    }
    // Every char is at least one byte of UTF-8; "extra" counts the rest. Printable ASCII above '/' (letters,
    // digits, most punctuation) needs no test beyond the first comparison.
    int extra = 0;
    int levels = 1;
    int levelStart = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > '/' && c < 0x80) {
        continue;
      }
      if (c < 0x80) {
        if (c == '/') {
          if (++levels > maxLevels) {
            return problem(Problem.TOO_DEEP, i);
          }
          levelStart = i + 1;
        } else if (c == '+' || c == '#') {
          if (!filter) {
            return problem(Problem.WILDCARD_IN_NAME, i);
          }
          if (i != levelStart || (i + 1 < n && s.charAt(i + 1) != '/')) {
            return problem(c == '+' ? Problem.PLUS_NOT_WHOLE_LEVEL : Problem.HASH_NOT_WHOLE_LEVEL, i);
          }
          if (c == '#' && i + 1 != n) {
            return problem(Problem.HASH_NOT_LAST, i);
          }
        } else if (c == 0) {
          return problem(Problem.NUL, i);
        }
        continue;
      }
      if (c < 0x800) {
        extra += 1;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          extra += 2; // four bytes for two chars
          i++;
        } else {
          return problem(Problem.UNPAIRED_SURROGATE, i);
        }
      } else if (Character.isLowSurrogate(c)) {
        return problem(Problem.UNPAIRED_SURROGATE, i);
      } else {
        extra += 2;
      }
      if (i + 1 + extra > MAX_BYTES) { // the bytes up to and including this char
        return problem(Problem.TOO_LONG, i);
      }
    }
    if (n + extra > MAX_BYTES) {
      // Crossed on an ASCII char after the last multi-byte one: the char at which the byte count passes the limit.
      return problem(Problem.TOO_LONG, MAX_BYTES - extra);
    }
    return VALID;
  }

  private static InvalidTopicException failure(String what, String input, long result, int maxLevels) {
    Problem p = PROBLEMS[(int) (result >>> 32) - 1];
    int i = (int) result;
    String text = switch (p) {
      case NULL -> "must not be null";
      case EMPTY -> "must not be empty";
      case TOO_LONG -> "is longer than the MQTT limit of 65,535 bytes of UTF-8";
      case TOO_DEEP -> "has more than " + maxLevels + " levels (the level limit, maxLevels, is " + maxLevels + ")";
      case NUL -> "U+0000 at index " + i + " is not allowed";
      case UNPAIRED_SURROGATE -> "unpaired surrogate at index " + i + " is not well-formed UTF-8";
      case WILDCARD_IN_NAME -> "'" + input.charAt(i) + "' at index " + i + " is a wildcard, not allowed in a topic name";
      case PLUS_NOT_WHOLE_LEVEL -> "'+' at index " + i + " must occupy a whole level";
      case HASH_NOT_WHOLE_LEVEL -> "'#' at index " + i + " must occupy a whole level";
      case HASH_NOT_LAST -> "'#' at index " + i + " must be the last level";
    };
    return new InvalidTopicException(what, input, i, text);
  }

  private static int requirePositive(int maxLevels) {
    if (maxLevels < 1) {
      throw new IllegalArgumentException("maxLevels must be at least 1, was " + maxLevels);
    }
    return maxLevels;
  }
}
