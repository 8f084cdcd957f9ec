package io.mqttsec.acl;

/**
 * One list of rules in mosquitto's sense (a user's {@code topic} lines, the anonymous block, or the patterns),
 * as two tries: deny rules, tested first, and allowing rules.
 */
final class RuleSet {
  final Node deny = new Node(null, null);
  final Node allow = new Node(null, null);
  final boolean placeholders;
  boolean hasDeny;
  boolean hasAllow;

  RuleSet(boolean placeholders) {
    this.placeholders = placeholders;
  }

  /** Adds one rule; {@code levels} shares level strings across the whole policy. */
  void add(Access access, String filter, int line, String source, java.util.Map<String, String> levels) {
    boolean isDeny = access == Access.DENY;
    Node node = isDeny ? deny : allow;
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
    String level = filter.substring(start, end);
    return node.literalChild(levels.computeIfAbsent(level, l -> l));
  }

  void trim() {
    deny.trim();
    allow.trim();
  }
}
