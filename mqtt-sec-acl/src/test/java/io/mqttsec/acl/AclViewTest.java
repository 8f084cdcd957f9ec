/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import org.junit.jupiter.api.Test;

/** What {@link AclPolicy#viewFor} prepares for a client; {@code AclDifferentialTest} proves its decisions. */
class AclViewTest {

  static final String ACL = """
      pattern readwrite factory/%u/#
      pattern read factory/config/%c
      pattern deny factory/%u/secret/#
      user press-1
      topic write alarms/press-1
      topic deny factory/press-1/cmd/reboot
      """;

  final AclPolicy policy = AclPolicy.parse(ACL, "acl.conf");

  @Test
  void aDevicesView_isItsOwnLinesAndItsPatternsResolved_andDecidesWithTheRulesAsWritten() {
    AclView view = policy.viewFor(ClientIdentity.of("press-1", "press-1-main"));
    assertThat(view.size()).isEqualTo(5);
    assertThat(view.authorize(Action.PUBLISH, "factory/press-1/temp").reason())
        .isEqualTo("acl.conf:1 readwrite factory/%u/#");
    assertThat(view.authorize(Action.PUBLISH, "factory/press-1/secret/key").reason())
        .isEqualTo("acl.conf:3 deny factory/%u/secret/#");
    assertThat(view.authorize(Action.PUBLISH, "factory/press-1/cmd/reboot").reason())
        .isEqualTo("acl.conf:6 deny factory/press-1/cmd/reboot");
    assertThat(view.authorize(Action.SUBSCRIBE, "factory/config/press-1-main").reason())
        .isEqualTo("acl.conf:2 read factory/config/%c");
    assertThat(view.authorize(Action.SUBSCRIBE, "factory/config/press-1").reason()).isEqualTo("no rule matched");
    assertThat(view.authorize(Action.PUBLISH, "alarms/press-1").reason()).isEqualTo("acl.conf:5 write alarms/press-1");
    assertThat(view.authorize(Action.PUBLISH, "factory/press-2/temp").reason()).isEqualTo("no rule matched");
  }

  @Test
  void anIdentityWithAWildcard_getsNoPattern_butKeepsItsOwnLines() {
    AclView view = policy.viewFor(ClientIdentity.of("press-1", "press-1/+"));
    assertThat(view.size()).isEqualTo(2);
    assertThat(view.authorize(Action.PUBLISH, "factory/press-1/temp").reason())
        .isEqualTo("no rule matched; patterns do not apply to a username or client id containing '+' or '#'");
    assertThat(view.authorize(Action.PUBLISH, "alarms/press-1").allowed()).isTrue();
    assertThat(policy.viewFor(ClientIdentity.of("a#", "a")).authorize(Action.PUBLISH, "factory/a#/x").reason())
        .isEqualTo("invalid topic name");
  }

  @Test
  void anAnonymousClient_getsNoUserPattern() {
    AclView view = policy.viewFor(ClientIdentity.of(null, "sensor"));
    assertThat(view.size()).isEqualTo(1); // factory/config/sensor
    assertThat(view.authorize(Action.SUBSCRIBE, "factory/config/sensor").allowed()).isTrue();
    assertThat(view.authorize(Action.PUBLISH, "factory/sensor/temp").denied()).isTrue();
  }

  @Test
  void invalidRequests_areDeniedAsThePolicyDeniesThem() {
    AclView view = policy.viewFor(ClientIdentity.of("press-1", "press-1"));
    assertThat(view.authorize(Action.PUBLISH, "factory/press-1/+").reason()).isEqualTo("invalid topic name");
    assertThat(view.authorize(Action.PUBLISH, "").reason()).isEqualTo("invalid topic name");
    assertThat(view.authorize(Action.SUBSCRIBE, "factory/#/x").reason()).isEqualTo("invalid topic filter");
    assertThat(view.authorize(Action.PUBLISH, null).reason()).isEqualTo("invalid request");
    assertThat(view.authorize(null, "factory/press-1/temp").reason()).isEqualTo("invalid request");
    assertThat(view.authorize(Action.PUBLISH, "$SYS/broker/x").reason())
        .isEqualTo("$SYS topics are published by the broker only");
    assertThat(view.authorize(Action.RECEIVE, "$share/g/factory/press-1/temp").reason())
        .isEqualTo("topics starting with $share are never published");
  }

