/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of MQTT 5 §4.7, with the specification's own examples. */
class TopicsTest {

  // ------------------------------------------------------------ §4.7.1 wildcards: the spec's examples

  @ParameterizedTest
  @CsvSource({
      "sport/tennis/player1/#, sport/tennis/player1",
      "sport/tennis/player1/#, sport/tennis/player1/ranking",
      "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon",
      "sport/#, sport",
      "#, sport/tennis",
      "sport/tennis/+, sport/tennis/player1",
      "sport/+, sport/",
      "+/+, /finance",
      "/+, /finance",
      "+, finance",
      "$SYS/#, $SYS/monitor/Clients",
      "$SYS/monitor/+, $SYS/monitor/Clients",
      "+/+, /",
      "a//b, a//b",
      "a/+/b, a//b",
      "a/#, a/",
      "'Accounts payable', 'Accounts payable'",
  })
  void matches_specExamples_match(String filter, String topic) {
    assertThat(Topics.matches(filter, topic)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "sport/tennis/+, sport/tennis/player1/ranking",
      "sport/+, sport",
      "+, /finance",
      "#, $SYS/monitor/Clients",
      "+/monitor/Clients, $SYS/monitor/Clients",
      "+, $SYS",
      "ACCOUNTS, Accounts",
      "/finance, finance",
      "finance, /finance",
      "a/b, a/b/c",
      "a/b/c, a/b",
      "a/+, a",
      "a/+/#, a",
      "a/b, a/bc",
      "a/bc, a/b",
  })
  void matches_specCounterExamples_doNotMatch(String filter, String topic) {
    assertThat(Topics.matches(filter, topic)).isFalse();
  }

  @Test
  void matches_dollarLevelBelowFirst_isOrdinaryText() {
    assertThat(Topics.matches("+/$x", "a/$x")).isTrue();
    assertThat(Topics.matches("a/#", "a/$SYS")).isTrue();
  }

