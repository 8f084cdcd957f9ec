/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client's identity as handshakes see it: replaced for the next handshake (no resumed session keeps the old
 * one), the generation a handshake in flight took, the key types it can sign for, and the socket factory that
 * client libraries such as Eclipse Paho are given.
 */
class ClientIdentityTest {

  static final CertificateAuthority CA = CertificateAuthority.create("CN=Identity CA", Duration.ofDays(30));
  static final HeldCertificate SERVER = CA.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1")
      .serverAuth().issue();
  static LoopbackServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new LoopbackServer(TlsContexts.forServer(SERVER.privateKey(), SERVER.chain())
        .trustedCertificates(List.of(CA.certificate())).clientAuth(ClientAuth.REQUIRE).build());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static ClientTls holding(HeldCertificate device) {
    return TlsContexts.forClient().trustedCertificates(List.of(CA.certificate()))
        .identity(device.privateKey(), device.chain()).build();
  }

  static String handshake(Socket socket) throws Exception {
    try (socket; InputStream in = socket.getInputStream()) {
      assertThat(in.read()).isEqualTo('!');
    }
    return server.nextOutcome();
  }

  @Test
  void aReplacedIdentity_isPresentedAtTheNextHandshake_notAResumedSessionOfTheOldOne() throws Exception {
    ClientTls tls = holding(CA.issue("press-81").clientAuth().issue());
    assertThat(handshake(tls.connect("127.0.0.1", server.port()))).contains("CN=press-81");
    assertThat(handshake(tls.connect("127.0.0.1", server.port()))).as("a resumed session").contains("CN=press-81");
    HeldCertificate next = CA.issue("press-82").clientAuth().issue();
    tls.replaceIdentity(next.privateKey(), next.chain());
    assertThat(handshake(tls.connect("127.0.0.1", server.port()))).contains("CN=press-82");
    assertThat(tls.identityChain()).containsExactly(next.certificate());
  }

  @Test
  void theSocketFactory_connectsWithTheIdentity_andChecksTheHostName() throws Exception {
    ClientTls tls = holding(CA.issue("press-83").clientAuth().issue());
    SSLSocketFactory factory = tls.socketFactory();
    assertThat(factory.getDefaultCipherSuites()).isNotEmpty().isEqualTo(factory.getSupportedCipherSuites())
        .allMatch(s -> s.startsWith("TLS_"));
    assertThat(handshake(factory.createSocket("127.0.0.1", server.port()))).contains("CN=press-83");
    Socket unconnected = factory.createSocket(); // as Paho makes it
    unconnected.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    ((SSLSocket) unconnected).startHandshake();
    assertThat(handshake(unconnected)).contains("CN=press-83");
    assertThat(handshake(factory.createSocket(java.net.InetAddress.getLoopbackAddress(), server.port())))
        .contains("CN=press-83");
    try (Socket plain = new Socket("127.0.0.1", server.port())) {
      assertThat(handshake(factory.createSocket(plain, "127.0.0.1", server.port(), true))).contains("CN=press-83");
    }
    try (SSLSocket s = (SSLSocket) factory.createSocket("127.0.0.1", server.port())) {
      assertThat(s.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }
    server.nextOutcome(); // closed before its handshake

    // a server certificate for another name: refused, unless host names are not checked
    HeldCertificate elsewhere = CA.issue("broker.elsewhere").dnsNames("broker.elsewhere").serverAuth().issue();
    try (LoopbackServer other = new LoopbackServer(TlsContexts.forServer(elsewhere.privateKey(), elsewhere.chain())
        .build())) {
      assertThatThrownBy(() -> handshakeWith(tls.socketFactory(), other.port()))
          .isInstanceOf(SSLHandshakeException.class);
      other.nextOutcome();
      ClientTls lax = TlsContexts.forClient().trustedCertificates(List.of(CA.certificate()))
          .insecureSkipHostnameVerification().build();
      handshakeWith(lax.socketFactory(), other.port());
      assertThat(other.nextOutcome()).startsWith("no client certificate");
    }
  }

  static void handshakeWith(SSLSocketFactory factory, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) factory.createSocket("127.0.0.1", port)) {
      s.startHandshake();
      assertThat(s.getInputStream().read()).isEqualTo('!');
    }
  }

  @Test
  void theKeyManager_servesTheGenerationAHandshakeTook_andOnlyKeyTypesItCanSignFor() throws Exception {
    HeldCertificate ec = CA.issue("press-84").clientAuth().issue();
    ClientTls tls = holding(ec);
    X509ExtendedKeyManager km = (X509ExtendedKeyManager) tls.keyManagerFactory().getKeyManagers()[0];
    String first = km.chooseClientAlias(new String[] {"RSA", "EC"}, null, null);
    assertThat(km.getClientAliases("EC", null)).containsExactly(first);
    assertThat(km.getClientAliases("RSA", null)).isNull();
    assertThat(km.chooseClientAlias(null, null, null)).isNull();
    HeldCertificate rsa = CA.issue("press-85").clientAuth().rsa(2048).issue();
    tls.replaceIdentity(rsa.privateKey(), rsa.chain());
    String second = km.chooseEngineClientAlias(new String[] {"EC", "RSASSA-PSS"}, null, null);
    assertThat(second).isNotEqualTo(first);
    assertThat(km.chooseClientAlias(new String[] {"EC"}, null, null)).as("an RSA key signs no ECDSA").isNull();
    assertThat(km.getCertificateChain(first)).as("a handshake in flight keeps its generation")
        .containsExactly(ec.certificate());
    assertThat(km.getPrivateKey(first)).isEqualTo(ec.privateKey());
    assertThat(km.getCertificateChain(second)).containsExactly(rsa.certificate());
    HeldCertificate third = CA.issue("press-86").clientAuth().issue();
    tls.replaceIdentity(third.privateKey(), third.chain());
    assertThat(km.getCertificateChain(first)).as("two generations back: gone").isNull();
    assertThat(km.getPrivateKey("no-such-alias")).isNull();
    assertThat(km.getServerAliases("EC", null)).isNull();
    assertThat(km.chooseServerAlias("EC", null, null)).isNull();
    assertThat(km.chooseEngineServerAlias("EC", null, null)).isNull();
    assertThat(km.toString()).contains("CN=press-86").doesNotContain("PRIVATE");

    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("Ed25519");
    java.security.KeyPair ed = g.generateKeyPair();
    io.mqttsec.ca.CertificateAuthority edCa = CA;
    java.security.cert.X509Certificate edCert = edCa.request(CertificateRequest.pem(CertificateRequest.der("press-87",
        ed.getPublic(), ed.getPrivate())), "ed.csr").clientAuth().sign().get(0);
    tls.replaceIdentity(ed.getPrivate(), List.of(edCert));
    assertThat(km.chooseClientAlias(new String[] {"EdDSA"}, null, null)).isNotNull();
    assertThat(km.chooseClientAlias(new String[] {"RSA"}, null, null)).isNull();
  }
}
