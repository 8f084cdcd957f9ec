/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Decision;

/**
 * One {@code topic} or {@code pattern} line, stored at the trie node where its filter ends. Rules that end at the
 * same node are chained through {@link #next} in line order. The filter text is not stored: it is the node's path
 * (plus {@code /#} for a {@link #hash} rule), rebuilt once when the rule first decides something.
 */
final class Rule {
  static final int DENY_BITS = 4; // Access.DENY.bits, as a constant the JIT folds
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

  /**
   * The best rule of the chain starting at {@code head} (in line order) whose access has one of {@code wanted}'s
   * bits: the first deny if {@code wanted} includes deny and the chain has one, else the first match.
   */
  static Rule first(Rule head, int wanted) {
    Rule found = null;
    for (Rule r = head; r != null; r = r.next) {
      if ((r.accessBits & wanted) != 0) {
        if (r.accessBits == DENY_BITS || (wanted & DENY_BITS) == 0) {
          return r;
        }
        if (found == null) {
          found = r; // an allow: a later deny in the chain still wins
        }
      }
    }
    return found;
  }

  /**
   * The better of two matching rules, either may be null: a deny before any allow (mosquitto tests a list's
   * denies first), else the earlier by line. A walk that asks for one kind only sees the earlier by line.
   */
  static Rule better(Rule a, Rule b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    boolean aDeny = a.accessBits == DENY_BITS;
    if (aDeny != (b.accessBits == DENY_BITS)) {
      return aDeny ? a : b;
    }
    return b.line < a.line ? b : a;
  }
}