  @Test
  void matches_nonAscii_comparesExactly() {
    assertThat(Topics.matches("fábrica/+/temp", "fábrica/prensa-42/temp")).isTrue();
    assertThat(Topics.matches("fábrica/+", "fa\u0301brica/x")).isFalse(); // no Unicode normalisation
    assertThat(Topics.matches("😀/+", "😀/x")).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "sport/tennis#, sport/tennis",
      "sport/tennis/#/ranking, sport/tennis/x/ranking",
      "sport+, sport",
      "a/+, a/+",
      "a/#, a/#",
      "'', ''",
  })
  void matches_invalidArguments_returnFalseWithoutThrowing(String filter, String topic) {
    assertThat(Topics.matches(filter, topic)).isFalse();
    assertThat(Topics.matches(null, "a")).isFalse();
    assertThat(Topics.matches("a", null)).isFalse();
  }

  @Test
  void matches_topicDeeperThanLimit_doesNotMatch() {
    String deep = "a/".repeat(200) + "a"; // 201 levels
    assertThat(Topics.matches("#", deep)).isFalse();
    assertThat(Topics.matches("#", "a/".repeat(199) + "a")).isTrue();
  }

  // ------------------------------------------------------------ validation messages

  @Test
  void validateFilter_hashNotLast_namesIndexAndRule() {
    assertThatThrownBy(() -> Topics.validateFilter("a/#/b"))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessage("topic filter \"a/#/b\": '#' at index 2 must be the last level")
        .satisfies(e -> assertThat(((InvalidTopicException) e).index()).isEqualTo(2));
  }

  @Test
  void validateFilter_wildcardsNotWholeLevel_rejected() {
    assertThatThrownBy(() -> Topics.validateFilter("sport+"))
        .hasMessage("topic filter \"sport+\": '+' at index 5 must occupy a whole level");
    assertThatThrownBy(() -> Topics.validateFilter("sport/tennis#"))
        .hasMessage("topic filter \"sport/tennis#\": '#' at index 12 must occupy a whole level");
    assertThatThrownBy(() -> Topics.validateFilter("a/#b"))
        .hasMessage("topic filter \"a/#b\": '#' at index 2 must occupy a whole level");
    assertThatThrownBy(() -> Topics.validateFilter("a/+b/c"))
        .hasMessage("topic filter \"a/+b/c\": '+' at index 2 must occupy a whole level");
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "+", "+/tennis/#", "sport/+/player1", "/", "//", "a//+/#", "$SYS/#", "+/+/+"})
  void validateFilter_validFilters_pass(String filter) {
    Topics.validateFilter(filter);
    assertThat(Topics.isValidFilter(filter)).isTrue();
  }

  @Test
  void validateName_wildcard_rejected() {
    assertThatThrownBy(() -> Topics.validateName("a/+"))
        .hasMessage("topic name \"a/+\": '+' at index 2 is a wildcard, not allowed in a topic name");
    assertThatThrownBy(() -> Topics.validateName("#"))
        .hasMessage("topic name \"#\": '#' at index 0 is a wildcard, not allowed in a topic name");
    assertThat(Topics.isValidName("a/b+c")).isFalse();
  }

  @Test
  void validate_emptyAndNull_rejected() {
    assertThatThrownBy(() -> Topics.validateName("")).hasMessage("topic name \"\": must not be empty");
    assertThatThrownBy(() -> Topics.validateFilter(null)).hasMessage("topic filter null: must not be null");
    assertThat(Topics.isValidName(null)).isFalse();
  }

  @Test
  void validate_nulCharacter_rejected() {
    assertThatThrownBy(() -> Topics.validateName("a\u0000b"))
        .hasMessage("topic name \"a\u0000b\": U+0000 at index 1 is not allowed");
  }

  @Test
  void validate_unpairedSurrogate_rejected() {
    assertThatThrownBy(() -> Topics.validateName("a\uD800"))
        .hasMessage("topic name \"a\uD800\": unpaired surrogate at index 1 is not well-formed UTF-8");
    assertThatThrownBy(() -> Topics.validateName("\uDC00a"))
        .hasMessageEndingWith("unpaired surrogate at index 0 is not well-formed UTF-8");
    assertThat(Topics.isValidName("\uD83D\uDE00")).isTrue();
  }

  @Test
  void validate_byteLimit_countsUtf8Bytes() {
    String euro3 = "€".repeat(21_845); // 3 bytes each = 65,535
    assertThat(Topics.isValidName(euro3)).isTrue();
    assertThat(Topics.isValidName(euro3 + "a")).isFalse();
    assertThat(Topics.isValidName("a".repeat(65_535))).isTrue();
    assertThatThrownBy(() -> Topics.validateName("a".repeat(65_536)))
        .hasMessage("topic name \"" + "a".repeat(80) + "\"... (65536 chars): "
            + "is longer than the MQTT limit of 65,535 bytes of UTF-8");
  }

  @Test
  void validate_byteLimit_indexIsTheCharThatCrossesIt() {
    // 30,000 two-byte chars (60,000 bytes), then ASCII: the limit is passed at char 35,535, an ASCII one.
    String mixed = "é".repeat(30_000) + "a".repeat(6_000);
    assertThatThrownBy(() -> Topics.validateName(mixed))
        .isInstanceOfSatisfying(InvalidTopicException.class, e -> assertThat(e.index()).isEqualTo(35_535));
    assertThat(Topics.isValidName("é".repeat(30_000) + "a".repeat(5_535))).isTrue();
    // Crossed on a multi-byte char: 65,534 ASCII bytes, then a two-byte char at index 65,534.
    assertThatThrownBy(() -> Topics.validateName("a".repeat(65_534) + "é"))
        .isInstanceOfSatisfying(InvalidTopicException.class, e -> assertThat(e.index()).isEqualTo(65_534));
  }

  @Test
  void validate_levelLimit_isConfigurable() {
    String levels201 = "a/".repeat(200) + "a";
    assertThatThrownBy(() -> Topics.validateFilter(levels201))
        .hasMessageEndingWith(": has more than 200 levels (the level limit, maxLevels, is 200)");
    Topics.validateFilter(levels201, 201);
    assertThat(Topics.isValidFilter("a/b/c", 2)).isFalse();
    assertThat(Topics.isValidFilter("a/b", 2)).isTrue();
    assertThatThrownBy(() -> Topics.validateFilter("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLevels must be at least 1, was 0");
  }

  // ------------------------------------------------------------ covers

  @ParameterizedTest
  @CsvSource({
      "a/+, a/b",
      "a/+, a/+",
      "a/#, a/#",
      "a/#, a",
      "a/#, a/+/c",
      "#, #",
      "#, +/+",
      "+/#, +",
      "a/+/#, a/+",
      "$SYS/#, $SYS/broker/+",
  })
  void covers_grantCoversRequest(String grant, String request) {
    assertThat(Topics.covers(grant, request)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "a/+, a/#",
      "a/+, a",
      "a/+/#, a/#",
      "a/b, a/+",
      "+, #",
      "#, $SYS/#",
      "+/x, $SYS/x",
      "a/+, a/b/c",
      "a, a/#",
  })
  void covers_grantDoesNotCoverRequest(String grant, String request) {
    assertThat(Topics.covers(grant, request)).isFalse();
  }

  @Test
  void covers_dollarRule_wildcardFirstLevelNeverCoversDollarTopics() {
    assertThat(Topics.covers("#", "$SYS/uptime")).isFalse();
    assertThat(Topics.covers("+/uptime", "$SYS/uptime")).isFalse();
    assertThat(Topics.covers("$SYS/+", "$SYS/uptime")).isTrue();
    assertThat(Topics.covers("#", "+/uptime")).isTrue(); // neither side can match a $-topic
  }

  // ------------------------------------------------------------ intersects

  @ParameterizedTest
  @CsvSource({
      "a/+, a/#",
      "a/#, a",
      "+/b, a/+",
      "#, a/b/c",
      "a/+/c, a/b/+",
      "$SYS/#, $SYS/+",
      "a/#, +/b/#",
  })
  void intersects_overlappingFilters_true(String a, String b) {
    assertThat(Topics.intersects(a, b)).isTrue();
    assertThat(Topics.intersects(b, a)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "a/+, a",
      "a/+, b/+",
      "#, $SYS/#",
      "+/x, $SYS/x",
      "a/b, a/b/c",
      "a/+/c, a/b/d",
      "a/+/#, a",
  })
  void intersects_disjointFilters_false(String a, String b) {
    assertThat(Topics.intersects(a, b)).isFalse();
    assertThat(Topics.intersects(b, a)).isFalse();
  }

  /** Counterexamples the differential properties once found, kept as examples. */
  @Test
  void relations_edgeCasesFoundByProperties() {
    // At the first level '#' needs one level at least, so it is exactly "+/#".
    assertThat(Topics.covers("+/#", "#")).isTrue();
    assertThat(Topics.covers("a/+/#", "a/#")).isFalse(); // below the first level '#' also matches the parent
    assertThat(Topics.covers("/+/#", "/#")).isTrue(); // ...unless that parent is the topic "", which cannot exist
    // "/#" and "+" could only meet in the topic "", which does not exist.
    assertThat(Topics.intersects("/#", "+")).isFalse();
    assertThat(Topics.intersects("+/#", "+")).isTrue();
    // A trailing empty level.
    assertThat(Topics.matches("a/", "a/")).isTrue();
    assertThat(Topics.matches("a/", "a")).isFalse();
    assertThat(Topics.matches("a//", "a//")).isTrue();
  }

  @Test
  void relations_invalidInput_falseWithoutThrowing() {
    assertThat(Topics.covers("a/#/b", "a/b")).isFalse();
    assertThat(Topics.covers("#", "a/#/b")).isFalse();
    assertThat(Topics.intersects("#", "a+")).isFalse();
    assertThat(Topics.intersects(null, "#")).isFalse();
  }
  /**
   * The 65,535-byte limit counted in UTF-8, for characters of every encoded length at their boundaries (U+007F
   * one byte, U+0080 and U+07FF two, U+0800 and U+FFFF three, U+10000 four), with the limit crossed on that
   * character and on an ASCII one after it.
   */
  @ParameterizedTest
  @CsvSource({"007F, 1", "0080, 2", "07FF, 2", "0800, 3", "FFFF, 3", "10000, 4"})
  void theByteLimit_countsEveryCharacterByItsUtf8Length(String hex, int bytes) {
    String c = Character.toString(Integer.parseInt(hex, 16));
    int max = Topics.MAX_BYTES;
    assertThat(Topics.isValidName("a".repeat(max - bytes) + c)).as("U+%s last, exactly at the limit", hex).isTrue();
    assertThat(Topics.isValidName("a".repeat(max - bytes + 1) + c)).as("U+%s last, one byte over", hex).isFalse();
    assertThat(Topics.isValidName(c + "a".repeat(max - bytes))).as("U+%s first, exactly at the limit", hex).isTrue();
    assertThat(Topics.isValidName(c + "a".repeat(max - bytes + 1))).as("U+%s first, one byte over", hex).isFalse();
    assertThat(Topics.isValidName(c + c + "a".repeat(max - 2 * bytes))).as("two U+%s", hex).isTrue();
    assertThat(Topics.isValidName(c + c + "a".repeat(max - 2 * bytes + 1))).as("two U+%s, over", hex).isFalse();
  }

  @Test
  void theByteLimit_namesTheCharacterWhereItIsCrossed() {
    String name = "a".repeat(Topics.MAX_BYTES - 4) + "\u4e2d\u4e2d"; // 65,537 bytes: the second one crosses
    assertThatThrownBy(() -> Topics.validateName(name)).isInstanceOfSatisfying(InvalidTopicException.class,
        e -> assertThat(e.index()).isEqualTo(Topics.MAX_BYTES - 3));
  }

  @Test
  void levelLimits_andDollarTopics_atTheirEdges() {
    assertThat(Topics.isValidName("a", 1)).isTrue();
    assertThat(Topics.isValidName("a/b", 1)).isFalse();
    assertThat(Topics.isValidName("a/b", 2)).isTrue();
    assertThat(Topics.isValidName("a/+")).isFalse();
    assertThat(Topics.isValidName("a/b")).isTrue();
    Topics.validateName("a", 1);
    Topics.validateFilter("#", 1);
    assertThatThrownBy(() -> Topics.validateName("a", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLevels must be at least 1, was 0");
    assertThat(Topics.isDollarTopic("$SYS/broker")).isTrue();
    assertThat(Topics.isDollarTopic("")).isFalse();
    assertThat(Topics.isDollarTopic("a$")).isFalse();
  }
}
