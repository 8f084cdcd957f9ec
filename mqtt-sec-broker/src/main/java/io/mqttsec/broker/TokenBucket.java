/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

/**
 * One {@link Rate}'s state: the tokens held, refilled from the time of the last look, in whatever unit of time
 * its owner counts in (nanoseconds for CONNECTs, the broker layer's millisecond tick for PUBLISHes). Not
 * thread-safe: its owner serialises calls, or accepts that two calls at the same instant may miscount by one.
 */
final class TokenBucket {

  private final double capacity;
  private final double perTick;
  private double tokens;
  private long last;

  /**
   * @param ticksPerSecond how many of the owner's time units make a second: 1e9 for nanoseconds, 1e3 for millis
   */
  TokenBucket(Rate rate, long now, double ticksPerSecond) {
    this.capacity = rate.burst();
    this.perTick = rate.perSecond() / ticksPerSecond;
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes {@code amount} tokens at {@code now} if the bucket holds them. */
  boolean tryTake(long amount, long now) {
    refill(now);
    if (tokens >= amount) {
      tokens -= amount;
      return true;
    }
    return false;
  }

  /** Whether the bucket is full at {@code now}: nothing was taken lately, so its state can be forgotten. */
  boolean full(long now) {
    refill(now);
    return tokens >= capacity;
  }

  private void refill(long now) {
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perTick);
      last = now;
    }
  }
}
