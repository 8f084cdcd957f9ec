package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authenticator;
import io.mqttsec.api.ClientIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Checks each CONNECT's user name and password. The hash (hundreds of milliseconds of PBKDF2 by design) runs
 * on the extension executor through {@code output.async(...)}, never on the broker's per-client task thread.
 *
 * <p>Fail closed: every path ends in {@code authenticateSuccessfully()} or {@code failAuthentication(...)};
 * none calls {@code nextExtensionOrDefault()}, so a refused client never reaches another extension or HiveMQ's
 * default (a CE zip install ships an allow-all extension). A timeout, an exception or a rejected task refuses.
 */
final class MqttSecAuthenticator implements SimpleAuthenticator {

  /** The connection attribute holding the authenticated user name, read by the authorizer. */
  static final String USER_ATTRIBUTE = "io.mqttsec.user";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Authenticator passwords;
  private final boolean anonymous;
  private final ExecutorService executor;

  MqttSecAuthenticator(Authenticator passwords, boolean anonymous, ExecutorService executor) {
    this.passwords = passwords;
    this.anonymous = anonymous;
    this.executor = executor;
  }

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectPacket connect = input.getConnectPacket();
    ConnectionInformation connection = input.getConnectionInformation();
    String listener = connection.getListener().map(Listener::getName).orElse("unknown");
    Optional<String> user = connect.getUserName();
    Optional<ByteBuffer> password = connect.getPassword();
    if (user.isEmpty() && password.isEmpty()) {
      if (anonymous) {
        output.authenticateSuccessfully();
      } else {
        output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "anonymous access is off");
      }
      return;
    }
    ClientIdentity who = ClientIdentity.of(user.orElse(null), connect.getClientId());
    if (connection.getInetAddress().isPresent()) {
      who = who.withRemoteAddress(connection.getInetAddress().get());
    }
    byte[] secret = password.map(MqttSecAuthenticator::bytes).orElseGet(() -> new byte[0]);
    Async<SimpleAuthOutput> async = output.async(TIMEOUT, TimeoutFallback.FAILURE,
        ConnackReasonCode.NOT_AUTHORIZED, "authentication timed out");
    ClientIdentity client = who;
    try {
      executor.execute(() -> {
        try {
          AuditLog.withListener(listener, () -> decide(client, secret, connection, output));
        } catch (RuntimeException | Error e) {
          output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "authentication failed");
        } finally {
          Arrays.fill(secret, (byte) 0);
          async.resume();
        }
      });
    } catch (RuntimeException rejected) {
      Arrays.fill(secret, (byte) 0);
      output.failAuthentication(ConnackReasonCode.SERVER_BUSY, "authentication unavailable");
      async.resume();
    }
  }

  private void decide(ClientIdentity who, byte[] secret, ConnectionInformation connection,
                      SimpleAuthOutput output) {
    AuthResult result = passwords.authenticate(who, secret);
    if (result.succeeded()) {
      connection.getConnectionAttributeStore().putAsString(USER_ATTRIBUTE, result.username().orElseThrow());
      output.authenticateSuccessfully();
      return;
    }
    ConnackReasonCode code = result.outcome() == AuthResult.Outcome.BAD_CREDENTIALS
        ? ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD : ConnackReasonCode.NOT_AUTHORIZED;
    output.failAuthentication(code, result.reason());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.asReadOnlyBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** The user an authenticated connection logged in as, if any. */
  static Optional<String> user(ConnectionInformation connection) {
    return connection.getConnectionAttributeStore().getAsString(USER_ATTRIBUTE, StandardCharsets.UTF_8);
  }
}
