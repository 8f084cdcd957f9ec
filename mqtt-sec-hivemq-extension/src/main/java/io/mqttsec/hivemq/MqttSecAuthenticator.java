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
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authenticator;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.tls.CertificateIdentity;
import io.mqttsec.tls.ClientCertificateVerifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Checks each CONNECT the way its listener is configured: user name and password against the password file,
 * the client certificate (trusted, not revoked; its CN or subject is the user name), or both. The password hash
 * (hundreds of milliseconds of PBKDF2 by design) and the certificate checks run on the extension executor
 * through {@code output.async(...)}, never on the broker's per-client task thread.
 *
 * <p>Fail closed: every path ends in {@code authenticateSuccessfully()} or {@code failAuthentication(...)};
 * none calls {@code nextExtensionOrDefault()}, so a refused client never reaches another extension or HiveMQ's
 * default (a CE zip install ships an allow-all extension). A timeout, an exception or a rejected task refuses;
 * the last two with a {@code connect.failure} audit line of outcome {@code ERROR}.
 */
final class MqttSecAuthenticator implements SimpleAuthenticator {

  /** The connection attribute holding the authenticated user name, read by the authorizer. */
  static final String USER_ATTRIBUTE = "io.mqttsec.user";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Authenticator passwords;
  private final ClientCertificateVerifier certificates;
  private final Function<String, MqttSecConfig.ListenerAuth> modes;
  private final boolean anonymous;
  private final ExecutorService executor;
  private final SecurityEventListener audit;
  private final Clock clock;

