/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitAudit;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static io.mqttsec.hivemq.ExtensionTest.replace;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.TlsContexts;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator of a long-running broker needs: a replayed old CRL is refused, TLS renegotiation is refused,
 * the broker warns before its certificate, a CA or a CRL runs out, its certificate rotates without a restart, and
 * weak password hashes are upgraded as devices log in without disconnecting them.
 *
 * <p>The broker's certificate comes from a CA whose clock runs 20 days behind, so that at start it has 10 of its
 * 30 days left; the same CA's CRL has 5 of its 25 days left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsTest {

  static final CertificateAuthority OLD_CA = CertificateAuthority.create("CN=Old CA", Duration.ofDays(40),
      Clock.offset(Clock.systemUTC(), Duration.ofDays(-20)));
  static final String ACL = "pattern readwrite factory/%u/#\n";
  static final Map<String, String> USERS = Map.of("press-11", "press-11-secret", "press-12", "press-12-secret");

  @TempDir
  static Path dir;
  static TestBroker broker;
  static X509CRL oldCaCrl;

  @BeforeAll
  static void start() throws Exception {
    HeldCertificate server = serverCertificate();
    broker = new TestBroker(dir, USERS, ACL, CertificateAuthTest.CONFIG
        + "  <upgrade-on-login>true</upgrade-on-login>\n", TestBroker.Options.DEFAULT.withServerTls(server));
    oldCaCrl = OLD_CA.crl(Duration.ofDays(25));
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static HeldCertificate serverCertificate() {
    return OLD_CA.issue("broker").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
        .validity(Duration.ofDays(30)).issue();
  }

  static ClientTls tls(HeldCertificate identity) {
    TlsContexts.ClientBuilder b = TlsContexts.forClient().trustedCertificates(List.of(OLD_CA.certificate(),
        TestBroker.CA.certificate()));
    return (identity == null ? b : b.identity(identity.privateKey(), identity.chain())).build();
  }

  static Mqtt5BlockingClient passwordClient() {
    return Mqtt5Client.builder().identifier("ops-" + UUID.randomUUID().toString().substring(0, 8))
        .serverHost("127.0.0.1").serverPort(broker.tlsPort).sslConfig()
        .trustManagerFactory(tls(null).trustManagerFactory()).applySslConfig().buildBlocking();
  }

  static Mqtt5BlockingClient certificateClient(HeldCertificate identity) {
    ClientTls tls = tls(identity);
    return Mqtt5Client.builder().identifier("dev-" + UUID.randomUUID().toString().substring(0, 8))
        .serverHost("127.0.0.1").serverPort(broker.mtlsPort).sslConfig()
        .trustManagerFactory(tls.trustManagerFactory()).keyManagerFactory(tls.keyManagerFactory())
        .applySslConfig().buildBlocking();
  }

  /** The certificate the broker presents to a new TLS connection now. */
  static X509Certificate presented() throws Exception {
    try (SSLSocket socket = tls(null).connect("127.0.0.1", broker.tlsPort)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  @Order(1)
  void expiry_isWarnedForTheServerCertificate_aTrustedCa_andACrl() throws Exception {
    awaitAudit(broker, 0, "\"event\":\"certificate.expiring\"", "\"what\":\"server\"", "\"subject\":\"CN=broker\"");
    int before = broker.audit.size();
    replace(dir.resolve("ca.pem"), Pem.encode(List.of(TestBroker.CA.certificate(), OLD_CA.certificate())));
    awaitAudit(broker, before, "\"event\":\"certificate.expiring\"", "\"what\":\"CA\"", "\"subject\":\"CN=Old CA\"");
    replace(dir.resolve("ca.crl"), Pem.encode(TestBroker.CA.crl(Duration.ofDays(7))) + Pem.encode(oldCaCrl));
    awaitAudit(broker, before, "\"event\":\"certificate.expiring\"", "\"what\":\"CRL\"", "\"subject\":\"CN=Old CA\"");
  }

  @Test
  @Order(2)
  void anOlderCrl_isRefused_andTheRevokedDeviceStaysOut() throws Exception {
    HeldCertificate device = TestBroker.CA.issue("press-11").clientAuth().issue();
    String before = Pem.encode(TestBroker.CA.crl(Duration.ofDays(7))) + Pem.encode(oldCaCrl);
    int lines = broker.audit.size();
    replace(dir.resolve("ca.crl"), before);
    awaitAudit(broker, lines, "\"event\":\"reload\"", "ca.crl");
    TestBroker.CA.revoke(device.certificate().getSerialNumber());
    replace(dir.resolve("ca.crl"), Pem.encode(TestBroker.CA.crl(Duration.ofDays(7))) + Pem.encode(oldCaCrl));
    // the CA is shared by the test classes: whatever others revoked, this reload lists press-11 too
    awaitAudit(broker, lines, "\"event\":\"reload\"", "with " + TestBroker.CA.revocations().size()
        + " revoked serial");
    assertThat(ExtensionTest.refusal(() -> certificateClient(device).connect()))
        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);

    lines = broker.audit.size();
    replace(dir.resolve("ca.crl"), before); // validly signed, older: it would un-revoke press-11
    awaitAudit(broker, lines, "\"event\":\"reload.failure\"", "ca.crl", "is older than the one in force");
    assertThat(ExtensionTest.refusal(() -> certificateClient(device).connect()))
        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    awaitAudit(broker, lines, "\"event\":\"connect.failure\"", "\"outcome\":\"CERTIFICATE_REJECTED\"", "is revoked");
  }

  @Test
  @Order(3)
  void clientInitiatedRenegotiation_isRefused_byTheBroker() throws Exception {
    Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + broker.tlsPort,
        "-tls1_2").redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        out.append(new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        out.append("read failed: ").append(e);
      }
    });
    reader.start();
    Thread.sleep(1500); // the handshake
    openssl.getOutputStream().write("R\n".getBytes(StandardCharsets.US_ASCII));
    openssl.getOutputStream().flush();
    boolean ended = openssl.waitFor(15, TimeUnit.SECONDS);
    if (!ended) {
      openssl.destroyForcibly();
    }
    reader.join(5000);
    assertThat(out.toString()).contains("Protocol  : TLSv1.2").contains("RENEGOTIATING")
        .contains("SSL alert number 40");
    assertThat(ended).isTrue();
  }

  @Test
  @Order(4)
  void theServerCertificate_rotatesWithoutARestart() throws Exception {
    BigInteger first = presented().getSerialNumber();
    Mqtt5BlockingClient connected = passwordClient();
    connected.connectWith().simpleAuth().username("press-12").password("press-12-secret".getBytes(
        StandardCharsets.UTF_8)).applySimpleAuth().send();
    HeldCertificate next = serverCertificate();
    Path key = Files.writeString(dir.resolve("server.key.new"), Pem.encodePrivateKey(next.privateKey()));
    Path pem = Files.writeString(dir.resolve("server.pem.new"), Pem.encode(next.chain()));
    Files.move(key, dir.resolve("server.key"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.move(pem, dir.resolve("server.pem"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    BigInteger now = first;
    while (now.equals(first) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      now = presented().getSerialNumber();
    }
    assertThat(now).as("HiveMQ re-reads the key store mqtt-sec rewrote").isEqualTo(next.certificate()
        .getSerialNumber());
    assertThat(connected.getState().isConnected()).as("connections made before stay").isTrue();
    close(connected);
  }

  @Test
  @Order(5)
  void aWeakHash_isUpgradedAtLogin_andTheDeviceStaysConnected() throws Exception {
    assertThat(Files.readString(dir.resolve("passwd"))).contains("press-11:$7$1000$");
    Mqtt5BlockingClient device = passwordClient();
    device.connectWith().simpleAuth().username("press-11").password("press-11-secret".getBytes(
        StandardCharsets.UTF_8)).applySimpleAuth().send();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.readString(dir.resolve("passwd")).contains("press-11:$7$210000$")
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(Files.readString(dir.resolve("passwd"))).contains("press-11:$7$210000$");
    Thread.sleep(1000); // the password file watch (50 ms here) has seen the rewrite
    assertThat(device.getState().isConnected()).as("a rehash is not a reset").isTrue();
    String clientId = device.getConfig().getClientIdentifier().map(Object::toString).orElseThrow();
    assertThat(broker.audit).noneMatch(l -> l.contains("\"event\":\"disconnect\"") && l.contains(clientId));
    close(device);
    Mqtt5BlockingClient again = passwordClient();
    again.connectWith().simpleAuth().username("press-11").password("press-11-secret".getBytes(
        StandardCharsets.UTF_8)).applySimpleAuth().send();
    close(again);
  }
}
