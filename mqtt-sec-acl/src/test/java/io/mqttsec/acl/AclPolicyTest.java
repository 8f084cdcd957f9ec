/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static io.mqttsec.api.Action.PUBLISH;
import static io.mqttsec.api.Action.RECEIVE;
import static io.mqttsec.api.Action.SUBSCRIBE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.InvalidTopicException;
import org.junit.jupiter.api.Test;

/** Evaluation order and the broker-owned rules, on the worked factory example of the README. */
class AclPolicyTest {

  static final String FACTORY = """
      # Devices: each press reads and writes only its own subtree.
      pattern readwrite factory/%u/#
      pattern read factory/config/%c

      # A gateway bridges a whole line, except HVAC, which belongs to facilities.
      user gw-line-7
      topic deny factory/+/hvac/#
      topic readwrite factory/#

      # The dashboard reads everything below factory, writes nothing.
      user dashboard
      topic read factory/#

      # The admin reads the broker's own statistics.
      user admin
      topic read $SYS/#
      topic readwrite #
      """;

  static final AclPolicy POLICY = AclPolicy.parse(FACTORY, "acl.conf");

  private static Decision check(String user, Action action, String topic) {
    return POLICY.check(ClientIdentity.of(user, user == null ? "anon" : user + "-c"), action, topic);
  }

  @Test
  void device_ownSubtreeOnly() {
    assertThat(check("press-42", PUBLISH, "factory/press-42/temp"))
        .isEqualTo(Decision.allow("acl.conf:2 readwrite factory/%u/#"));
    assertThat(check("press-42", PUBLISH, "factory/press-43/temp")).isEqualTo(Decision.deny("no rule matched"));
    assertThat(check("press-42", SUBSCRIBE, "factory/press-42/#").allowed()).isTrue();
    assertThat(check("press-42", SUBSCRIBE, "factory/#").allowed()).isFalse();
    assertThat(check("press-42", SUBSCRIBE, "factory/+/temp").allowed()).isFalse();
  }

  @Test
  void device_clientIdPattern_readOnly() {
    ClientIdentity who = ClientIdentity.of("press-42", "press-42-main");
    assertThat(POLICY.check(who, RECEIVE, "factory/config/press-42-main").reason())
        .isEqualTo("acl.conf:3 read factory/config/%c");
    assertThat(POLICY.check(who, PUBLISH, "factory/config/press-42-main").allowed()).isFalse();
  }

  @Test
  void gateway_denyTestedBeforeAllow_evenWhenLaterInFile() {
    assertThat(check("gw-line-7", PUBLISH, "factory/press-42/hvac/fan"))
        .isEqualTo(Decision.deny("acl.conf:7 deny factory/+/hvac/#"));
    assertThat(check("gw-line-7", PUBLISH, "factory/press-42/temp").reason()).isEqualTo("acl.conf:8 readwrite factory/#");
    // Strict SUBSCRIBE: factory/# would carry HVAC messages, which the deny refuses.
    assertThat(check("gw-line-7", SUBSCRIBE, "factory/#")).isEqualTo(Decision.deny("acl.conf:7 deny factory/+/hvac/#"));
    assertThat(check("gw-line-7", SUBSCRIBE, "factory/+/temp").reason()).isEqualTo("acl.conf:8 readwrite factory/#");
  }

  @Test
  void gateway_userListAllowWins_beforePatternsAreSearched() {
    // gw-line-7 matches factory/%u/# too, but its own list decides first.
    assertThat(check("gw-line-7", PUBLISH, "factory/gw-line-7/x").reason()).isEqualTo("acl.conf:8 readwrite factory/#");
  }

  @Test
  void dashboard_readRuleDoesNotAllowWrite_searchGoesOnIntoPatterns() {
    assertThat(check("dashboard", RECEIVE, "factory/press-42/temp").reason()).isEqualTo("acl.conf:12 read factory/#");
    assertThat(check("dashboard", PUBLISH, "factory/press-42/temp")).isEqualTo(Decision.deny("no rule matched"));
    // The read rule is passed over for a write, and the pattern grants the dashboard its own subtree.
    assertThat(check("dashboard", PUBLISH, "factory/dashboard/ack").reason()).isEqualTo("acl.conf:2 readwrite factory/%u/#");
  }

