/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CVE-2018-12550: mosquitto allowed everything when the ACL file was empty. An empty policy denies everything. */
class Cve2018_12550Test {

  @ParameterizedTest
  @ValueSource(strings = {"", "\n\n", "# only a comment\n", "   \n\t\n# a\n"})
  void check_emptyOrCommentOnlyFile_deniesEverything(String text) {
    AclPolicy policy = AclPolicy.parse(text, "acl.conf");
    for (ClientIdentity who : new ClientIdentity[] {ClientIdentity.of("admin", "c"), ClientIdentity.of(null, "c")}) {
      for (Action action : Action.values()) {
        assertThat(policy.check(who, action, "a/b").allowed()).isFalse();
        assertThat(policy.check(who, action, action == Action.SUBSCRIBE ? "#" : "x").reason())
            .isEqualTo("no rule matched");
      }
    }
    assertThat(policy.ruleCount()).isZero();
  }

  @Test
  void denyAll_carriesItsReason() {
    AclPolicy policy = AclPolicy.denyAll("ACL acl.conf not loaded: no such file");
    assertThat(policy.check(ClientIdentity.of("u", "c"), Action.PUBLISH, "a").reason())
        .isEqualTo("ACL acl.conf not loaded: no such file");
  }
}
