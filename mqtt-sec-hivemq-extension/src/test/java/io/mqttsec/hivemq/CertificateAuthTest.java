/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitDisconnected;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static io.mqttsec.hivemq.ExtensionTest.publish;
import static io.mqttsec.hivemq.ExtensionTest.refusal;
import static io.mqttsec.hivemq.ExtensionTest.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate authentication: the CN is the user name (mosquitto's {@code use_identity_as_username}), CRLs are
 * checked by the extension (HiveMQ CE checks none), and a CRL reload disconnects revoked devices.
 */
class CertificateAuthTest {

  static final String ACL = "pattern readwrite factory/%u/#\n";
  static final String CONFIG = """
        <authentication default="password">
          <listener name="mtls" mode="certificate" identity="cn"/>
          <listener name="mtls-optional" mode="certificate"/>
          <listener name="mtls-password" mode="certificate-and-password"/>
        </authentication>
        <trusted-certificates>ca.pem</trusted-certificates>
        <crl>ca.crl</crl>
      """;

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir, Map.of("press-11", "press-11-secret", "press-12", "press-12-secret"), ACL, CONFIG,
        true);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static HeldCertificate device(String cn) {
    return TestBroker.CA.issue(cn).clientAuth().issue();
  }

  static Mqtt5BlockingClient client(int port, HeldCertificate identity) {
    TlsContexts.ClientBuilder tls = TlsContexts.forClient().trustedCertificates(List.of(TestBroker.CA.certificate()));
    if (identity != null) {
      tls.identity(identity.privateKey(), identity.chain());
    }
    ClientTls client = tls.build();
    var ssl = Mqtt5Client.builder().identifier("cert-" + UUID.randomUUID().toString().substring(0, 8))
        .serverHost("127.0.0.1").serverPort(port).sslConfig().trustManagerFactory(client.trustManagerFactory());
    if (identity != null) {
      ssl.keyManagerFactory(client.keyManagerFactory());
    }
    return ssl.applySslConfig().buildBlocking();
  }

  static void revoke(HeldCertificate device) throws Exception {
    TestBroker.CA.revoke(device.certificate().getSerialNumber());
    replace(dir.resolve("ca.crl"), Pem.encode(TestBroker.CA.crl(Duration.ofDays(7))));
  }

  @Test
  void certificateCn_isTheUserName_andGetsItsAcl_withoutAPassword() {
    Mqtt5BlockingClient press = client(broker.mtlsPort, device("press-7"));
    press.connect();
    try {
      assertThat(publish(press, "factory/press-7/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(publish(press, "factory/press-8/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    } finally {
      close(press);
    }
    assertThat(broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"connect.success\"",
        "\"user\":\"press-7\"", "\"listener\":\"mtls\"", "\"certSha256\":", "\"method\":\"certificate\""));
  }

  @Test
  void noCertificate_isRefused_byTlsOnARequiredListener_andByTheExtensionOnAnOptionalOne() {
    Mqtt5BlockingClient bare = client(broker.mtlsPort, null);
    assertThatThrownBy(bare::connect).as("the TLS handshake fails").isInstanceOf(RuntimeException.class);
    assertThat(bare.getState().isConnected()).isFalse();

    assertThat(refusal(() -> client(broker.mtlsOptionalPort, null).connect()))
        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"connect.failure\"",
        "\"listener\":\"mtls-optional\"", "\"outcome\":\"CERTIFICATE_REJECTED\"",
        "requires a client certificate"));
  }

  @Test
  void revokedCertificate_isRefused_andRevokingAConnectedDevice_disconnectsIt() throws Exception {
    HeldCertificate stolen = device("press-9");
    HeldCertificate live = device("press-10");
    Mqtt5BlockingClient connected = client(broker.mtlsPort, live);
    connected.connect();
    try {
      int before = broker.audit.size();
      revoke(stolen);
      ExtensionTest.awaitAudit(broker, before, "\"event\":\"reload\"", "ca.crl");
      assertThat(refusal(() -> client(broker.mtlsPort, stolen).connect()))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      assertThat(broker.audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"connect.failure\"",
          "\"outcome\":\"CERTIFICATE_REJECTED\"", "is revoked by the CRL from CN=Test Factory CA"));
      assertThat(connected.getState().isConnected()).isTrue();

      revoke(live);
      awaitDisconnected(connected);
    } finally {
      close(connected);
    }
  }

  @Test
  void certificateAndPassword_needsBoth_forTheSameUser() {
    HeldCertificate press = device("press-11");
    Mqtt5BlockingClient ok = client(broker.mtlsPasswordPort, press);
    ok.connectWith().simpleAuth().username("press-11").password("press-11-secret".getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().send();
    assertThat(ok.getState().isConnected()).isTrue();
    close(ok);

    assertThat(refusal(() -> client(broker.mtlsPasswordPort, press).connectWith().simpleAuth().username("press-11")
        .password("wrong".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send()))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    // press-12's own password does not make press-11's certificate press-12
    assertThat(refusal(() -> client(broker.mtlsPasswordPort, press).connectWith().simpleAuth().username("press-12")
        .password("press-12-secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send()))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal(() -> client(broker.mtlsPasswordPort, press).connect()))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
  }

  static long metric(String name) {
    return (Long) broker.metrics().getGauges().get("io.mqttsec." + name).getValue();
  }

  @Test
  void metrics_countAuthenticationsAndDecisions() throws Exception {
    Mqtt5BlockingClient press = client(broker.mtlsPort, device("press-20"));
    press.connect();
    try {
      assertThat(publish(press, "factory/press-20/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    } finally {
      close(press);
    }
    assertThat(metric("auth.success")).isPositive();
    assertThat(metric("acl.allow")).isPositive();
    assertThat(metric("acl.check.nanos")).isPositive();
    long failures = metric("auth.failure");
    refusal(() -> client(broker.mtlsOptionalPort, null).connect());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (metric("auth.failure") == failures && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(metric("auth.failure")).isEqualTo(failures + 1);
  }
}
