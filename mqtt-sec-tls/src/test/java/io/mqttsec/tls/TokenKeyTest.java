/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.BootstrapPasswords;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.EstServer;
import io.mqttsec.ca.HeldCertificate;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys that never leave a PKCS#11 token (SoftHSM2 through the JDK's SunPKCS11): the CA's signing key, the key a
 * device's certificate request is signed with, and the identity of a {@link ClientTls} in an mTLS handshake and a
 * renewal.
 */
class TokenKeyTest {

  @TempDir
  Path dir;

  /** A token key is not extractable: no encoding, and no key factory gets its value out. */
  static void assertNeverLeaves(PrivateKey key) {
    assertThat(key.getClass().getName()).contains("P11");
    assertThat(key.getEncoded()).as("a sensitive, non-extractable key has no encoding").isNull();
    assertThatThrownBy(() -> KeyFactory.getInstance("EC").getKeySpec(key, PKCS8EncodedKeySpec.class))
        .isInstanceOf(Exception.class);
  }

  @Test
  void aCaWhoseKeyIsInTheToken_issuesCertificatesThatValidate_andIsSavedAndLoadedWithoutIt() throws Exception {
    KeyPair caKeys = SoftHsm.ecKeys();
    assertNeverLeaves(caKeys.getPrivate());
    CertificateAuthority ca = CertificateAuthority.create("CN=Token CA", Duration.ofDays(365), caKeys,
        Clock.systemUTC());
    ca.save(dir);
    assertThat(dir.resolve("ca.key")).as("the key stays in the token").doesNotExist();
    assertThatThrownBy(() -> ca.save(dir, "x".toCharArray())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("it is in a token");

    CertificateAuthority loaded = CertificateAuthority.load(dir, caKeys.getPrivate(), Clock.systemUTC());
    HeldCertificate device = loaded.issue("press-51").clientAuth().issue();
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
        .generateCertPath(device.chain()), params);
    loaded.revoke(device.certificate().getSerialNumber());
    assertThat(loaded.crl(Duration.ofDays(1)).isRevoked(device.certificate())).as("a CRL signed in the token")
        .isTrue();
    assertThatThrownBy(() -> CertificateAuthority.load(dir, SoftHsm.ecKeys().getPrivate(), Clock.systemUTC()))
        .hasMessageContaining("key does not match");
  }

  @Test
  void aDeviceKeyInTheToken_enrollsOverEst_connectsOverMutualTls_andRenews() throws Exception {
    char[] passphrase = "token test".toCharArray();
    CertificateAuthority.create("CN=Token Device CA", Duration.ofDays(365)).save(dir, passphrase);
    CertificateAuthority ca = CertificateAuthority.load(dir, passphrase);
    HeldCertificate serverCert = ca.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
        .issue();
    try (EstServer est = EstServer.builder(ca, dir).start()) {
      ClientTls bootstrap = TlsContexts.forClient().trustedCertificates(List.of(ca.certificate())).build();
      URI uri = URI.create("https://127.0.0.1:" + est.port());
      KeyPair keys = SoftHsm.ecKeys();
      assertNeverLeaves(keys.getPrivate());
      String password = new BootstrapPasswords(dir).issue("press-52", Instant.now().plus(Duration.ofHours(1)));
      List<X509Certificate> chain = EstClient.of(uri, bootstrap).enroll(CertificateRequest.der("press-52",
          keys.getPublic(), keys.getPrivate()), "press-52", password.toCharArray());
      assertThat(chain.get(0).getPublicKey()).isEqualTo(keys.getPublic());

      ClientTls device = TlsContexts.forClient().trustedCertificates(List.of(ca.certificate()))
          .identity(keys.getPrivate(), chain).build();
      ServerTls server = TlsContexts.forServer(serverCert.privateKey(), serverCert.chain())
          .trustedCertificates(List.of(ca.certificate())).clientAuth(ClientAuth.REQUIRE).build();
      try (LoopbackServer loopback = new LoopbackServer(server)) {
        try (SSLSocket s = device.connect("127.0.0.1", loopback.port()); InputStream in = s.getInputStream()) {
          assertThat(in.read()).isEqualTo('!');
        }
        assertThat(loopback.nextOutcome()).contains("CN=press-52");

        KeyPair next = SoftHsm.ecKeys();
        try (CertificateRenewer renewer = CertificateRenewer.builder(EstClient.of(uri, device), device)
            .keys(() -> next).build()) {
          List<X509Certificate> renewed = renewer.renewNow();
          assertThat(renewed.get(0).getPublicKey()).isEqualTo(next.getPublic());
        }
        try (SSLSocket s = device.connect("127.0.0.1", loopback.port()); InputStream in = s.getInputStream()) {
          assertThat(in.read()).isEqualTo('!');
        }
        assertThat(loopback.nextOutcome()).contains("CN=press-52");
        assertThat(device.identityChain().get(0).getPublicKey()).isEqualTo(next.getPublic());
      }
    }
    assertThat(Files.list(dir)).noneMatch(p -> p.getFileName().toString().endsWith(".key")
        && !p.getFileName().toString().equals("ca.key"));
  }
}
