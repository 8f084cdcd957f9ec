/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

/**
 * Whether a server asks connecting clients for a certificate (mutual TLS), as Netty's {@code ClientAuth}.
 */
public enum ClientAuth {
  /** No client certificate is requested: clients authenticate with an MQTT password, if at all. */
  NONE,
  /**
   * A client certificate is requested and, when sent, must be trusted and not revoked; a client that sends
   * none still connects (and must then authenticate otherwise, e.g. with a password).
   */
  OPTIONAL,
  /** Every client must present a trusted, unrevoked certificate or the handshake fails. */
  REQUIRE
}
