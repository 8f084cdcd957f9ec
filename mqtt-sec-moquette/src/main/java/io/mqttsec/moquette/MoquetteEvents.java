/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.DisconnectReason;
import io.mqttsec.broker.Verdict;
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

  @Override
  public Class<?>[] getInterceptedMessageTypes() {
    return new Class<?>[] {InterceptPublishMessage.class, InterceptUnsubscribeMessage.class};
  }

  private ClientSession session(String clientId) {
    TappedEngine c = clientId == null ? null : broker.live.get(clientId);
    return c == null ? null : c.session();
  }

  /**
   * Counts a routed PUBLISH against the client's limits. Moquette has already delivered it, so a PUBLISH over a
   * limit ends the connection at once (where HiveMQ would refuse that one message); an oversized one is ended by
   * the broker layer itself.
   */
  @Override
  public void onPublish(InterceptPublishMessage msg) {
    try {
      String clientId = msg.getClientID();
      TappedEngine c = clientId == null ? null : broker.live.get(clientId);
      ClientSession s = c == null ? null : c.session();
      if (s == null) {
        return;
      }
      Verdict v = security.admit(s, msg.getTopicName(), msg.getPayload().readableBytes());
      if (!v.allowed() && v.kind() != Verdict.Kind.DISCONNECTED) {
        c.closeBecause("over its limits: " + v.reason());
        broker.disconnect(clientId, DisconnectReason.MESSAGE_RATE_TOO_HIGH, v.reason());
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
