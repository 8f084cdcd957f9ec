/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.moquette.interception.messages.InterceptUnsubscribeMessage;
import java.util.List;

/**
 * What Moquette tells after the fact: a PUBLISH it routed (counted against the client's limits; a client over
 * them is disconnected, as Moquette cannot refuse one message) and an UNSUBSCRIBE.
 */
final class MoquetteEvents extends AbstractInterceptHandler {

  private final BrokerSecurity security;
  private final MoquetteBroker broker;

  MoquetteEvents(BrokerSecurity security, MoquetteBroker broker) {
    this.security = security;
    this.broker = broker;
  }

  @Override
  public String getID() {
    return "mqtt-sec";
  }

  private ClientSession session(String clientId) {
    TappedEngine c = clientId == null ? null : broker.live.get(clientId);
    return c == null ? null : c.session();
  }

  @Override
  public void onPublish(InterceptPublishMessage msg) {
    try {
      ClientSession s = session(msg.getClientID());
      if (s != null) {
        security.admit(s, msg.getTopicName(), msg.getPayload().readableBytes());
      }
    } finally {
      msg.getPayload().release();
    }
  }

  @Override
  public void onUnsubscribe(InterceptUnsubscribeMessage msg) {
    broker.unsubscribed(msg.getClientID(), msg.getTopicFilter());
    ClientSession s = session(msg.getClientID());
    if (s != null) {
      security.unsubscribed(s, List.of(msg.getTopicFilter()));
    }
  }

  @Override
  public void onSessionLoopError(Throwable error) {
    // Moquette's own failure; the connection it concerns ends, and with it the session
  }
}
