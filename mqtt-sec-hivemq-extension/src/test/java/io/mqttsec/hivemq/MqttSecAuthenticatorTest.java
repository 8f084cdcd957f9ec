/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authenticator;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerSecurity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The authenticator's callback against a broker's input and output, without a broker: what each outcome of the
 * broker layer turns into, and that a password check that throws or dies, or a full verification queue,
 * refuses the connection, resumes the broker, wipes the password copy and leaves an audit line. The
 * embedded-broker tests cover the decisions end to end; a failing credential store cannot be put into a running
 * broker.
 */
class MqttSecAuthenticatorTest {

  private static final String PASSWORD = "correct horse battery staple";

  private final SdkFakes fakes = new SdkFakes();
  private final List<SecurityEvent> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<byte[]> secretsSeen = new java.util.concurrent.CopyOnWriteArrayList<>();

  private MqttSecAuthenticator authenticator(Authenticator passwords) {
    return authenticator(passwords, 1_000);
  }

  private MqttSecAuthenticator authenticator(Authenticator passwords, int queue) {
    Authenticator recording = new Authenticator() {
      @Override
      public AuthResult authenticate(ClientIdentity who, byte[] secret) {
        secretsSeen.add(secret);
        return passwords.authenticate(who, secret);
      }

      @Override
      public boolean answersAtOnce(ClientIdentity who, byte[] secret) {
        return passwords.answersAtOnce(who, secret);
      }
    };
    BrokerSecurity security = BrokerSecurity.builder().acl((who, action, topic) -> Decision.deny("none"))
        .broker(new NoBroker()).audit(audit::add).authenticator(recording).loginThreads(1, queue).build();
    return new MqttSecAuthenticator(security, new Wills());
  }

  /** Connects, and waits until the broker was resumed: the decision is made on a login thread. */
  private void connectAndWait(MqttSecAuthenticator authenticator) throws InterruptedException {
    authenticator.onConnect(connect(), output());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!fakes.calls.contains("resume()")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never resumed: " + fakes.calls);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void aPasswordCheckThatThrows_refusesTheConnection_andWipesThePassword() throws Exception {
    connectAndWait(authenticator((who, secret) -> {
      throw new IllegalStateException("store closed");
    }));

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "failAuthentication(NOT_AUTHORIZED, authentication failed)", "resume()");
    assertThat(secretsSeen).singleElement().satisfies(s -> assertThat(s).containsOnly((byte) 0));
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthFailed.class, e -> {
      assertThat(e.outcome()).isEqualTo(AuthResult.Outcome.ERROR);
      assertThat(e.reason()).isEqualTo("internal error (IllegalStateException) while connecting; refused");
      assertThat(e.who().username()).contains("press-1");
    });
  }

  @Test
  void aPasswordCheckThatFailsWithAnError_refusesTheConnection() throws Exception {
    connectAndWait(authenticator((who, secret) -> {
      throw new StackOverflowError();
    }));

    assertThat(fakes.calls).contains("failAuthentication(NOT_AUTHORIZED, authentication failed)", "resume()")
        .doesNotContain("authenticateSuccessfully()");
    assertThat(secretsSeen).singleElement().satisfies(s -> assertThat(s).containsOnly((byte) 0));
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthFailed.class,
        e -> assertThat(e.reason()).isEqualTo("internal error (StackOverflowError) while connecting; refused"));
  }

  @Test
  void aFullVerificationQueue_refusesTheConnectionAsBusy() throws Exception {
    // no room at all in the lane of logins that do not look like a known device coming back
    connectAndWait(authenticator((who, secret) -> AuthResult.success("press-1", "password"), 0));

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "failAuthentication(SERVER_BUSY, authentication unavailable)", "resume()");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthFailed.class, e -> {
      assertThat(e.outcome()).isEqualTo(AuthResult.Outcome.ERROR);
      assertThat(e.reason()).isEqualTo("the verification queue was full; refused");
    });
  }

  @Test
  void aGoodPassword_isAccepted_andTheSessionIsStoredForTheAuthorizer() throws Exception {
    connectAndWait(authenticator((who, secret) -> new String(secret, StandardCharsets.UTF_8).equals(PASSWORD)
        ? AuthResult.success("press-1", "password") : AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "no")));

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "putAsString(" + MqttSecAuthenticator.SESSION + ", 1)", "authenticateSuccessfully()", "resume()");
    assertThat(secretsSeen).singleElement().satisfies(s -> assertThat(s).containsOnly((byte) 0));
  }

  @Test
  void aWrongPassword_answersBadUserNameOrPassword() throws Exception {
    connectAndWait(authenticator((who, secret) -> AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS,
        "bad user name or password")));

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "failAuthentication(BAD_USER_NAME_OR_PASSWORD, bad user name or password)", "resume()");
  }

  @Test
  void aLoginThatCostsNoWait_isAnsweredInTheCallback_withoutGoingAsync() {
    Authenticator cheap = new Authenticator() {
      @Override
      public AuthResult authenticate(ClientIdentity who, byte[] secret) {
        return AuthResult.success("press-1", "password");
      }

      @Override
      public boolean answersAtOnce(ClientIdentity who, byte[] secret) {
        return true;
      }
    };
    authenticator(cheap).onConnect(connect(), output());

    assertThat(fakes.calls).as("answered before onConnect returned").containsExactly(
        "putAsString(" + MqttSecAuthenticator.SESSION + ", 1)", "authenticateSuccessfully()");
    assertThat(secretsSeen).singleElement().satisfies(s -> assertThat(s).containsOnly((byte) 0));
  }

  // ------------------------------------------------------------ fakes of the broker's side

  private SimpleAuthInput connect() {
    ConnectPacket packet = SdkFakes.input(ConnectPacket.class, Map.of("getUserName", Optional.of("press-1"),
        "getPassword", Optional.of(ByteBuffer.wrap(PASSWORD.getBytes(StandardCharsets.UTF_8))),
        "getClientId", "press-1-main", "getCleanStart", true, "getSessionExpiryInterval", 0L));
    ConnectionInformation connection = SdkFakes.input(ConnectionInformation.class, Map.of(
        "getListener", Optional.of(SdkFakes.input(Listener.class, Map.of("getName", "tls"))),
        "getConnectionAttributeStore", fakes.attributes(Map.of())));
    return SdkFakes.input(SimpleAuthInput.class, Map.of("getConnectPacket", packet,
        "getConnectionInformation", connection));
  }

  private SimpleAuthOutput output() {
    return fakes.output(SimpleAuthOutput.class, Map.of("async", fakes.output(Async.class)));
  }
}
