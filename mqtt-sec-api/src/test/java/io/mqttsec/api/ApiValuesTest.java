/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The value types every module hands around: that each refuses what it must (a null in any event), keeps what it
 * was given (an identity's certificate chain), and that the defaults of the interfaces decide nothing by accident.
 */
class ApiValuesTest {

  /** A self-signed P-256 certificate for CN=press-1, made with openssl for these tests. */
  static final String PEM = """
      -----BEGIN CERTIFICATE-----
      MIIBezCCASGgAwIBAgIUGa7IC4RQvcHF5Qcxc5yAPzRpRBIwCgYIKoZIzj0EAwIw
      EjEQMA4GA1UEAwwHcHJlc3MtMTAgFw0yNjEyMDIwMTQ0MDdaGA8yMTI2MTEwODAx
      NDQwN1owEjEQMA4GA1UEAwwHcHJlc3MtMTBZMBMGByqGSM49AgEGCCqGSM49AwEH
      A0IABN9IEtuN9x6qAYPXW2inVL+FC2qBXP8GjaVvvoanIP2CoExzGPVLzGJpZ0Dd
      ZHr+XFyJMH310K+yxWOzg79CJVijUzBRMB0GA1UdDgQWBBTxc33aSJg0MdVuWP2L
      6ucROFuJaDAfBgNVHSMEGDAWgBTxc33aSJg0MdVuWP2L6ucROFuJaDAPBgNVHRMB
      Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIHTahAtkwFkzH0WxO53v+lhVkRPB
      pPtXkvuArrPi5Y63AiEAz5KwOklHFbSAdZy5jYIu4itSjfZTgiwCOY0eKdHGGHs=
      -----END CERTIFICATE-----
      """;

  static X509Certificate certificate() throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(PEM.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void everyEvent_refusesANullInAnyOfItsComponents() throws Exception {
    Class<?>[] kinds = SecurityEvent.class.getPermittedSubclasses();
    assertThat(kinds).hasSizeGreaterThanOrEqualTo(15);
    for (Class<?> kind : kinds) {
      RecordComponent[] components = kind.getRecordComponents();
      Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
      Constructor<?> canonical = kind.getDeclaredConstructor(types);
      Object[] args = new Object[types.length];
      for (int i = 0; i < types.length; i++) {
        args[i] = sample(types[i]);
      }
      assertThat(canonical.newInstance(args)).as(kind.getSimpleName()).isInstanceOf(SecurityEvent.class);
      for (int i = 0; i < types.length; i++) {
        if (types[i].isPrimitive()) {
          continue;
        }
        Object[] withNull = args.clone();
        withNull[i] = null;
        assertThatThrownBy(() -> canonical.newInstance(withNull)).as("%s without %s", kind.getSimpleName(),
            components[i].getName()).hasCauseInstanceOf(NullPointerException.class);
      }
    }
  }

  private static Object sample(Class<?> type) throws Exception {
    if (type == Instant.class) {
      return Instant.parse("2026-12-02T00:00:00Z");
    } else if (type == ClientIdentity.class) {
      return ClientIdentity.of("press-1", "press-1");
    } else if (type == String.class) {
      return "text";
    } else if (type == Duration.class) {
      return Duration.ofSeconds(1);
    } else if (type == InetAddress.class) {
      return InetAddress.getByName("127.0.0.1");
    } else if (type.isEnum()) {
      return type.getEnumConstants()[0];
    } else if (type == int.class) {
      return 1;
    } else if (type == long.class) {
      return 1L;
    } else if (type == boolean.class) {
      return true;
    }
    throw new AssertionError("no sample for " + type);
  }

  @Test
  void anIdentity_keepsTheChainItWasGiven_andNamesItsLeaf() throws Exception {
    X509Certificate leaf = certificate();
    ClientIdentity plain = ClientIdentity.of("press-1", "press-1");
    ClientIdentity withChain = plain.withCertificateChain(new X509Certificate[] {leaf});
    assertThat(plain.certificateChain()).isEmpty();
    assertThat(plain.certificate()).isEmpty();
    assertThat(withChain.certificateChain()).containsExactly(leaf);
    assertThat(withChain.certificate()).contains(leaf);
    assertThat(withChain).isNotEqualTo(plain);
    assertThat(withChain.withCertificateChain(new X509Certificate[] {leaf})).isEqualTo(withChain)
        .hasSameHashCodeAs(withChain);
    assertThat(plain.hashCode()).as("identities that differ hash apart")
        .isNotEqualTo(ClientIdentity.of("press-2", "press-1").hashCode());
    assertThat(plain.isAnonymous()).isFalse();
    assertThat(ClientIdentity.of(null, "c").isAnonymous()).isTrue();
  }

  @Test
  void aDecisionAndAnAuthResult_sayWhatTheyAre() {
    assertThat(Decision.allow("r").denied()).isFalse();
    AuthResult failed = AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "wrong password");
    assertThat(failed.outcome()).isEqualTo(AuthResult.Outcome.BAD_CREDENTIALS);
    assertThat(failed.reason()).isEqualTo("wrong password");
    assertThat(failed).hasToString("AuthResult{BAD_CREDENTIALS, reason=wrong password}");
    assertThat(AuthResult.success("press-1", "password"))
        .hasToString("AuthResult{SUCCESS, user=press-1, reason=password}");
  }

  @Test
  void theInterfacesDefaults_decideNothingByThemselves() {
    Authenticator refuseAll = (who, password) -> AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, "no");
    ClientIdentity who = ClientIdentity.of("press-1", "press-1");
    assertThat(refuseAll.likelyReturning(who)).isFalse();
    assertThat(refuseAll.answersAtOnce(who, new byte[] {1})).isFalse();

    Authorizer ownTopic = (client, action, topic) -> topic.startsWith(client.username().orElse("?") + "/")
        ? Decision.allow("own") : Decision.deny("other");
    Authorizer.View view = ownTopic.viewFor(who);
    assertThat(view.authorize(Action.PUBLISH, "press-1/temp").allowed()).isTrue();
    assertThat(view.authorize(Action.PUBLISH, "press-2/temp").denied()).isTrue();

    SecurityEventListener none = SecurityEventListener.none();
    assertThat(none).isNotNull();
    none.on(new SecurityEvent.PolicyReloaded(Instant.EPOCH, "acl.conf", "3 rules"));
  }

  @Test
  void parseErrors_placeTheirLocation_andQuoteInputUpTo80Chars() {
    assertThat(new AclParseException("acl.conf", 3, 7, "bad")).hasMessage("acl.conf:3:7: bad");
    assertThat(new AclParseException("acl.conf", 3, 0, "bad")).hasMessage("acl.conf:3: bad");
    assertThat(new AclParseException("acl.conf", 0, 0, "bad")).hasMessage("acl.conf: bad");
    assertThat(new AclParseException("acl.conf", 1, 1, "bad")).hasMessage("acl.conf:1:1: bad");

    String eighty = "a".repeat(79) + "#";
    assertThatThrownBy(() -> Topics.validateName(eighty)).hasMessageStartingWith("topic name \"" + eighty + "\":");
    String longer = "a".repeat(80) + "#";
    assertThatThrownBy(() -> Topics.validateName(longer))
        .hasMessageStartingWith("topic name \"" + "a".repeat(80) + "\"... (81 chars):");
  }
}
