/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

/**
 * A token bucket: {@code perSecond} tokens flow in each second, up to {@code burst} held at once, so a client may
 * send {@code burst} at once and then {@code perSecond} a second.
 *
 * @param perSecond the sustained rate; positive
 * @param burst     the most held at once; at least 1
 */
public record Rate(double perSecond, long burst) {

  public Rate {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("a rate must be positive, not " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("a burst must be at least 1, not " + burst);
    }
  }

  /** {@code perSecond} a second with a burst of {@code burst}. */
  public static Rate of(double perSecond, long burst) {
    return new Rate(perSecond, burst);
  }

  @Override
  public String toString() {
    String rate = perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond) : Double.toString(perSecond);
    return rate + "/s (burst " + burst + ")";
  }
}
