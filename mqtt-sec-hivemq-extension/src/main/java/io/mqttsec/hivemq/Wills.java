package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundInput;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundOutput;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import io.mqttsec.broker.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes each will out of the CONNECT before HiveMQ sees it, so HiveMQ never publishes one on its own: HiveMQ
 * checks a will only at CONNECT, and would publish it later whatever the rules and credentials say by then.
 * The broker layer gets the will instead and publishes it (through HiveMQ's publish service) only if it is still
 * allowed when it falls due.
 *
 * <p>A will waits here, under a token in the connection's attributes, until the authenticator hands it over,
 * or the connection ends first.
 */
final class Wills implements ConnectInboundInterceptor {

  static final String TOKEN = "io.mqttsec.will";

  private final Map<String, Will> waiting = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();

  @Override
  public void onConnect(ConnectInboundInput input, ConnectInboundOutput output) {
    Optional<WillPublishPacket> will = input.getConnectPacket().getWillPublish();
    if (will.isEmpty()) {
      return;
    }
    WillPublishPacket packet = will.get();
    Publish publish = Builders.publish().fromPublish(packet).build();
    String token = Long.toString(tokens.incrementAndGet(), 36);
    waiting.put(token, new Will(packet.getTopic(), Duration.ofSeconds(packet.getWillDelay()),
        () -> Services.publishService().publish(publish)));
    input.getConnectionInformation().getConnectionAttributeStore().putAsString(TOKEN, token);
    output.getConnectPacket().setWillPublish(null);
  }

  /** The will the connection's CONNECT carried, once; null when it had none. */
  Will take(ConnectionInformation connection) {
    return token(connection).map(waiting::remove).orElse(null);
  }

  /** How many wills wait for their connection's authentication. */
  int waiting() {
    return waiting.size();
  }

  private static Optional<String> token(ConnectionInformation connection) {
    return connection.getConnectionAttributeStore().getAsString(TOKEN, StandardCharsets.UTF_8);
  }
}
