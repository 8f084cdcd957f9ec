/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import java.util.Objects;

/**
 * The answer to an authorization question: allowed or not, and a human-readable reason that names the rule
 * which decided, such as {@code acl.conf:12 deny factory/+/hvac/#} or {@code no rule matched}.
 *
 * <p>The reason is meant for audit logs and operators. It may be shown to the client as an MQTT 5 reason string;
 * it names rules, never credentials.
 *
 * @param allowed whether the action is permitted
 * @param reason  the rule or condition that decided; never null
 */
public record Decision(boolean allowed, String reason) {

  public Decision {
    Objects.requireNonNull(reason, "reason");
  }

  /** An allowing decision with the given reason. */
  public static Decision allow(String reason) {
    return new Decision(true, reason);
  }

  /** A denying decision with the given reason. */
  public static Decision deny(String reason) {
    return new Decision(false, reason);
  }

  /** Whether the action is refused; the complement of {@link #allowed()}. */
  public boolean denied() {
    return !allowed;
  }
}
