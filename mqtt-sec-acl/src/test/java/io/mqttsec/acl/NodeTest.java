/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The child lookup's level encoding, the collisions {@link AclDifferentialTest}'s look-alike levels rely on, and
 * the spread of names that count up over a child table.
 */
class NodeTest {

  private static int hash(String level) {
    long packed = Node.pack(level, 0, level.length());
    return Node.levelHash(level, 0, level.length(), packed, Node.packHigh(level, 0, level.length(), packed));
  }

  @Test
  void lookalikeLevels_reallyShareTheirHash() {
    assertThat(hash("frhlnsey")).isEqualTo(hash("mkalpkkt"));
    assertThat(hash("oufihximmm")).isEqualTo(hash("yjjsqayqak"));
    assertThat(hash("cjeyabcdefgh")).isEqualTo(hash("zlrwabcdefgh")); // and the same last 8 chars
    assertThat(Node.pack("cjeyabcdefgh", 0, 12)).isEqualTo(Node.pack("zlrwabcdefgh", 0, 12));
    assertThat(hash("AaAaAaAaAaAaAaAaA")).isEqualTo(hash("BBBBAaAaAaAaAaAaA"));
  }

  @Test
  void pack_isExactForShortLatin1Levels_andRefusesTheRest() {
    assertThat(Node.pack("ab", 0, 2)).isEqualTo(0x6162L);
    assertThat(Node.pack("x/ab/y", 2, 4)).isEqualTo(0x6162L);
    assertThat(Node.pack("", 0, 0)).isZero();
    assertThat(Node.pack("é", 0, 1)).isEqualTo(0xE9L);
    assertThat(Node.pack("abcdefgh", 0, 8)).isEqualTo(0x6162636465666768L);
    assertThat(Node.pack("xabcdefgh", 0, 9)).isEqualTo(0x6162636465666768L);
    assertThat(Node.pack("ponmlkjiabcdefgh", 0, 16)).isEqualTo(0x6162636465666768L);
    assertThat(Node.pack("qponmlkjiabcdefgh", 0, 17)).isEqualTo(Node.NOT_PACKED);
    assertThat(Node.pack("€abcdefgh", 0, 9)).isEqualTo(Node.NOT_PACKED);
    assertThat(Node.pack("€", 0, 1)).isEqualTo(Node.NOT_PACKED);
  }

  @Test
  void packHigh_holdsTheCharsBeforeTheLast8_andIsZeroOtherwise() {
    assertThat(high("abcdefgh")).isZero();
    assertThat(high("xabcdefgh")).isEqualTo(0x78L);
    assertThat(high("ponmlkjiabcdefgh")).isEqualTo(0x706F6E6D6C6B6A69L);
    assertThat(high("qponmlkjiabcdefgh")).isZero();
    assertThat(high("€abcdefgh")).isZero();
    assertThat(Node.packHigh("a/xabcdefgh/b", 2, 11, Node.pack("a/xabcdefgh/b", 2, 11))).isEqualTo(0x78L);
  }

  private static long high(String level) {
    return Node.packHigh(level, 0, level.length(), Node.pack(level, 0, level.length()));
  }

  @Test
  void keyOf_keepsAPack_andMarksAHash() {
    long pack = Node.pack("\u0001bcdefgh", 0, 8);
    assertThat(Node.keyOf(pack, 7)).isEqualTo(pack);
    assertThat(Node.keyOf(Node.NOT_PACKED, -1)).isEqualTo(Node.NOT_PACKED | 0xFFFF_FFFFL);
    assertThat(Node.keyOf(Node.NOT_PACKED, hash("AaAaAaAaAaAaAaAaA"))).isEqualTo(Node.keyOf(Node.NOT_PACKED,
        hash("BBBBAaAaAaAaAaAaA")));
  }