  @Test
  void admin_hashDoesNotMatchSys_explicitSysRuleDoes() {
    assertThat(check("admin", RECEIVE, "$SYS/broker/uptime").reason()).isEqualTo("acl.conf:16 read $SYS/#");
    assertThat(check("admin", SUBSCRIBE, "#").reason()).isEqualTo("acl.conf:17 readwrite #");
    assertThat(AclPolicy.parse("user admin\ntopic readwrite #", "a").check(
        ClientIdentity.of("admin", "c"), RECEIVE, "$SYS/x")).isEqualTo(Decision.deny("no rule matched"));
  }

  @Test
  void sysTopics_neverPublishedByClients_exceptBridgeState() {
    AclPolicy all = AclPolicy.parse("user admin\ntopic readwrite $SYS/#\ntopic readwrite #", "a");
    ClientIdentity admin = ClientIdentity.of("admin", "c");
    assertThat(all.check(admin, PUBLISH, "$SYS/broker/uptime"))
        .isEqualTo(Decision.deny("$SYS topics are published by the broker only"));
    assertThat(all.check(admin, PUBLISH, "$SYSTEM/x").allowed()).isFalse();
    assertThat(all.check(admin, PUBLISH, "$SYS/broker/connection/bridge-1/state").reason())
        .isEqualTo("a:2 readwrite $SYS/#");
    assertThat(all.check(admin, RECEIVE, "$SYS/broker/uptime").allowed()).isTrue();
  }

  @Test
  void shareTopics_neverPublishedOrReceived_sharedSubscriptionAuthorizedOnInnerFilter() {
    assertThat(check("admin", PUBLISH, "$share/g/x").reason()).isEqualTo("topics starting with $share are never published");
    assertThat(check("admin", RECEIVE, "$sharex").allowed()).isFalse();
    assertThat(check("dashboard", SUBSCRIBE, "$share/dash/factory/+/temp").reason()).isEqualTo("acl.conf:12 read factory/#");
    assertThat(check("press-42", SUBSCRIBE, "$share/g/factory/+/temp").allowed()).isFalse();
    assertThat(check("dashboard", SUBSCRIBE, "$share/g")).isEqualTo(Decision.deny("malformed shared subscription"));
  }

  @Test
  void anonymous_getsTopicLinesBeforeFirstUser_andPatternsWithoutPercentU() {
    AclPolicy p = AclPolicy.parse("topic read public/#\npattern read clients/%c/#\npattern read news/#\n"
        + "user alice\ntopic read alice/#", "a");
    ClientIdentity anon = ClientIdentity.of(null, "kiosk");
    assertThat(p.check(anon, RECEIVE, "public/x").reason()).isEqualTo("a:1 read public/#");
    assertThat(p.check(anon, RECEIVE, "clients/kiosk/x").reason()).isEqualTo("a:2 read clients/%c/#");
    assertThat(p.check(anon, RECEIVE, "alice/x").allowed()).isFalse();
    // alice has her own block, so the anonymous lines do not apply to her
    assertThat(p.check(ClientIdentity.of("alice", "a1"), RECEIVE, "public/x").allowed()).isFalse();
    assertThat(p.check(ClientIdentity.of("alice", "a1"), RECEIVE, "news/x").reason()).isEqualTo("a:3 read news/#");
  }

  @Test
  void userWithoutBlock_getsOnlyPatterns() {
    assertThat(check("stranger", PUBLISH, "factory/stranger/x").allowed()).isTrue();
    assertThat(check("stranger", RECEIVE, "factory/press-42/x").allowed()).isFalse();
  }

