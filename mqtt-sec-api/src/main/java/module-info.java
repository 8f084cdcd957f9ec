/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The vocabulary shared by every mqtt-sec module: who a client is, what it asks to do, what was decided, the
 * events a security component reports, the exception hierarchy, and the MQTT topic rules. Package
 * {@code io.mqttsec.internal} holds what the modules share among themselves and is exported to them alone.
 */
module io.mqttsec.api {
  exports io.mqttsec.api;
  exports io.mqttsec.internal to io.mqttsec.acl, io.mqttsec.creds, io.mqttsec.tls, io.mqttsec.ca,
      io.mqttsec.broker, io.mqttsec.postgres;
}
