/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.api.SecurityEvent;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real handshakes over loopback sockets, with certificates from the library's own CA. */
class TlsHandshakeTest {

  static final CertificateAuthority CA = CertificateAuthority.create("CN=Factory CA", Duration.ofDays(3650));
  /** An impostor with the real CA's name, so clients offer its certificates and the server must check keys. */
  static final CertificateAuthority IMPOSTOR = CertificateAuthority.create("CN=Factory CA", Duration.ofDays(3650));
  static final HeldCertificate SERVER = CA.issue("broker").dnsNames("localhost").ipAddresses("127.0.0.1")
      .serverAuth().issue();
  static final HeldCertificate PRESS = CA.issue("press-42").clientAuth().issue();

  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private ServerTls tls;
  private LoopbackServer server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  private void start(TlsContexts.ServerBuilder builder) throws IOException {
    tls = builder.listener(events::add).build();
    server = new LoopbackServer(tls);
  }

  private static TlsContexts.ServerBuilder mtls() {
    return TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).trustedCertificates(List.of(CA.certificate()))
        .clientAuth(ClientAuth.REQUIRE);
  }

  /** Connects, handshakes and reads the server's byte, which fails when the server refused the client. */
  static X509Certificate exchange(ClientTls client, String host, int port) throws IOException {
    try (SSLSocket socket = client.connect(host, port)) {
      assertThat(socket.getInputStream().read()).isEqualTo('!');
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  static ClientTls client(HeldCertificate identity) {
    TlsContexts.ClientBuilder b = TlsContexts.forClient().trustedCertificates(List.of(CA.certificate()));
    return (identity == null ? b : b.identity(identity.privateKey(), identity.chain())).build();
  }

  @Test
  void serverOnly_clientTrustingTheCa_connectsWithTls13() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()));
    X509Certificate seen = exchange(client(null), "localhost", server.port());
    assertThat(seen).isEqualTo(SERVER.certificate());
    assertThat(server.nextOutcome()).isEqualTo("no client certificate over TLSv1.3");
    assertThat(tls.sslParameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void serverOnly_clientWithOnlyTheDefaultCas_isRefusedByTheClient() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()));
    assertThatThrownBy(() -> exchange(TlsContexts.forClient().build(), "localhost", server.port()))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path building failed");
  }

  @Test
  void mtlsRequired_deviceCertificate_isSeenByTheServer() throws Exception {
    start(mtls());
    exchange(client(PRESS), "localhost", server.port());
    assertThat(server.nextOutcome()).isEqualTo("client CN=press-42 over TLSv1.3");
  }

  @Test
  void mtlsRequired_noClientCertificate_isRefused() throws Exception {
    start(mtls());
    assertThatThrownBy(() -> exchange(client(null), "localhost", server.port())).isInstanceOf(IOException.class);
    assertThat(server.nextOutcome()).startsWith("failed: ").contains("Empty client certificate chain");
  }

  @Test
  void mtlsOptional_noClientCertificate_connectsWithoutOne() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).trustedCertificates(List.of(CA.certificate()))
        .clientAuth(ClientAuth.OPTIONAL));
    exchange(client(null), "localhost", server.port());
    assertThat(server.nextOutcome()).isEqualTo("no client certificate over TLSv1.3");
  }

  @Test
  void mtlsRequired_certificateFromAnotherCa_isRefusedWithAnEvent() throws Exception {
    start(mtls());
    HeldCertificate stranger = IMPOSTOR.issue("press-42").clientAuth().issue();
    assertThatThrownBy(() -> exchange(client(stranger), "localhost", server.port()))
        .isInstanceOf(IOException.class);
    assertThat(server.nextOutcome()).startsWith("failed: ");
    assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.CertificateRejected.class, e -> {
      assertThat(e.subject()).isEqualTo("CN=press-42");
      assertThat(e.reason()).contains("PKIX path");
    });
  }

  @Test
  void revokedClientCertificate_isRefused_othersStillConnect() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Revoking CA", Duration.ofDays(30));
    HeldCertificate server2 = ca.issue("broker").dnsNames("localhost").serverAuth().issue();
    HeldCertificate good = ca.issue("press-1").clientAuth().issue();
    HeldCertificate bad = ca.issue("press-2").clientAuth().issue();
    ca.revoke(bad.certificate().getSerialNumber());
    start(TlsContexts.forServer(server2.privateKey(), server2.chain()).trustedCertificates(List.of(ca.certificate()))
        .clientAuth(ClientAuth.REQUIRE).crl(List.of(ca.crl(Duration.ofDays(7)))));
    TlsContexts.ClientBuilder trusting = TlsContexts.forClient().trustedCertificates(List.of(ca.certificate()));
    assertThatThrownBy(() -> exchange(TlsContexts.forClient().trustedCertificates(List.of(ca.certificate()))
        .identity(bad.privateKey(), bad.chain()).build(), "localhost", server.port())).isInstanceOf(IOException.class);
    assertThat(server.nextOutcome()).startsWith("failed: ");
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.CertificateRejected).singleElement()
        .isInstanceOfSatisfying(SecurityEvent.CertificateRejected.class, e -> assertThat(e.reason()).isEqualTo("certificate serial " + bad.certificate().getSerialNumber().toString(16)
            + " (CN=press-2) is revoked by the CRL from CN=Revoking CA"));
    exchange(trusting.identity(good.privateKey(), good.chain()).build(), "localhost", server.port());
    assertThat(server.nextOutcome()).isEqualTo("client CN=press-1 over TLSv1.3");
  }

  @Test
  void overdueCrl_failsClosedByDefault_withAnEvent() throws Exception {
    MutableClock clock = new MutableClock(Instant.now().plus(Duration.ofDays(2)));
    start(mtls().crl(List.of(CA.crl(Duration.ofDays(1)))).clock(clock));
    assertThatThrownBy(() -> exchange(client(PRESS), "localhost", server.port())).isInstanceOf(IOException.class);
    assertThat(server.nextOutcome()).startsWith("failed: ");
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.CrlOverdue).singleElement()
        .isInstanceOfSatisfying(SecurityEvent.CrlOverdue.class, e -> {
          assertThat(e.issuer()).isEqualTo("CN=Factory CA");
          assertThat(e.stillInForce()).isFalse();
        });
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.CertificateRejected).singleElement()
        .isInstanceOfSatisfying(SecurityEvent.CertificateRejected.class, e ->
            assertThat(e.reason()).startsWith("the CRL from CN=Factory CA is overdue (nextUpdate "));
  }

  @Test
  void overdueCrl_withinTheGracePeriod_isStillUsed_withAnEvent() throws Exception {
    MutableClock clock = new MutableClock(Instant.now().plus(Duration.ofDays(2)));
    start(mtls().crl(List.of(CA.crl(Duration.ofDays(1)))).crlGracePeriod(Duration.ofDays(3)).clock(clock));
    exchange(client(PRESS), "localhost", server.port());
    assertThat(server.nextOutcome()).isEqualTo("client CN=press-42 over TLSv1.3");
    exchange(client(PRESS), "localhost", server.port());
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.CrlOverdue).singleElement()
        .isInstanceOfSatisfying(SecurityEvent.CrlOverdue.class, e -> assertThat(e.stillInForce()).isTrue());
    clock.advance(Duration.ofDays(3));
    assertThatThrownBy(() -> exchange(client(PRESS), "localhost", server.port())).isInstanceOf(IOException.class);
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.CrlOverdue).hasSize(2);
  }

  @Test
  void tls11Client_isRefused() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()));
    SSLContext old = SSLContext.getInstance("TLS");
    old.init(null, client(null).trustManagerFactory().getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) old.getSocketFactory().createSocket("localhost", server.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.1"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
    }
    assertThat(tls.sslParameters().getProtocols()).doesNotContain("TLSv1.1", "TLSv1", "SSLv3");
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).minimumVersion("TLSv1.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minimum TLS version must be TLSv1.2 or TLSv1.3, was \"TLSv1.1\" (SSL 3.0, TLS 1.0 and 1.1 "
            + "are broken and are never enabled)");
  }

  @Test
  void minimumTls13_tls12OnlyClient_isRefused() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).minimumVersion("TLSv1.3"));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, client(null).trustManagerFactory().getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", server.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void hostnameVerification_wrongName_isRefused_unlessTurnedOff() throws Exception {
    HeldCertificate elsewhere = CA.issue("elsewhere").dnsNames("broker.example").serverAuth().issue();
    start(TlsContexts.forServer(elsewhere.privateKey(), elsewhere.chain()));
    ClientTls verifying = client(null);
    assertThat(verifying.verifiesHostname()).isTrue();
    assertThatThrownBy(() -> exchange(verifying, "localhost", server.port()))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("No subject alternative DNS name matching localhost");
    ClientTls lax = TlsContexts.forClient().trustedCertificates(List.of(CA.certificate()))
        .insecureSkipHostnameVerification().build();
    assertThat(exchange(lax, "localhost", server.port())).isEqualTo(elsewhere.certificate());
  }

  @Test
  void hostnameVerification_byIpAddress_matchesTheIpSan() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()));
    assertThat(exchange(client(null), "127.0.0.1", server.port())).isEqualTo(SERVER.certificate());
  }

  @Test
  void checkClientChain_givesTheSameAnswersAsTheHandshake() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Chain CA", Duration.ofDays(30));
    HeldCertificate good = ca.issue("press-1").clientAuth().issue();
    HeldCertificate bad = ca.issue("press-2").clientAuth().issue();
    ca.revoke(bad.certificate().getSerialNumber());
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).trustedCertificates(List.of(ca.certificate()))
        .clientAuth(ClientAuth.REQUIRE).crl(List.of(ca.crl(Duration.ofDays(7)))));
    X509Certificate[] goodChain = good.chain().toArray(new X509Certificate[0]);
    assertThat(tls.checkClientChain(goodChain).allowed()).isTrue();
    assertThat(tls.checkClientChain(bad.chain().toArray(new X509Certificate[0])).reason())
        .endsWith("(CN=press-2) is revoked by the CRL from CN=Chain CA");
    assertThat(tls.checkClientChain(PRESS.chain().toArray(new X509Certificate[0])).allowed()).isFalse();
    assertThat(tls.checkClientChain(new X509Certificate[0]).reason()).isEqualTo("no client certificate");
  }

  /**
   * openssl's s_client, a TLS stack no one here wrote, completes a TLS 1.2 handshake and then asks for a
   * renegotiation ({@code R} on its input): the server answers with a handshake_failure alert (40).
   */
  @Test
  void clientInitiatedRenegotiation_isRefused() throws Exception {
    start(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()));
    assertThat(System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation")).isEqualTo("true");
    Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
        "-tls1_2", "-servername", "localhost").redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        out.append(new String(openssl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException e) {
        out.append("read failed: ").append(e);
      }
    });
    reader.start();
    assertThat(server.nextOutcome()).isEqualTo("no client certificate over TLSv1.2");
    openssl.getOutputStream().write("R\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    openssl.getOutputStream().flush();
    boolean ended = openssl.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    if (!ended) {
      openssl.destroyForcibly();
    }
    reader.join(5000);
    assertThat(ended).as("openssl ended after the refusal").isTrue();
    assertThat(out.toString()).contains("RENEGOTIATING").contains("alert handshake failure")
        .contains("SSL alert number 40");
  }
}
