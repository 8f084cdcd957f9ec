/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Differential properties: {@link Topics} against a reference written straight from the specification, and
 * {@code covers}/{@code intersects} against a brute-force search over every topic of a small universe.
 *
 * <p>The universe holds every topic of 1 to 5 levels over the levels the filters use plus a fresh one
 * ({@code z}), which is enough for a witness to exist whenever the answer is "no": filters have at most 4
 * levels, and a counterexample needs at most one level more than the longer filter.
 */
class TopicsPropertiesTest {

  private static final List<String> FILTER_LEVELS = List.of("a", "b", "", "$s");
  private static final List<String> TOPIC_LEVELS = List.of("a", "b", "", "$s", "z");
  private static final List<String> UNIVERSE = universe(5);

  private static List<String> universe(int maxDepth) {
    List<String> all = new ArrayList<>();
    List<String> current = List.of("");
    for (int depth = 1; depth <= maxDepth; depth++) {
      List<String> next = new ArrayList<>();
      for (String prefix : current) {
        for (String level : TOPIC_LEVELS) {
          next.add(depth == 1 ? level : prefix + "/" + level);
        }
      }
      next.stream().filter(t -> !t.isEmpty()).forEach(all::add);
      current = next;
    }
    return List.copyOf(all);
  }

  /** The reference matcher: split into levels and recurse, exactly as §4.7 reads. */
  static boolean referenceMatches(String filter, String topic) {
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
      return false;
    }
    return referenceMatches(f, 0, t, 0);
  }

  private static boolean referenceMatches(String[] f, int i, String[] t, int j) {
    if (i == f.length) {
      return j == t.length;
    }
    if (f[i].equals("#")) {
      return true;
    }
    if (j == t.length) {
      return false;
    }
    return (f[i].equals("+") || f[i].equals(t[j])) && referenceMatches(f, i + 1, t, j + 1);
  }

  @Provide
  Arbitrary<String> filters() {
    Arbitrary<String> level = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.of(FILTER_LEVELS)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just("+")));
    Arbitrary<List<String>> levels = level.list().ofMinSize(1).ofMaxSize(4);
    return Combinators.combine(levels, Arbitraries.of(true, false)).as((ls, hash) -> {
      List<String> all = new ArrayList<>(ls);
      if (hash) {
        all.set(all.size() - 1, "#");
      }
      return String.join("/", all);
    }).filter(f -> !f.isEmpty());
  }

  @Property(tries = 1000)
  void matches_agreesWithReference(@ForAll("filters") String filter) {
    for (String topic : UNIVERSE) {
      assertThat(Topics.matches(filter, topic))
          .as("matches(%s, %s)", filter, topic)
          .isEqualTo(referenceMatches(filter, topic));
    }
  }

  @Property(tries = 1000)
  void covers_agreesWithBruteForce(@ForAll("filters") String grant, @ForAll("filters") String request) {
    boolean bruteForce = UNIVERSE.stream()
        .allMatch(t -> !referenceMatches(request, t) || referenceMatches(grant, t));
    assertThat(Topics.covers(grant, request)).as("covers(%s, %s)", grant, request).isEqualTo(bruteForce);
  }

  @Property(tries = 1000)
  void intersects_agreesWithBruteForceAndIsSymmetric(@ForAll("filters") String a, @ForAll("filters") String b) {
    boolean bruteForce = UNIVERSE.stream().anyMatch(t -> referenceMatches(a, t) && referenceMatches(b, t));
    assertThat(Topics.intersects(a, b)).as("intersects(%s, %s)", a, b).isEqualTo(bruteForce);
    assertThat(Topics.intersects(b, a)).isEqualTo(Topics.intersects(a, b));
  }

  @Property(tries = 500)
  void covers_isReflexiveAndImpliesIntersects(@ForAll("filters") String a, @ForAll("filters") String b) {
    assertThat(Topics.covers(a, a)).isTrue();
    if (Topics.covers(a, b)) {
      assertThat(Topics.intersects(a, b)).isTrue();
    }
  }

  // ------------------------------------------------------------ validation on arbitrary strings

  @Provide
  Arbitrary<String> arbitraryText() {
    Arbitrary<Character> interesting = Arbitraries.of('/', '+', '#', '$', '\u0000', 'a', '\uD83D', '\uDE00', 'é');
    Arbitrary<Character> any = Arbitraries.chars();
    return Arbitraries.oneOf(interesting, any).list().ofMaxSize(12).map(cs -> {
      StringBuilder sb = new StringBuilder();
      cs.forEach(sb::append);
      return sb.toString();
    });
  }

  /** A reference validator, level by level with the JDK's UTF-8 encoder. */
  static boolean referenceValidFilter(String s, boolean filter) {
    if (s.isEmpty() || s.indexOf('\u0000') >= 0) {
      return false;
    }
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(s)
        || s.getBytes(StandardCharsets.UTF_8).length > Topics.MAX_BYTES) {
      return false;
    }
    String[] levels = s.split("/", -1);
    if (levels.length > Topics.DEFAULT_MAX_LEVELS) {
      return false;
    }
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      boolean wild = level.contains("+") || level.contains("#");
      if (wild && (!filter || level.length() != 1 || (level.equals("#") && i != levels.length - 1))) {
        return false;
      }
    }
    return true;
  }

  @Property(tries = 2000)
  void validation_agreesWithReferenceAndThrowsOnlyInvalidTopicException(@ForAll("arbitraryText") String s) {
    for (boolean filter : new boolean[] {true, false}) {
      boolean expected = referenceValidFilter(s, filter);
      assertThat(filter ? Topics.isValidFilter(s) : Topics.isValidName(s)).as("valid(%s)", s).isEqualTo(expected);
      Runnable validate = filter ? () -> Topics.validateFilter(s) : () -> Topics.validateName(s);
      if (expected) {
        assertThatCode(validate::run).doesNotThrowAnyException();
      } else {
        assertThatCode(validate::run).isInstanceOf(InvalidTopicException.class);
      }
    }
  }

  @Property(tries = 2000)
  void relations_onArbitraryText_neverThrow(@ForAll("arbitraryText") String a, @ForAll("arbitraryText") String b) {
    assertThatCode(() -> {
      Topics.matches(a, b);
      Topics.covers(a, b);
      Topics.intersects(a, b);
      SharedSubscription.tryParse("$share/" + a + "/" + b);
    }).doesNotThrowAnyException();
  }
}
