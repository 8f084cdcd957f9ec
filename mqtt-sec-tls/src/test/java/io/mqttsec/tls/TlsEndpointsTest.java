/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static io.mqttsec.tls.TlsHandshakeTest.CA;
import static io.mqttsec.tls.TlsHandshakeTest.IMPOSTOR;
import static io.mqttsec.tls.TlsHandshakeTest.PRESS;
import static io.mqttsec.tls.TlsHandshakeTest.SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.HeldCertificate;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each end hands a TLS stack it does not own: a client's parameters (host name checks, SNI) and a
 * connection that refuses at connect, a server's parameters and engines, and the key and trust stores written
 * for a broker that does its own handshakes.
 */
class TlsEndpointsTest {

  @TempDir
  Path dir;

  @Test
  void aClient_checksTheHostName_andSendsSniForNamesOnly() {
    ClientTls client = TlsHandshakeTest.client(PRESS);
    assertThat(client.verifiesHostname()).isTrue();
    SSLParameters byName = client.sslParameters("broker.factory");
    assertThat(byName.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(byName.getServerNames()).containsExactly(new SNIHostName("broker.factory"));
    assertThat(client.sslParameters("127.0.0.1").getServerNames()).as("no SNI for an address").isNullOrEmpty();
    assertThat(client.sslParameters("").getServerNames()).isNullOrEmpty();
    assertThat(client.sslParameters(null).getServerNames()).isNullOrEmpty();
    assertThat(byName.getProtocols()).containsExactlyElementsOf(client.protocols());
    assertThat(client.keyManagerFactory()).isNotNull();
    assertThat(client.sslContext()).isNotNull();
    SSLEngine engine = client.newEngine("broker.factory", 8883);
    assertThat(engine.getUseClientMode()).isTrue();
    assertThat(engine.getSSLParameters().getServerNames()).containsExactly(new SNIHostName("broker.factory"));
    assertThat(client).hasToString("ClientTls{protocols=" + String.join(",", client.protocols())
        + ", verifyHostname=true, clientCertificate=true}");

    ClientTls lax = TlsContexts.forClient().trustedCertificates(List.of(CA.certificate()))
        .insecureSkipHostnameVerification().build();
    assertThat(lax.verifiesHostname()).isFalse();
    assertThat(lax.sslParameters("broker.factory").getEndpointIdentificationAlgorithm()).isNull();
    assertThat(lax.keyManagerFactory()).as("no client certificate").isNull();
  }

  @Test
  void connect_completesTheHandshake_soARefusalThrowsThere() throws Exception {
    try (ServerTls tls = TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).build();
         LoopbackServer server = new LoopbackServer(tls)) {
      ClientTls stranger = TlsContexts.forClient().trustedCertificates(List.of(IMPOSTOR.certificate())).build();
      assertThatThrownBy(() -> stranger.connect("localhost", server.port()))
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(server.nextOutcome()).startsWith("failed: ");
    }
  }

  /**
   * The engine path a broker with its own event loop takes (Moquette's listener): a device certificate from the
   * trusted CA completes the handshake, one from another CA of the same name is refused by the server.
   */
  @Test
  void serverEngines_verifyClientCertificates_asSocketsDo() throws Exception {
    try (ServerTls tls = TlsContexts.forServer(SERVER.privateKey(), SERVER.chain())
        .trustedCertificates(List.of(CA.certificate())).clientAuth(ClientAuth.REQUIRE).build()) {
      SSLEngine server = tls.newEngine();
      handshake(TlsHandshakeTest.client(PRESS).newEngine("localhost", 8883), server);
      assertThat(server.getSession().getPeerCertificates()[0]).isEqualTo(PRESS.certificate());

      assertThatThrownBy(() -> handshake(TlsHandshakeTest.client(PRESS).newEngine("wrong.example", 8883),
          tls.newEngine())).as("a client engine checks the server's name").isInstanceOf(
          javax.net.ssl.SSLException.class);

      HeldCertificate stranger = IMPOSTOR.issue("press-42").clientAuth().issue();
      assertThatThrownBy(() -> handshake(TlsHandshakeTest.client(stranger).newEngine("localhost", 8883),
          tls.newEngine())).isInstanceOf(javax.net.ssl.SSLException.class);
    }
  }

