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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

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
 * A list of more than a few rules, and the patterns, are compiled into tries keyed by topic level, so a check walks
 * the topic's levels once, whatever the number of rules; a short list is scanned. A PUBLISH or RECEIVE check
 * allocates nothing. A broker keeps a {@link #viewFor view} per session: the client's rules prepared once, so that
 * a check neither looks the user up nor compares placeholders.
 *
 * <p>Immutable and thread-safe. <b>Security:</b> fails closed: invalid input, an unknown user or an internal
 * error is a denial, never an exception.
 */
public final class AclPolicy implements Authorizer {

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
  private final HashMap<String, Rules> users;
  private final Rules anonymous;
  private final RuleSet patterns;
  /** The patterns for {@link #viewFor}: the deny rules first, then the others, each in line order. */
  private final PatternTemplate[] viewPatterns;
  /** Whether a pattern has a {@code %c} level, so that views differ by client id. */
  private final boolean patternsUseClientId;
  private final int ruleCount;
  private final SubscribeMode subscribeMode;
  private final int maxLevels;
  private final Decision noMatch;
  /** Views already built, shared by the sessions of one identity; see {@link #viewFor}. */
  private final ConcurrentHashMap<ViewKey, AclView> views = new ConcurrentHashMap<>();

  /** What a view depends on besides the policy: the username and, if patterns use it, the client id. */
  private record ViewKey(String user, String client) {
  }

  AclPolicy(String source, HashMap<String, Rules> users, Rules anonymous, RuleSet patterns,
            PatternTemplate[] viewPatterns, int ruleCount, SubscribeMode subscribeMode, int maxLevels) {
    this(source, users, anonymous, patterns, viewPatterns, ruleCount, subscribeMode, maxLevels, NO_RULE);
  }

  private AclPolicy(String source, HashMap<String, Rules> users, Rules anonymous, RuleSet patterns,
                    PatternTemplate[] viewPatterns, int ruleCount, SubscribeMode subscribeMode, int maxLevels,
                    Decision noMatch) {
    this.source = source;
    this.users = users;
    this.anonymous = anonymous;
    this.patterns = patterns;
    this.viewPatterns = viewPatterns;
    boolean usesClientId = false;
    for (PatternTemplate p : viewPatterns) {
      usesClientId |= p.usesClientId();
    }
    this.patternsUseClientId = usesClientId;
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
    RuleSet none = new RuleSet(true);
    none.trim();
    return new AclPolicy("none", new HashMap<>(), new RuleList(List.of(), "none"), none, new PatternTemplate[0], 0,
        SubscribeMode.STRICT, Topics.DEFAULT_MAX_LEVELS, Decision.deny(Objects.requireNonNull(reason, "reason")));
  }

  /** A builder for policies written in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** This policy with another subscribe mode; the rules are shared, not copied. */
  public AclPolicy withSubscribeMode(SubscribeMode mode) {
    Objects.requireNonNull(mode, "mode");
    return mode == subscribeMode ? this
        : new AclPolicy(source, users, anonymous, patterns, viewPatterns, ruleCount, mode, maxLevels, noMatch);
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
    if (who == null) {
      return INVALID_REQUEST;
    }
    return check(who, null, action, topicOrFilter);
  }

  /** The same as {@link #check}. */
  @Override
  public Decision authorize(ClientIdentity who, Action action, String topicOrFilter) {
    return check(who, action, topicOrFilter);
  }

  /**
   * The rules that can ever apply to {@code who}, prepared for its checks: its own list and the patterns with
   * {@code %u} and {@code %c} resolved, kept by the client's session so that a check neither looks the user up nor
   * compares placeholders. Its decisions are this policy's, reasons included. Views are shared: the sessions of one
   * identity get the same view (up to {@value #MAX_SHARED_VIEWS} identities are remembered; past that the
   * remembered ones are forgotten, and sessions keep theirs). Never throws for an identity; a view of an invalid
   * request denies as {@link #check} does.
   */
  @Override
  public AclView viewFor(ClientIdentity who) {
    Objects.requireNonNull(who, "who");
    String user = who.username().orElse(null);
    String clientId = who.clientId();
    ViewKey key = new ViewKey(user, patternsUseClientId ? clientId
        : substitution(clientId) == WILDCARD ? "#" : null);
    AclView view = views.get(key);
    if (view == null) {
      // the view is shared and may outlive this session: it keeps the names it decides by, not the session's
      // address or certificate chain
      view = buildView(ClientIdentity.of(user, clientId), user, clientId);
      if (views.size() >= MAX_SHARED_VIEWS) {
        views.clear();
      }
      AclView raced = views.putIfAbsent(key, view);
      if (raced != null) {
        view = raced;
      }
    }
    return view;
  }

  /** How many views are remembered for sharing now; at most {@link #MAX_SHARED_VIEWS}. */
  int sharedViews() {
    return views.size();
  }

  /** How many identities' views {@link #viewFor} remembers for sharing. */
  static final int MAX_SHARED_VIEWS = 65_536;

  /** The most patterns a view holds as a list; a policy with more keeps the pattern trie in its views. */
  static final int MAX_VIEW_PATTERNS = 16;

  private AclView buildView(ClientIdentity who, String user, String clientId) {
    Rules own = user == null ? anonymous : users.get(user);
    if (own instanceof RuleSet || viewPatterns.length > MAX_VIEW_PATTERNS) {
      return new AclView(this, who); // a wide identity: the tries serve it better than a list would
    }
    RuleList ownList = (RuleList) own;
    int c = substitution(clientId);
    int u = user == null ? UNUSABLE : substitution(user);
    boolean excluded = viewPatterns.length > 0 && (c == WILDCARD || u == WILDCARD);
    int ownCount = ownList == null ? 0 : ownList.size();
    int max = ownCount + (excluded ? 0 : viewPatterns.length);
    String[] filters = new String[max];
    int[] rules = new int[max];
    Decision[] decisions = new Decision[max];
    for (int i = 0; i < ownCount; i++) { // their decisions are the user's list's, built when first needed
      filters[i] = ownList.filter(i);
      rules[i] = ownList.packed(i);
    }
    int n = ownCount;
    if (!excluded) {
      String uValue = u == USABLE ? user : null;
      String cValue = c == USABLE ? clientId : null;
      for (PatternTemplate p : viewPatterns) {
        String resolved = p.resolve(uValue, cValue);
        if (resolved != null) {
          filters[n] = resolved;
          rules[n] = RuleList.pack(p.rule.line, p.rule.access());
          decisions[n] = p.rule.decision();
          n++;
        }
      }
    }
    if (n < max) {
      filters = Arrays.copyOf(filters, n);
      rules = Arrays.copyOf(rules, n);
      decisions = Arrays.copyOf(decisions, n);
    }
    return new AclView(this, who, ownList, filters, rules, decisions,
        excluded ? NO_RULE_PATTERNS_EXCLUDED : noMatch);
  }

  /** A check through {@code view} (its own rules prepared) or, if null, through the user's list. */
  Decision check(ClientIdentity who, AclView view, Action action, String topicOrFilter) {
    if (action == null || topicOrFilter == null) {
      return INVALID_REQUEST;
    }
    try {
      return action == Action.SUBSCRIBE ? checkSubscribe(who, view, topicOrFilter)
          : checkTopic(who, view, action, topicOrFilter);
    } catch (RuntimeException | StackOverflowError e) {
      return Decision.deny("internal error while checking (" + e.getClass().getSimpleName() + "); denied");
    }
  }

  /**
   * A topic is validated by the walks' own scan of it ({@link Search#validatingTopic}), except a {@code $}-topic,
   * which is validated before the {@code $} rules apply to it.
   */
  private Decision checkTopic(ClientIdentity who, AclView view, Action action, String topic) {
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
    Query query = action == Action.PUBLISH ? Query.PUBLISH : Query.RECEIVE;
    if (view != null) {
      return view.decide(query, topic, validated ? 0 : maxLevels);
    }
    return decide(who, query, topic, validated);
  }

  private Decision checkSubscribe(ClientIdentity who, AclView view, String requested) {
    String filter = SharedSubscription.isShared(requested) ? SharedSubscription.innerFilter(requested) : requested;
    if (filter == null) {
      return MALFORMED_SHARE;
    }
    if (!Topics.isValidFilter(filter, maxLevels)) {
      return INVALID_FILTER;
    }
    Query query = subscribeMode == SubscribeMode.STRICT ? Query.SUBSCRIBE_STRICT : Query.SUBSCRIBE_ON_DELIVERY;
    if (view != null) {
      return view.decide(query, filter, 0);
    }
    return decide(who, query, filter, true);
  }

  /** {@link #INVALID_TOPIC}, the answer to a request a view found not to be a valid topic name. */
  static Decision invalidTopic() {
    return INVALID_TOPIC;
  }

  /**
   * The client's own list first, then the patterns; in each, deny rules before allowing ones. A topic not yet
   * {@code validated} is validated by the first walk, or before any decision no walk made.
   */
  private Decision decide(ClientIdentity who, Query query, String request, boolean validated) {
    String user = who.username().orElse(null);
    Rules own = user == null ? anonymous : users.get(user);
    if (own != null) {
      Decision d = own.decide(query, request, null, null, validated ? 0 : maxLevels);
      if (d == Rules.INVALID) {
        return INVALID_TOPIC;
      }
      validated = true;
      if (d != null) {
        return d;
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
    Decision d = patterns.decide(query, request, u == USABLE ? user : null, c == USABLE ? clientId : null,
        validated ? 0 : maxLevels);
    if (d == Rules.INVALID) {
      return INVALID_TOPIC;
    }
    return d != null ? d : noMatch;
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
   * {@link #pattern} adds to the patterns. Rules are numbered in the order added (or as {@link #number} says),
   * and decisions name them as {@code policy:3 readwrite factory/+/#} (or with the name given to {@link #source}).
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

    /**
     * Numbers the next rule {@code number} (such as the id of the database row it came from) instead of one more
     * than the rule before it; the rules after it count on from there.
     */
    public Builder number(int number) {
      if (number < 1) {
        throw new IllegalArgumentException("a rule number must be at least 1, not " + number);
      }
      rules.add(new Op("number", null, Integer.toString(number)));
      return this;
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
          case "number" -> number = Integer.parseInt(op.value()) - 1;
          case "topic" -> compiler.topic(op.access(), op.value(), ++number);
          case "pattern" -> compiler.pattern(op.access(), op.value(), ++number);
          default -> throw new AssertionError(op.kind());
        }
      }
      return compiler.build(mode == null ? SubscribeMode.STRICT : mode, l.maxLevels());
    }

  }

}
