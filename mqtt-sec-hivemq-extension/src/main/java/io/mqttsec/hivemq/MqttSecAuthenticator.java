/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ConnectRequest;
import io.mqttsec.broker.ConnectResult;
import io.mqttsec.broker.Will;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * HiveMQ's CONNECT callback: the packet, the listener and the TLS chain become a {@link ConnectRequest}, which
 * {@link BrokerSecurity#connectLater} decides, and the result becomes a CONNACK. A CONNECT that costs no wait (a
 * certificate, a generated secret, a remembered login) is decided on HiveMQ's extension thread; any other (a typed
 * password's hash takes hundreds of milliseconds by design) goes through {@code output.async(...)} to mqtt-sec's
 * login threads, where known devices coming back go before guesses. The session's id goes into the connection's
 * attributes for the authorizer and the lifecycle listener.
 *
 * <p>Fail closed: every path ends in {@code authenticateSuccessfully()} or {@code failAuthentication(...)};
 * none calls {@code nextExtensionOrDefault()}, so a refused client never reaches another extension or HiveMQ's
 * default (a CE zip install ships an allow-all extension). A timeout, an error or a full queue refuses, the
 * last two with a {@code connect.failure} line of outcome {@code ERROR}.
 */
final class MqttSecAuthenticator implements SimpleAuthenticator {

  /** The connection attribute holding the id of the connection's {@link io.mqttsec.broker.ClientSession}. */
  static final String SESSION = "io.mqttsec.session";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final BrokerSecurity security;
  private final Wills wills;
  MqttSecAuthenticator(BrokerSecurity security, Wills wills) {
    this.security = security;
    this.wills = wills;
  }

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectPacket connect = input.getConnectPacket();
    ConnectionInformation connection = input.getConnectionInformation();
    Will will = wills.take(connection);
    byte[] secret = connect.getPassword().map(MqttSecAuthenticator::bytes).orElse(null);
    ConnectRequest.Builder b = ConnectRequest.builder(connection.getListener().map(Listener::getName)
        .orElse("unknown"), connect.getClientId())
        .username(connect.getUserName().orElse(null)).password(secret)
        .certificateChain(connection.getClientTlsInformation()
            .flatMap(ClientTlsInformation::getClientCertificateChain).orElse(null))
        .cleanStart(connect.getCleanStart())
        .sessionExpiry(Duration.ofSeconds(connect.getSessionExpiryInterval()))
        .will(Wills.unusable(will) ? null : will);
    connection.getInetAddress().ifPresent(b::remoteAddress);
    ConnectRequest request = b.build();
    if (Wills.unusable(will)) {
      wipe(secret);
      output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "will not usable");
      security.undecided(request, "its will (topic " + will.topic() + ") could not be taken over from the CONNECT");
      return;
    }
    // decided on this thread when that costs no wait (a remembered login, a generated secret, a certificate),
    // else on mqtt-sec's login threads, where known devices coming back go before guesses under a storm
    Reply reply = new Reply(output, connection, request, secret);
    security.connectLater(request, () -> reply.async = output.async(TIMEOUT, TimeoutFallback.FAILURE,
        ConnackReasonCode.NOT_AUTHORIZED, "authentication timed out"), reply);
  }

  /** Turns the result into HiveMQ's answer, on whichever thread decided it, and wipes the password. */
  private final class Reply implements Consumer<ConnectResult> {
    private final SimpleAuthOutput output;
    private final ConnectionInformation connection;
    private final ConnectRequest request;
    private final byte[] secret;
    /** Set before the request is handed to a login thread; null when it is decided on HiveMQ's thread. */
    volatile Async<SimpleAuthOutput> async;

    Reply(SimpleAuthOutput output, ConnectionInformation connection, ConnectRequest request, byte[] secret) {
      this.output = output;
      this.connection = connection;
      this.request = request;
      this.secret = secret;
    }

    @Override
    public void accept(ConnectResult result) {
      try {
        if (result.accepted()) {
          connection.getConnectionAttributeStore().putAsString(SESSION, result.session().orElseThrow().id());
          output.authenticateSuccessfully();
        } else {
          output.failAuthentication(code(result), result.reason());
        }
      } catch (RuntimeException | Error e) {
        output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "authentication failed");
        security.undecided(request, "internal error (" + e.getClass().getSimpleName() + ") while authenticating");
      } finally {
        wipe(secret);
        Async<SimpleAuthOutput> later = async;
        if (later != null) {
          later.resume();
        }
      }
    }
  }

  private static ConnackReasonCode code(ConnectResult result) {
    return switch (result.refusal().orElseThrow()) {
      case BAD_CREDENTIALS -> ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD;
      case CLIENT_ID_NOT_VALID -> ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
      case SERVER_UNAVAILABLE -> ConnackReasonCode.SERVER_BUSY;
      case CONNECTION_RATE_EXCEEDED -> ConnackReasonCode.CONNECTION_RATE_EXCEEDED;
      case QUOTA_EXCEEDED -> ConnackReasonCode.QUOTA_EXCEEDED;
      case NOT_AUTHORIZED -> ConnackReasonCode.NOT_AUTHORIZED;
    };
  }

  private static void wipe(byte[] secret) {
    if (secret != null) {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.asReadOnlyBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
