/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CVE-2017-7650: with {@code pattern readwrite devices/%c/#}, a client id of {@code #} became the filter
 * {@code devices/#/#}... or, with {@code %c} = {@code +}, {@code devices/+/#}: access to every device. A client whose
 * username or client id contains '+' or '#' gets nothing from any pattern.
 */
class Cve2017_7650Test {

  private static final AclPolicy POLICY = AclPolicy.parse("""
      pattern readwrite devices/%c/#
      pattern readwrite users/%u/#
      pattern read public/#
      user operator
      topic read ops/#
      """, "acl.conf");

  @ParameterizedTest
  @CsvSource({
      "dev, +",
      "dev, #",
      "dev, a+b",
      "+, dev1",
      "#, dev1",
      "op#, dev1",
  })
  void check_wildcardInUsernameOrClientId_getsNoPatternAccess(String user, String clientId) {
    ClientIdentity who = ClientIdentity.of(user, clientId);
    for (String topic : new String[] {"devices/dev1/x", "devices/+/x", "users/dev/x", "public/news"}) {
      Decision d = POLICY.check(who, Action.PUBLISH, topic);
      assertThat(d.allowed()).as(topic).isFalse();
    }
    assertThat(POLICY.check(who, Action.RECEIVE, "public/news").reason())
        .isEqualTo("no rule matched; patterns do not apply to a username or client id containing '+' or '#'");
  }

  @ParameterizedTest
  @CsvSource({"operator, op+1"})
  void check_wildcardInClientId_keepsOwnTopicRules(String user, String clientId) {
    ClientIdentity who = ClientIdentity.of(user, clientId);
    assertThat(POLICY.check(who, Action.RECEIVE, "ops/alerts").reason()).isEqualTo("acl.conf:5 read ops/#");
    assertThat(POLICY.check(who, Action.RECEIVE, "public/news").allowed()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"dev, dev1"})
  void check_cleanIdentity_getsPatternAccess(String user, String clientId) {
    ClientIdentity who = ClientIdentity.of(user, clientId);
    assertThat(POLICY.check(who, Action.PUBLISH, "devices/dev1/temp").reason())
        .isEqualTo("acl.conf:1 readwrite devices/%c/#");
    assertThat(POLICY.check(who, Action.PUBLISH, "devices/dev2/temp").allowed()).isFalse();
    assertThat(POLICY.check(who, Action.PUBLISH, "users/dev/x").reason()).isEqualTo("acl.conf:2 readwrite users/%u/#");
  }
}
