/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.tls.Pem;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo folder: public files readable, secrets owner-only, and a CRL that never runs out. */
class DemoTest {

  @TempDir
  Path dir;

  @BeforeEach
  void create() throws Exception {
    Demo.create(dir, 1000);
  }

  @Test
  void publicFilesAreReadable_secretsOwnerOnly() throws Exception {
    for (String name : new String[] {"ca/ca.pem", "ca.crl", "server.pem", "devices/press-1.pem"}) {
      assertThat(mode(dir.resolve(name))).as(name).isEqualTo("rw-r--r--");
    }
    for (String name : new String[] {"ca/ca.key", "ca/passphrase", "server.key", "devices/press-1.key", "passwd",
        Demo.CREDENTIALS}) {
      assertThat(mode(dir.resolve(name))).as(name).isEqualTo("rw-------");
    }
  }

  @Test
  void aFreshCrl_isLeftAlone_oneWithAThirdOfItsLifeLeft_isSignedAgain() throws Exception {
    Path file = dir.resolve(Demo.CRL);
    byte[] fresh = Files.readAllBytes(file);
    assertThat(Demo.refreshCrl(dir, Clock.systemUTC())).isEmpty();
    assertThat(Demo.refreshCrl(dir, Clock.systemUTC().withZone(ZoneOffset.UTC))).isEmpty();
    assertThat(Files.readAllBytes(file)).isEqualTo(fresh);

    Instant signed = Pem.readCrls(file).get(0).getThisUpdate().toInstant();
    // 19 of 30 days gone: 11 left, more than a third; 21 gone: 9 left, less than a third
    assertThat(Demo.refreshCrl(dir, at(signed.plus(Duration.ofDays(19))))).isEmpty();
    Instant later = signed.plus(Duration.ofDays(21));
    assertThat(Demo.refreshCrl(dir, at(later))).contains(later.plus(Demo.CRL_LIFETIME)
        .truncatedTo(ChronoUnit.SECONDS));
    X509CRL next = Pem.readCrls(file).get(0);
    assertThat(next.getThisUpdate().toInstant()).isEqualTo(later.truncatedTo(ChronoUnit.SECONDS));
    assertThat(next.getNextUpdate().toInstant()).isEqualTo(later.plus(Duration.ofDays(30))
        .truncatedTo(ChronoUnit.SECONDS));
    assertThat(mode(file)).isEqualTo("rw-r--r--");
    CertificateAuthority.Published ca = CertificateAuthority.readPublished(dir.resolve("ca"));
    next.verify(ca.certificate().getPublicKey());
    assertThat(ca.crlNumber()).as("the CA state remembers the CRL number moved on").isEqualTo(BigInteger.TWO);
  }

  @Test
  void anUnreadableCrl_isReplaced() throws Exception {
    Files.writeString(dir.resolve(Demo.CRL), "not a CRL", StandardCharsets.US_ASCII);
    assertThat(Demo.refreshCrl(dir, Clock.systemUTC())).isPresent();
    assertThat(Pem.readCrls(dir.resolve(Demo.CRL))).hasSize(1);
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
