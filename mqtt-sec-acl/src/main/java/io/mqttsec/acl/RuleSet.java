/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

/**
 * One list of rules in mosquitto's sense (a user's {@code topic} lines, the anonymous block, or the patterns),
 * as one trie holding deny and allowing rules together: a PUBLISH or RECEIVE walks the topic's path once and
 * picks a matching deny before any allow (see {@link Rule#better}); the SUBSCRIBE walks ask for one kind at a
 * time and prune subtrees without it ({@link Node#accessBelow}).
 */
final class RuleSet {
  final Node root = new Node(null, null);
  final boolean placeholders;
  boolean hasDeny;
  boolean hasAllow;

  RuleSet(boolean placeholders) {
    this.placeholders = placeholders;
  }

  /** Adds one rule; {@code levels} shares level strings across the whole policy. */
  void add(Access access, String filter, int line, String source, java.util.Map<String, String> levels) {
    boolean isDeny = access == Access.DENY;
    Node node = root;
    int start = 0;
    int n = filter.length();
    while (true) {
      int end = filter.indexOf('/', start);
      if (end < 0) {
        end = n;
      }
      if (end == n && end - start == 1 && filter.charAt(start) == '#') {
        node.addHash(new Rule(line, access, true, node, source));
        break;
      }
      node = child(node, filter, start, end, levels);
      if (end == n) {
        node.addExact(new Rule(line, access, false, node, source));
        break;
      }
      start = end + 1;
    }
    if (isDeny) {
      hasDeny = true;
    } else {
      hasAllow = true;
    }
  }

  private Node child(Node node, String filter, int start, int end, java.util.Map<String, String> levels) {
    int len = end - start;
    if (len == 1 && filter.charAt(start) == '+') {
      return node.plusChild();
    }
    if (placeholders && len == 2 && filter.startsWith("%u", start)) {
      return node.userChild();
    }
    if (placeholders && len == 2 && filter.startsWith("%c", start)) {
      return node.clientChild();
    }
    Node existing = node.literal(filter, start, end);
    if (existing != null) {
      return existing;
    }
    return node.addLiteral(levels.computeIfAbsent(filter.substring(start, end), l -> l));
  }

  /** Ends building: see {@link Node#trim}. Called once. */
  void trim() {
    root.trim();
  }
}
