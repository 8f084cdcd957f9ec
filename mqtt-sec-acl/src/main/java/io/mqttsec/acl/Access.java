/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

/**
 * The access a rule grants, as the access word of an {@code acl_file} line ({@code topic read a/#}).
 *
 * <p>{@link #READ} allows SUBSCRIBE and RECEIVE, {@link #WRITE} allows PUBLISH, {@link #READWRITE} all three
 * (and is what a line without an access word means). {@link #DENY} refuses every action on a matching topic and
 * is tested before any allowing rule of the same list.
 */
public enum Access {
  READ("read", 1),
  WRITE("write", 2),
  READWRITE("readwrite", 3),
  DENY("deny", 4);

  private static final Access[] ALL = values();

  private final String word;
  final int bits;

  Access(String word, int bits) {
    this.word = word;
    this.bits = bits;
  }

  /** The access word as written in an ACL file. */
  public String word() {
    return word;
  }

  /** The access for an access word, or null when {@code word} is none of {@code read write readwrite deny}. */
  static Access ofWord(String word) {
    for (Access a : ALL) {
      if (a.word.equals(word)) {
        return a;
      }
    }
    return null;
  }

  /** The access with exactly these bits. */
  static Access ofBits(int bits) {
    for (Access a : ALL) {
      if (a.bits == bits) {
        return a;
      }
    }
    throw new IllegalArgumentException("no access has bits " + bits);
  }
}
