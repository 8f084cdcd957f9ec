/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static io.mqttsec.tls.TlsReloadTest.await;
import static io.mqttsec.tls.TlsReloadTest.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.TlsConfigException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chains a broker received, checked against CAs and CRLs without a handshake of our own. */
class ClientCertificateVerifierTest {

  @TempDir
  Path dir;
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  private static X509Certificate[] chain(HeldCertificate held) {
    return held.chain().toArray(new X509Certificate[0]);
  }

  @Test
  void trustedChain_isAllowed_andForeignOrMissingChainsAreDenied() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Devices CA", Duration.ofDays(30));
    Path cas = dir.resolve("ca.pem");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).listener(events::add).build()) {
      assertThat(verifier.check(chain(ca.issue("press-42").clientAuth().issue())))
          .isEqualTo(Decision.allow("certificate trusted"));
      Decision impostor = verifier.check(chain(TlsHandshakeTest.IMPOSTOR.issue("press-42").clientAuth().issue()));
      assertThat(impostor.denied()).isTrue();
      assertThat(verifier.check(new X509Certificate[0])).isEqualTo(Decision.deny("no client certificate"));
      assertThat(verifier.check(null).denied()).isTrue();
      assertThat(events).filteredOn(SecurityEvent.CertificateRejected.class::isInstance).hasSize(1);
    }
  }

  @Test
  void aRevocationSource_refusesWhatItNames_onTopOfTheCrl_andItsChangesReachTheCallback() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Devices CA", Duration.ofDays(30));
    Path cas = dir.resolve("ca.pem");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    X509Certificate[] press = chain(ca.issue("press-42").clientAuth().issue());
    X509Certificate[] other = chain(ca.issue("press-43").clientAuth().issue());
    java.util.Map<java.math.BigInteger, String> revoked = new java.util.concurrent.ConcurrentHashMap<>();
    List<Runnable> changes = new CopyOnWriteArrayList<>();
    RevocationSource source = new RevocationSource() {
      @Override
      public String revoked(javax.security.auth.x500.X500Principal issuer, java.math.BigInteger serial) {
        if (serial.equals(other[0].getSerialNumber()) && revoked.containsKey(java.math.BigInteger.ZERO)) {
          throw new IllegalStateException("store broken");
        }
        return issuer.equals(ca.certificate().getSubjectX500Principal()) ? revoked.get(serial) : null;
      }

      @Override
      public void onChange(Runnable callback) {
        changes.add(callback);
      }
    };
    List<String> reloads = new CopyOnWriteArrayList<>();
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).revocations(source)
        .listener(events::add).build()) {
      verifier.onReload(() -> reloads.add("reloaded"));
      assertThat(verifier.check(press)).isEqualTo(Decision.allow("certificate trusted and not revoked"));
      revoked.put(press[0].getSerialNumber(), "key compromise");
      changes.forEach(Runnable::run);
      assertThat(reloads).containsExactly("reloaded");
      assertThat(verifier.check(press)).isEqualTo(Decision.deny("certificate " + press[0].getSubjectX500Principal()
          .getName() + " (serial " + press[0].getSerialNumber().toString(16) + ") is revoked: key compromise"));
      assertThat(events).filteredOn(SecurityEvent.CertificateRejected.class::isInstance).hasSize(1);
      assertThat(verifier.check(other).allowed()).isTrue();
      revoked.put(java.math.BigInteger.ZERO, "marks the source broken");
      assertThat(verifier.check(other)).as("a source that fails refuses").isEqualTo(Decision.deny(
          "the revocation check failed (IllegalStateException)"));
    }
    assertThatThrownBy(() -> ClientCertificateVerifier.builder(cas).revocations(source).revocations(source))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void revokedCertificate_isDenied_andAReloadedCrlReachesTheCallback() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Revoking CA", Duration.ofDays(30));
    Path cas = dir.resolve("ca.pem");
    Path crl = dir.resolve("ca.crl");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
    HeldCertificate press = ca.issue("press-42").clientAuth().issue();
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).crl(crl).reloadOnChange()
        .pollInterval(Duration.ofMillis(100)).listener(events::add).build()) {
      AtomicInteger reloads = new AtomicInteger();
      verifier.onReload(reloads::incrementAndGet);
      assertThat(verifier.check(chain(press))).isEqualTo(Decision.allow("certificate trusted and not revoked"));

      ca.revoke(press.certificate().getSerialNumber());
      replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
      await(() -> verifier.check(chain(press)).denied(), "the new CRL");
      assertThat(verifier.check(chain(press)).reason()).contains("is revoked by the CRL from CN=Revoking CA");
      await(() -> reloads.get() > 0, "the reload callback");

      replace(crl, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
      await(() -> events.stream().anyMatch(SecurityEvent.PolicyReloadFailed.class::isInstance), "a failed reload");
      assertThat(verifier.check(chain(press)).denied()).as("the last good CRL stays").isTrue();
      assertThat(verifier.check(chain(ca.issue("press-43").clientAuth().issue())).allowed()).isTrue();
    }
  }

  @Test
  void overdueCrl_deniesUnlessInGrace() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Slow CA", Duration.ofDays(30));
    Path cas = dir.resolve("ca.pem");
    Path crl = dir.resolve("ca.crl");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    replace(crl, Pem.encode(ca.crl(Duration.ofDays(1))));
    HeldCertificate press = ca.issue("press-42").clientAuth().issue();
    MutableClock clock = new MutableClock(Instant.now().plus(Duration.ofDays(2)));
    try (ClientCertificateVerifier strict = ClientCertificateVerifier.builder(cas).crl(crl).clock(clock).build();
         ClientCertificateVerifier lenient = ClientCertificateVerifier.builder(cas).crl(crl).clock(clock)
             .crlGracePeriod(Duration.ofDays(3)).build()) {
      assertThat(strict.check(chain(press)).reason()).contains("is overdue");
      assertThat(lenient.check(chain(press)).allowed()).isTrue();
    }
  }

  @Test
  void brokenFilesAtBuild_nameTheFile() throws Exception {
    Path cas = dir.resolve("ca.pem");
    replace(cas, "not a certificate\n");
    assertThatThrownBy(() -> ClientCertificateVerifier.builder(cas).build())
        .isInstanceOf(TlsConfigException.class).hasMessageStartingWith(cas.toString());
  }

  @Test
  void olderCrl_isRefusedOnReload_andTheRevokedDeviceStaysRefused() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Rollback CA", Duration.ofDays(30));
    Path cas = dir.resolve("ca.pem");
    Path crl = dir.resolve("ca.crl");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    String first = Pem.encode(ca.crl(Duration.ofDays(7)));
    replace(crl, first);
    HeldCertificate press = ca.issue("press-42").clientAuth().issue();
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).crl(crl).listener(events::add)
        .build()) {
      ca.revoke(press.certificate().getSerialNumber());
      replace(crl, Pem.encode(ca.crl(Duration.ofDays(7))));
      assertThat(verifier.reload()).isTrue();
      assertThat(verifier.check(chain(press)).denied()).isTrue();

      replace(crl, first); // validly signed, but CRL number 1 after 2: a replay that would un-revoke press-42
      assertThat(verifier.reload()).isFalse();
      assertThat(events).filteredOn(SecurityEvent.PolicyReloadFailed.class::isInstance).singleElement()
          .isInstanceOfSatisfying(SecurityEvent.PolicyReloadFailed.class, e -> assertThat(e.error())
              .startsWith(cas + ": the CRL from CN=Rollback CA (CRL number 1, thisUpdate ")
              .contains(") is older than the one in force (CRL number 2, thisUpdate ")
              .endsWith("a CRL never goes back, since an older one would un-revoke devices; the previous CAs "
                  + "and CRLs stay in force"));
      assertThat(verifier.check(chain(press)).reason()).contains("is revoked by the CRL from CN=Rollback CA");
    }
  }

  @Test
  void crlNumber_isReadFromTheCrl() {
    CertificateAuthority ca = CertificateAuthority.create("CN=Numbering CA", Duration.ofDays(30));
    ca.crl(Duration.ofDays(7));
    ca.crl(Duration.ofDays(7));
    assertThat(CrlIndex.crlNumber(ca.crl(Duration.ofDays(7)))).isEqualTo(3);
  }

  @Test
  void expiry_warnsBeforeATrustedCaOrTheCrlRunsOut() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    CertificateAuthority ca = CertificateAuthority.create("CN=Short CA", Duration.ofDays(20), clock);
    Path cas = dir.resolve("ca.pem");
    Path crl = dir.resolve("ca.crl");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    replace(crl, Pem.encode(ca.crl(Duration.ofDays(10))));
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).crl(crl).clock(clock)
        .listener(events::add).build()) {
      assertThat(events).as("a lifetime's own length is no warning").isEmpty();
      clock.advance(Duration.ofDays(7)); // the CA has 13 days left, the CRL 3
      verifier.checkExpiry();
      verifier.checkExpiry();
      assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(SecurityEvent.CertificateExpiring.class));
      assertThat(events).extracting(e -> ((SecurityEvent.CertificateExpiring) e).what()).containsExactlyInAnyOrder(
          "CA", "CRL");
      assertThat(events).extracting(e -> ((SecurityEvent.CertificateExpiring) e).subject()).containsOnly(
          "CN=Short CA");
    }
  }

  @Test
  void aReplacedCaBundle_isWatchedToo_andAnExpiringCaIsReportedAtBuildAndAfterReload() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    CertificateAuthority first = CertificateAuthority.create("CN=First CA", Duration.ofDays(365), clock);
    CertificateAuthority expiring = CertificateAuthority.create("CN=Expiring CA", Duration.ofDays(20), clock);
    Path cas = dir.resolve("ca.pem");
    replace(cas, Pem.encode(List.of(first.certificate())));
    HeldCertificate press = expiring.issue("press-42").clientAuth().issue();
    clock.advance(Duration.ofDays(7)); // the expiring CA has 13 days left
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).clock(clock)
        .reloadOnChange().pollInterval(Duration.ofMillis(100)).listener(events::add).build()) {
      assertThat(events).as("a healthy CA").filteredOn(SecurityEvent.CertificateExpiring.class::isInstance)
          .isEmpty();
      assertThat(verifier.check(chain(press)).denied()).isTrue();
      replace(cas, Pem.encode(List.of(first.certificate(), expiring.certificate())));
      await(() -> verifier.check(chain(press)).allowed(), "the new CA bundle");
      await(() -> events.stream().anyMatch(SecurityEvent.CertificateExpiring.class::isInstance), "the warning");
      assertThat(verifier.trustedCertificates()).hasSize(2);
    }
    events.clear();
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).clock(clock)
        .listener(events::add).build()) {
      assertThat(events).as("at build").filteredOn(SecurityEvent.CertificateExpiring.class::isInstance).hasSize(1);
    }
  }

  @Test
  void twoCrlFiles_areNamedTogether_whenOneDoesNotFit() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Two CA", Duration.ofDays(30));
    CertificateAuthority stranger = CertificateAuthority.create("CN=Stranger CA", Duration.ofDays(30));
    Path cas = dir.resolve("ca.pem");
    Path good = dir.resolve("a.crl");
    Path foreign = dir.resolve("b.crl");
    replace(cas, Pem.encode(List.of(ca.certificate())));
    replace(good, Pem.encode(ca.crl(Duration.ofDays(7))));
    replace(foreign, Pem.encode(stranger.crl(Duration.ofDays(7))));
    assertThatThrownBy(() -> ClientCertificateVerifier.builder(cas).crl(good, foreign).build())
        .isInstanceOf(TlsConfigException.class).hasMessageStartingWith("[" + good + ", " + foreign + "]");
    try (ClientCertificateVerifier verifier = ClientCertificateVerifier.builder(cas).crl(good).build()) {
      assertThat(verifier.check(chain(ca.issue("press-1").clientAuth().issue())).allowed()).isTrue();
    }
  }

  @Test
  void theAuthTypeOfAClientKey_isWhatTheJdkExpects() {
    CertificateAuthority ca = CertificateAuthority.create("CN=Auth CA", Duration.ofDays(30));
    assertThat(ClientCertificateVerifier.authType(ca.issue("ec").clientAuth().issue().certificate()))
        .isEqualTo("ECDHE_ECDSA");
    assertThat(ClientCertificateVerifier.authType(ca.issue("rsa").clientAuth().rsa(2048).issue().certificate()))
        .isEqualTo("ECDHE_RSA");
  }
}
