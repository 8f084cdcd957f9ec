/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

/**
 * Bounds on what an ACL parser accepts, so that a huge or hostile file fails with a clear message instead of
 * exhausting memory. A value over a limit is reported with the value and the limit:
 * {@code acl.conf:7: line is 80000 characters long, over the limit of 70000 characters per line}.
 *
 * <p>Immutable. {@link #DEFAULT} fits a million-rule file.
 *
 * <pre>{@code
 * AclLimits limits = AclLimits.builder().maxRules(50_000).maxLevels(16).build();
 * AclPolicy policy = AclPolicy.parse(Path.of("acl.conf"), limits);
 * }</pre>
 */
public final class AclLimits {

  /** 128 MiB: room for several million rules. */
  public static final long DEFAULT_MAX_FILE_BYTES = 128L * 1024 * 1024;
  /** 70,000 characters: a maximal 65,535-byte ASCII filter plus its keywords. */
  public static final int DEFAULT_MAX_LINE_CHARS = 70_000;
  /** 10,000,000 {@code topic} and {@code pattern} lines. */
  public static final int DEFAULT_MAX_RULES = 10_000_000;

  /** The defaults: 128 MiB, 70,000 characters a line, 10 million rules, 200 levels a filter. */
  public static final AclLimits DEFAULT = builder().build();

  private final long maxFileBytes;
  private final int maxLineChars;
  private final int maxRules;
  private final int maxLevels;

  private AclLimits(Builder b) {
    this.maxFileBytes = b.maxFileBytes;
    this.maxLineChars = b.maxLineChars;
    this.maxRules = b.maxRules;
    this.maxLevels = b.maxLevels;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The largest file, in bytes, that {@code parse(Path)} reads. */
  public long maxFileBytes() {
    return maxFileBytes;
  }

  /** The longest line, in characters. */
  public int maxLineChars() {
    return maxLineChars;
  }

  /** The most {@code topic} and {@code pattern} lines in one file. */
  public int maxRules() {
    return maxRules;
  }

  /**
   * The most levels in a rule's filter, and in a topic or filter that is checked: a deeper one is a parse error
   * in a file and a denial on the wire. Default {@link io.mqttsec.api.Topics#DEFAULT_MAX_LEVELS}.
   */
  public int maxLevels() {
    return maxLevels;
  }

  @Override
  public String toString() {
    return "AclLimits{maxFileBytes=" + maxFileBytes + ", maxLineChars=" + maxLineChars + ", maxRules=" + maxRules
        + ", maxLevels=" + maxLevels + '}';
  }

  /** Builds {@link AclLimits}; each setting may be set once. */
  public static final class Builder {
    private long maxFileBytes = -1;
    private int maxLineChars = -1;
    private int maxRules = -1;
    private int maxLevels = -1;

    private Builder() {
    }

    public Builder maxFileBytes(long bytes) {
      requireUnset("maximum file bytes", maxFileBytes);
      maxFileBytes = requirePositive("maxFileBytes", bytes);
      return this;
    }

    public Builder maxLineChars(int chars) {
      requireUnset("maximum line characters", maxLineChars);
      maxLineChars = (int) requirePositive("maxLineChars", chars);
      return this;
    }

    public Builder maxRules(int rules) {
      requireUnset("maximum rules", maxRules);
      maxRules = (int) requirePositive("maxRules", rules);
      return this;
    }

    public Builder maxLevels(int levels) {
      requireUnset("maximum levels", maxLevels);
      maxLevels = (int) requirePositive("maxLevels", levels);
      return this;
    }

    public AclLimits build() {
      Builder b = new Builder();
      b.maxFileBytes = maxFileBytes < 0 ? DEFAULT_MAX_FILE_BYTES : maxFileBytes;
      b.maxLineChars = maxLineChars < 0 ? DEFAULT_MAX_LINE_CHARS : maxLineChars;
      b.maxRules = maxRules < 0 ? DEFAULT_MAX_RULES : maxRules;
      b.maxLevels = maxLevels < 0 ? io.mqttsec.api.Topics.DEFAULT_MAX_LEVELS : maxLevels;
      return new AclLimits(b);
    }

    private static void requireUnset(String what, long current) {
      if (current >= 0) {
        throw new IllegalStateException(what + " was already set to " + current);
      }
    }

    private static long requirePositive(String name, long value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, was " + value);
      }
      return value;
    }
  }
}
