/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.mqttsec.broker.SecurityCounters;

/**
 * The broker layer's counters in HiveMQ's metric registry, so they appear wherever the broker's metrics are
 * exported (JMX, the Prometheus extension), as gauges named {@code io.mqttsec.} plus the counter's name:
 * {@code io.mqttsec.auth.success}, {@code io.mqttsec.acl.deny}, {@code io.mqttsec.takeover.refused}, ... (the
 * list is {@link SecurityCounters#names()}).
 */
final class SecurityMetrics {

  static final String PREFIX = "io.mqttsec.";

  private SecurityMetrics() {
  }

  static void register(MetricRegistry registry, SecurityCounters counters) {
    for (String name : counters.names()) {
      registry.register(PREFIX + name, (Gauge<Long>) () -> counters.value(name));
    }
  }

  /** Removes the extension's metrics, so a stopped extension leaves nothing behind in the broker. */
  static void unregister(MetricRegistry registry) {
    registry.removeMatching((name, metric) -> name.startsWith(PREFIX));
  }
}
