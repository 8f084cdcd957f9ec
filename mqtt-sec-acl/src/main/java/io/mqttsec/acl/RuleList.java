/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Decision;
import io.mqttsec.api.Topics;
import io.mqttsec.internal.TopicMatching;
import java.util.List;

/**
 * A short list of rules, scanned: the deny rules first, then the allowing ones, each in line order, so the first
 * rule that applies is the one mosquitto's evaluation names ({@link Rule#better}). A user block of a few lines is
 * held this way rather than as a trie: its filters as written and an int a rule, a few hundred bytes a block, where
 * a trie spends a node on every level. Decisions are built on first use and then reused.
 */
final class RuleList extends Rules {

  /** A block of at most this many rules is a list; a longer one a {@link RuleSet}. */
  static final int MAX_RULES = 8;

  private static final int ACCESS_BITS = 3;
  private static final int ACCESS_MASK = (1 << ACCESS_BITS) - 1;
  private static final int DENY = Access.DENY.bits;
  private static final int READ = Access.READ.bits;
  private static final int WRITE = Access.WRITE.bits;

  private final String[] filters;
  /** Per rule: its line, shifted left by {@link #ACCESS_BITS}, with its {@link Access#bits}. */
  private final int[] rules;
  private final String source;
  // Built on first use (a racy single-check initialisation is safe: decisions are immutable, and two threads at
  // worst build equal values); null until a rule of this list first decides.
  private Decision[] decisions;

  /** One line of a block, as the compiler collects it. */
  record Line(Access access, String filter, int line) {
  }

  RuleList(List<Line> lines, String source) {
    int n = lines.size();
    filters = new String[n];
    rules = new int[n];
    this.source = source;
    int k = 0;
    for (boolean deny : new boolean[] {true, false}) {
      for (Line l : lines) {
        if ((l.access() == Access.DENY) == deny) {
          filters[k] = l.filter();
          rules[k] = pack(l.line(), l.access());
          k++;
        }
      }
    }
  }

  static int pack(int line, Access access) {
    return line << ACCESS_BITS | access.bits;
  }

  @Override
  Decision decide(Query query, String request, String u, String c, int validateLevels) {
    if (validateLevels > 0 && !Topics.isValidName(request, validateLevels)) {
      return INVALID;
    }
    int i = find(filters, rules, filters.length, query, request);
    return i < 0 ? null : decision(i);
  }

  int size() {
    return filters.length;
  }

  /** The decision of rule {@code i}, in the scan's order. */
  Decision decision(int i) {
    Decision[] ds = decisions;
    if (ds == null) {
      ds = new Decision[filters.length];
      decisions = ds;
    }
    Decision d = ds[i];
    if (d == null) {
      Access access = Access.ofBits(rules[i] & ACCESS_MASK);
      String reason = source + ":" + (rules[i] >>> ACCESS_BITS) + " " + access.word() + " " + filters[i];
      d = access == Access.DENY ? Decision.deny(reason) : Decision.allow(reason);
      ds[i] = d;
    }
    return d;
  }

  String filter(int i) {
    return filters[i];
  }

  int packed(int i) {
    return rules[i];
  }

  /**
   * The first of the first {@code n} rules that decides {@code query} on {@code request} (valid), or -1. A deny
   * rule decides when it matches (a topic), intersects (a strict SUBSCRIBE) or covers (filter on delivery) the
   * request; an allowing one when it has the access wanted and matches, covers or intersects the request. The
   * caller orders the rules so that the first that decides is the right one.
   */
  static int find(String[] filters, int[] rules, int n, Query query, String request) {
    switch (query) {
      case PUBLISH, RECEIVE -> {
        int wanted = DENY | (query == Query.PUBLISH ? WRITE : READ);
        for (int i = 0; i < n; i++) {
          if ((rules[i] & wanted) != 0 && TopicMatching.matches(filters[i], request)) {
            return i;
          }
        }
      }
      case SUBSCRIBE_STRICT -> {
        for (int i = 0; i < n; i++) {
          int bits = rules[i] & ACCESS_MASK;
          if (bits == DENY ? TopicMatching.intersects(filters[i], request)
              : (bits & READ) != 0 && TopicMatching.covers(filters[i], request)) {
            return i;
          }
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          int bits = rules[i] & ACCESS_MASK;
          if (bits == DENY ? TopicMatching.covers(filters[i], request)
              : (bits & READ) != 0 && TopicMatching.intersects(filters[i], request)) {
            return i;
          }
        }
      }
    }
    return -1;
  }
}
