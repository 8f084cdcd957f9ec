/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

/** Why mqtt-sec asks the broker to end a connection, in MQTT 5 DISCONNECT reason codes. */
public enum DisconnectReason {
  /** 0x87: the client's credential was removed or reset, or its certificate revoked. */
  NOT_AUTHORIZED,
  /** 0x96: the client kept exceeding its message or byte rate. */
  MESSAGE_RATE_TOO_HIGH,
  /** 0x95: the client sent a message larger than its limit. */
  PACKET_TOO_LARGE
}
