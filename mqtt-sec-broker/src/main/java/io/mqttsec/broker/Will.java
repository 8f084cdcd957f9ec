/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.time.Duration;
import java.util.Objects;

/**
 * A client's will, as mqtt-sec holds it: the broker adapter takes the will out of the CONNECT (so the broker
 * itself never publishes it) and hands it here with the action that publishes it. {@link BrokerSecurity} then
 * publishes it when it falls due, after checking it again against the rules and credentials in force at that
 * moment, or drops it.
 *
 * @param topic   the will topic
 * @param delay   MQTT 5's will delay interval; zero for MQTT 3.1.1
 * @param publish publishes the will as the broker would have; called at most once, on a mqtt-sec thread
 */
public record Will(String topic, Duration delay, Runnable publish) {

  public Will {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(publish, "publish");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("a will delay cannot be negative: " + delay);
    }
  }

  /** Names the topic and delay only. */
  @Override
  public String toString() {
    return "Will{topic=" + topic + ", delay=" + delay + '}';
  }
}
