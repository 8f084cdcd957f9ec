/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Topics;

/**
 * The three walks over a rule trie. Each returns the best rule that matches and has one of the wanted access
 * bits ({@link Rule#better}: a deny before an allow, then the earliest line), or null, so that the decision and
 * its reason come out exactly as mosquitto's scan of the list would give them. Subtrees without a wanted bit
 * ({@link Node#accessBelow}) are skipped. A node is visited at most once per walk (its path is unique), so a walk
 * costs at most the number of trie nodes whose path is compatible with the request, whatever the number of rules.
 *
 * <p>{@code u} and {@code c} are the username and client id a pattern's {@code %u}/{@code %c} level must equal,
 * or null when the value cannot be used (absent, empty, or not a valid single level); for tries of
 * {@code topic} lines there are no placeholder edges and both are ignored.
 */
final class Search {

  private Search() {
  }

  // ------------------------------------------------------------ PUBLISH / RECEIVE: a concrete topic

  /** Returned by {@link #validatingTopic} for a topic that is not a valid topic name; it decides nothing. */
  static final Rule INVALID = new Rule(0, Access.DENY, false, null, "");

  /** The earliest rule matching topic name {@code t}; {@code t} is valid. Allocates nothing. */
  static Rule topic(Node root, String t, int wanted, String u, String c) {
    return topic(root, t, 0, wanted, u, c, 0);
  }

  /**
   * As {@link #topic(Node, String, int, String, String)} on a topic not yet validated: {@link #INVALID} unless
   * {@code t} is a valid topic name of at most {@code maxLevels} levels ({@link Topics#isValidName(String, int)}).
   * The walk's own scan of each level checks its chars, and the levels below where the walk stops are scanned
   * for that alone, so a valid topic is read once instead of twice; any char that is not plain ASCII is left to
   * {@code Topics}.
   */
  static Rule validatingTopic(Node root, String t, int wanted, String u, String c, int maxLevels) {
    int n = t.length();
    if (n == 0 || n > Topics.MAX_BYTES) { // every char is at least one byte
      return INVALID;
    }
    return topic(root, t, 0, wanted, u, c, maxLevels);
  }

  /**
   * Walks down the literal edges in a loop, and recurses only into the other edges ({@code +}, {@code %u},
   * {@code %c}) a node may also have. {@link Rule#better} is commutative, so the order of the branches does not
   * change the result. With {@code maxLevels > 0}, also validates {@code t} (see {@link #validatingTopic}).
   */
  private static Rule topic(Node node, String t, int pos, int wanted, String u, String c, int maxLevels) {
    int n = t.length();
    // A filter whose first level is a wildcard never matches a $-topic.
    boolean wildOk = pos != 0 || t.charAt(0) != '$';
    Rule best = null;
    int levels = 0;   // levels scanned
    int chars = 0;    // every char scanned, OR-ed: 0x80 or above means not plain ASCII
    boolean wildcardOrNul = false;
    while (true) {
      if ((node.accessBelow & wanted) == 0) {
        return maxLevels == 0 ? best : validateRest(t, pos, levels, chars, wildcardOrNul, maxLevels, best);
      }
      // One scan finds the level's end and its Node.pack, for the lookup.
      int end = pos;
      long packed = 0;
      int high = 0;
      for (char ch; end < n && (ch = t.charAt(end)) != '/'; end++) {
        packed = (packed << 8) | ch;
        high |= ch;
        wildcardOrNul |= ch == '+' | ch == '#' | ch == 0;
      }
      levels++;
      chars |= high;
      if (end - pos > Node.MAX_PACKED || high > 0xFF) { // the scan's long holds the last 8 chars: Node.pack
        packed = Node.NOT_PACKED;
      }
      if (wildOk) {
        if (node.hash != null) {
          best = Rule.better(best, Rule.first(node.hash, wanted));
        }
        if (node.plus != null) {
          best = Rule.better(best, topicStep(node.plus, t, end, wanted, u, c));
        }
      }
      if (node.user != null && equalsLevel(u, t, pos, end)) {
        best = Rule.better(best, topicStep(node.user, t, end, wanted, u, c));
      }
      if (node.client != null && equalsLevel(c, t, pos, end)) {
        best = Rule.better(best, topicStep(node.client, t, end, wanted, u, c));
      }
      Node child = node.literal(t, pos, end, packed);
      if (child == null || end == n) {
        if (child != null) {
          best = Rule.better(best, endsAt(child, wanted));
        }
        return maxLevels == 0 ? best : validateRest(t, end + 1, levels, chars, wildcardOrNul, maxLevels, best);
      }
      node = child;
      pos = end + 1;
      wildOk = true;
    }
  }