  @Test
  void literalChild_addsALevelOnce_andTheSlotsAreTheChildrenWhileTheyAreAList() {
    Node node = new Node(null, null);
    Node a = node.literalChild("a");
    assertThat(a.key).isEqualTo("a");
    assertThat(node.literalChild("a")).isSameAs(a);
    assertThat(node.literalSlots()).isEqualTo(1);
    for (int i = 1; i < Node.LINEAR_MAX - 1; i++) {
      node.literalChild("c" + i);
    }
    assertThat(node.literalSlots()).as("a list one short of its largest").isEqualTo(Node.LINEAR_MAX - 1);
    for (int slot = 0; slot < node.literalSlots(); slot++) {
      assertThat(node.childAt(slot)).isNotNull();
    }
  }

  @Test
  void literal_findsEachChild_amongLookalikes_inShortListsAndTables() {
    // "\u0001bcdefgh" packs with a top byte of 1, as a hash key (NOT_PACKED | hash) has: the key of a level
    // without a pack must still never equal a pack. "xabcdefgh" and "yabcdefgh" pack as "abcdefgh" does, and
    // differ in their high part only; so do "cjeyabcdefgh" and "zlrwabcdefgh", which also share their hash.
    String[] levels = {"frhlnsey", "mkalpkkt", "oufihximmm", "yjjsqayqak", "AaAaAaAaAaAaAaAaA",
        "BBBBAaAaAaAaAaAaA", "abcdefgh", "xabcdefgh", "yabcdefgh", "cjeyabcdefgh", "zlrwabcdefgh", "abcdefghi", "é",
        "€", "", "\u0001bcdefgh"};
    for (int extra : new int[] {0, 40}) {
      Node node = new Node(null, null);
      for (String level : levels) {
        node.literalChild(level);
      }
      for (int i = 0; i < extra; i++) {
        node.literalChild("l" + i);
      }
      node.trim();
      for (String level : levels) {
        String topic = "x/" + level + "/y";
        assertThat(node.literal(topic, 2, 2 + level.length())).extracting(n -> n.key).isEqualTo(level);
      }
      assertThat(node.literal("frhlnsez", 0, 8)).isNull();
      assertThat(node.literal("zabcdefgh", 0, 9)).isNull();
      assertThat(node.literal("AaAaAaAaAaAaAaAaB", 0, 17)).isNull();
    }
  }

  /**
   * Fleets name devices by counting: {@code dev-00017}, {@code sensor-000123}, a MAC address. A lookup probes from
   * the level's home slot to the first empty one, reading a child at each occupied slot, so the longest run of
   * occupied slots bounds what any lookup, hit or miss, reads. 10,000 such children in a table of 32,768 must not
   * form runs much longer than random keys would (a dozen or so); a hash whose slot came from the bits a counter
   * moves least made runs of over a hundred.
   */
  @ParameterizedTest
  @ValueSource(strings = {"dev-%05d", "sensor-%06d", "dev-%d", "%08d", "a4c138%06x", "gateway-%d"})
  void namesThatCountUp_spreadOverTheTable(String format) {
    Node node = new Node(null, null);
    for (int i = 0; i < 10_000; i++) {
      node.literalChild(String.format(format, i));
    }
    node.trim();
    int slots = node.literalSlots();
    assertThat(slots).isEqualTo(32_768);
    int longestRun = 0;
    int run = 0;
    for (int i = 0; i < 2 * slots; i++) { // twice round, for a run that wraps past the end
      run = node.childAt(i % slots) == null ? 0 : run + 1;
      longestRun = Math.max(longestRun, Math.min(run, slots));
    }
    assertThat(longestRun).as("longest run of occupied slots for %s", format).isLessThanOrEqualTo(16);
    for (int i = 0; i < 10_000; i++) {
      String level = String.format(format, i);
      assertThat(node.literal(level, 0, level.length())).extracting(n -> n.key).isEqualTo(level);
    }
    assertThat(node.literal("dev-x", 0, 5)).isNull();
  }
}
