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
final class RuleSet extends Rules {
  private static final int DENY = Access.DENY.bits;
  private static final int READ = Access.READ.bits;
  private static final int WRITE = Access.WRITE.bits;

  final Node root = new Node(null, null);
  final boolean placeholders;
  boolean hasDeny;
  boolean hasAllow;

  RuleSet(boolean placeholders) {
    this.placeholders = placeholders;
  }

  /** Adds one rule and returns it; {@code levels} shares level strings across the whole policy. */
  Rule add(Access access, String filter, int line, String source, java.util.Map<String, String> levels) {
    boolean isDeny = access == Access.DENY;
    Node node = root;
    Rule rule;
    int start = 0;
    int n = filter.length();
    while (true) {
      int end = filter.indexOf('/', start);
      if (end < 0) {
        end = n;
      }
      if (end == n && end - start == 1 && filter.charAt(start) == '#') {
        rule = new Rule(line, access, true, node, source);
        node.addHash(rule);
        break;
      }
      node = child(node, filter, start, end, levels);
      if (end == n) {
        rule = new Rule(line, access, false, node, source);
        node.addExact(rule);
        break;
      }
      start = end + 1;
    }
    if (isDeny) {
      hasDeny = true;
    } else {
      hasAllow = true;
    }
    return rule;
  }

  /**
   * Topics: one walk for a matching deny, else an allow with the access. Strict SUBSCRIBE: a deny that intersects,
   * else a read allow that covers. Filter on delivery: a deny that covers, else a read allow that intersects.
   */
  @Override
  io.mqttsec.api.Decision decide(Query query, String request, String u, String c, int validateLevels) {
    Rule r;
    if (query == Query.PUBLISH || query == Query.RECEIVE) {
      int wanted = DENY | (query == Query.PUBLISH ? WRITE : READ);
      r = validateLevels == 0 ? Search.topic(root, request, wanted, u, c)
          : Search.validatingTopic(root, request, wanted, u, c, validateLevels);
      if (r == Search.INVALID) {
        return INVALID;
      }
    } else {
      r = null;
      if (hasDeny) {
        r = query == Query.SUBSCRIBE_STRICT ? Search.intersecting(root, request, DENY, u, c)
            : Search.covering(root, request, DENY, u, c);
      }
      if (r == null && hasAllow) {
        r = query == Query.SUBSCRIBE_STRICT ? Search.covering(root, request, READ, u, c)
            : Search.intersecting(root, request, READ, u, c);
      }
    }
    return r == null ? null : r.decision();
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