  /** Runs two engines against each other in memory until both are done; throws what either throws. */
  private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
    java.nio.ByteBuffer clientToServer = java.nio.ByteBuffer.allocate(1 << 17);
    java.nio.ByteBuffer serverToClient = java.nio.ByteBuffer.allocate(1 << 17);
    java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(1 << 17);
    client.beginHandshake();
    server.beginHandshake();
    for (int turn = 0; turn < 200; turn++) {
      boolean clientDone = advance(client, serverToClient, clientToServer, sink);
      boolean serverDone = advance(server, clientToServer, serverToClient, sink);
      if (clientDone && serverDone) {
        return;
      }
    }
    throw new AssertionError("no end to the handshake: " + client.getHandshakeStatus() + " / "
        + server.getHandshakeStatus());
  }

  /** One engine reads what came in, runs its tasks and writes what it must; true when it is no longer handshaking. */
  private static boolean advance(SSLEngine engine, java.nio.ByteBuffer in, java.nio.ByteBuffer out,
                                 java.nio.ByteBuffer sink) throws Exception {
    in.flip();
    engine.unwrap(in, sink);
    in.compact();
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
    engine.wrap(java.nio.ByteBuffer.allocate(0), out);
    sink.clear();
    javax.net.ssl.SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
    return status == javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        || status == javax.net.ssl.SSLEngineResult.HandshakeStatus.FINISHED;
  }

  @Test
  void aServer_asksForClientCertificatesAsConfigured() {
    for (ClientAuth mode : ClientAuth.values()) {
      TlsContexts.ServerBuilder b = TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).clientAuth(mode);
      if (mode != ClientAuth.NONE) {
        b.trustedCertificates(List.of(CA.certificate()));
      }
      try (ServerTls tls = b.build()) {
        SSLParameters p = tls.sslParameters();
        assertThat(p.getNeedClientAuth()).as("%s need", mode).isEqualTo(mode == ClientAuth.REQUIRE);
        assertThat(p.getWantClientAuth()).as("%s want", mode).isEqualTo(mode == ClientAuth.OPTIONAL);
        assertThat(p.getUseCipherSuitesOrder()).isTrue();
        SSLEngine engine = tls.newEngine();
        assertThat(engine.getUseClientMode()).isFalse();
        assertThat(engine.getNeedClientAuth()).isEqualTo(mode == ClientAuth.REQUIRE);
        assertThat(engine.getWantClientAuth()).isEqualTo(mode == ClientAuth.OPTIONAL);
        assertThat(tls.sslContext()).isNotNull();
        assertThat(tls.certificateChain()).isEqualTo(SERVER.chain());
        assertThat(tls.trustedCertificates()).isEqualTo(mode == ClientAuth.NONE ? List.of()
            : List.of(CA.certificate()));
      }
    }
  }

  @Test
  void theKeyStoreForABroker_holdsKeyAndChain_ownerOnly_andIsRewrittenOnlyWhenItChanges() throws Exception {
    Path store = dir.resolve("broker.p12");
    Path trust = dir.resolve("trust.p12");
    char[] password = "store secret".toCharArray();
    try (ServerTls tls = TlsContexts.forServer(SERVER.privateKey(), SERVER.chain())
        .trustedCertificates(List.of(CA.certificate())).clientAuth(ClientAuth.REQUIRE).build()) {
      tls.toPkcs12(store, password);
      KeyStore keys = open(store, password);
      assertThat(keys.size()).isEqualTo(1);
      assertThat(keys.getKey("mqtt-sec", password).getEncoded()).isEqualTo(SERVER.privateKey().getEncoded());
      assertThat(List.of(keys.getCertificateChain("mqtt-sec"))).isEqualTo(SERVER.chain());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rw-------");
      byte[] first = Files.readAllBytes(store);
      tls.toPkcs12(store, password);
      assertThat(Files.readAllBytes(store)).as("the same key and chain: not rewritten").isEqualTo(first);
      char[] other = "another secret".toCharArray();
      tls.toPkcs12(store, other);
      assertThat(open(store, other).size()).as("another password: rewritten").isEqualTo(1);
      Files.writeString(store, "not a key store");
      tls.toPkcs12(store, password);
      assertThat(open(store, password).size()).as("a broken file: rewritten").isEqualTo(1);

      tls.trustStoreToPkcs12(trust, password);
      KeyStore trusted = open(trust, password);
      assertThat(trusted.size()).isEqualTo(1);
      assertThat(trusted.getCertificate(trusted.aliases().nextElement())).isEqualTo(CA.certificate());
      byte[] trustBytes = Files.readAllBytes(trust);
      tls.trustStoreToPkcs12(trust, password);
      assertThat(Files.readAllBytes(trust)).isEqualTo(trustBytes);
    }
    HeldCertificate renewed = CA.issue("broker").dnsNames("localhost").serverAuth().issue();
    try (ServerTls tls = TlsContexts.forServer(renewed.privateKey(), renewed.chain()).build()) {
      tls.toPkcs12(store, password);
      assertThat(List.of(open(store, password).getCertificateChain("mqtt-sec"))).as("a new certificate: rewritten")
          .isEqualTo(renewed.chain());
    }
  }

  private static KeyStore open(Path file, char[] password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }

  @Test
  void reloadCallbacks_runAfterAGoodReloadOnly() throws Exception {
    TlsReloadTest.write(dir, SERVER);
    java.util.concurrent.atomic.AtomicInteger reloads = new java.util.concurrent.atomic.AtomicInteger();
    try (ServerTls tls = TlsContexts.forServer(dir.resolve("server.pem"), dir.resolve("server.key")).build()) {
      tls.onReload(reloads::incrementAndGet);
      assertThat(tls.reload()).isTrue();
      assertThat(reloads).hasValue(1);
      TlsReloadTest.replace(dir.resolve("server.key"), "not a key\n");
      assertThat(tls.reload()).isFalse();
      assertThat(reloads).as("a refused reload runs no callback").hasValue(1);
      assertThat(tls.certificateChain()).isEqualTo(SERVER.chain());
    }
  }

  @Test
  void expiryThresholds_countFromTheirExactDay_andOnlyBelowTheCertificatesLifetime() {
    HeldCertificate month = CA.issue("broker").serverAuth().validity(Duration.ofDays(60)).issue();
    HeldCertificate probe = CA.issue("broker").serverAuth().validity(Duration.ofDays(7)).issue();
    Duration backdated = Duration.between(probe.certificate().getNotBefore().toInstant(),
        probe.certificate().getNotAfter().toInstant()).minusDays(7);
    HeldCertificate week = CA.issue("broker").serverAuth().validity(Duration.ofDays(7).minus(backdated)).issue();
    assertThat(Duration.between(week.certificate().getNotBefore().toInstant(),
        week.certificate().getNotAfter().toInstant())).as("a lifetime of exactly 7 days").isEqualTo(Duration.ofDays(7));
    for (HeldCertificate cert : List.of(month, week)) {
      MutableClock clock = new MutableClock(cert.certificate().getNotAfter().toInstant()
          .minus(Duration.ofDays(cert == month ? 14 : 7)));
      List<io.mqttsec.api.SecurityEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (ServerTls tls = TlsContexts.forServer(cert.privateKey(), cert.chain()).listener(events::add)
          .clock(clock).build()) {
        assertThat(events).as(cert == month ? "14 days left exactly: the 14-day threshold"
            : "a 7-day certificate at 7 days left: its own lifetime is no warning").hasSize(cert == month ? 1 : 0);
      }
    }
  }

  @Test
  void anExpiringServerCertificate_isReportedOncePerThreshold() {
    HeldCertificate cert = CA.issue("broker").dnsNames("localhost").serverAuth().validity(Duration.ofDays(60))
        .issue();
    MutableClock clock = new MutableClock(cert.certificate().getNotAfter().toInstant().minus(Duration.ofDays(10)));
    List<io.mqttsec.api.SecurityEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ServerTls tls = TlsContexts.forServer(cert.privateKey(), cert.chain()).listener(events::add).clock(clock)
        .build()) {
      assertThat(events).as("10 days left: the 14-day threshold, at build").singleElement()
          .isInstanceOfSatisfying(io.mqttsec.api.SecurityEvent.CertificateExpiring.class,
              e -> assertThat(e.subject()).contains("broker"));
      tls.checkExpiry();
      assertThat(events).as("the same threshold again: nothing").hasSize(1);
      clock.advance(Duration.ofDays(4));
      tls.checkExpiry();
      assertThat(events).as("6 days left: the 7-day threshold").hasSize(2);
    }
  }
}
