/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecisionTest {

  @Test
  void factories_setAllowedAndReason() {
    assertThat(Decision.allow("acl.conf:3 readwrite a/#").allowed()).isTrue();
    assertThat(Decision.deny("no rule matched").denied()).isTrue();
    assertThat(Decision.deny("no rule matched").reason()).isEqualTo("no rule matched");
  }

  @Test
  void nullReason_rejected() {
    assertThatThrownBy(() -> Decision.deny(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void authResult_failureCannotBeSuccess_andSuccessCarriesUser() {
    assertThatThrownBy(() -> AuthResult.failure(AuthResult.Outcome.SUCCESS, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    AuthResult ok = AuthResult.success("press-42", "password");
    assertThat(ok.succeeded()).isTrue();
    assertThat(ok.username()).contains("press-42");
    AuthResult bad = AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "unknown user");
    assertThat(bad.succeeded()).isFalse();
    assertThat(bad.username()).isEmpty();
    assertThat(bad).hasToString("AuthResult{BAD_CREDENTIALS, reason=unknown user}");
  }

  @Test
  void aclParseException_formatsLocation() {
    assertThat(new AclParseException("acl.conf", 12, 15, "bad"))
        .hasMessage("acl.conf:12:15: bad")
        .satisfies(e -> {
          assertThat(e.line()).isEqualTo(12);
          assertThat(e.column()).isEqualTo(15);
          assertThat(e.source()).isEqualTo("acl.conf");
        });
    assertThat(new AclParseException("acl.conf", 3, 0, "bad")).hasMessage("acl.conf:3: bad");
  }
}
