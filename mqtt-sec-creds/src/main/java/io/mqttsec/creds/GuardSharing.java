/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import java.net.InetAddress;

/**
 * How the {@link BruteForceGuard}s of a fleet of brokers see each other's logins, so a password spray over several
 * brokers is counted, locked and blocked as if it hit one. A guard built with it publishes every failed and
 * successful login it records, and counts those the others publish; each broker reports the locks and blocks it
 * applies, whichever broker saw the failure that crossed the line. Sharing is best effort: a login always counts
 * where it happened.
 */
public interface GuardSharing {

  /** Tells the other brokers of a login of {@code user} from {@code address} (null when unknown). */
  void publish(String user, InetAddress address, boolean failed);

  /** Registers where the other brokers' logins arrive; called once, by the guard. */
  void onRemote(Remote receiver);

  /** A login another broker saw. */
  interface Remote {
    void login(String user, InetAddress address, boolean failed);
  }
}
