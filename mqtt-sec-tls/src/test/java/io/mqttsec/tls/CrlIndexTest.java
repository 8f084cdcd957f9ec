/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The revocation index on its own: which certificate of a chain it checks, against which CRL, and when. */
class CrlIndexTest {

  static final SecurityEventListener NONE = SecurityEventListener.none();

  static X509Certificate[] chain(HeldCertificate held) {
    return held.chain().toArray(new X509Certificate[0]);
  }

  @Test
  void everyCertificateBelowTheRoot_isChecked_andAnIssuerWithoutACrlRefusesOnlyTheLeaf() {
    CertificateAuthority root = CertificateAuthority.create("CN=Root CA", Duration.ofDays(30));
    CertificateAuthority plant = root.intermediate("CN=Plant CA", Duration.ofDays(30));
    HeldCertificate press = plant.issue("press-42").clientAuth().issue();
    X509Certificate[] full = {press.certificate(), plant.certificate(), root.certificate()};
    Instant now = Instant.now();

    CrlIndex bothCrls = CrlIndex.of(List.of(root.crl(Duration.ofDays(7)), plant.crl(Duration.ofDays(7))),
        List.of(root.certificate(), plant.certificate()), Duration.ZERO, "crl.pem");
    assertThat(bothCrls.check(full, now, NONE)).isNull();

    root.revoke(plant.certificate().getSerialNumber());
    CrlIndex intermediateRevoked = CrlIndex.of(List.of(root.crl(Duration.ofDays(7)), plant.crl(Duration.ofDays(7))),
        List.of(root.certificate(), plant.certificate()), Duration.ZERO, "crl.pem");
    assertThat(intermediateRevoked.check(full, now, NONE)).as("a revoked intermediate refuses its devices")
        .startsWith("certificate serial " + plant.certificate().getSerialNumber().toString(16))
        .endsWith("is revoked by the CRL from CN=Root CA");

    CrlIndex rootCrlOnly = CrlIndex.of(List.of(root.crl(Duration.ofDays(7))), List.of(root.certificate()),
        Duration.ZERO, "crl.pem");
    assertThat(rootCrlOnly.check(full, now, NONE)).as("the leaf's issuer has no CRL")
        .isEqualTo("no CRL from its issuer CN=Plant CA (revocation checking is on, so every client certificate's "
            + "issuer needs a CRL)");
    CrlIndex plantCrlOnly = CrlIndex.of(List.of(plant.crl(Duration.ofDays(7))), List.of(plant.certificate()),
        Duration.ZERO, "crl.pem");
    assertThat(plantCrlOnly.check(full, now, NONE)).as("an intermediate whose issuer has no CRL is let be")
        .isNull();
  }

  @Test
  void aSelfSignedCertificateAsTheLeaf_isStillChecked() {
    CertificateAuthority selfSigned = CertificateAuthority.create("CN=press-42", Duration.ofDays(30));
    CrlIndex none = CrlIndex.of(List.of(), List.of(), Duration.ZERO, "crl.pem");
    assertThat(none.check(new X509Certificate[] {selfSigned.certificate()}, Instant.now(), NONE))
        .startsWith("no CRL from its issuer CN=press-42");
  }

  @Test
  void twoCrlsOfOneIssuerInOneFile_theNewerDecides_inEitherOrder() {
    CertificateAuthority ca = CertificateAuthority.create("CN=Devices CA", Duration.ofDays(30));
    HeldCertificate press = ca.issue("press-42").clientAuth().issue();
    X509CRL older = ca.crl(Duration.ofDays(7));
    ca.revoke(press.certificate().getSerialNumber());
    X509CRL newer = ca.crl(Duration.ofDays(7));
    for (List<X509CRL> crls : List.of(List.of(older, newer), List.of(newer, older))) {
      CrlIndex index = CrlIndex.of(crls, List.of(ca.certificate()), Duration.ZERO, "crl.pem");
      assertThat(index.check(chain(press), Instant.now(), NONE)).as("%s", crls.get(0) == older ? "older first"
          : "newer first").contains("is revoked");
    }
  }

  @Test
  void theSameCrlAgain_isNoRollback_butAnOlderOneIs() {
    CertificateAuthority ca = CertificateAuthority.create("CN=Devices CA", Duration.ofDays(30));
    X509CRL first = ca.crl(Duration.ofDays(7));
    X509CRL second = ca.crl(Duration.ofDays(7));
    CrlIndex inForce = CrlIndex.of(List.of(second), List.of(ca.certificate()), Duration.ZERO, "crl.pem");
    CrlIndex.requireNoRollback(inForce, CrlIndex.of(List.of(second), List.of(ca.certificate()), Duration.ZERO,
        "crl.pem"), "crl.pem");
    assertThatThrownBy(() -> CrlIndex.requireNoRollback(inForce, CrlIndex.of(List.of(first),
        List.of(ca.certificate()), Duration.ZERO, "crl.pem"), "crl.pem")).isInstanceOf(TlsConfigException.class)
        .hasMessageContaining("is older than the one in force");
  }

  @Test
  void derValue_readsShortAndLongLengths_andRefusesWhatIsNotDer() {
    int[] at = {0};
    assertThat(CrlIndex.derValue(new byte[] {0x02, 0x01, 0x05}, at, 0x02)).containsExactly(5);
    assertThat(at[0]).isEqualTo(3);

    byte[] longForm = new byte[3 + 200];
    longForm[0] = 0x04;
    longForm[1] = (byte) 0x81;
    longForm[2] = (byte) 200;
    longForm[202] = 7;
    at[0] = 0;
    assertThat(CrlIndex.derValue(longForm, at, 0x04)).hasSize(200).endsWith(7);
    assertThat(at[0]).isEqualTo(203);

    byte[] twoBytes = new byte[4 + 300];
    twoBytes[0] = 0x04;
    twoBytes[1] = (byte) 0x82;
    twoBytes[2] = 0x01;
    twoBytes[3] = 0x2C; // 300
    at[0] = 0;
    assertThat(CrlIndex.derValue(twoBytes, at, 0x04)).hasSize(300);
    assertThat(at[0]).isEqualTo(304);

    assertThat(CrlIndex.derValue(new byte[] {0x02, 0x01, 0x05}, new int[] {0}, 0x04)).as("another tag").isNull();
    assertThat(CrlIndex.derValue(new byte[] {0x02}, new int[] {0}, 0x02)).as("no length").isNull();
    assertThat(CrlIndex.derValue(new byte[] {0x02, 0x02, 0x05}, new int[] {0}, 0x02)).as("too short").isNull();
    assertThat(CrlIndex.derValue(new byte[] {0x02, (byte) 0x80, 0x05, 0, 0}, new int[] {0}, 0x02))
        .as("indefinite length").isNull();
    assertThat(CrlIndex.derValue(new byte[] {0x02, (byte) 0x84, 0, 0, 0, 1, 5}, new int[] {0}, 0x02))
        .as("a four-byte length").isNull();
    assertThat(CrlIndex.derValue(new byte[] {0x02, (byte) 0x82, 0x01}, new int[] {0}, 0x02))
        .as("a length cut short").isNull();
    assertThat(CrlIndex.derValue(new byte[] {0x00, 0x02, 0x01, 0x05}, new int[] {1}, 0x02)).as("from an offset")
        .containsExactly(5);
    assertThat(CrlIndex.derValue(new byte[] {0x02, 0x00}, new int[] {0}, 0x02)).as("empty").isEmpty();
  }
}
