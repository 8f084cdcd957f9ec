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
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerSecurity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The authenticator's callback against a broker's input and output, without a broker: what each outcome of the
 * broker layer turns into, and that a password check that throws or dies, or an executor that refuses the work,
 * refuses the connection, resumes the broker, wipes the password copy and leaves an audit line. The
 * embedded-broker tests cover the decisions end to end; a failing credential store cannot be put into a running
 * broker.
 */
class MqttSecAuthenticatorTest {

  private static final String PASSWORD = "correct horse battery staple";

  private final SdkFakes fakes = new SdkFakes();
  private final List<SecurityEvent> audit = new ArrayList<>();
  private final List<byte[]> secretsSeen = new ArrayList<>();

  private MqttSecAuthenticator authenticator(Authenticator passwords, ExecutorService executor) {
    Authenticator recording = (who, secret) -> {
      secretsSeen.add(secret);
      return passwords.authenticate(who, secret);
    };
    BrokerSecurity security = BrokerSecurity.builder().acl((who, action, topic) -> Decision.deny("none"))
        .broker(new NoBroker()).audit(audit::add).authenticator(recording).build();
    return new MqttSecAuthenticator(security, new Wills(), executor);
  }

  @Test
  void aPasswordCheckThatThrows_refusesTheConnection_andWipesThePassword() {
    authenticator((who, secret) -> {
      throw new IllegalStateException("store closed");
    }, DIRECT).onConnect(connect(), output());

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
  void aPasswordCheckThatFailsWithAnError_refusesTheConnection() {
    authenticator((who, secret) -> {
      throw new StackOverflowError();
    }, DIRECT).onConnect(connect(), output());

    assertThat(fakes.calls).contains("failAuthentication(NOT_AUTHORIZED, authentication failed)", "resume()")
        .doesNotContain("authenticateSuccessfully()");
    assertThat(secretsSeen).singleElement().satisfies(s -> assertThat(s).containsOnly((byte) 0));
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthFailed.class,
        e -> assertThat(e.reason()).isEqualTo("internal error (StackOverflowError) while authenticating; refused"));
  }

  @Test
  void anExecutorThatRefusesTheWork_refusesTheConnectionAsBusy() {
    ExecutorService full = new DirectExecutor() {
      @Override
      public void execute(Runnable command) {
        throw new RejectedExecutionException("queue full");
      }
    };
    authenticator((who, secret) -> AuthResult.success("press-1", "password"), full).onConnect(connect(), output());

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "failAuthentication(SERVER_BUSY, authentication unavailable)", "resume()");
    assertThat(audit).singleElement().isInstanceOfSatisfying(SecurityEvent.AuthFailed.class, e -> {
      assertThat(e.outcome()).isEqualTo(AuthResult.Outcome.ERROR);
      assertThat(e.reason()).isEqualTo("the verification queue was full; refused");
    });
  }

  @Test
  void aGoodPassword_isAccepted_andTheSessionIsStoredForTheAuthorizer() {
    authenticator((who, secret) -> new String(secret, StandardCharsets.UTF_8).equals(PASSWORD)
        ? AuthResult.success("press-1", "password") : AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "no"),
        DIRECT).onConnect(connect(), output());

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "putAsString(" + MqttSecAuthenticator.SESSION + ", 1)", "authenticateSuccessfully()", "resume()");
    assertThat(secretsSeen).singleElement().satisfies(s -> assertThat(s).containsOnly((byte) 0));
  }

  @Test
  void aWrongPassword_answersBadUserNameOrPassword() {
    authenticator((who, secret) -> AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS,
        "bad user name or password"), DIRECT).onConnect(connect(), output());

    assertThat(fakes.calls).containsExactly("async(PT10S, FAILURE, NOT_AUTHORIZED, authentication timed out)",
        "failAuthentication(BAD_USER_NAME_OR_PASSWORD, bad user name or password)", "resume()");
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

  /** Runs the work on the calling thread, so the test sees its outcome when onConnect returns. */
  private static class DirectExecutor extends AbstractExecutorService {
    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  private static final ExecutorService DIRECT = new DirectExecutor();
}