  @Test
  void aWideClient_keepsThePolicysTries() {
    StringBuilder acl = new StringBuilder("pattern read factory/%u/#\nuser gateway\n");
    for (int i = 0; i <= RuleList.MAX_RULES; i++) {
      acl.append("topic readwrite line-").append(i).append("/#\n");
    }
    AclPolicy wide = AclPolicy.parse(acl.toString(), "acl.conf");
    ClientIdentity gateway = ClientIdentity.of("gateway", "gw");
    AclView view = wide.viewFor(gateway);
    assertThat(view.size()).isEqualTo(-1);
    for (String topic : new String[] {"line-3/x", "line-99/x", "factory/gateway/x"}) {
      for (Action action : Action.values()) {
        assertThat(view.authorize(action, topic)).isEqualTo(wide.check(gateway, action, topic));
      }
    }
    assertThat(view.authorize(Action.PUBLISH, "line-8/x").reason()).isEqualTo("acl.conf:11 readwrite line-8/#");
  }

  @Test
  void theSessionsOfOneIdentity_shareAView_andClientIdsMatterOnlyToPatternsThatUseThem() {
    ClientIdentity a = ClientIdentity.of("press-1", "press-1");
    assertThat(policy.viewFor(a)).isSameAs(policy.viewFor(ClientIdentity.of("press-1", "press-1")));
    assertThat(policy.viewFor(a)).isNotSameAs(policy.viewFor(ClientIdentity.of("press-1", "press-1-b")));
    AclPolicy noClientIds = AclPolicy.parse("pattern readwrite factory/%u/#\n", "acl.conf");
    assertThat(noClientIds.viewFor(a)).isSameAs(noClientIds.viewFor(ClientIdentity.of("press-1", "other")));
    assertThat(noClientIds.viewFor(ClientIdentity.of("press-1", "x#")).authorize(Action.PUBLISH,
        "factory/press-1/t").denied()).as("a wildcard client id is not the same view").isTrue();
  }

  @Test
  void theViewsRememberedForSharing_areCapped() {
    for (int i = 0; i < AclPolicy.MAX_SHARED_VIEWS + 100; i++) {
      policy.viewFor(ClientIdentity.of("press-" + i, "c"));
    }
    assertThat(policy.sharedViews()).isBetween(1, AclPolicy.MAX_SHARED_VIEWS);
  }

  @Test
  void aViewFollowsThePolicysSubscribeMode() {
    ClientIdentity who = ClientIdentity.of("press-1", "press-1");
    assertThat(policy.viewFor(who).authorize(Action.SUBSCRIBE, "factory/+/temp").denied()).isTrue();
    assertThat(policy.withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY).viewFor(who)
        .authorize(Action.SUBSCRIBE, "factory/+/temp").allowed()).isTrue();
  }

  @Test
  void aCheckThroughAView_allocatesNothing() {
    AclView view = policy.viewFor(ClientIdentity.of("press-1", "press-1"));
    String[] topics = {"factory/press-1/temp", "factory/press-2/temp", "alarms/press-1", "factory/press-1/secret/k"};
    long allowed = 0;
    for (int i = 0; i < 20_000; i++) { // the decisions are built and cached by the first checks
      allowed += view.authorize(Action.PUBLISH, topics[i & 3]).allowed() ? 1 : 0;
      allowed += view.authorize(Action.SUBSCRIBE, topics[i & 3]).allowed() ? 1 : 0;
    }
    long before = allocatedByThisThread();
    for (int i = 0; i < 100_000; i++) {
      Decision d = view.authorize(i % 2 == 0 ? Action.PUBLISH : Action.SUBSCRIBE, topics[i & 3]);
      allowed += d.allowed() ? 1 : 0;
    }
    long allocated = allocatedByThisThread() - before;
    assertThat(allowed).isPositive();
    assertThat(allocated).as("bytes allocated by 100,000 checks").isLessThan(4_096);
  }

  /**
   * The JDK's count of the bytes this thread allocated, read by reflection: the module under test does not read
   * {@code jdk.management}, which the tests' JVM adds ({@code --add-modules} in the pom).
   */
  private static long allocatedByThisThread() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
          .invoke(null);
      return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
          .invoke(bean);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the JDK's allocation counter is not available", e);
    }
  }
}
