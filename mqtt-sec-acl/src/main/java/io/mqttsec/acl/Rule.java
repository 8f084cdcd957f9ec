package io.mqttsec.acl;

import io.mqttsec.api.Decision;

/**
 * One {@code topic} or {@code pattern} line, stored at the trie node where its filter ends. Rules that end at the
 * same node are chained through {@link #next} in line order. The filter text is not stored: it is the node's path
 * (plus {@code /#} for a {@link #hash} rule), rebuilt once when the rule first decides something.
 */
final class Rule {
  final int line;
  final int accessBits;
  final boolean hash;
  final Node node;
  final String source;
  Rule next;
  // Built on first use and then reused, so a check allocates nothing. A racy single-check initialisation is
  // safe: Decision is immutable, and two threads at worst build equal values.
  private Decision decision;

  Rule(int line, Access access, boolean hash, Node node, String source) {
    this.line = line;
    this.accessBits = access.bits;
    this.hash = hash;
    this.node = node;
    this.source = source;
  }

  Access access() {
    return Access.ofBits(accessBits);
  }

  /** The filter as written (with {@code %u}/{@code %c} for a pattern). */
  String filter() {
    String path = node.path();
    if (!hash) {
      return path;
    }
    return node.parent == null ? "#" : path + "/#";
  }

  Decision decision() {
    Decision d = decision;
    if (d == null) {
      String reason = source + ":" + line + " " + access().word() + " " + filter();
      d = accessBits == Access.DENY.bits ? Decision.deny(reason) : Decision.allow(reason);
      decision = d;
    }
    return d;
  }

  /** The first rule of the chain starting at {@code head} whose access has one of {@code wanted}'s bits. */
  static Rule first(Rule head, int wanted) {
    for (Rule r = head; r != null; r = r.next) {
      if ((r.accessBits & wanted) != 0) {
        return r;
      }
    }
    return null;
  }

  /** The earlier of two rules (by line); either may be null. */
  static Rule earlier(Rule a, Rule b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return b.line < a.line ? b : a;
  }
}
