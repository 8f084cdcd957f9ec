/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * Receives the {@link SecurityEvent}s that library components publish instead of logging. The HiveMQ extension
 * turns them into audit log lines and metrics; an embedding application may forward them anywhere.
 *
 * <p><b>Thread safety:</b> called from whatever thread raised the event, possibly concurrently, possibly on a
 * broker's hot path: keep it quick, do not block, do not throw. Components treat an exception from a listener as
 * the listener's problem and carry on with their decision unchanged.
 */
@FunctionalInterface
public interface SecurityEventListener {

  /** Handles one event. */
  void on(SecurityEvent event);

  /**
   * Hands {@code event} to {@link #on} and swallows any {@link RuntimeException} it throws: what components call,
   * so that a failing listener never changes a decision, a count or the state in force.
   */
  default void deliver(SecurityEvent event) {
    try {
      on(event);
    } catch (RuntimeException e) {
      // The listener's problem: the caller's decision stands.
    }
  }

  /** A listener that ignores every event. */
  static SecurityEventListener none() {
    return event -> { };
  }
}
