/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refused enrollments per address: {@code max} of them within {@code window} hold the address off for
 * {@code window}. At most {@link #ADDRESSES} addresses are remembered, the least recently seen forgotten first, so
 * a flood from many addresses costs bounded memory.
 */
final class RefusalLimit {

  /** How many addresses are remembered at most. */
  static final int ADDRESSES = 10_000;

  final int max;
  final Duration window;
  private final Map<InetAddress, Count> counts = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<InetAddress, Count> eldest) {
      return size() > ADDRESSES;
    }
  };

  private static final class Count {
    Instant since;
    int refused;
    Instant heldOffUntil;
  }

  RefusalLimit(int max, Duration window) {
    this.max = max;
    this.window = window;
  }

  /** How long {@code address} is still held off at {@code now}, or null if it may ask. */
  synchronized Duration heldOff(InetAddress address, Instant now) {
    Count c = counts.get(address);
    if (c == null || c.heldOffUntil == null) {
      return null;
    }
    if (now.isBefore(c.heldOffUntil)) {
      return Duration.between(now, c.heldOffUntil);
    }
    counts.remove(address);
    return null;
  }

  /** Counts a refusal of {@code address} at {@code now}. */
  synchronized void refused(InetAddress address, Instant now) {
    Count c = counts.computeIfAbsent(address, a -> new Count());
    if (c.since == null || !now.isBefore(c.since.plus(window))) {
      c.since = now;
      c.refused = 0;
    }
    c.refused++;
    if (c.refused >= max) {
      c.heldOffUntil = now.plus(window);
    }
  }
}
