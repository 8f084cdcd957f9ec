/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.PemCodec;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {

  static final char[] PASSPHRASE = "inventory test".toCharArray();

  @TempDir
  Path dir;

  @Test
  void aSavedCa_recordsEveryCertificateItSigns_andListsThemSoonestToExpireFirst() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Inventory CA", Duration.ofDays(3650));
    HeldCertificate before = ca.issue("made-before-save").clientAuth().issue();
    ca.save(dir, PASSPHRASE);
    HeldCertificate press = ca.issue("press-1").clientAuth().validity(Duration.ofDays(90)).issue();
    java.security.KeyPair keys = CertificateAuthorityTest.generateEc();
    List<java.security.cert.X509Certificate> signed = ca.request(CertificateAuthorityTest.csr("CN=press-2", keys,
        keys.getPrivate()), "press-2.csr").clientAuth().validity(Duration.ofDays(20)).sign();
    HeldCertificate broker = CertificateAuthority.load(dir, PASSPHRASE).issue("broker").serverAuth().issue();
    // five more, so that the files' random names listing in expiry order by chance is 1 in 8!
    for (int days : new int[] {45, 10, 200, 60, 30}) {
      ca.issue("gateway-" + days).clientAuth().validity(Duration.ofDays(days)).issue();
    }

    Inventory inventory = Inventory.read(dir);
    assertThat(inventory.entries()).extracting(Inventory.Entry::commonName)
        .as("soonest to expire first; a certificate signed before the CA had a folder is not there")
        .containsExactly("gateway-10", "press-2", "gateway-30", "gateway-45", "gateway-60", "press-1",
            "gateway-200", "broker");
    assertThat(inventory.find(press.certificate().getSerialNumber())).get()
        .satisfies(e -> assertThat(e.certificate()).isEqualTo(press.certificate()));
    assertThat(inventory.find(before.certificate().getSerialNumber())).isEmpty();
    assertThat(inventory.find(signed.get(0).getSerialNumber())).isPresent();
    assertThat(Inventory.lookup(dir, press.certificate().getSerialNumber())).get()
        .satisfies(e -> assertThat(e.certificate()).isEqualTo(press.certificate()));
    assertThat(Inventory.lookup(dir, before.certificate().getSerialNumber())).isEmpty();
    Path file = dir.resolve("issued").resolve(broker.certificate().getSerialNumber().toString(16) + ".pem");
    assertThat(PemCodec.readCertificates(file)).containsExactly(broker.certificate());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    assertThat(Files.list(dir.resolve("issued"))).as("no temporary file left behind").hasSize(8);
  }

  @Test
  void expiringWithin_listsValidCertificatesEndingInTheWindow_notRevokedExpiredOrLater() throws Exception {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    CertificateAuthority ca = CertificateAuthority.create("CN=Inventory CA", Duration.ofDays(3650),
        Clock.fixed(start, ZoneOffset.UTC));
    ca.save(dir, PASSPHRASE);
    HeldCertificate soon = ca.issue("soon").clientAuth().validity(Duration.ofDays(20)).issue();
    HeldCertificate edge = ca.issue("edge").clientAuth().validity(Duration.ofDays(30)).issue();
    HeldCertificate later = ca.issue("later").clientAuth().validity(Duration.ofDays(31)).issue();
    HeldCertificate revoked = ca.issue("revoked").clientAuth().validity(Duration.ofDays(10)).issue();
    HeldCertificate gone = ca.issue("gone").clientAuth().validity(Duration.ofDays(1)).issue();
    ca.revoke(revoked.certificate().getSerialNumber());
    ca.save(dir, PASSPHRASE);

    Instant now = start.plus(Duration.ofDays(2));
    Inventory inventory = Inventory.read(dir);
    assertThat(inventory.expiringWithin(Duration.ofDays(28), now)).extracting(Inventory.Entry::commonName)
        .containsExactly("soon", "edge");
    Inventory.Entry r = inventory.find(revoked.certificate().getSerialNumber()).orElseThrow();
    assertThat(r.status(now)).isEqualTo(Inventory.Status.REVOKED);
    assertThat(r.revokedAt()).contains(start);
    assertThat(inventory.find(gone.certificate().getSerialNumber()).orElseThrow().status(now))
        .isEqualTo(Inventory.Status.EXPIRED);
    assertThat(inventory.find(later.certificate().getSerialNumber()).orElseThrow().status(now))
        .isEqualTo(Inventory.Status.VALID);
    assertThat(inventory.find(soon.certificate().getSerialNumber()).orElseThrow().status(start.minus(
        Duration.ofMinutes(2)))).as("before the backdated start").isEqualTo(Inventory.Status.NOT_YET_VALID);
    assertThat(edge.certificate().getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(28)));
    assertThatThrownBy(() -> inventory.expiringWithin(Duration.ofDays(-1), now))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
  }

  @Test
  void read_aFileNotNamedByItsSerial_orHoldingTwoCertificates_isReportedWithItsPath() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Inventory CA", Duration.ofDays(3650));
    ca.save(dir, PASSPHRASE);
    HeldCertificate a = ca.issue("a").clientAuth().issue();
    Path file = dir.resolve("issued").resolve(a.certificate().getSerialNumber().toString(16) + ".pem");
    Path renamed = Files.move(file, dir.resolve("issued").resolve("1234.pem"));
    assertThatThrownBy(() -> Inventory.read(dir)).isInstanceOf(TlsConfigException.class)
        .hasMessage(renamed + ": holds serial " + a.certificate().getSerialNumber().toString(16)
            + ", so it should be named " + a.certificate().getSerialNumber().toString(16) + ".pem");
    Files.writeString(renamed, PemCodec.encode(List.of(a.certificate(), ca.certificate())));
    assertThatThrownBy(() -> Inventory.read(dir)).isInstanceOf(TlsConfigException.class)
        .hasMessage(renamed + ": expected one certificate, found 2");
  }

  @Test
  void aCertificateThatCannotBeRecorded_isNotHandedOut() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Inventory CA", Duration.ofDays(3650));
    ca.save(dir, PASSPHRASE);
    Files.writeString(dir.resolve("issued"), "a file where the folder should be");
    assertThatThrownBy(() -> ca.issue("press-1").clientAuth().issue()).isInstanceOf(TlsConfigException.class)
        .hasMessageContaining("cannot record the certificate, so it is not issued");
  }

  @Test
  void read_aFolderThatNeverIssued_isEmpty_andOneWithoutACa_isRefused() {
    CertificateAuthority.create("CN=Inventory CA", Duration.ofDays(3650)).save(dir, PASSPHRASE);
    assertThat(Inventory.read(dir).entries()).isEmpty();
    assertThat(Inventory.read(dir).find(BigInteger.ONE)).isEmpty();
    assertThatThrownBy(() -> Inventory.read(dir.resolve("nothing"))).isInstanceOf(TlsConfigException.class);
  }
}
