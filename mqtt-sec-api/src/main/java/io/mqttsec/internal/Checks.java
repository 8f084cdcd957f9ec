/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

/** Argument checks the modules' builders share. Internal to mqtt-sec. */
public final class Checks {

  private Checks() {
  }

  /** Throws {@link IllegalStateException} when a builder setting is set twice, naming it and what it held. */
  public static void requireUnset(String what, Object value) {
    if (value != null) {
      throw new IllegalStateException(what + " was already set to " + value);
    }
  }
}
