/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.ca.BootstrapPasswords;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.EstServer;
import io.mqttsec.ca.HeldCertificate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device's side of enrollment against mqtt-sec-ca's EST server on 127.0.0.1: certificate requests written on the
 * JDK, the EST client, and the renewer swapping the renewed identity into a live {@link ClientTls}.
 */
class EnrollmentTest {

  static final char[] PASSPHRASE = "enrollment test".toCharArray();

  @TempDir
  static Path dir;
  static CertificateAuthority ca;
  static EstServer est;
  static final List<SecurityEvent> serverEvents = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    CertificateAuthority.create("CN=Enrollment CA", Duration.ofDays(3650)).save(dir, PASSPHRASE);
    ca = CertificateAuthority.load(dir, PASSPHRASE);
    est = EstServer.builder(ca, dir).validity(Duration.ofDays(90)).listener(serverEvents::add).start();
  }

  @AfterAll
  static void stop() {
    est.close();
  }

  @BeforeEach
  void clear() {
    serverEvents.clear();
  }

  /** Revokes {@code device} as another process would: {@code mqtt-sec ca revoke} on the CA folder. */
  static void revoke(HeldCertificate device) {
    CertificateAuthority admin = CertificateAuthority.load(dir, PASSPHRASE);
    admin.revoke(device.certificate().getSerialNumber());
    admin.save(dir, PASSPHRASE);
  }

  static EstClient client(ClientTls tls) {
    return EstClient.of(URI.create("https://127.0.0.1:" + est.port()), tls);
  }

  static ClientTls trusting() {
    return TlsContexts.forClient().trustedCertificates(List.of(ca.certificate())).build();
  }

  static ClientTls holding(HeldCertificate device) {
    return TlsContexts.forClient().trustedCertificates(List.of(ca.certificate()))
        .identity(device.privateKey(), device.chain()).build();
  }

  static KeyPair keys(String algorithm, int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (bits > 0) {
      g.initialize(bits);
    }
    return g.generateKeyPair();
  }

  @Test
  void certificateRequest_ofEveryKeyType_isReadByTheCa_andByOpenssl() throws Exception {
    for (KeyPair keys : List.of(keys("EC", 256), keys("RSA", 2048), keys("Ed25519", 0))) {
      byte[] der = CertificateRequest.der("press-Ω-1", keys.getPublic(), keys.getPrivate());
      X509Certificate cert = ca.request(CertificateRequest.pem(der), "request").clientAuth().sign().get(0);
      assertThat(cert.getPublicKey()).isEqualTo(keys.getPublic());
      assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=press-Ω-1");
      Path file = Files.writeString(dir.resolve("request.pem"), CertificateRequest.pem(der));
      Process p = new ProcessBuilder("openssl", "req", "-in", file.toString(), "-verify", "-noout", "-subject",
          "-nameopt", "utf8").redirectErrorStream(true).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).as(keys.getPublic().getAlgorithm()).contains("subject=CN=press-Ω-1").containsIgnoringCase(
          "verify ok");
    }
  }

  @Test
  void certificateRequest_refusesACnTheCaWouldRefuse_andAKeyThatCannotSign() throws Exception {
    KeyPair keys = keys("EC", 256);
    assertThatThrownBy(() -> CertificateRequest.der("#0c0561646d696e", keys.getPublic(), keys.getPrivate()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a CN must not start with '#'");
    assertThatThrownBy(() -> CertificateRequest.der("", keys.getPublic(), keys.getPrivate()))
        .hasMessageStartingWith("a CN must not be empty");
    KeyPair other = keys("RSA", 2048);
    assertThatThrownBy(() -> CertificateRequest.der("x", keys.getPublic(), other.getPrivate()))
        .isInstanceOf(TlsConfigException.class).hasMessageStartingWith("cannot sign the certificate request");
  }

  @Test
  void estClient_enrollsOnceOnThePassword_andSaysWhyItIsRefusedThen() throws Exception {
    EstClient client = client(trusting());
    assertThat(client.cacerts()).containsExactly(ca.certificate());
    assertThat(EstClient.of(URI.create("https://127.0.0.1:" + est.port() + EstServer.PATH), trusting()).cacerts())
        .as("the URL as the server prints it").containsExactly(ca.certificate());
    String password = new BootstrapPasswords(dir).issue("press-31", Instant.now().plus(Duration.ofHours(1)));
    KeyPair keys = keys("EC", 256);
    byte[] request = CertificateRequest.der("press-31", keys.getPublic(), keys.getPrivate());
    List<X509Certificate> chain = client.enroll(request, "press-31", password.toCharArray());
    assertThat(chain.get(0).getPublicKey()).isEqualTo(keys.getPublic());
    assertThatThrownBy(() -> client.enroll(request, "press-31", password.toCharArray()))
        .isInstanceOfSatisfying(EstClient.Refused.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).isEqualTo("the EST server refused (401): no enrollment password is outstanding "
              + "for this CN (never issued, or used already)");
        });
    assertThatThrownBy(() -> EstClient.of(URI.create("http://127.0.0.1:1"), trusting()))
        .hasMessage("an EST server is an https URI, not http://127.0.0.1:1");
  }

  @Test
  void estClient_refusesAServerItDoesNotTrust() {
    CertificateAuthority other = CertificateAuthority.create("CN=Other CA", Duration.ofDays(10));
    EstClient client = client(TlsContexts.forClient().trustedCertificates(List.of(other.certificate())).build());
    assertThatThrownBy(client::cacerts).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void renewer_renewsADueCertificateOnItsOwn_andTheNextHandshakesPresentTheNewOne() throws Exception {
    HeldCertificate device = ca.issue("press-32").clientAuth().validity(Duration.ofDays(20)).issue();
    ClientTls tls = holding(device);
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    List<List<X509Certificate>> kept = new CopyOnWriteArrayList<>();
    try (CertificateRenewer renewer = CertificateRenewer.builder(client(tls), tls).jitter(Duration.ZERO)
        .onRenewed((key, chain) -> kept.add(chain)).listener(events::add).start()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      // the keeper is called before the swap, the event after it
      while (events.stream().noneMatch(e -> e instanceof SecurityEvent.CertificateRenewed)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(kept).as("renewed: 20 days left is within the default 30").hasSize(1);
      X509Certificate renewed = kept.get(0).get(0);
      assertThat(tls.identityChain()).containsExactly(renewed);
      assertThat(renewed.getSubjectX500Principal().getName()).isEqualTo("CN=press-32");
      assertThat(renewed.getPublicKey()).as("a new key").isNotEqualTo(device.certificate().getPublicKey());
      assertThat(events).hasSize(2);
      assertThat(events.get(0)).isInstanceOfSatisfying(SecurityEvent.CertificateExpiring.class,
          e -> assertThat(e.what()).isEqualTo("client"));
      assertThat(events.get(1)).isInstanceOfSatisfying(SecurityEvent.CertificateRenewed.class, e -> {
        assertThat(e.previousSerial()).isEqualTo(device.certificate().getSerialNumber().toString(16));
        assertThat(e.serial()).isEqualTo(renewed.getSerialNumber().toString(16));
      });
      assertThat(renewer.nextCheck()).as("next: when the 90-day certificate has 30 days left")
          .isAfter(Instant.now().plus(Duration.ofDays(59)));

      // the old certificate revoked: a renewal now succeeds only if the new one is what the handshake presents
      revoke(device);
      List<X509Certificate> again = renewer.renewNow();
      assertThat(serverEvents).last().isInstanceOf(SecurityEvent.CertificateEnrolled.class);
      assertThat(again.get(0).getSerialNumber()).isNotEqualTo(renewed.getSerialNumber());
    }
  }

  @Test
  void renewer_aRefusedRenewal_keepsTheCertificateInForce_andTriesAgainLater() throws Exception {
    HeldCertificate device = ca.issue("press-33").clientAuth().validity(Duration.ofDays(10)).issue();
    revoke(device);
    ClientTls tls = holding(device);
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    try (CertificateRenewer renewer = CertificateRenewer.builder(client(tls), tls).jitter(Duration.ZERO)
        .retry(Duration.ofMinutes(2), Duration.ofMinutes(30)).listener(events::add).start()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (events.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(events.get(1)).isInstanceOfSatisfying(SecurityEvent.RenewalFailed.class, e -> {
        assertThat(e.reason()).startsWith("the EST server refused (403): the certificate "
            + device.certificate().getSerialNumber().toString(16) + " was revoked at ");
        assertThat(Duration.between(e.time(), e.nextAttempt())).isBetween(Duration.ofMinutes(2),
            Duration.ofSeconds(144));
      });
      assertThat(tls.identityChain()).containsExactly(device.certificate());
      assertThat(renewer.nextCheck()).isAfter(Instant.now().plus(Duration.ofSeconds(100)));
    }
  }

  @Test
  void renewer_aKeeperThatFails_leavesTheOldIdentityInForce() throws Exception {
    HeldCertificate device = ca.issue("press-34").clientAuth().validity(Duration.ofDays(10)).issue();
    ClientTls tls = holding(device);
    CertificateRenewer renewer = CertificateRenewer.builder(client(tls), tls).onRenewed((key, chain) -> {
      throw new java.io.IOException("disk full");
    }).build();
    assertThatThrownBy(renewer::renewNow).hasMessage("disk full");
    assertThat(tls.identityChain()).containsExactly(device.certificate());
    renewer.close();
  }

  @Test
  void renewer_dueAt_aWindowOrAFractionOfTheLifetime() {
    HeldCertificate device = ca.issue("press-35").clientAuth().validity(Duration.ofDays(100)).issue();
    ClientTls tls = holding(device);
    Instant notAfter = device.certificate().getNotAfter().toInstant();
    Instant notBefore = device.certificate().getNotBefore().toInstant();
    assertThat(CertificateRenewer.builder(client(tls), tls).build().dueAt()).isEqualTo(notAfter.minus(
        Duration.ofDays(30)));
    assertThat(CertificateRenewer.builder(client(tls), tls).renewBefore(Duration.ofDays(7)).build().dueAt())
        .isEqualTo(notAfter.minus(Duration.ofDays(7)));
    assertThat(CertificateRenewer.builder(client(tls), tls).renewAtRemainingFraction(0.25).build().dueAt())
        .isEqualTo(notAfter.minusMillis(Duration.between(notBefore, notAfter).toMillis() / 4));
    assertThatThrownBy(() -> CertificateRenewer.builder(client(tls), tls).renewAtRemainingFraction(1.5))
        .hasMessage("a fraction of the lifetime is between 0 and 1, not 1.5");
    assertThatThrownBy(() -> CertificateRenewer.builder(client(tls), tls).renewBefore(Duration.ofDays(1))
        .renewAtRemainingFraction(0.5)).hasMessage("renewBefore was set: one or the other");
    assertThatThrownBy(() -> CertificateRenewer.builder(client(trusting()), trusting()))
        .hasMessageStartingWith("the client TLS has no certificate to renew");
  }

  @Test
  void replaceIdentity_refusesAKeyOfAnotherCertificate_andAClientWithoutOne() throws Exception {
    HeldCertificate a = ca.issue("press-36").clientAuth().issue();
    HeldCertificate b = ca.issue("press-37").clientAuth().issue();
    ClientTls tls = holding(a);
    assertThatThrownBy(() -> tls.replaceIdentity(b.privateKey(), a.chain())).isInstanceOf(TlsConfigException.class)
        .hasMessageStartingWith("key: key does not match the certificate's public key");
    assertThat(tls.identityChain()).containsExactly(a.certificate());
    assertThatThrownBy(() -> trusting().replaceIdentity(a.privateKey(), a.chain()))
        .isInstanceOf(IllegalStateException.class);
    tls.replaceIdentity(b.privateKey(), b.chain());
    assertThat(tls.identityChain()).containsExactly(b.certificate());
    assertThat(tls.keyManagerFactory().getKeyManagers()).singleElement().isInstanceOfSatisfying(
        javax.net.ssl.X509KeyManager.class, km -> {
          String alias = km.chooseClientAlias(new String[] {"EC"}, null, null);
          assertThat(km.getCertificateChain(alias)).containsExactly(b.certificate());
          assertThat(km.chooseClientAlias(new String[] {"RSA"}, null, null)).as("an EC key signs no RSA").isNull();
        });
  }

  @Test
  void renewer_underAnIntermediate_keepsTheIntermediateInTheChain_andRefusesACertificateNotValidNow(
      @TempDir Path own) throws Exception {
    CertificateAuthority root = CertificateAuthority.create("CN=Enrollment Root", Duration.ofDays(3650));
    root.intermediate("CN=Enrollment Devices", Duration.ofDays(3650)).save(own, PASSPHRASE);
    CertificateAuthority devices = CertificateAuthority.load(own, PASSPHRASE);
    try (EstServer intermediateEst = EstServer.builder(devices, own).validity(Duration.ofDays(90)).start()) {
      HeldCertificate device = devices.issue("press-38").clientAuth().validity(Duration.ofDays(10)).issue();
      assertThat(device.chain()).hasSize(2);
      ClientTls tls = TlsContexts.forClient().trustedCertificates(List.of(root.certificate()))
          .identity(device.privateKey(), device.chain()).build();
      EstClient client = EstClient.of(URI.create("https://127.0.0.1:" + intermediateEst.port()), tls);
      List<X509Certificate> renewed = CertificateRenewer.builder(client, tls).build().renewNow();
      assertThat(renewed).as("the server sends the leaf; the issuer is the one held").hasSize(2)
          .last().isEqualTo(devices.certificate());

      MutableClock later = new MutableClock(Instant.now().plus(Duration.ofDays(400)));
      CertificateRenewer late = CertificateRenewer.builder(client, tls).clock(later).build();
      assertThatThrownBy(late::renewNow).isInstanceOf(java.io.IOException.class)
          .hasMessageStartingWith("the renewed certificate is not valid now");
      assertThat(tls.identityChain()).as("kept").isEqualTo(renewed);
    }
  }

  @Test
  void renewer_failuresWaitLonger_eachTime_upToTheLongest() throws Exception {
    HeldCertificate device = ca.issue("press-39").clientAuth().validity(Duration.ofDays(10)).issue();
    revoke(device);
    ClientTls tls = holding(device);
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    try (CertificateRenewer renewer = CertificateRenewer.builder(client(tls), tls).jitter(Duration.ZERO)
        .retry(Duration.ofMillis(200), Duration.ofMillis(300)).listener(events::add).start()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (events.stream().filter(e -> e instanceof SecurityEvent.RenewalFailed).count() < 3
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
    List<Duration> waits = events.stream().filter(e -> e instanceof SecurityEvent.RenewalFailed)
        .map(e -> (SecurityEvent.RenewalFailed) e).map(e -> Duration.between(e.time(), e.nextAttempt())).toList();
    assertThat(waits).hasSizeGreaterThanOrEqualTo(3);
    assertThat(waits.get(0)).isBetween(Duration.ofMillis(200), Duration.ofMillis(240));
    assertThat(waits.get(1)).as("doubled, then capped").isBetween(Duration.ofMillis(300), Duration.ofMillis(360));
    assertThat(waits.get(2)).isBetween(Duration.ofMillis(300), Duration.ofMillis(360));
    assertThat(events.stream().filter(e -> e instanceof SecurityEvent.CertificateExpiring).count())
        .as("the expiring warning once, not at each retry").isEqualTo(1);
  }

  @Test
  void builderBounds_andWhatARefusalSaysAboutRetrying() {
    HeldCertificate device = ca.issue("press-40").clientAuth().issue();
    ClientTls tls = holding(device);
    CertificateRenewer.Builder b = CertificateRenewer.builder(client(tls), tls);
    assertThatThrownBy(() -> b.renewAtRemainingFraction(0)).hasMessageStartingWith("a fraction of the lifetime");
    assertThatThrownBy(() -> b.renewAtRemainingFraction(1)).hasMessageStartingWith("a fraction of the lifetime");
    assertThatThrownBy(() -> b.retry(Duration.ofMinutes(2), Duration.ofMinutes(1)))
        .hasMessageStartingWith("retry waits must be positive");
    assertThatThrownBy(() -> b.retry(Duration.ZERO, Duration.ofMinutes(1)))
        .hasMessageStartingWith("retry waits must be positive");
    org.assertj.core.api.Assertions.assertThatCode(() -> b.retry(Duration.ofMinutes(1), Duration.ofMinutes(1)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> b.renewBefore(Duration.ZERO)).hasMessageStartingWith("the renewal window");
    assertThatThrownBy(() -> b.jitter(Duration.ofSeconds(-1))).hasMessageStartingWith("the jitter");
    assertThat(new EstClient.Refused(500, "x").retryable()).isTrue();
    assertThat(new EstClient.Refused(429, "x").retryable()).isTrue();
    assertThat(new EstClient.Refused(499, "x").retryable()).isFalse();
    assertThat(new EstClient.Refused(403, "x").retryable()).isFalse();
    assertThat(EstClient.of(URI.create("https://127.0.0.1:8443/est/"), tls).toString())
        .isEqualTo("EstClient{https://127.0.0.1:8443/est}");
    assertThat(EstClient.of(URI.create("https://127.0.0.1:8443/.well-known/est/"), tls).toString())
        .isEqualTo("EstClient{https://127.0.0.1:8443}");
  }

  @Test
  void estClient_withHostNamesUnchecked_reachesAServerNamedOtherwise() throws Exception {
    HeldCertificate named = ca.issue("est.elsewhere").dnsNames("est.elsewhere").serverAuth().issue();
    try (EstServer other = EstServer.builder(ca, dir).identity(named.privateKey(), named.chain()).start()) {
      URI uri = URI.create("https://127.0.0.1:" + other.port());
      assertThatThrownBy(() -> EstClient.of(uri, trusting()).cacerts())
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      ClientTls lax = TlsContexts.forClient().trustedCertificates(List.of(ca.certificate()))
          .insecureSkipHostnameVerification().build();
      assertThat(EstClient.of(uri, lax).cacerts()).containsExactly(ca.certificate());
    }
  }

  @Test
  void renewer_aCertificateNotYetDue_isLookedAtAgainWhenDue_withinTheJitter() throws Exception {
    HeldCertificate device = ca.issue("press-43").clientAuth().validity(Duration.ofDays(100)).issue();
    ClientTls tls = holding(device);
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    try (CertificateRenewer renewer = CertificateRenewer.builder(client(tls), tls).jitter(Duration.ofHours(2))
        .listener(events::add).start()) {
      Instant due = renewer.dueAt();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((renewer.nextCheck() == null || renewer.nextCheck().isBefore(due)) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(renewer.nextCheck()).isBetween(due, due.plus(Duration.ofHours(2)).plusSeconds(5));
      assertThat(events).as("nothing due, nothing said").isEmpty();
      assertThat(tls.identityChain()).containsExactly(device.certificate());
    }
  }
}