  @Test
  void placeholders_wholeLevelOnly_literalInTopicLines_neverSpanLevels() {
    AclPolicy p = AclPolicy.parse("pattern readwrite logs/%u-%c\npattern readwrite home/%u/#\n"
        + "user bob\ntopic readwrite mail/%u", "a");
    assertThat(p.check(ClientIdentity.of("u1", "dev1-x"), PUBLISH, "logs/u1-dev1-x").allowed()).isFalse();
    assertThat(p.check(ClientIdentity.of("u1", "c"), PUBLISH, "logs/%u-%c").reason()).isEqualTo("a:1 readwrite logs/%u-%c");
    // A username with '/' cannot reach into another subtree.
    assertThat(p.check(ClientIdentity.of("a/b", "c"), PUBLISH, "home/a/b/x").allowed()).isFalse();
    // %u in a topic line is literal text.
    assertThat(p.check(ClientIdentity.of("bob", "c"), PUBLISH, "mail/bob").allowed()).isFalse();
    assertThat(p.check(ClientIdentity.of("bob", "c"), PUBLISH, "mail/%u").reason()).isEqualTo("a:4 readwrite mail/%u");
    // A substituted value is not substituted again.
    assertThat(p.check(ClientIdentity.of("%c", "zz"), PUBLISH, "home/zz/x").allowed()).isFalse();
    assertThat(p.check(ClientIdentity.of("%c", "zz"), PUBLISH, "home/%c/x").allowed()).isTrue();
  }

