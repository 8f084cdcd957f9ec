/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

/**
 * Each limit {@link Limits} can set, by the name its {@code limit.exceeded} audit lines and counters carry.
 */
enum Limit {
  MESSAGE_RATE("message-rate"),
  BYTE_RATE("byte-rate"),
  MESSAGE_SIZE("message-size"),
  TOPIC_LENGTH("topic-length"),
  TOPIC_LEVELS("topic-levels"),
  SUBSCRIPTIONS("subscriptions"),
  USER_CONNECTIONS("user-connections"),
  ADDRESS_CONNECT_RATE("address-connect-rate"),
  ADDRESS_CONNECTIONS("address-connections"),
  PREFIX_CONNECT_RATE("prefix-connect-rate"),
  PREFIX_CONNECTIONS("prefix-connections"),
  BROKER_CONNECT_RATE("broker-connect-rate");

  final String label;

  Limit(String label) {
    this.label = label;
  }
}
