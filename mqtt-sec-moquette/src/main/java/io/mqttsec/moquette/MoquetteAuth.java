/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.ConnectRequest;
import io.mqttsec.broker.ConnectResult;
import io.mqttsec.broker.DisconnectReason;
import io.mqttsec.broker.Will;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;

/**
 * Moquette's authenticator and authorizer, answered by {@link BrokerSecurity}. Moquette tells its authenticator
 * only the client id, user name and password; the rest of the CONNECT (address, certificate, clean session, will)
 * comes from the connection's {@link TappedEngine}. Every error refuses.
 */
final class MoquetteAuth implements IAuthenticator, IAuthorizatorPolicy {

  /** MQTT 3.1.1 keeps a session without clean-session until it is cleaned; HiveMQ says the same in seconds. */
  private static final Duration KEPT = Duration.ofSeconds(4_294_967_295L);

  private final BrokerSecurity security;
  private final MoquetteBroker broker;
  private final String passwordListener;
  private final String certificateListener;
  private final Executor executor;

  MoquetteAuth(BrokerSecurity security, MoquetteBroker broker, String passwordListener, String certificateListener,
               Executor executor) {
    this.security = security;
    this.broker = broker;
    this.passwordListener = passwordListener;
    this.certificateListener = certificateListener;
    this.executor = executor;
  }

  @Override
  public boolean checkValid(String clientId, String username, byte[] password) {
    TappedEngine connection = TappedEngine.current();
    ConnectPacket connect = connection == null ? null : connection.tap().connect();
    if (connect == null) {
      security.undecided(ConnectRequest.builder(passwordListener, clientId).build(),
          "the CONNECT did not come through mqtt-sec's TLS listener");
      return false;
    }
    X509Certificate[] chain = connection.peerChain();
    ConnectRequest.Builder b = ConnectRequest.builder(chain != null ? certificateListener : passwordListener,
            clientId)
        .username(ConnectPacket.NO_USER.equals(username) ? null : username).password(password)
        .certificateChain(chain).cleanStart(connect.cleanSession)
        .sessionExpiry(connect.cleanSession ? Duration.ZERO : KEPT)
        .will(will(connect.will));
    address(connection.getPeerHost()).ifPresent(b::remoteAddress);
    ConnectRequest request = b.build();
    try {
      ConnectResult result = security.connect(request);
      if (!result.accepted()) {
        return false;
      }
      ClientSession session = result.session().orElseThrow();
      if (connect.cleanSession) {
        broker.subscriptions.remove(clientId);
      }
      broker.offline.remove(clientId);
      broker.live.put(clientId, connection);
      connection.session(session);
      return true;
    } catch (RuntimeException | Error e) {
      security.undecided(request, "internal error (" + e.getClass().getSimpleName() + ") while authenticating");
      return false;
    } finally {
      if (password != null) {
        Arrays.fill(password, (byte) 0);
      }
    }
  }

  /** A will mqtt-sec holds; published through Moquette, with no ACL check of Moquette's, when it is let go. */
  private Will will(ConnectPacket.WillMessage w) {
    if (w == null) {
      return null;
    }
    return new Will(w.topic(), Duration.ZERO, () -> {
      io.moquette.broker.Server server = broker.server;
      if (server != null) {
        server.internalPublish(MqttMessageBuilders.publish().topicName(w.topic()).qos(MqttQoS.valueOf(w.qos()))
            .retained(w.retain()).payload(Unpooled.wrappedBuffer(w.payload())).messageId(1).build(), "mqtt-sec");
      }
    });
  }

  /** The address Moquette gave the engine: an IP literal, so no name is looked up. */
  private static java.util.Optional<InetAddress> address(String host) {
    // an IPv4 literal, or an IPv6 one (it has a colon): never a name, which getByName would look up
    if (host == null || !(host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return java.util.Optional.empty();
    }
  }

  private ClientSession session(String clientId) {
    TappedEngine c = broker.live.get(clientId);
    return c == null ? null : c.session();
  }

  /**
   * A refused PUBLISH also ends the connection, as HiveMQ does: Moquette answers a refused QoS 1 or 2 PUBLISH with
   * nothing, so the client would wait for its acknowledgement forever, and MQTT 3.1.1 has no code to say no.
   */
  @Override
  public boolean canWrite(Topic topic, String user, String client) {
    boolean allowed = false;
    try {
      ClientSession s = session(client);
      allowed = s != null && security.publish(s, topic.toString()).allowed();
    } catch (RuntimeException e) {
      allowed = false;
    }
    if (!allowed) {
      TappedEngine c = broker.live.get(client);
      if (c != null) {
        c.closeBecause("PUBLISH to " + topic + " not authorized");
        executor.execute(() -> broker.disconnect(client, DisconnectReason.NOT_AUTHORIZED, "not authorized"));
      }
    }
    return allowed;
  }

  @Override
  public boolean canRead(Topic topic, String user, String client) {
    try {
      ClientSession s = session(client);
      if (s == null || !security.subscribe(s, topic.toString()).allowed()) {
        return false;
      }
      broker.subscribed(client, topic.toString());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A connection ended: its session too, on mqtt-sec's executor (a will may be published). */
  void ended(TappedEngine connection) {
    ClientSession session = connection.session();
    if (session == null) {
      return; // never accepted
    }
    executor.execute(() -> {
      boolean normal = connection.tap().sawDisconnect();
      String clientId = session.clientId();
      if (broker.live.remove(clientId, connection)) {
        ConnectPacket connect = connection.tap().connect();
        if (connect != null && !connect.cleanSession) {
          broker.offline.add(clientId);
        } else {
          broker.subscriptions.remove(clientId);
        }
      }
      String because = connection.closedBecause();
      if (because != null) {
        security.disconnected(session, SecurityEvent.Initiator.BROKER, because, true);
      } else {
        security.disconnected(session, SecurityEvent.Initiator.CLIENT, normal ? "DISCONNECT" : "connection lost",
            !normal);
      }
    });
  }
}