  /**
   * Finishes a validating walk: scans the levels from {@code pos} on (none if {@code pos > t.length()}), and
   * returns {@code best} if the whole topic is valid, else {@link #INVALID}.
   */
  private static Rule validateRest(String t, int pos, int levels, int chars, boolean wildcardOrNul, int maxLevels,
                                   Rule best) {
    int n = t.length();
    if (pos <= n) {
      levels++;
      for (int i = pos; i < n; i++) {
        char ch = t.charAt(i);
        if (ch == '/') {
          levels++;
        }
        chars |= ch;
        wildcardOrNul |= ch == '+' | ch == '#' | ch == 0;
      }
    }
    if (wildcardOrNul || levels > maxLevels) {
      return INVALID;
    }
    if (chars >= 0x80) { // multi-byte UTF-8: the byte limit and surrogate pairs are Topics' to judge
      return Topics.isValidName(t, maxLevels) ? best : INVALID;
    }
    return best;
  }

  private static Rule topicStep(Node child, String t, int end, int wanted, String u, String c) {
    return end == t.length() ? endsAt(child, wanted) : topic(child, t, end + 1, wanted, u, c, 0);
  }

  /** The topic ends at {@code node}: rules ending here, and "x/#", which also matches its parent "x". */
  private static Rule endsAt(Node node, int wanted) {
    return Rule.better(Rule.first(node.exact, wanted), Rule.first(node.hash, wanted));
  }

  private static boolean equalsLevel(String value, String t, int from, int to) {
    return value != null && value.length() == to - from && t.regionMatches(from, value, 0, to - from);
  }

  // ------------------------------------------------------------ SUBSCRIBE: a filter request

  /**
   * The earliest rule whose filter covers request {@code r} (every topic {@code r} matches, the rule matches too).
   * Mirrors {@link io.mqttsec.api.Topics#covers}, walked over the trie.
   */
  static Rule covering(Node root, String r, int wanted, String u, String c) {
    return cover(root, r, 0, 0, wanted, u, c);
  }

  private static Rule cover(Node node, String r, int pos, int depth, int wanted, String u, String c) {
    if ((node.accessBelow & wanted) == 0) {
      return null;
    }
    int end = levelEnd(r, pos);
    boolean rHash = end - pos == 1 && r.charAt(pos) == '#';
    boolean rPlus = end - pos == 1 && r.charAt(pos) == '+';
    boolean rDollarFirst = depth == 0 && r.charAt(0) == '$';
    // "x/#" in a rule covers everything below x (at the root, except $-topics).
    Rule best = rDollarFirst ? null : Rule.first(node.hash, wanted);
    if (rHash) {
      // Only '#' covers '#'. But where '#' cannot match its parent (the topic would be ""), it means "+/#".
      boolean parentEmpty = depth == 0 || (depth == 1 && r.charAt(0) == '/');
      if (parentEmpty && node.plus != null) {
        best = Rule.better(best, Rule.first(node.plus.hash, wanted));
      }
      return best;
    }
    if (rPlus) {
      if (node.plus != null) {
        best = Rule.better(best, coverStep(node.plus, r, end, depth, wanted, u, c));
      }
      return best;
    }
    Node child = node.literal(r, pos, end);
    if (child != null) {
      best = Rule.better(best, coverStep(child, r, end, depth, wanted, u, c));
    }
    if (node.plus != null && !rDollarFirst) {
      best = Rule.better(best, coverStep(node.plus, r, end, depth, wanted, u, c));
    }
    if (node.user != null && equalsLevel(u, r, pos, end)) {
      best = Rule.better(best, coverStep(node.user, r, end, depth, wanted, u, c));
    }
    if (node.client != null && equalsLevel(c, r, pos, end)) {
      best = Rule.better(best, coverStep(node.client, r, end, depth, wanted, u, c));
    }
    return best;
  }

  private static Rule coverStep(Node child, String r, int end, int depth, int wanted, String u, String c) {
    if (end == r.length()) {
      // Every requested topic ends here: a rule ending here, or "x/#" through the parent rule, covers them.
      return Rule.better(Rule.first(child.exact, wanted), Rule.first(child.hash, wanted));
    }
    return cover(child, r, end + 1, depth + 1, wanted, u, c);
  }

  /**
   * The earliest rule whose filter intersects request {@code r} (some topic matches both). Mirrors
   * {@link io.mqttsec.api.Topics#intersects}, walked over the trie. A request level of {@code #} visits the whole
   * subtree below it.
   */
  static Rule intersecting(Node root, String r, int wanted, String u, String c) {
    return intersect(root, r, 0, 0, false, wanted, u, c);
  }

