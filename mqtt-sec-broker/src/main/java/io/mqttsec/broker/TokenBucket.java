package io.mqttsec.broker;

/**
 * One {@link Rate}'s state: the tokens held, refilled from the time of the last look. Not thread-safe: its owner
 * serialises calls (a client's own packets under the client's own lock), so no lock is shared between clients.
 */
final class TokenBucket {

  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  TokenBucket(Rate rate, long now) {
    this.capacity = rate.burst();
    this.perNano = rate.perSecond() / 1e9;
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes {@code amount} tokens at {@code now} (a {@code System.nanoTime()}) if the bucket holds them. */
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
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      last = now;
    }
  }
}
