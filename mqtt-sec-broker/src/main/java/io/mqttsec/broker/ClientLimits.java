/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one client (one connection) may do, and how many connections its user may hold. Every limit is optional:
 * an absent one is not enforced.
 *
 * <pre>{@code
 * ClientLimits device = ClientLimits.builder()
 *     .messageRate(Rate.of(50, 100))            // PUBLISHes a second, burst 100
 *     .byteRate(Rate.of(1 << 20, 2 << 20))      // payload bytes a second
 *     .maxMessageBytes(1 << 20)
 *     .maxSubscriptions(100)
 *     .maxConnections(10)                       // per user
 *     .build();
 * }</pre>
 *
 * <p>Immutable. {@link #DEVICE} holds mqtt-sec's defaults.
 */
public final class ClientLimits {

  /**
   * mqtt-sec's defaults for a device: 50 PUBLISHes a second (burst 100), 1 MiB of payload a second (burst 2 MiB),
   * messages of at most 1 MiB, 100 subscriptions, topics of at most 1,024 bytes and 32 levels, 10 connections per
   * user.
   */
  public static final ClientLimits DEVICE = builder().messageRate(Rate.of(50, 100))
      .byteRate(Rate.of(1 << 20, 2 << 20)).maxMessageBytes(1 << 20).maxSubscriptions(100).maxTopicBytes(1024)
      .maxTopicLevels(32).maxConnections(10).build();

  /** No limit at all. */
  public static final ClientLimits UNLIMITED = builder().build();

  private final Rate messageRate;
  private final Rate byteRate;
  private final Integer maxMessageBytes;
  private final Integer maxSubscriptions;
  private final Integer maxTopicBytes;
  private final Integer maxTopicLevels;
  private final Integer maxConnections;

  private ClientLimits(Builder b) {
    this.messageRate = b.messageRate;
    this.byteRate = b.byteRate;
    this.maxMessageBytes = b.maxMessageBytes;
    this.maxSubscriptions = b.maxSubscriptions;
    this.maxTopicBytes = b.maxTopicBytes;
    this.maxTopicLevels = b.maxTopicLevels;
    this.maxConnections = b.maxConnections;
  }

  public static Builder builder() {
    return new Builder(null);
  }

  /** A builder starting from these limits, to change some of them. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** PUBLISHes a second, with a burst. Excess is refused (0x97), and disconnected (0x96) if it lasts. */
  public Optional<Rate> messageRate() {
    return Optional.ofNullable(messageRate);
  }

  /** Payload bytes a second, with a burst. Excess is treated as for {@link #messageRate()}. */
  public Optional<Rate> byteRate() {
    return Optional.ofNullable(byteRate);
  }

  /** The largest payload in bytes. A larger message ends the connection (0x95 Packet too large). */
  public Optional<Integer> maxMessageBytes() {
    return Optional.ofNullable(maxMessageBytes);
  }

  /** The most subscriptions a session holds. A SUBSCRIBE past it is refused (0x97). */
  public Optional<Integer> maxSubscriptions() {
    return Optional.ofNullable(maxSubscriptions);
  }

  /** The longest PUBLISH topic in bytes of UTF-8. A longer one is refused (0x90 Topic Name invalid). */
  public Optional<Integer> maxTopicBytes() {
    return Optional.ofNullable(maxTopicBytes);
  }

  /** The most levels of a PUBLISH topic. A deeper one is refused (0x90 Topic Name invalid). */
  public Optional<Integer> maxTopicLevels() {
    return Optional.ofNullable(maxTopicLevels);
  }

  /** The most connections one user holds at once. A CONNECT past it is refused (0x97 Quota exceeded). */
  public Optional<Integer> maxConnections() {
    return Optional.ofNullable(maxConnections);
  }

  // the same values without an Optional, for the meter's constructor (so that nothing is allocated between a
  // meter and the session allocated right after it): null when unset
  Rate messageRateOrNull() {
    return messageRate;
  }

  Rate byteRateOrNull() {
    return byteRate;
  }

  int maxMessageBytesOr(int none) {
    return maxMessageBytes == null ? none : maxMessageBytes;
  }

  int maxTopicBytesOr(int none) {
    return maxTopicBytes == null ? none : maxTopicBytes;
  }

  int maxTopicLevelsOr(int none) {
    return maxTopicLevels == null ? none : maxTopicLevels;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientLimits c && Objects.equals(messageRate, c.messageRate)
        && Objects.equals(byteRate, c.byteRate) && Objects.equals(maxMessageBytes, c.maxMessageBytes)
        && Objects.equals(maxSubscriptions, c.maxSubscriptions) && Objects.equals(maxTopicBytes, c.maxTopicBytes)
        && Objects.equals(maxTopicLevels, c.maxTopicLevels) && Objects.equals(maxConnections, c.maxConnections);
  }

  @Override
  public int hashCode() {
    return Objects.hash(messageRate, byteRate, maxMessageBytes, maxSubscriptions, maxTopicBytes, maxTopicLevels,
        maxConnections);
  }

  /** Every limit set, such as {@code messages 50/s (burst 100), message size 1048576, subscriptions 100}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    append(b, "messages", messageRate);
    append(b, "bytes", byteRate);
    append(b, "message size", maxMessageBytes);
    append(b, "subscriptions", maxSubscriptions);
    append(b, "topic bytes", maxTopicBytes);
    append(b, "topic levels", maxTopicLevels);
    append(b, "connections per user", maxConnections);
    return b.length() == 0 ? "no limits" : b.toString();
  }

  private static void append(StringBuilder b, String name, Object value) {
    if (value != null) {
      b.append(b.length() == 0 ? "" : ", ").append(name).append(' ').append(value);
    }
  }

  /**
   * Builds {@link ClientLimits}. Each limit may be set once (null clears it); a builder from {@link #toBuilder()}
   * starts with the values it came from.
   */
  public static final class Builder {
    private final Set<String> set = new HashSet<>();
    private Rate messageRate;
    private Rate byteRate;
    private Integer maxMessageBytes;
    private Integer maxSubscriptions;
    private Integer maxTopicBytes;
    private Integer maxTopicLevels;
    private Integer maxConnections;

    private Builder(ClientLimits from) {
      if (from != null) {
        messageRate = from.messageRate;
        byteRate = from.byteRate;
        maxMessageBytes = from.maxMessageBytes;
        maxSubscriptions = from.maxSubscriptions;
        maxTopicBytes = from.maxTopicBytes;
        maxTopicLevels = from.maxTopicLevels;
        maxConnections = from.maxConnections;
      }
    }

    /** PUBLISHes a second; null for none. */
    public Builder messageRate(Rate rate) {
      once("message rate", messageRate);
      messageRate = rate;
      return this;
    }

    /** Payload bytes a second; null for none. */
    public Builder byteRate(Rate rate) {
      once("byte rate", byteRate);
      byteRate = rate;
      return this;
    }

    /** The largest payload; null for none. */
    public Builder maxMessageBytes(Integer bytes) {
      once("maximum message size", maxMessageBytes);
      maxMessageBytes = positive("maximum message size", bytes);
      return this;
    }

    /** The most subscriptions of a session; null for none. */
    public Builder maxSubscriptions(Integer count) {
      once("maximum subscriptions", maxSubscriptions);
      maxSubscriptions = positive("maximum subscriptions", count);
      return this;
    }

    /** The longest PUBLISH topic in bytes; null for none. */
    public Builder maxTopicBytes(Integer bytes) {
      once("maximum topic length", maxTopicBytes);
      maxTopicBytes = positive("maximum topic length", bytes);
      return this;
    }

    /** The most levels of a PUBLISH topic; null for none. */
    public Builder maxTopicLevels(Integer levels) {
      once("maximum topic levels", maxTopicLevels);
      maxTopicLevels = positive("maximum topic levels", levels);
      return this;
    }

    /** The most connections one user holds at once; null for none. */
    public Builder maxConnections(Integer count) {
      once("maximum connections per user", maxConnections);
      maxConnections = positive("maximum connections per user", count);
      return this;
    }

    public ClientLimits build() {
      return new ClientLimits(this);
    }

    private void once(String what, Object current) {
      if (!set.add(what)) {
        throw new IllegalStateException(what + " was already set to " + (current == null ? "none" : current));
      }
    }

    private static Integer positive(String what, Integer value) {
      if (value != null && value < 1) {
        throw new IllegalArgumentException(what + " must be at least 1, not " + value);
      }
      return value;
    }
  }
}
