package io.mqttsec.acl;

import java.util.HashMap;
import java.util.Map;

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
  private int rules;

  PolicyCompiler(String source) {
    this.source = source;
  }

  void user(String name) {
    current = users.computeIfAbsent(name, k -> new RuleSet(false));
  }

  void anonymous() {
    current = anonymous;
  }

  /** Adds a {@code topic} line to the current list; the filter is already validated. */
  void topic(Access access, String filter, int line) {
    current.add(access, filter, line, source, levels);
    rules++;
  }

  /** Adds a {@code pattern} line; the filter is already validated. */
  void pattern(Access access, String filter, int line) {
    patterns.add(access, filter, line, source, levels);
    rules++;
  }

  int rules() {
    return rules;
  }

  AclPolicy build(SubscribeMode mode, int maxLevels) {
    anonymous.trim();
    patterns.trim();
    users.values().forEach(RuleSet::trim);
    return new AclPolicy(source, Map.copyOf(users), anonymous, patterns, rules, mode, maxLevels);
  }
}
