/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
  private final Map<String, List<RuleList.Line>> users = new LinkedHashMap<>();
  private final List<RuleList.Line> anonymous = new ArrayList<>();
  private final RuleSet patterns = new RuleSet(true);
  private final List<PatternTemplate> patternList = new ArrayList<>();
  // Level strings are shared across the whole policy, so a level such as "factory" is stored once.
  private final Map<String, String> levels = new HashMap<>();
  private List<RuleList.Line> current = anonymous;
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
    current = users.computeIfAbsent(name, k -> new ArrayList<>(2));
    currentUser = name;
  }

  void anonymous() {
    current = anonymous;
    currentUser = null;
  }

  /** Adds a {@code topic} line to the current list; the filter is already validated. */
  void topic(Access access, String filter, int line) {
    current.add(new RuleList.Line(access, filter, line));
    rules++;
    if (listing != null) {
      listing.add(new AclRule(line, false, Optional.ofNullable(currentUser), access, filter));
    }
  }

  /** Adds a {@code pattern} line; the filter is already validated. */
  void pattern(Access access, String filter, int line) {
    Rule rule = patterns.add(access, filter, line, source, levels);
    patternList.add(new PatternTemplate(filter, rule));
    rules++;
    if (listing != null) {
      listing.add(new AclRule(line, true, Optional.empty(), access, filter));
    }
  }

  int rules() {
    return rules;
  }

  AclPolicy build(SubscribeMode mode, int maxLevels) {
    patterns.trim();
    HashMap<String, Rules> compiled = new HashMap<>(Math.max(16, (int) (users.size() / 0.75f) + 1));
    users.forEach((name, lines) -> compiled.put(name, compile(lines)));
    // for views: the deny patterns first, then the others, each in line order (see AclView)
    List<PatternTemplate> ordered = new ArrayList<>(patternList.size());
    patternList.stream().filter(PatternTemplate::isDeny).forEach(ordered::add);
    patternList.stream().filter(p -> !p.isDeny()).forEach(ordered::add);
    return new AclPolicy(source, compiled, compile(anonymous), patterns, ordered.toArray(new PatternTemplate[0]),
        rules, mode, maxLevels);
  }

  /** A list of few lines as a {@link RuleList}, of more as a {@link RuleSet} trie. */
  private Rules compile(List<RuleList.Line> lines) {
    if (lines.size() <= RuleList.MAX_RULES) {
      return new RuleList(lines, source);
    }
    RuleSet set = new RuleSet(false);
    for (RuleList.Line l : lines) {
      set.add(l.access(), l.filter(), l.line(), source, levels);
    }
    set.trim();
    return set;
  }
}
