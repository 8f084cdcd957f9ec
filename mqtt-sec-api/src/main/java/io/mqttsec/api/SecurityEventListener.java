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

  /** A listener that ignores every event. */
  static SecurityEventListener none() {
    return event -> { };
  }
}
