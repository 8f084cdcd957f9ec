/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationFailedInput;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * HiveMQ's end-of-connection events, told to {@link BrokerSecurity#disconnected} in MQTT's terms: who ended the
 * connection, why, and whether MQTT makes the will due (connection lost, the broker ended it, or DISCONNECT with
 * 0x04; not a normal DISCONNECT).
 */
final class Lifecycle implements ClientLifecycleEventListener {

  private final BrokerSecurity security;
  private final Wills wills;

  Lifecycle(BrokerSecurity security, Wills wills) {
    this.security = security;
    this.wills = wills;
  }

  @Override
  public void onMqttConnectionStart(ConnectionStartInput input) {
  }

  @Override
  public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
  }

  @Override
  public void onAuthenticationFailedDisconnect(AuthenticationFailedInput input) {
    wills.take(input.getConnectionInformation()); // refused: no session, and its will is gone with it
  }

  @Override
  public void onConnectionLost(ConnectionLostInput input) {
    ended(input, SecurityEvent.Initiator.CLIENT, "connection lost", true);
  }

  @Override
  public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput input) {
    boolean withWill = input.getReasonCode().filter(DisconnectedReasonCode.DISCONNECT_WITH_WILL_MESSAGE::equals)
        .isPresent();
    ended(input, SecurityEvent.Initiator.CLIENT, reason(input, "DISCONNECT"), withWill);
  }

  @Override
  public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
    ended(input, SecurityEvent.Initiator.BROKER, reason(input, "closed by the broker"), true);
  }

  @Override
  public void onDisconnect(DisconnectEventInput input) {
    ended(input, SecurityEvent.Initiator.CLIENT, reason(input, "disconnected"), true);
  }

  private void ended(DisconnectEventInput input, SecurityEvent.Initiator by, String reason, boolean willDue) {
    wills.take(input.getConnectionInformation());
    Optional<String> id = input.getConnectionInformation().getConnectionAttributeStore()
        .getAsString(MqttSecAuthenticator.SESSION, StandardCharsets.UTF_8);
    Optional<ClientSession> session = id.flatMap(security::session);
    session.ifPresent(s -> security.disconnected(s, by, reason, willDue));
  }

  private static String reason(DisconnectEventInput input, String otherwise) {
    String code = input.getReasonCode().map(Enum::name).orElse(otherwise);
    return input.getReasonString().map(r -> code + " (" + r + ")").orElse(code);
  }
}
