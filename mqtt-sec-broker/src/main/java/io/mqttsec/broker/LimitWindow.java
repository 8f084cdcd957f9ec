/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.ClientIdentity;

/**
 * The excesses of one limit by one client (or address, or user) in one-minute windows, so that a flood writes
 * about one {@code limit.exceeded} line a minute: the first excess is reported at once; a window closes with
 * its count when an excess comes a minute or more after it opened (the next window then opens silently, the
 * flood goes on), or when {@link #close} finds it a minute old or its owner gone. Guarded by its owner's lock.
 */
final class LimitWindow {

  static final long MINUTE = 60_000_000_000L;

  /** What to report: nothing, or a count of excesses since a time (nanoTime). */
  record Report(long count, long since) {
  }

  private boolean open;
  private long start;
  private long count;
  /** Who met the limit last, for the report. */
  ClientIdentity who;

  /** Counts one excess at {@code now}; returns what to report now, or null. */
  Report excess(long now) {
    if (!open) {
      open = true;
      start = now;
      count = 1;
      return new Report(1, now);
    }
    if (now - start >= MINUTE) {
      Report closed = new Report(count, start);
      start = now;
      count = 1;
      return closed;
    }
    count++;
    return null;
  }

  /**
   * Closes the window if it is a minute old, or at once when {@code gone}; returns its count when it had more
   * than the first excess (already reported), else null.
   */
  Report close(long now, boolean gone) {
    if (!open || !gone && now - start < MINUTE) {
      return null;
    }
    open = false;
    return count > 1 ? new Report(count, start) : null;
  }
}
