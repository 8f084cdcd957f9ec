package io.mqttsec.broker;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One connection's limits and their state: its message and byte buckets, how long it has been exceeding them,
 * its subscriptions (when they are limited) and its excess windows. Each connection has its own meter, locked
 * by itself: clients never wait for one another.
 */
final class ClientMeter {

  /** A gap this long between refusals ends an excess episode. */
  private static final long EPISODE_GAP = 1_000_000_000L;

  /** What one PUBLISH met: nothing, or the limit it exceeded and what follows. */
  record Excess(Limit limit, Verdict.Kind kind, String reason) {
  }

  final ClientLimits limits;
  private final long disconnectAfter;
  private final TokenBucket messages;
  private final TokenBucket bytes;
  private final Set<String> subscriptions;
  private final Map<Limit, LimitWindow> windows = new EnumMap<>(Limit.class);
  private long episodeStart;
  private long lastRefusal = Long.MIN_VALUE / 2;

  ClientMeter(ClientLimits limits, long disconnectAfterNanos, long now) {
    this.limits = limits;
    this.disconnectAfter = disconnectAfterNanos;
    this.messages = limits.messageRate().map(r -> new TokenBucket(r, now)).orElse(null);
    this.bytes = limits.byteRate().map(r -> new TokenBucket(r, now)).orElse(null);
    this.subscriptions = limits.maxSubscriptions().isPresent() ? new HashSet<>() : null;
  }

  /** Whether any PUBLISH limit is set, so that admitting costs anything. */
  boolean limitsPublish() {
    return messages != null || bytes != null || limits.maxMessageBytes().isPresent()
        || limits.maxTopicBytes().isPresent() || limits.maxTopicLevels().isPresent();
  }

  /** What a PUBLISH of {@code payloadBytes} to {@code topic} at {@code now} meets, or null when it is admitted. */
  synchronized Excess admit(String topic, int payloadBytes, long now) {
    Integer maxBytes = limits.maxMessageBytes().orElse(null);
    if (maxBytes != null && payloadBytes > maxBytes) {
      return new Excess(Limit.MESSAGE_SIZE, Verdict.Kind.DISCONNECTED, "message of " + payloadBytes
          + " bytes, more than " + maxBytes);
    }
    Integer maxTopic = limits.maxTopicBytes().orElse(null);
    if (maxTopic != null && topic.length() > maxTopic / 3 && utf8Length(topic) > maxTopic) {
      return new Excess(Limit.TOPIC_LENGTH, Verdict.Kind.TOPIC_NAME_INVALID, "topic longer than " + maxTopic
          + " bytes");
    }
    Integer maxLevels = limits.maxTopicLevels().orElse(null);
    if (maxLevels != null && topic.length() >= maxLevels && levels(topic) > maxLevels) {
      return new Excess(Limit.TOPIC_LEVELS, Verdict.Kind.TOPIC_NAME_INVALID, "topic deeper than " + maxLevels
          + " levels");
    }
    Limit exceeded = null;
    if (messages != null && !messages.tryTake(1, now)) {
      exceeded = Limit.MESSAGE_RATE;
    } else if (bytes != null && !bytes.tryTake(payloadBytes, now)) {
      exceeded = Limit.BYTE_RATE;
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
        ? new Excess(exceeded, Verdict.Kind.DISCONNECTED, what + " for " + (now - episodeStart) / 1_000_000_000L
            + " s")
        : new Excess(exceeded, Verdict.Kind.QUOTA_EXCEEDED, what);
  }

  /**
   * Whether the session may hold one more subscription, {@code filter}; records it when it may. A filter it holds
   * already is not one more.
   */
  synchronized boolean subscribe(String filter) {
    if (subscriptions == null || subscriptions.contains(filter)) {
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
    return windows.computeIfAbsent(limit, l -> new LimitWindow());
  }

  /** Closes every window (a minute old, or all when {@code gone}); hands each report to {@code report}. */
  synchronized void closeWindows(long now, boolean gone, BiConsumer<Limit, LimitWindow.Report> report) {
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
