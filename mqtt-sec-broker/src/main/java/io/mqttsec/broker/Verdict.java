/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.Objects;

/**
 * What {@link BrokerSecurity} decided about a SUBSCRIBE, or about a PUBLISH against the limits, in the terms of the
 * MQTT answer: an adapter maps the kind to its broker's reason code.
 *
 * @param kind   what happens to the packet
 * @param reason for the audit log and the MQTT 5 reason string; names the rule or the limit, never a secret
 */
public record Verdict(Kind kind, String reason) {

  /** What happens to the packet. */
  public enum Kind {
    /** It goes through. */
    ALLOWED,
    /** Refused by the ACL: 0x87 Not authorized. */
    NOT_AUTHORIZED,
    /** Refused by a limit (a rate, the subscription count): 0x97 Quota exceeded; a QoS 0 PUBLISH is dropped. */
    QUOTA_EXCEEDED,
    /** Refused: the topic is longer or deeper than the client's limit; 0x90 Topic Name invalid. */
    TOPIC_NAME_INVALID,
    /**
     * The packet is dropped and the connection is being ended (through {@link BrokerSpi#disconnect}, with 0x95 or
     * 0x96): an oversized message, or a rate exceeded for too long.
     */
    DISCONNECTED
  }

  static final Verdict ALLOWED = new Verdict(Kind.ALLOWED, "allowed");

  public Verdict {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  /** Whether the packet goes through. */
  public boolean allowed() {
    return kind == Kind.ALLOWED;
  }
}
