/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static io.mqttsec.tls.TlsHandshakeTest.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.api.SecurityEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation without a restart: new files reach the next handshake, broken ones are refused. */
class TlsReloadTest {

  static final CertificateAuthority CA = TlsHandshakeTest.CA;

  @TempDir
  Path dir;
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

  static HeldCertificate serverCertificate(String cn) {
    return CA.issue(cn).dnsNames("localhost").serverAuth().issue();
  }

  /** Writes {@code text} to a temp file beside {@code file}, then renames it over, as a careful operator does. */
  static void replace(Path file, String text) throws IOException {
    Path temp = Files.createTempFile(file.getParent(), ".new", ".tmp");
    Files.writeString(temp, text, StandardCharsets.US_ASCII);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void write(Path dir, HeldCertificate held) throws IOException {
    replace(dir.resolve("server.pem"), Pem.encode(held.chain()));
    replace(dir.resolve("server.key"), Pem.encodePrivateKey(held.privateKey()));
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private X509Certificate presented() {
    try {
      return exchange(TlsHandshakeTest.client(null), "localhost", server.port());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private void start(Path chain, Path key) throws IOException {
    tls = TlsContexts.forServer(chain, key).reloadOnChange(true).pollInterval(Duration.ofMillis(50))
        .listener(events::add).build();
    server = new LoopbackServer(tls);
  }

  @Test
  void rotation_newChainAndKey_reachTheNextHandshake_brokenKeyKeepsTheLastGood() throws Exception {
    HeldCertificate first = serverCertificate("broker-2026");
    write(dir, first);
    start(dir.resolve("server.pem"), dir.resolve("server.key"));
    assertThat(presented()).isEqualTo(first.certificate());

    HeldCertificate second = serverCertificate("broker-2027");
    write(dir, second);
    await(() -> presented().equals(second.certificate()), "the rotated certificate");
    assertThat(tls.certificateChain()).containsExactly(second.certificate());
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.PolicyReloaded).isNotEmpty();

    events.clear();
    replace(dir.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    await(() -> events.stream().anyMatch(e -> e instanceof SecurityEvent.PolicyReloadFailed), "a failed reload");
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.PolicyReloadFailed).first()
        .isInstanceOfSatisfying(SecurityEvent.PolicyReloadFailed.class, e -> {
          assertThat(e.source()).endsWith("server.key");
          assertThat(e.error()).startsWith(dir.resolve("server.key") + ":1: malformed PRIVATE KEY block")
              .endsWith("; the previous certificate, key, CAs and CRLs stay in force");
        });
    assertThat(presented()).isEqualTo(second.certificate());

    // a key from another certificate: refused as a mismatch, the last good pair stays
    events.clear();
    replace(dir.resolve("server.key"), Pem.encodePrivateKey(first.privateKey()));
    await(() -> events.stream().anyMatch(e -> e instanceof SecurityEvent.PolicyReloadFailed), "a mismatch");
    assertThat(((SecurityEvent.PolicyReloadFailed) events.stream()
        .filter(e -> e instanceof SecurityEvent.PolicyReloadFailed).findFirst().orElseThrow()).error())
        .startsWith(dir.resolve("server.key") + ": key does not match the certificate's public key ("
            + dir.resolve("server.pem") + ": CN=broker-2027)");
    assertThat(presented()).isEqualTo(second.certificate());
  }

  @Test
  void rotation_kubernetesSymlinkSwap_isSeen() throws Exception {
    // the layout kubelet writes for a mounted secret: files -> ..data/files, ..data -> ..2026_11_22_1
    HeldCertificate first = serverCertificate("broker-a");
    Path v1 = Files.createDirectory(dir.resolve("..2026_11_22_1"));
    write(v1, first);
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Files.createSymbolicLink(dir.resolve("server.pem"), Path.of("..data/server.pem"));
    Files.createSymbolicLink(dir.resolve("server.key"), Path.of("..data/server.key"));
    start(dir.resolve("server.pem"), dir.resolve("server.key"));
    assertThat(presented()).isEqualTo(first.certificate());

    HeldCertificate second = serverCertificate("broker-b");
    Path v2 = Files.createDirectory(dir.resolve("..2026_11_22_2"));
    write(v2, second);
    Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    await(() -> presented().equals(second.certificate()), "the swapped certificate");
  }

  @Test
  void crlReload_revokesAConnectedDevice_evenOnSessionResumption() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Reload CA", Duration.ofDays(3650));
    HeldCertificate press = ca.issue("press-7").clientAuth().issue();
    Path crl = dir.resolve("ca.crl");
    replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
    tls = LoopbackServer.forServer(serverCertificate("broker")).trustedCertificates(List.of(ca.certificate()))
        .clientAuth(ClientAuth.REQUIRE).crl(crl).listener(events::add).build();
    server = new LoopbackServer(tls);
    // one client context throughout, so its session cache could offer resumption
    ClientTls device = TlsContexts.forClient().trustedCertificates(List.of(CA.certificate())).identity(press.privateKey(), press.chain())
        .build();
    exchange(device, "localhost", server.port());
    exchange(device, "localhost", server.port());
    assertThat(server.nextOutcome()).isEqualTo("client CN=press-7 over TLSv1.3");
    assertThat(server.nextOutcome()).isEqualTo("client CN=press-7 over TLSv1.3");

    ca.revoke(press.certificate().getSerialNumber());
    replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
    assertThat(tls.reload()).isTrue();
    assertThatThrownBy(() -> exchange(device, "localhost", server.port())).isInstanceOf(IOException.class);
    assertThat(server.nextOutcome()).startsWith("failed: ");
  }

  @Test
  void crlFromAnUntrustedIssuer_isRefusedAtBuild_andAtReload() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Trusted CA", Duration.ofDays(3650));
    CertificateAuthority forger = CertificateAuthority.create("CN=Trusted CA", Duration.ofDays(3650));
    CertificateAuthority stranger = CertificateAuthority.create("CN=Stranger CA", Duration.ofDays(3650));
    Path crl = dir.resolve("ca.crl");
    replace(crl, Pem.encode(stranger.crl(Duration.ofDays(7))));
    TlsContexts.ServerBuilder builder = LoopbackServer.forServer(serverCertificate("broker"))
        .trustedCertificates(List.of(ca.certificate())).clientAuth(ClientAuth.REQUIRE).crl(crl);
    assertThatThrownBy(builder::build)
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class)
        .hasMessage(crl + ": CRL #1 from CN=Stranger CA is from an issuer that is not among the trusted "
            + "certificates (add the issuing CA, intermediate included, to the trusted bundle)");

    replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
    tls = LoopbackServer.forServer(serverCertificate("broker")).trustedCertificates(List.of(ca.certificate()))
        .clientAuth(ClientAuth.REQUIRE).crl(crl).listener(events::add).build();
    replace(crl, Pem.encode(forger.crl(Duration.ofDays(7))));
    assertThat(tls.reload()).isFalse();
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.PolicyReloadFailed).singleElement()
        .isInstanceOfSatisfying(SecurityEvent.PolicyReloadFailed.class, e -> assertThat(e.error())
            .startsWith(crl + ": CRL #1 from CN=Trusted CA has a signature that no trusted certificate of that "
                + "name verifies"));
  }

  @Test
  void expiryMonitor_warnsOncePerThreshold() {
    MutableClock clock = new MutableClock(Instant.now());
    CertificateAuthority ca = CertificateAuthority.create("CN=Expiry CA", Duration.ofDays(3650), clock);
    HeldCertificate held = ca.issue("broker").serverAuth().validity(Duration.ofDays(90)).issue();
    tls = TlsContexts.forServer(held.privateKey(), held.chain()).listener(events::add).clock(clock).build();
    assertThat(events).isEmpty();
    List<Long> expected = List.of(30L, 14L, 7L, 1L);
    long[] daysLeft = {90};
    for (long at : new long[] {59, 61, 70, 76, 77, 83, 89, 89, 95}) {
      clock.advance(Duration.ofDays(at - (90 - daysLeft[0])));
      daysLeft[0] = 90 - at;
      tls.checkExpiry();
    }
    assertThat(events).hasSize(expected.size()).allSatisfy(e ->
        assertThat(e).isInstanceOfSatisfying(SecurityEvent.CertificateExpiring.class, x -> {
          assertThat(x.what()).isEqualTo("server");
          assertThat(x.subject()).isEqualTo("CN=broker");
          assertThat(x.notAfter()).isEqualTo(held.certificate().getNotAfter().toInstant());
        }));
  }

  @Test
  void olderCrl_isRefusedOnReload() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Trusted CA", Duration.ofDays(30));
    Path crl = dir.resolve("ca.crl");
    String first = Pem.encode(ca.crl(Duration.ofDays(7)));
    replace(crl, first);
    tls = LoopbackServer.forServer(ca.issue("broker").serverAuth().issue()).trustedCertificates(List.of(ca.certificate()))
        .clientAuth(ClientAuth.REQUIRE).crl(crl).listener(events::add).build();
    replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
    assertThat(tls.reload()).isTrue();
    replace(crl, first);
    assertThat(tls.reload()).isFalse();
    assertThat(events).filteredOn(e -> e instanceof SecurityEvent.PolicyReloadFailed).singleElement()
        .isInstanceOfSatisfying(SecurityEvent.PolicyReloadFailed.class, e -> assertThat(e.error())
            .contains("the CRL from CN=Trusted CA (CRL number 1, ").contains("in force (CRL number 2, "));
  }
}
