/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects rules in file order, exactly as mosquitto files them: {@code topic} lines into the current user's list
 * (or the anonymous list before any {@code user} line), {@code pattern} lines into the pattern list. Blocks that
 * name the same user again add to that user's list. Used by the parser and by {@link AclPolicy.Builder}.
 */
final class PolicyCompiler {
  private final String source;
  private final Map<String, RuleSet> users = new HashMap<>();
  private final RuleSet anonymous = new RuleSet(false);
  private final RuleSet patterns = new RuleSet(true);
  // Level strings are shared across the whole policy, so a level such as "factory" is stored once.
  private final Map<String, String> levels = new HashMap<>();
  private RuleSet current = anonymous;
  private String currentUser;
  private int rules;
  /** When not null, every rule line is also listed here (for {@link AclRule#readAll}). */
  private final List<AclRule> listing;

  PolicyCompiler(String source) {
    this(source, null);
  }

  PolicyCompiler(String source, List<AclRule> listing) {
    this.source = source;
    this.listing = listing;
  }

  void user(String name) {
    current = users.computeIfAbsent(name, k -> new RuleSet(false));
    currentUser = name;
  }

  void anonymous() {
    current = anonymous;
    currentUser = null;
  }

  /** Adds a {@code topic} line to the current list; the filter is already validated. */
  void topic(Access access, String filter, int line) {
    current.add(access, filter, line, source, levels);
    rules++;
    if (listing != null) {
      listing.add(new AclRule(line, false, Optional.ofNullable(currentUser), access, filter));
    }
  }

  /** Adds a {@code pattern} line; the filter is already validated. */
  void pattern(Access access, String filter, int line) {
    patterns.add(access, filter, line, source, levels);
    rules++;
    if (listing != null) {
      listing.add(new AclRule(line, true, Optional.empty(), access, filter));
    }
  }

  int rules() {
    return rules;
  }

  AclPolicy build(SubscribeMode mode, int maxLevels) {
    anonymous.trim();
    patterns.trim();
    users.values().forEach(RuleSet::trim);
    return new AclPolicy(source, new HashMap<>(users), anonymous, patterns, rules, mode, maxLevels);
  }
}
