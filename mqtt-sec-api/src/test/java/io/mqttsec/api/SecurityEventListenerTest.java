/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityEventListenerTest {

  static final SecurityEvent EVENT = new SecurityEvent.PolicyReloaded(Instant.EPOCH, "acl.conf", "1 rule");

  @Test
  void deliver_passesTheEventOn() {
    List<SecurityEvent> seen = new ArrayList<>();
    SecurityEventListener listener = seen::add;
    listener.deliver(EVENT);
    assertThat(seen).containsExactly(EVENT);
  }

  @Test
  void deliver_swallowsWhatTheListenerThrows() {
    SecurityEventListener failing = e -> {
      throw new IllegalStateException("SIEM down");
    };
    assertThatCode(() -> failing.deliver(EVENT)).doesNotThrowAnyException();
  }
}
