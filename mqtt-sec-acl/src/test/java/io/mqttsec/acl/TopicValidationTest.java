/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.Topics;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * PUBLISH and RECEIVE topics are validated by the walks' own scan ({@link Search#validatingTopic}), not by a
 * separate pass: whichever walk runs, wherever it stops, a topic is refused as invalid exactly when
 * {@link Topics#isValidName(String, int)} says so, and a valid one is decided as before.
 */
class TopicValidationTest {

  private static final int MAX_LEVELS = 4;
  private static final AclLimits LIMITS = AclLimits.builder().maxLevels(MAX_LEVELS).build();

  /** Policies where the walk stops at different places, or where no walk runs at all. */
  private static final List<AclPolicy> POLICIES = List.of(
      AclPolicy.parse("user a\ntopic readwrite x/#\ntopic deny x/y/z\npattern read %u/#\npattern write +/+/q",
          "own-and-patterns", LIMITS),
      AclPolicy.parse("topic read b\ntopic write b/+/c", "anonymous-only", LIMITS),
      AclPolicy.parse("", "empty", LIMITS),
      AclPolicy.parse("user a\ntopic read x", "no-patterns", LIMITS),
      AclPolicy.parse("pattern write %c/#\npattern readwrite +/é/#", "patterns-only", LIMITS),
      // blocks long enough to be tries rather than lists
      AclPolicy.parse(AclPolicyTest.asTrie("user a\ntopic readwrite x/#\ntopic deny x/y/z\n")
          + "pattern read %u/#\npattern write +/+/q", "own-trie-and-patterns", LIMITS),
      AclPolicy.parse(AclPolicyTest.asTrie("topic read b\ntopic write b/+/c\n"), "anonymous-trie", LIMITS));

  private static final List<ClientIdentity> WHO = List.of(
      ClientIdentity.of("a", "x"), ClientIdentity.of(null, "b"), ClientIdentity.of("nobody", "x"),
      ClientIdentity.of("a", "c#"), ClientIdentity.of("a", "é"));

  @Provide
  Arbitrary<String> topics() {
    return Arbitraries.of("x", "y", "z", "b", "c", "q", "é", "/", "/", "+", "#", "\0", "\uD800", "\uDC00",
            "\uD83D\uDE00", "$", "€").list().ofMaxSize(9).map(parts -> String.join("", parts));
  }

  @Property(tries = 3_000)
  void invalidTopics_areRefusedAsInvalid_validOnesAsTheRulesSay(@ForAll("topics") String topic) {
    boolean valid = Topics.isValidName(topic, MAX_LEVELS);
    for (AclPolicy policy : POLICIES) {
      for (ClientIdentity who : WHO) {
        for (Action action : new Action[] {Action.PUBLISH, Action.RECEIVE}) {
          Decision d = policy.check(who, action, topic);
          if (valid) {
            assertThat(d.reason()).as("%s %s %s %s", policy.source(), who, action, topic)
                .isNotEqualTo("invalid topic name");
          } else {
            assertThat(d).as("%s %s %s %s", policy.source(), who, action, topic)
                .isEqualTo(Decision.deny("invalid topic name"));
          }
          assertThat(policy.viewFor(who).authorize(action, topic)).as("view: %s %s %s %s", policy.source(), who,
              action, topic).isEqualTo(d);
        }
      }
    }
  }

  @Test
  void aTopicPastTheWalk_isStillValidated() {
    for (AclPolicy policy : new AclPolicy[] {POLICIES.get(0), POLICIES.get(5)}) {
      aTopicPastTheWalk_isStillValidated(policy);
    }
  }

  private static void aTopicPastTheWalk_isStillValidated(AclPolicy policy) {
    ClientIdentity a = ClientIdentity.of("a", "x");
    // x/# allows at the first level; the walk need not read further, but the rest is still checked.
    assertThat(policy.check(a, Action.PUBLISH, "x/ok").allowed()).isTrue();
    assertThat(policy.check(a, Action.PUBLISH, "x/a+b").reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(a, Action.PUBLISH, "x/a\0b").reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(a, Action.PUBLISH, "x/a/b/c/d").reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(a, Action.PUBLISH, "x/a/b/c").allowed()).isTrue();
    assertThat(policy.check(a, Action.PUBLISH, "x/\uD800").reason()).isEqualTo("invalid topic name");
    assertThat(policy.check(a, Action.PUBLISH, "x/\uD83D\uDE00").allowed()).isTrue();
    assertThat(policy.check(a, Action.PUBLISH, "x/" + "é".repeat(32_767)).reason())
        .isEqualTo("invalid topic name"); // 65,536 bytes of UTF-8 in 32,769 chars
    assertThat(policy.check(a, Action.PUBLISH, "").reason()).isEqualTo("invalid topic name");
  }
}