  /**
   * @param level0Empty at depth 1: whether the topic's first level is forced empty (by the rule or the request),
   *                    so that a topic of one level would be "", which does not exist
   */
  private static Rule intersect(Node node, String r, int pos, int depth, boolean level0Empty, int wanted,
                                String u, String c) {
    if ((node.accessBelow & wanted) == 0) {
      return null;
    }
    int end = levelEnd(r, pos);
    boolean rHash = end - pos == 1 && r.charAt(pos) == '#';
    boolean rPlus = end - pos == 1 && r.charAt(pos) == '+';
    boolean rDollarFirst = depth == 0 && r.charAt(0) == '$';
    // The rule's level here is '#': it absorbs the rest of the request (a wildcard first level never meets '$').
    Rule best = rDollarFirst ? null : Rule.first(node.hash, wanted);
    if (rHash) {
      // A rule ending exactly here meets the request's '#' through the parent rule, unless that topic is "".
      if (!(depth == 1 && level0Empty)) {
        best = Rule.better(best, Rule.first(node.exact, wanted));
      }
      // Every rule that continues below meets the request's '#'.
      for (int i = 0, n = node.literalSlots(); i < n; i++) {
        Node child = node.childAt(i);
        if (child != null && !(depth == 0 && child.key.startsWith("$"))) {
          best = Rule.better(best, subtree(child, wanted, u, c));
        }
      }
      if (node.plus != null) {
        best = Rule.better(best, subtree(node.plus, wanted, u, c));
      }
      if (node.user != null && u != null && !(depth == 0 && u.startsWith("$"))) {
        best = Rule.better(best, subtree(node.user, wanted, u, c));
      }
      if (node.client != null && c != null && !(depth == 0 && c.startsWith("$"))) {
        best = Rule.better(best, subtree(node.client, wanted, u, c));
      }
      return best;
    }
    if (rPlus) {
      for (int i = 0, n = node.literalSlots(); i < n; i++) {
        Node child = node.childAt(i);
        if (child != null && !(depth == 0 && child.key.startsWith("$"))) {
          best = Rule.better(best, intersectStep(child, r, pos, end, depth, level0Empty, wanted, u, c));
        }
      }
      if (node.plus != null) {
        best = Rule.better(best, intersectStep(node.plus, r, pos, end, depth, level0Empty, wanted, u, c));
      }
      if (node.user != null && u != null && !(depth == 0 && u.startsWith("$"))) {
        best = Rule.better(best, intersectStep(node.user, r, pos, end, depth, level0Empty, wanted, u, c));
      }
      if (node.client != null && c != null && !(depth == 0 && c.startsWith("$"))) {
        best = Rule.better(best, intersectStep(node.client, r, pos, end, depth, level0Empty, wanted, u, c));
      }
      return best;
    }
    Node child = node.literal(r, pos, end);
    if (child != null) {
      best = Rule.better(best, intersectStep(child, r, pos, end, depth, level0Empty, wanted, u, c));
    }
    if (node.plus != null && !rDollarFirst) {
      best = Rule.better(best, intersectStep(node.plus, r, pos, end, depth, level0Empty, wanted, u, c));
    }
    if (node.user != null && equalsLevel(u, r, pos, end)) {
      best = Rule.better(best, intersectStep(node.user, r, pos, end, depth, level0Empty, wanted, u, c));
    }
    if (node.client != null && equalsLevel(c, r, pos, end)) {
      best = Rule.better(best, intersectStep(node.client, r, pos, end, depth, level0Empty, wanted, u, c));
    }
    return best;
  }

  private static Rule intersectStep(Node child, String r, int pos, int end, int depth, boolean level0Empty,
                                    int wanted, String u, String c) {
    boolean emptyHere = depth == 0 && (end == pos || child.isEmptyLiteral());
    if (end == r.length()) {
      // The request's topics end at this level. "x/#" meets them through its parent, unless the only such topic
      // is "" (a first level forced empty).
      Rule best = Rule.first(child.exact, wanted);
      return emptyHere ? best : Rule.better(best, Rule.first(child.hash, wanted));
    }
    return intersect(child, r, end + 1, depth + 1, depth == 0 ? emptyHere : level0Empty, wanted, u, c);
  }

  /** The earliest rule anywhere at or below {@code node}, following placeholder edges only for usable values. */
  private static Rule subtree(Node node, int wanted, String u, String c) {
    if ((node.accessBelow & wanted) == 0) {
      return null;
    }
    Rule best = Rule.better(Rule.first(node.exact, wanted), Rule.first(node.hash, wanted));
    for (int i = 0, n = node.literalSlots(); i < n; i++) {
      Node child = node.childAt(i);
      if (child != null) {
        best = Rule.better(best, subtree(child, wanted, u, c));
      }
    }
    if (node.plus != null) {
      best = Rule.better(best, subtree(node.plus, wanted, u, c));
    }
    if (node.user != null && u != null) {
      best = Rule.better(best, subtree(node.user, wanted, u, c));
    }
    if (node.client != null && c != null) {
      best = Rule.better(best, subtree(node.client, wanted, u, c));
    }
    return best;
  }

  private static int levelEnd(String s, int pos) {
    int end = s.indexOf('/', pos);
    return end < 0 ? s.length() : end;
  }
}