  @Test
  void subscribe_plusNeverGrantsHash() {
    AclPolicy p = AclPolicy.parse("user u\ntopic read a/+", "a");
    ClientIdentity u = ClientIdentity.of("u", "c");
    assertThat(p.check(u, SUBSCRIBE, "a/#")).isEqualTo(Decision.deny("no rule matched"));
    assertThat(p.check(u, SUBSCRIBE, "a/+").allowed()).isTrue();
    assertThat(p.check(u, SUBSCRIBE, "a/b").allowed()).isTrue();
    assertThat(p.withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY).check(u, SUBSCRIBE, "a/#").reason())
        .isEqualTo("a:2 read a/+");
  }

  @Test
  void subscribe_hashAfterEmptyFirstLevel_isCoveredByPlusHash() {
    // "/#" cannot match its parent (the topic ""), so it is exactly "/+/#".
    AclPolicy p = AclPolicy.parse("user u\ntopic read /+/#", "a");
    assertThat(p.check(ClientIdentity.of("u", "c"), SUBSCRIBE, "/#").allowed()).isTrue();
    assertThat(p.check(ClientIdentity.of("u", "c"), SUBSCRIBE, "a/#").allowed()).isFalse();
  }

  @Test
  void hashNeverMatchesDollarTopics() {
    AclPolicy p = AclPolicy.parse("pattern readwrite #\npattern readwrite +/x", "a");
    ClientIdentity u = ClientIdentity.of("u", "c");
    assertThat(p.check(u, RECEIVE, "$SYS/x").allowed()).isFalse();
    assertThat(p.check(u, RECEIVE, "$foo/x").allowed()).isFalse();
    assertThat(p.check(u, SUBSCRIBE, "$SYS/#").allowed()).isFalse();
    assertThat(p.check(u, RECEIVE, "foo/x").allowed()).isTrue();
  }

  @Test
  void invalidWireInput_deniesWithoutThrowing() {
    ClientIdentity admin = ClientIdentity.of("admin", "c");
    assertThat(POLICY.check(admin, PUBLISH, "a/+")).isEqualTo(Decision.deny("invalid topic name"));
    assertThat(POLICY.check(admin, PUBLISH, "")).isEqualTo(Decision.deny("invalid topic name"));
    assertThat(POLICY.check(admin, SUBSCRIBE, "a/#/b")).isEqualTo(Decision.deny("invalid topic filter"));
    assertThat(POLICY.check(admin, RECEIVE, "a\u0000b").allowed()).isFalse();
    assertThat(POLICY.check(admin, PUBLISH, "a/".repeat(200) + "b")).isEqualTo(Decision.deny("invalid topic name"));
    assertThat(POLICY.check(null, PUBLISH, "a")).isEqualTo(Decision.deny("invalid request"));
    assertThat(POLICY.check(admin, null, "a")).isEqualTo(Decision.deny("invalid request"));
    assertThat(POLICY.check(admin, PUBLISH, null)).isEqualTo(Decision.deny("invalid request"));
  }

  @Test
  void sameUserInTwoBlocks_rulesMergeInFileOrder() {
    AclPolicy p = AclPolicy.parse("user u\ntopic read a/#\nuser v\ntopic read b/#\nuser u\ntopic write c/#", "a");
    ClientIdentity u = ClientIdentity.of("u", "c");
    assertThat(p.check(u, RECEIVE, "a/1").allowed()).isTrue();
    assertThat(p.check(u, PUBLISH, "c/1").reason()).isEqualTo("a:6 write c/#");
    assertThat(p.check(u, RECEIVE, "b/1").allowed()).isFalse();
    assertThat(p.userCount()).isEqualTo(2);
    assertThat(p.ruleCount()).isEqualTo(3);
  }

  @Test
  void reason_namesEarliestMatchingRule() {
    AclPolicy p = AclPolicy.parse("user u\ntopic read a/+/c\ntopic read a/#\ntopic read +/b/c\ntopic read a/b/c", "a");
    assertThat(p.check(ClientIdentity.of("u", "c"), RECEIVE, "a/b/c").reason()).isEqualTo("a:2 read a/+/c");
  }

  @Test
  void builder_sameSemanticsAsFile() {
    AclPolicy built = AclPolicy.builder()
        .pattern(Access.READWRITE, "factory/%u/#")
        .user("gw-01").deny("factory/+/hvac/#").allow(Access.READWRITE, "factory/#")
        .build();
    ClientIdentity gw = ClientIdentity.of("gw-01", "gw");
    assertThat(built.check(gw, PUBLISH, "factory/p/hvac/x")).isEqualTo(Decision.deny("policy:2 deny factory/+/hvac/#"));
    assertThat(built.check(gw, PUBLISH, "factory/p/temp").reason()).isEqualTo("policy:3 readwrite factory/#");
    assertThat(built.check(ClientIdentity.of("p", "p"), PUBLISH, "factory/p/x").reason())
        .isEqualTo("policy:1 readwrite factory/%u/#");
    assertThat(built.source()).isEqualTo("policy");
  }

  @Test
  void builder_numbersRulesAsTold_andCountsOnFromThere() {
    AclPolicy p = AclPolicy.builder().source("acl_rules").user("u").number(42).allow(Access.READ, "a/#")
        .allow(Access.WRITE, "b/#").number(7).pattern(Access.READ, "c/%u").build();
    ClientIdentity u = ClientIdentity.of("u", "c");
    assertThat(p.check(u, Action.RECEIVE, "a/1").reason()).isEqualTo("acl_rules:42 read a/#");
    assertThat(p.check(u, Action.PUBLISH, "b/1").reason()).isEqualTo("acl_rules:43 write b/#");
    assertThat(p.check(u, Action.RECEIVE, "c/u").reason()).isEqualTo("acl_rules:7 read c/%u");
    assertThatThrownBy(() -> AclPolicy.builder().number(0)).hasMessage("a rule number must be at least 1, not 0");
    assertThat(AclPolicy.builder().user("u").number(1).allow(Access.READ, "a/#").build().check(u, Action.RECEIVE,
        "a/1").reason()).isEqualTo("policy:1 read a/#");
    // a pattern whose first level is empty still substitutes its later levels
    AclPolicy leadingSlash = AclPolicy.parse("pattern read /devices/%u\n", "acl.conf");
    assertThat(leadingSlash.check(u, Action.RECEIVE, "/devices/u").allowed()).isTrue();
    assertThat(leadingSlash.check(u, Action.RECEIVE, "/devices/v").allowed()).isFalse();
  }

  @Test
  void builder_failsFast() {
    AclPolicy.Builder b = AclPolicy.builder().source("gw");
    assertThatThrownBy(() -> b.source("again")).isInstanceOf(IllegalStateException.class)
        .hasMessage("source was already set to gw");
    assertThatThrownBy(() -> b.allow(Access.READ, "a/#/b")).isInstanceOf(InvalidTopicException.class)
        .hasMessage("topic filter \"a/#/b\": '#' at index 2 must be the last level");
    assertThatThrownBy(() -> b.allow(Access.DENY, "a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allow(DENY, ...) is contradictory; use deny(filter)");
    assertThatThrownBy(() -> b.user("")).hasMessage("user name must not be empty");
    AclPolicy.Builder settings = AclPolicy.builder().subscribeMode(SubscribeMode.FILTER_ON_DELIVERY)
        .limits(AclLimits.DEFAULT);
    assertThatThrownBy(() -> settings.subscribeMode(SubscribeMode.STRICT)).isInstanceOf(IllegalStateException.class)
        .hasMessage("subscribe mode was already set to FILTER_ON_DELIVERY");
    assertThatThrownBy(() -> settings.limits(AclLimits.DEFAULT)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("limits was already set to ");
    assertThat(settings.build().subscribeMode()).isEqualTo(SubscribeMode.FILTER_ON_DELIVERY);
  }

  @Test
  void builder_anonymous_switchesBackToTheAnonymousList() {
    AclPolicy built = AclPolicy.builder()
        .user("gw").allow(Access.READ, "line/#")
        .anonymous().allow(Access.READ, "public/#")
        .user("gw").allow(Access.WRITE, "line/cmd")
        .build();
    ClientIdentity anonymous = ClientIdentity.of(null, "c");
    ClientIdentity gw = ClientIdentity.of("gw", "gw");
    assertThat(built.check(anonymous, RECEIVE, "public/news").reason()).isEqualTo("policy:2 read public/#");
    assertThat(built.check(gw, RECEIVE, "public/news").reason()).isEqualTo("no rule matched");
    assertThat(built.check(anonymous, RECEIVE, "line/1").reason()).isEqualTo("no rule matched");
    assertThat(built.check(gw, PUBLISH, "line/cmd").reason()).isEqualTo("policy:3 write line/cmd");
  }

  @Test
  void builder_buildTwice_givesIndependentPolicies() {
    AclPolicy.Builder b = AclPolicy.builder().user("u").allow(Access.READ, "a");
    AclPolicy first = b.build();
    b.allow(Access.READ, "b");
    AclPolicy second = b.build();
    assertThat(first.check(ClientIdentity.of("u", "c"), RECEIVE, "b").allowed()).isFalse();
    assertThat(second.check(ClientIdentity.of("u", "c"), RECEIVE, "b").allowed()).isTrue();
  }

  @Test
  void manyChildren_hashTableLookupFindsEveryLevel() {
    StringBuilder text = new StringBuilder("user gw\n");
    for (int i = 0; i < 5000; i++) {
      text.append("topic readwrite line/dev-").append(i).append("/#\n");
    }
    AclPolicy p = AclPolicy.parse(text.toString(), "big");
    ClientIdentity gw = ClientIdentity.of("gw", "c");
    for (int i = 0; i < 5000; i += 7) {
      assertThat(p.check(gw, PUBLISH, "line/dev-" + i + "/temp").reason())
          .isEqualTo("big:" + (i + 2) + " readwrite line/dev-" + i + "/#");
    }
    assertThat(p.check(gw, PUBLISH, "line/dev-5000/temp").allowed()).isFalse();
    assertThat(p.check(gw, SUBSCRIBE, "line/+/temp").allowed()).isFalse();
    assertThat(p.check(gw, SUBSCRIBE, "line/dev-17/+").allowed()).isTrue();
  }

  @Test
  void toString_summarises() {
    assertThat(POLICY).hasToString("AclPolicy{source=acl.conf, rules=7, users=3, subscribeMode=STRICT}");
  }

  /**
   * A level whose chars are all Latin-1 is found by its packed form, any other by its hash; U+00FF is the last
   * char of the first kind. The deny must be found either way, or the wider allow would let the PUBLISH through.
   */
  @Test
  void check_aDenyOnALevelWithTheLastOrFirstCharOfEachKeyForm_isFound() {
    for (String level : new String[] {"\u00ff", "d\u00ffs", "\u0100", "d\u0100s", "\u00fe\u00ff"}) {
      // the gateway's own list is long enough to be a trie
      StringBuilder acl = new StringBuilder("user gw\ntopic deny a/" + level + "\ntopic readwrite a/#\n");
      for (int i = 0; i < RuleList.MAX_RULES; i++) {
        acl.append("topic read other-").append(i).append('\n');
      }
      AclPolicy policy = AclPolicy.parse(acl.toString(), "acl.conf");
      assertThat(policy.check(ClientIdentity.of("gw", "gw"), Action.PUBLISH, "a/" + level).reason())
          .as("a/%s", level).isEqualTo("acl.conf:2 deny a/" + level);
      assertThat(policy.check(ClientIdentity.of("gw", "gw"), Action.PUBLISH, "a/" + level + "x").allowed())
          .as("a/%sx", level).isTrue();
    }
  }

  /**
   * A username with a '/' is not one level, so a {@code %u} level never stands for it: a user named {@code /x} gets
   * nothing from {@code factory/%u/#}, not even in filter-on-delivery mode, where an intersecting read rule would
   * grant a whole {@code factory/#} subscription.
   */
  @Test
  void check_aUsernameWithASlash_isNeverAPatternLevel_inEitherSubscribeMode() {
    AclPolicy strict = AclPolicy.parse("pattern read factory/%u/#\n", "acl.conf");
    AclPolicy onDelivery = strict.withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY);
    for (String user : new String[] {"/x", "x/", "a/b"}) {
      ClientIdentity who = ClientIdentity.of(user, "c");
      for (AclPolicy policy : new AclPolicy[] {strict, onDelivery}) {
        assertThat(policy.check(who, Action.SUBSCRIBE, "factory/#").reason()).as("%s %s", user,
            policy.subscribeMode()).isEqualTo("no rule matched");
        assertThat(policy.viewFor(who).authorize(Action.SUBSCRIBE, "factory/#").reason()).as("view of %s %s", user,
            policy.subscribeMode()).isEqualTo("no rule matched");
        assertThat(policy.check(who, Action.RECEIVE, "factory/" + user + "/t").denied()).isTrue();
      }
    }
  }

  /**
   * A requested {@code #} whose parent level cannot be a topic (at the root, or below an empty first level) means
   * {@code +/#}, so a {@code +/#} grant covers it: SUBSCRIBE {@code #} under {@code read +/#}, and {@code /#} under
   * {@code read /+/#}. Below a real level, {@code +/#} does not cover {@code #} (it misses the parent itself).
   */
  @Test
  void subscribe_aHashWhoseParentCannotBeATopic_isCoveredByPlusHash() {
    ClientIdentity u = ClientIdentity.of("u", "c");
    AclPolicy plusHash = AclPolicy.parse(asTrie("user u\ntopic read +/#\n"), "acl.conf");
    assertThat(plusHash.check(u, SUBSCRIBE, "#").reason()).isEqualTo("acl.conf:2 read +/#");
    assertThat(plusHash.check(u, SUBSCRIBE, "/#").reason()).isEqualTo("acl.conf:2 read +/#");
    AclPolicy rooted = AclPolicy.parse(asTrie("user u\ntopic read /+/#\n"), "acl.conf");
    assertThat(rooted.check(u, SUBSCRIBE, "/#").reason()).isEqualTo("acl.conf:2 read /+/#");
    assertThat(rooted.check(u, SUBSCRIBE, "#").reason()).isEqualTo("no rule matched");
    AclPolicy below = AclPolicy.parse(asTrie("user u\ntopic read a/+/#\n"), "acl.conf");
    assertThat(below.check(u, SUBSCRIBE, "a/#").reason()).isEqualTo("no rule matched");
    assertThat(below.check(u, SUBSCRIBE, "a/+/#").reason()).isEqualTo("acl.conf:2 read a/+/#");
  }

  /**
   * A {@code %u} level at the root stands for a username starting with {@code $} only literally: a wildcard first
   * level never meets a {@code $}-topic, so in filter-on-delivery mode {@code +/y} does not reach {@code $x/#}.
   */
  @Test
  void subscribe_aWildcardFirstLevel_neverMeetsAPatternForADollarUser() {
    AclPolicy policy = AclPolicy.parse("pattern read %u/#\n", "acl.conf")
        .withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY);
    ClientIdentity dollar = ClientIdentity.of("$x", "c");
    assertThat(policy.check(dollar, SUBSCRIBE, "+/y").reason()).isEqualTo("no rule matched");
    assertThat(policy.check(dollar, SUBSCRIBE, "#").reason()).isEqualTo("no rule matched");
    assertThat(policy.check(dollar, SUBSCRIBE, "$x/y").reason()).isEqualTo("acl.conf:1 read %u/#");
    ClientIdentity plain = ClientIdentity.of("x", "c");
    assertThat(policy.check(plain, SUBSCRIBE, "+/y").reason()).isEqualTo("acl.conf:1 read %u/#");
  }

  /**
   * A topic of non-ASCII chars is measured in UTF-8 bytes: 40,000 U+0080 are 80,000 bytes, over MQTT's 65,535, and
   * refused even where a rule would match it; one U+0080 is fine.
   */
  @Test
  void publish_aTopicOverTheByteLimitInUtf8_isInvalid_thoughItsCharsAreFewer() {
    AclPolicy policy = AclPolicy.parse(asTrie("user u\ntopic readwrite a/#\n"), "acl.conf");
    ClientIdentity u = ClientIdentity.of("u", "c");
    assertThat(policy.check(u, PUBLISH, "a/" + "\u0080".repeat(40_000)).reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(u, PUBLISH, "a/\u0080").allowed()).isTrue();
    assertThat(policy.viewFor(u).authorize(PUBLISH, "a/" + "\u0080".repeat(40_000)).reason())
        .isEqualTo("invalid topic name");
  }

  /** A user block with {@link RuleList#MAX_RULES} more rules, so that it is kept as a trie, not scanned as a list. */
  static String asTrie(String block) {
    StringBuilder acl = new StringBuilder(block);
    for (int i = 0; i < RuleList.MAX_RULES; i++) {
      acl.append("topic read filler-").append(i).append('\n');
    }
    return acl.toString();
  }

  /**
   * Fails closed: an error inside a check (here the stack running out on a rule 10,000 levels deep, walked on a
   * thread with a small stack) is a denial that names it, never an exception or an allow.
   */
  @Test
  void check_anErrorInsideTheCheck_deniesAndSaysWhat() throws Exception {
    int levels = 10_000;
    String plusses = String.join("/", java.util.Collections.nCopies(levels, "+"));
    String topic = String.join("/", java.util.Collections.nCopies(levels, "a"));
    AclPolicy[] policy = new AclPolicy[1];
    Decision[] decision = new Decision[1];
    Thread parse = new Thread(null, () -> policy[0] = AclPolicy.parse("pattern read " + plusses + "\n",
        "acl.conf", AclLimits.builder().maxLevels(levels).build()), "big stack", 256L << 20);
    parse.start();
    parse.join();
    Thread check = new Thread(null, () -> decision[0] = policy[0].check(ClientIdentity.of("u", "c"), RECEIVE, topic),
        "small stack", 128L << 10);
    check.start();
    check.join();
    assertThat(decision[0]).isEqualTo(Decision.deny("internal error while checking (StackOverflowError); denied"));
  }

  @Test
  void authorize_isCheck() throws Exception {
    AclPolicy policy = AclPolicy.parse(FACTORY, "acl.conf");
    ClientIdentity press = ClientIdentity.of("press-42", "press-42");
    assertThat(policy.authorize(press, PUBLISH, "factory/press-42/temp"))
        .isEqualTo(policy.check(press, PUBLISH, "factory/press-42/temp"))
        .isEqualTo(Decision.allow("acl.conf:2 readwrite factory/%u/#"));
    assertThat(policy.subscribeMode()).isEqualTo(SubscribeMode.STRICT);
    assertThat(policy.withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY).subscribeMode())
        .isEqualTo(SubscribeMode.FILTER_ON_DELIVERY);
  }

  /**
   * A rule without the access asked for is passed over, in a trie as in a list: {@code read} never allows a
   * PUBLISH, {@code write} never a RECEIVE, and the search goes on to the next rule that has it.
   */
  @Test
  void check_aRuleWithoutTheAccessAsked_isPassedOver_inATrieAsInAList() {
    ClientIdentity u = ClientIdentity.of("u", "u");
    for (String block : new String[] {"user u\ntopic read a/#\ntopic write b/#\n",
        asTrie("user u\ntopic read a/#\ntopic write b/#\n")}) {
      AclPolicy policy = AclPolicy.parse(block + "pattern readwrite a/%u\n", "acl.conf");
      assertThat(policy.check(u, PUBLISH, "a/x").reason()).isEqualTo("no rule matched");
      assertThat(policy.check(u, RECEIVE, "b/x").reason()).isEqualTo("no rule matched");
      assertThat(policy.check(u, PUBLISH, "a/u").reason()).isEqualTo("acl.conf:" + (block.split("\n").length + 1)
          + " readwrite a/%u");
      assertThat(policy.check(u, RECEIVE, "a/x").reason()).isEqualTo("acl.conf:2 read a/#");
    }
  }

  /**
   * A subtree with rules of both kinds is walked for either, and then each rule found is still judged by its own
   * access: {@code read a/#} never allows PUBLISH {@code a/x}, though {@code write a/b/c} below it makes the walk go
   * in.
   */
  @Test
  void check_aReadRuleInASubtreeWithWriteRules_stillDoesNotAllowAPublish() {
    ClientIdentity u = ClientIdentity.of("u", "u");
    AclPolicy policy = AclPolicy.parse(asTrie("user u\ntopic read a/#\ntopic write a/b/c\n"), "acl.conf");
    assertThat(policy.check(u, PUBLISH, "a/x").reason()).isEqualTo("no rule matched");
    assertThat(policy.check(u, PUBLISH, "a/b/c").reason()).isEqualTo("acl.conf:3 write a/b/c");
    assertThat(policy.check(u, RECEIVE, "a/b/c").reason()).isEqualTo("acl.conf:2 read a/#");
  }

  /** The walk's own validation, at its edges: MQTT's 65,535 bytes exactly, a trailing empty level, one U+0080. */
  @Test
  void check_theWalksValidation_atItsEdges() {
    ClientIdentity u = ClientIdentity.of("u", "u");
    AclPolicy policy = AclPolicy.parse(asTrie("user u\ntopic readwrite #\n"), "acl.conf",
        AclLimits.builder().maxLevels(3).build());
    assertThat(policy.check(u, PUBLISH, "x/" + "a".repeat(65_533)).allowed()).isTrue();
    assertThat(policy.check(u, PUBLISH, "x/" + "a".repeat(65_534)).reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(u, RECEIVE, "x/b/c").allowed()).isTrue();
    assertThat(policy.check(u, RECEIVE, "x/b/c/").reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(u, RECEIVE, "x/b/").allowed()).isTrue();
    assertThat(policy.check(u, RECEIVE, "\u0080".repeat(40_000)).reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(u, RECEIVE, "\u0080".repeat(30_000)).allowed()).isTrue();
  }

  /**
   * Where a topic's first level is empty, its one-level parent would be the topic "", which does not exist: a
   * {@code +} rule never meets {@code /#}, a {@code /#} rule never meets {@code +}, so neither deny stops the
   * subscription; and {@code a/+} never covers {@code a/#}. In a trie, as the list tests elsewhere show for lists.
   */
  @Test
  void subscribe_emptyFirstLevels_andPlusAgainstHash_inATrie() {
    ClientIdentity u = ClientIdentity.of("u", "u");
    AclPolicy plusDenied = AclPolicy.parse(asTrie("user u\ntopic deny +\ntopic read #\n"), "acl.conf");
    assertThat(plusDenied.check(u, SUBSCRIBE, "/#").reason()).isEqualTo("acl.conf:3 read #");
    assertThat(plusDenied.check(u, SUBSCRIBE, "a/#").reason()).isEqualTo("acl.conf:2 deny +");
    AclPolicy slashHashDenied = AclPolicy.parse(asTrie("user u\ntopic deny /#\ntopic read +\n"), "acl.conf");
    assertThat(slashHashDenied.check(u, SUBSCRIBE, "+").reason()).isEqualTo("acl.conf:3 read +");
    assertThat(slashHashDenied.check(u, SUBSCRIBE, "+/x").reason()).isEqualTo("acl.conf:2 deny /#");
    AclPolicy plusLevel = AclPolicy.parse(asTrie("user u\ntopic read a/+\n"), "acl.conf");
    assertThat(plusLevel.check(u, SUBSCRIBE, "a/#").reason()).isEqualTo("no rule matched");
    assertThat(plusLevel.check(u, SUBSCRIBE, "a/+").reason()).isEqualTo("acl.conf:2 read a/+");
  }

  /** A trailing empty level counts: where the walk stops just before it, the level limit still sees it. */
  @Test
  void check_aTrailingEmptyLevel_countsTowardsTheLevelLimit_whereverTheWalkStops() {
    ClientIdentity u = ClientIdentity.of("u", "u");
    AclPolicy policy = AclPolicy.parse(asTrie("user u\ntopic readwrite x/b/#\n"), "acl.conf",
        AclLimits.builder().maxLevels(3).build());
    assertThat(policy.check(u, RECEIVE, "x/b/c").allowed()).isTrue();
    assertThat(policy.check(u, RECEIVE, "x/b/c/").reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(u, RECEIVE, "x/b/").allowed()).isTrue();
  }
}
