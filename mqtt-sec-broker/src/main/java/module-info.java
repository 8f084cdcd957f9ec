/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The security of one MQTT broker as plain Java, which any broker adapter drives: {@link
 * io.mqttsec.broker.BrokerSecurity}.
 */
module io.mqttsec.broker {
  requires transitive io.mqttsec.api;
  requires transitive io.mqttsec.acl;
  requires transitive io.mqttsec.creds;
  requires transitive io.mqttsec.tls;
  requires java.xml;

  exports io.mqttsec.broker;

  uses io.mqttsec.broker.StoreProvider;
}
