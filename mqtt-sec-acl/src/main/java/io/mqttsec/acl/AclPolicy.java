/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Action;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SharedSubscription;
import io.mqttsec.api.Topics;
import io.mqttsec.internal.Checks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A topic ACL: which client may publish to, subscribe to and receive from which topics. Reads mosquitto's
 * {@code acl_file} format unchanged, or is built in code for gateways without files.
 *
 * <pre>{@code
 * AclPolicy policy = AclPolicy.parse(Path.of("acl.conf"));
 * Decision d = policy.check(ClientIdentity.of("press-42", "press-42"), Action.PUBLISH, "factory/press-42/temp");
 * d.allowed();   // true
 * d.reason();    // "acl.conf:3 readwrite factory/%u/#"
 *
 * AclPolicy gateway = AclPolicy.builder()
 *     .user("gw-01").allow(Access.READWRITE, "factory/+/#").deny("factory/+/hvac/#")
 *     .pattern(Access.READWRITE, "factory/%u/#")
 *     .build();
 * }</pre>
 *
 * <h2>Evaluation (as mosquitto 2.x)</h2>
 * The client's own list (its {@code user} block; for an anonymous client, the {@code topic} lines before any
 * {@code user} line) is searched first, then the {@code pattern} list. In each list deny rules are tested first:
 * a matching deny denies. Then the allowing rules: a matching rule whose access includes the one asked for
 * allows; a matching rule without it is passed over and the search goes on, into the patterns too. No match
 * denies, so an empty file denies everything. The reason of a decision names the earliest deciding rule:
 * {@code acl.conf:12 deny factory/+/hvac/#}.
 *
 * <p>In patterns, a level that is exactly {@code %u} or {@code %c} must equal the client's username or client id
 * literally. A client whose username or client id contains {@code +} or {@code #} gets nothing from patterns
 * (CVE-2017-7650), and a {@code %u} pattern never matches an anonymous client. PUBLISH to a topic starting with
 * {@code $SYS} is refused whatever the rules say (except {@code $SYS/broker/connection/+/state}), and a topic
 * starting with {@code $share} is never published or received. SUBSCRIBE is decided by {@link SubscribeMode};
 * {@code $share/GROUP/FILTER} is decided as FILTER.
 *
 * <h2>Cost</h2>
 * Each list is compiled into tries keyed by topic level, so a check walks the topic's levels once, whatever the
 * number of rules, and a PUBLISH or RECEIVE check allocates nothing.
 *
 * <p>Immutable and thread-safe. <b>Security:</b> fails closed: invalid input, an unknown user or an internal
 * error is a denial, never an exception.
 */
public final class AclPolicy implements Authorizer {

  private static final int DENY = Access.DENY.bits;
  private static final int READ = Access.READ.bits;
  private static final int WRITE = Access.WRITE.bits;
  private static final String BRIDGE_STATE = "$SYS/broker/connection/+/state";

  private static final Decision NO_RULE = Decision.deny("no rule matched");
  private static final Decision NO_RULE_PATTERNS_EXCLUDED = Decision.deny(
      "no rule matched; patterns do not apply to a username or client id containing '+' or '#'");
  private static final Decision INVALID_REQUEST = Decision.deny("invalid request");
  private static final Decision INVALID_TOPIC = Decision.deny("invalid topic name");
  private static final Decision INVALID_FILTER = Decision.deny("invalid topic filter");
  private static final Decision MALFORMED_SHARE = Decision.deny("malformed shared subscription");
  private static final Decision SYS_PUBLISH = Decision.deny("$SYS topics are published by the broker only");
  private static final Decision SHARE_TOPIC = Decision.deny("topics starting with $share are never published");

  private final String source;
  // A HashMap, never changed after construction and published through this final field: its lookup is a mask and
  // one compare, where Map.copyOf's table hashes with a division on every check.
  private final HashMap<String, RuleSet> users;
  private final RuleSet anonymous;
  private final RuleSet patterns;
  private final int ruleCount;
  private final SubscribeMode subscribeMode;
  private final int maxLevels;
  private final Decision noMatch;

  AclPolicy(String source, Map<String, RuleSet> users, RuleSet anonymous, RuleSet patterns, int ruleCount,
            SubscribeMode subscribeMode, int maxLevels) {
    this(source, users, anonymous, patterns, ruleCount, subscribeMode, maxLevels, NO_RULE);
  }

  private AclPolicy(String source, Map<String, RuleSet> users, RuleSet anonymous, RuleSet patterns, int ruleCount,
                    SubscribeMode subscribeMode, int maxLevels, Decision noMatch) {
    this.source = source;
    this.users = users instanceof HashMap<String, RuleSet> h ? h : new HashMap<>(users);
    this.anonymous = anonymous;
    this.patterns = patterns;
    this.ruleCount = ruleCount;
    this.subscribeMode = subscribeMode;
    this.maxLevels = maxLevels;
    this.noMatch = noMatch;
  }

  // ------------------------------------------------------------ factories

  /**
   * Parses an {@code acl_file} with the {@linkplain AclLimits#DEFAULT default limits}. Decisions name rules as
   * {@code <file name>:<line>}.
   *
   * @throws io.mqttsec.api.AclParseException with {@code path:line:column} and what is wrong, for an unreadable,
   *     oversized, non-UTF-8 or malformed file
   */
  public static AclPolicy parse(Path file) {
    return parse(file, AclLimits.DEFAULT);
  }

  /** As {@link #parse(Path)} with other limits. */
  public static AclPolicy parse(Path file, AclLimits limits) {
    return AclParser.parse(Objects.requireNonNull(file, "file"), Objects.requireNonNull(limits, "limits"),
        SubscribeMode.STRICT);
  }

  /**
   * Parses ACL text; {@code sourceName} stands for the file name in error messages and decision reasons.
   *
   * @throws io.mqttsec.api.AclParseException with {@code sourceName:line:column} and what is wrong
   */
  public static AclPolicy parse(String text, String sourceName) {
    return parse(text, sourceName, AclLimits.DEFAULT);
  }

  /** As {@link #parse(String, String)} with other limits. */
  public static AclPolicy parse(String text, String sourceName, AclLimits limits) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sourceName, "sourceName");
    return AclParser.parse(text, sourceName, sourceName, Objects.requireNonNull(limits, "limits"),
        SubscribeMode.STRICT);
  }

  /**
   * A policy that denies everything with the given reason, for when no valid policy could be loaded:
   * {@code "ACL acl.conf not loaded: acl.conf:3:7: unknown keyword ..."}.
   */
  public static AclPolicy denyAll(String reason) {
    return new AclPolicy("none", Map.of(), new RuleSet(false), new RuleSet(true), 0, SubscribeMode.STRICT,
        Topics.DEFAULT_MAX_LEVELS, Decision.deny(Objects.requireNonNull(reason, "reason")));
  }

  /** A builder for policies written in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** This policy with another subscribe mode; the rules are shared, not copied. */
  public AclPolicy withSubscribeMode(SubscribeMode mode) {
    Objects.requireNonNull(mode, "mode");
    return mode == subscribeMode ? this
        : new AclPolicy(source, users, anonymous, patterns, ruleCount, mode, maxLevels, noMatch);
  }

  // ------------------------------------------------------------ checks

  /**
   * Decides one request. Never throws: invalid input and internal errors deny.
   *
   * @param who           the client
   * @param action        what it asks
   * @param topicOrFilter the topic name (PUBLISH, RECEIVE) or filter (SUBSCRIBE, possibly {@code $share/G/F})
   */
  public Decision check(ClientIdentity who, Action action, String topicOrFilter) {
    if (who == null || action == null || topicOrFilter == null) {
      return INVALID_REQUEST;
    }
    try {
      return action == Action.SUBSCRIBE ? checkSubscribe(who, topicOrFilter) : checkTopic(who, action, topicOrFilter);
    } catch (RuntimeException | StackOverflowError e) {
      return Decision.deny("internal error while checking (" + e.getClass().getSimpleName() + "); denied");
    }
  }

  /** The same as {@link #check}. */
  @Override
  public Decision authorize(ClientIdentity who, Action action, String topicOrFilter) {
    return check(who, action, topicOrFilter);
  }

  /**
   * A topic is validated by the walks' own scan of it ({@link Search#validatingTopic}), except a {@code $}-topic,
   * which is validated before the {@code $} rules apply to it.
   */
  private Decision checkTopic(ClientIdentity who, Action action, String topic) {
    boolean validated = false;
    if (!topic.isEmpty() && topic.charAt(0) == '$') {
      if (!Topics.isValidName(topic, maxLevels)) {
        return INVALID_TOPIC;
      }
      validated = true;
      if (topic.startsWith("$share")) {
        return SHARE_TOPIC;
      }
      if (action == Action.PUBLISH && topic.startsWith("$SYS") && !Topics.matches(BRIDGE_STATE, topic)) {
        return SYS_PUBLISH;
      }
    }
    return decide(who, action == Action.PUBLISH ? Query.PUBLISH : Query.RECEIVE, topic, validated);
  }

  private Decision checkSubscribe(ClientIdentity who, String requested) {
    String filter = SharedSubscription.isShared(requested) ? SharedSubscription.innerFilter(requested) : requested;
    if (filter == null) {
      return MALFORMED_SHARE;
    }
    if (!Topics.isValidFilter(filter, maxLevels)) {
      return INVALID_FILTER;
    }
    return decide(who, subscribeMode == SubscribeMode.STRICT ? Query.SUBSCRIBE_STRICT : Query.SUBSCRIBE_ON_DELIVERY,
        filter, true);
  }

  /** What one walk looks for: the relation between rule and request, and the access wanted. */
  private enum Query {
    PUBLISH, RECEIVE, SUBSCRIBE_STRICT, SUBSCRIBE_ON_DELIVERY
  }

  /**
   * The client's own list first, then the patterns; in each, deny rules before allowing ones. A topic not yet
   * {@code validated} is validated by the first walk, or before any decision no walk made.
   */
  private Decision decide(ClientIdentity who, Query query, String request, boolean validated) {
    String user = who.username().orElse(null);
    RuleSet own = user == null ? anonymous : users.get(user);
    if (own != null) {
      Rule r = find(own, query, request, null, null, validated ? 0 : maxLevels);
      if (r == Search.INVALID) {
        return INVALID_TOPIC;
      }
      validated = true;
      if (r != null) {
        return r.decision();
      }
    }
    if (!patterns.hasDeny && !patterns.hasAllow) {
      return validated || Topics.isValidName(request, maxLevels) ? noMatch : INVALID_TOPIC;
    }
    // CVE-2017-7650: a '+' or '#' in a username or client id would act as a wildcard once substituted.
    String clientId = who.clientId();
    int c = substitution(clientId);
    int u = user == null ? UNUSABLE : substitution(user);
    if (c == WILDCARD || u == WILDCARD) {
      return validated || Topics.isValidName(request, maxLevels) ? NO_RULE_PATTERNS_EXCLUDED : INVALID_TOPIC;
    }
    Rule r = find(patterns, query, request, u == USABLE ? user : null, c == USABLE ? clientId : null,
        validated ? 0 : maxLevels);
    if (r == Search.INVALID) {
      return INVALID_TOPIC;
    }
    return r != null ? r.decision() : noMatch;
  }

  private static final int USABLE = 0;
  private static final int UNUSABLE = 1;
  private static final int WILDCARD = 2;

  /**
   * What a username or client id is worth in a pattern, in one scan for the usual value (short, printable
   * ASCII): {@link #WILDCARD} if it contains {@code +} or {@code #} (then no pattern applies at all),
   * {@link #USABLE} if a {@code %u}/{@code %c} level may equal it (a valid one-level topic name), else
   * {@link #UNUSABLE}. Unusual values are left to {@link Topics#isValidName}.
   */
  private static int substitution(String value) {
    int n = value.length();
    boolean plain = n > 0 && n <= MAX_PLAIN;
    for (int i = 0; i < n; i++) {
      char ch = value.charAt(i);
      if (ch == '+' || ch == '#') {
        return WILDCARD;
      }
      if (ch < ' ' || ch == '/' || ch > '~') {
        plain = false;
      }
    }
    if (plain) {
      return USABLE;
    }
    return value.indexOf('/') < 0 && Topics.isValidName(value) ? USABLE : UNUSABLE;
  }

  /** Printable ASCII (one byte a char) up to this length is a valid one-level name without more checks. */
  private static final int MAX_PLAIN = Topics.MAX_BYTES;

  /**
   * The deciding rule of one list, or {@link Search#INVALID} for a topic that {@code validateLevels > 0} asks to
   * validate and is not valid. Topics: one walk for a matching deny, else an allow with the access. Strict
   * SUBSCRIBE: a deny that intersects, else a read allow that covers. Filter on delivery: a deny that covers,
   * else a read allow that intersects.
   */
  private static Rule find(RuleSet list, Query query, String request, String u, String c, int validateLevels) {
    Node root = list.root;
    if (query == Query.PUBLISH || query == Query.RECEIVE) {
      int wanted = DENY | (query == Query.PUBLISH ? WRITE : READ);
      return validateLevels == 0 ? Search.topic(root, request, wanted, u, c)
          : Search.validatingTopic(root, request, wanted, u, c, validateLevels);
    }
    Rule r = null;
    if (list.hasDeny) {
      r = query == Query.SUBSCRIBE_STRICT ? Search.intersecting(root, request, DENY, u, c)
          : Search.covering(root, request, DENY, u, c);
    }
    if (r == null && list.hasAllow) {
      r = query == Query.SUBSCRIBE_STRICT ? Search.covering(root, request, READ, u, c)
          : Search.intersecting(root, request, READ, u, c);
    }
    return r;
  }

  // ------------------------------------------------------------ description

  /** The name decisions use for this policy's rules: the file name, the source name given, or "policy". */
  public String source() {
    return source;
  }

  /** The number of {@code topic} and {@code pattern} rules. */
  public int ruleCount() {
    return ruleCount;
  }

  /** The number of distinct {@code user} blocks. */
  public int userCount() {
    return users.size();
  }

  public SubscribeMode subscribeMode() {
    return subscribeMode;
  }

  @Override
  public String toString() {
    return "AclPolicy{source=" + source + ", rules=" + ruleCount + ", users=" + users.size()
        + ", subscribeMode=" + subscribeMode + '}';
  }

  // ------------------------------------------------------------ builder

  /**
   * Builds a policy in code, with the same semantics as a file: {@link #user} and {@link #anonymous} switch the
   * list that {@link #allow} and {@link #deny} add to (anonymous until the first {@code user} call), and
   * {@link #pattern} adds to the patterns. Rules are numbered in the order added, and decisions name them as
   * {@code policy:3 readwrite factory/+/#} (or with the name given to {@link #source}).
   *
   * <p>Filters are validated as they are added ({@link io.mqttsec.api.InvalidTopicException}). Settings may be
   * set once. The builder can be built more than once; each policy is independent.
   */
  public static final class Builder {
    /** One builder call, replayed in order by {@link #build()}. */
    private record Op(String kind, Access access, String value) {
    }

    private final List<Op> rules = new ArrayList<>();
    private String source;
    private SubscribeMode mode;
    private AclLimits limits;

    private Builder() {
    }

    /** The name decisions use for this policy's rules; if unset, {@code "policy"}. */
    public Builder source(String name) {
      Checks.requireUnset("source", source);
      source = Objects.requireNonNull(name, "name");
      return this;
    }

    /** If unset, {@link SubscribeMode#STRICT}. */
    public Builder subscribeMode(SubscribeMode subscribeMode) {
      Checks.requireUnset("subscribe mode", mode);
      mode = Objects.requireNonNull(subscribeMode, "subscribeMode");
      return this;
    }

    /** Limits on rule filters and checked topics; if unset, {@link AclLimits#DEFAULT}. */
    public Builder limits(AclLimits aclLimits) {
      Checks.requireUnset("limits", limits);
      limits = Objects.requireNonNull(aclLimits, "aclLimits");
      return this;
    }

    /** Starts (or continues) the list of user {@code name}, like a {@code user} line. */
    public Builder user(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("user name must not be empty");
      }
      rules.add(new Op("user", null, name));
      return this;
    }

    /** Switches back to the anonymous list. */
    public Builder anonymous() {
      rules.add(new Op("anonymous", null, null));
      return this;
    }

    /** Adds an allowing {@code topic} rule to the current list. Use {@link #deny} for a deny rule. */
    public Builder allow(Access access, String filter) {
      Objects.requireNonNull(access, "access");
      if (access == Access.DENY) {
        throw new IllegalArgumentException("allow(DENY, ...) is contradictory; use deny(filter)");
      }
      return add("topic", access, filter);
    }

    /** Adds a deny {@code topic} rule to the current list. */
    public Builder deny(String filter) {
      return add("topic", Access.DENY, filter);
    }

    /** Adds a {@code pattern} rule ({@code %u}, {@code %c} as whole levels); {@code access} may be DENY. */
    public Builder pattern(Access access, String filter) {
      return add("pattern", Objects.requireNonNull(access, "access"), filter);
    }

    private Builder add(String kind, Access access, String filter) {
      Topics.validateFilter(filter, (limits == null ? AclLimits.DEFAULT : limits).maxLevels());
      rules.add(new Op(kind, access, filter));
      return this;
    }

    public AclPolicy build() {
      AclLimits l = limits == null ? AclLimits.DEFAULT : limits;
      PolicyCompiler compiler = new PolicyCompiler(source == null ? "policy" : source);
      int number = 0;
      for (Op op : rules) {
        switch (op.kind()) {
          case "user" -> compiler.user(op.value());
          case "anonymous" -> compiler.anonymous();
          case "topic" -> compiler.topic(op.access(), op.value(), ++number);
          case "pattern" -> compiler.pattern(op.access(), op.value(), ++number);
          default -> throw new AssertionError(op.kind());
        }
      }
      return compiler.build(mode == null ? SubscribeMode.STRICT : mode, l.maxLevels());
    }

  }

}