  /**
   * @param passwords    the password check, or null when no listener uses a password mode
   * @param certificates the certificate check, or null when no listener uses a certificate mode
   * @param modes        the authentication of a listener, by listener name
   */
  MqttSecAuthenticator(Authenticator passwords, ClientCertificateVerifier certificates,
                       Function<String, MqttSecConfig.ListenerAuth> modes, boolean anonymous,
                       ExecutorService executor, SecurityEventListener audit, Clock clock) {
    this.passwords = passwords;
    this.certificates = certificates;
    this.modes = modes;
    this.anonymous = anonymous;
    this.executor = executor;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectPacket connect = input.getConnectPacket();
    ConnectionInformation connection = input.getConnectionInformation();
    String listener = connection.getListener().map(Listener::getName).orElse("unknown");
    MqttSecConfig.ListenerAuth auth = modes.apply(listener);
    Optional<String> user = connect.getUserName();
    Optional<ByteBuffer> password = connect.getPassword();
    X509Certificate[] chain = connection.getClientTlsInformation()
        .flatMap(ClientTlsInformation::getClientCertificateChain).orElse(null);
    ClientIdentity identity = ClientIdentity.of(user.orElse(null), connect.getClientId());
    if (connection.getInetAddress().isPresent()) {
      identity = identity.withRemoteAddress(connection.getInetAddress().get());
    }
    if (chain != null && chain.length > 0) {
      identity = identity.withCertificateChain(chain);
    }
    ClientIdentity who = identity;
    if (auth.mode() == MqttSecConfig.AuthMode.PASSWORD && user.isEmpty() && password.isEmpty()) {
      if (anonymous) {
        output.authenticateSuccessfully();
      } else {
        refuse(output, listener, who, AuthResult.failure(AuthResult.Outcome.ANONYMOUS_REFUSED,
            "anonymous access is off"));
      }
      return;
    }
    if (auth.mode() != MqttSecConfig.AuthMode.PASSWORD && (chain == null || chain.length == 0)) {
      refuse(output, listener, who, AuthResult.failure(AuthResult.Outcome.CERTIFICATE_REJECTED,
          "listener " + listener + " requires a client certificate"));
      return;
    }
    byte[] secret = password.map(MqttSecAuthenticator::bytes).orElseGet(() -> new byte[0]);
    Async<SimpleAuthOutput> async = output.async(TIMEOUT, TimeoutFallback.FAILURE,
        ConnackReasonCode.NOT_AUTHORIZED, "authentication timed out");
    try {
      executor.execute(() -> {
        try {
          AuditLog.withListener(listener, () -> decide(auth, who, chain, secret, connection, output));
        } catch (RuntimeException | Error e) {
          output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "authentication failed");
          auditFailure(listener, who, AuthResult.Outcome.ERROR,
              "internal error (" + e.getClass().getSimpleName() + ") while authenticating; refused");
        } finally {
          Arrays.fill(secret, (byte) 0);
          async.resume();
        }
      });
    } catch (RuntimeException rejected) {
      Arrays.fill(secret, (byte) 0);
      output.failAuthentication(ConnackReasonCode.SERVER_BUSY, "authentication unavailable");
      async.resume();
      auditFailure(listener, who, AuthResult.Outcome.ERROR,
          "the verification queue was full; refused");
    }
  }

  private void decide(MqttSecConfig.ListenerAuth auth, ClientIdentity who, X509Certificate[] chain, byte[] secret,
                      ConnectionInformation connection, SimpleAuthOutput output) {
    AuthResult result;
    boolean audited; // the password check publishes its own success or failure event
    if (auth.mode() == MqttSecConfig.AuthMode.PASSWORD) {
      result = passwords.authenticate(who, secret);
      audited = true;
    } else {
      result = certificate(auth, who, chain);
      audited = false;
      if (result.succeeded() && auth.mode() == MqttSecConfig.AuthMode.CERTIFICATE_AND_PASSWORD) {
        String certificateUser = result.username().orElseThrow();
        String claimed = who.username().orElse(certificateUser);
        if (claimed.equals(certificateUser)) {
          result = passwords.authenticate(who.withUsername(certificateUser), secret);
          audited = true;
        } else {
          // a stolen password alone is not enough, nor a stolen certificate alone
          result = AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "the user name " + claimed
              + " is not the certificate's " + certificateUser);
        }
      }
    }
    if (!audited) {
      audit.deliver(result.succeeded()
          ? new SecurityEvent.AuthSucceeded(clock.instant(), who.withUsername(result.username().orElseThrow()),
              "certificate")
          : new SecurityEvent.AuthFailed(clock.instant(), who, result.outcome(), result.reason()));
    }
    if (result.succeeded()) {
      connection.getConnectionAttributeStore().putAsString(USER_ATTRIBUTE, result.username().orElseThrow());
      output.authenticateSuccessfully();
    } else {
      output.failAuthentication(code(result), result.reason());
    }
  }

  /** The user name the certificate carries, once the chain is trusted and not revoked. */
  private AuthResult certificate(MqttSecConfig.ListenerAuth auth, ClientIdentity who, X509Certificate[] chain) {
    Decision trusted = certificates.check(chain);
    if (trusted.denied()) {
      return AuthResult.failure(AuthResult.Outcome.CERTIFICATE_REJECTED, trusted.reason());
    }
    CertificateIdentity id = CertificateIdentity.of(chain);
    Optional<String> name = auth.identity() == MqttSecConfig.IdentitySource.SUBJECT ? Optional.of(id.subjectDn())
        : id.commonName();
    if (name.isEmpty() || name.get().isEmpty()) {
      return AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "the certificate " + id.subjectDn()
          + " has no CN to use as the user name");
    }
    return AuthResult.success(name.get(), "certificate " + id.subjectDn());
  }

  /** Refuses before any check ran (no credentials, no certificate), with its audit line. */
  private void refuse(SimpleAuthOutput output, String listener, ClientIdentity who, AuthResult result) {
    auditFailure(listener, who, result.outcome(), result.reason());
    output.failAuthentication(code(result), result.reason());
  }

  /**
   * Audits a refused attempt. A refusal that no check decided (an internal error, a full verification queue) is
   * audited too, with {@link AuthResult.Outcome#ERROR} and the error's class, never its message; the client is
   * told no more than that authentication failed or is unavailable.
   */
  private void auditFailure(String listener, ClientIdentity who, AuthResult.Outcome outcome, String reason) {
    AuditLog.withListener(listener, () -> audit.deliver(new SecurityEvent.AuthFailed(clock.instant(), who, outcome,
        reason)));
  }

  private static ConnackReasonCode code(AuthResult result) {
    return result.outcome() == AuthResult.Outcome.BAD_CREDENTIALS ? ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD
        : ConnackReasonCode.NOT_AUTHORIZED;
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
