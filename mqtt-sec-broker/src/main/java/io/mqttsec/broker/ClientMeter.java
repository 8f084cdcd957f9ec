/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One connection's limits and their state: its message and byte buckets, how long it has been exceeding them,
 * its subscriptions (when they are limited) and its excess windows. Each connection has its own meter: clients
 * never wait for one another.
 *
 * <p>{@link #admit} runs on every PUBLISH, so it takes no lock and reads no clock of its own: time is the broker
 * layer's millisecond tick, and the buckets are plain fields. Brokers hand one client's packets over in order
 * (HiveMQ runs a client's interceptor tasks one after another); were two of one client's PUBLISHes admitted at
 * the same instant, a bucket could miscount by one message. Subscriptions and the excess windows, which are not on
 * the PUBLISH path, are guarded by this meter's lock.
 */
final class ClientMeter {

  /** A gap this long between refusals, in milliseconds, ends an excess episode. */
  private static final long EPISODE_GAP = 1_000;
  private static final int NONE = Integer.MAX_VALUE;

  /** What one PUBLISH met: nothing, or the limit it exceeded and what follows. */
  record Excess(Limit limit, Verdict.Kind kind, String reason) {
  }

  final ClientLimits limits;
  private final boolean limitsPublish;
  private final int maxBytes;
  private final int maxTopicBytes;
  private final int maxLevels;
  private final long disconnectAfter;
  // the two token buckets, in this object's own fields so that a PUBLISH reads one object (a separate bucket
  // object is one more cold cache line when a broker holds 100,000 clients); a rate of 0 means none
  private final double messageCap;
  private final double messagesPerTick;
  private double messageTokens;
  private long messageLast;
  private final double byteCap;
  private final double bytesPerTick;
  private double byteTokens;
  private long byteLast;
  // allocated when first needed, so that the session allocated right after this meter lands next to it
  private Set<String> subscriptions;
  private Map<Limit, LimitWindow> windows;
  private long episodeStart;
  private long lastRefusal = Long.MIN_VALUE / 2;
  /** Checks made for this connection, so that one in 64 is timed (plain: one client's packets come in order). */
  int checks;
  /** Whether mqtt-sec ended the connection: nothing more from it is accepted. */
  volatile boolean endedByMqttSec;
  /** The tick at which the connection ended otherwise, or 0 while it lasts. */
  volatile long goneAt;

  /**
   * @param disconnectAfterMillis how long an excess may last before the client is disconnected
   * @param now                   the layer's tick, in milliseconds
   */
  ClientMeter(ClientLimits limits, long disconnectAfterMillis, long now) {
    this.limits = limits;
    this.disconnectAfter = disconnectAfterMillis;
    this.maxBytes = limits.maxMessageBytesOr(NONE);
    this.maxTopicBytes = limits.maxTopicBytesOr(NONE);
    this.maxLevels = limits.maxTopicLevelsOr(NONE);
    Rate messageRate = limits.messageRateOrNull();
    this.messageCap = messageRate == null ? 0 : messageRate.burst();
    this.messagesPerTick = messageRate == null ? 0 : messageRate.perSecond() / 1e3;
    this.messageTokens = messageCap;
    this.messageLast = now;
    Rate byteRate = limits.byteRateOrNull();
    this.byteCap = byteRate == null ? 0 : byteRate.burst();
    this.bytesPerTick = byteRate == null ? 0 : byteRate.perSecond() / 1e3;
    this.byteTokens = byteCap;
    this.byteLast = now;
    this.limitsPublish = messageRate != null || byteRate != null || maxBytes != NONE || maxTopicBytes != NONE
        || maxLevels != NONE;
  }

  /**
   * Whether the connection still answers for its packets at {@code now}: it lasts, or ended normally no more than
   * {@code inFlightMillis} ago (a broker may report a DISCONNECT before it authorizes the PUBLISH sent just
   * before it). Read on every check, so the check needs no lookup.
   */
  boolean answers(long now, long inFlightMillis) {
    if (endedByMqttSec) {
      return false;
    }
    long gone = goneAt;
    return gone == 0 || now - gone <= inFlightMillis;
  }

  /** Whether any PUBLISH limit is set, so that admitting costs anything. */
  boolean limitsPublish() {
    return limitsPublish;
  }

  /**
   * What a PUBLISH of {@code payloadBytes} to {@code topic} at {@code now} (the layer's millisecond tick) meets, or
   * null when it is admitted. Allocates nothing when it is admitted.
   */
  Excess admit(String topic, int payloadBytes, long now) {
    if (payloadBytes > maxBytes) {
      return new Excess(Limit.MESSAGE_SIZE, Verdict.Kind.DISCONNECTED, "message of " + payloadBytes
          + " bytes, more than " + maxBytes);
    }
    if (topic.length() > maxTopicBytes / 3 && utf8Length(topic) > maxTopicBytes) {
      return new Excess(Limit.TOPIC_LENGTH, Verdict.Kind.TOPIC_NAME_INVALID, "topic longer than " + maxTopicBytes
          + " bytes");
    }
    if (topic.length() >= maxLevels && levels(topic) > maxLevels) {
      return new Excess(Limit.TOPIC_LEVELS, Verdict.Kind.TOPIC_NAME_INVALID, "topic deeper than " + maxLevels
          + " levels");
    }
    Limit exceeded = null;
    if (messagesPerTick > 0) {
      long elapsed = now - messageLast;
      if (elapsed > 0) {
        messageTokens = Math.min(messageCap, messageTokens + elapsed * messagesPerTick);
        messageLast = now;
      }
      if (messageTokens >= 1) {
        messageTokens -= 1;
      } else {
        exceeded = Limit.MESSAGE_RATE;
      }
    }
    if (exceeded == null && bytesPerTick > 0) {
      long elapsed = now - byteLast;
      if (elapsed > 0) {
        byteTokens = Math.min(byteCap, byteTokens + elapsed * bytesPerTick);
        byteLast = now;
      }
      if (byteTokens >= payloadBytes) {
        byteTokens -= payloadBytes;
      } else {
        exceeded = Limit.BYTE_RATE;
      }
    }
    if (exceeded == null) {
      return null;
    }
    if (now - lastRefusal > EPISODE_GAP) {
      episodeStart = now;
    }
    lastRefusal = now;
    Rate rate = exceeded == Limit.MESSAGE_RATE ? limits.messageRate().orElseThrow() : limits.byteRate()
        .orElseThrow();
    String what = (exceeded == Limit.MESSAGE_RATE ? "messages" : "bytes") + " past " + rate;
    return now - episodeStart >= disconnectAfter
        ? new Excess(exceeded, Verdict.Kind.DISCONNECTED, what + " for " + (now - episodeStart) / 1000 + " s")
        : new Excess(exceeded, Verdict.Kind.QUOTA_EXCEEDED, what);
  }

  /**
   * Whether the session may hold one more subscription, {@code filter}; records it when it may. A filter it holds
   * already is not one more.
   */
  synchronized boolean subscribe(String filter) {
    if (limits.maxSubscriptions().isEmpty()) {
      return true;
    }
    if (subscriptions == null) {
      subscriptions = new HashSet<>();
    }
    if (subscriptions.contains(filter)) {
      return true;
    }
    if (subscriptions.size() >= limits.maxSubscriptions().orElseThrow()) {
      return false;
    }
    subscriptions.add(filter);
    return true;
  }

  /** The session no longer holds these subscriptions. */
  synchronized void unsubscribed(Set<String> filters) {
    if (subscriptions != null) {
      subscriptions.removeAll(filters);
    }
  }

  /** The window of {@code limit}, for its excess reports; call under this meter's lock. */
  LimitWindow window(Limit limit) {
    if (windows == null) {
      windows = new EnumMap<>(Limit.class);
    }
    return windows.computeIfAbsent(limit, l -> new LimitWindow());
  }

  /** Closes every window (a minute old, or all when {@code gone}); hands each report to {@code report}. */
  synchronized void closeWindows(long now, boolean gone, BiConsumer<Limit, LimitWindow.Report> report) {
    if (windows == null) {
      return;
    }
    windows.forEach((limit, w) -> {
      LimitWindow.Report r = w.close(now, gone);
      if (r != null) {
        report.accept(limit, r);
      }
    });
  }

  /** UTF-8 bytes of {@code s}, counted without encoding it (an unpaired surrogate counts 3, as its stand-in). */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static int levels(String topic) {
    int n = 1;
    for (int i = 0; i < topic.length(); i++) {
      if (topic.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }
}
