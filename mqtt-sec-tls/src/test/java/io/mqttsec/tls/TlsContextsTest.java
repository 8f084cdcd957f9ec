/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.api.TlsConfigException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building contexts: files, mistakes, key stores, and a fleet-sized CRL. */
class TlsContextsTest {

  static final CertificateAuthority CA = TlsHandshakeTest.CA;
  static final HeldCertificate SERVER = TlsHandshakeTest.SERVER;

  @TempDir
  Path dir;

  @Test
  void build_fromFiles_withEncryptedKey_presentsTheChain() throws Exception {
    CertificateAuthority devices = CA.intermediate("CN=Broker CA", Duration.ofDays(30));
    HeldCertificate held = devices.issue("broker").dnsNames("localhost").serverAuth().issue();
    Path chain = Files.writeString(dir.resolve("server.pem"), Pem.encode(held.chain()));
    Path key = Files.writeString(dir.resolve("server.key"), Pem.encodePrivateKey(held.privateKey(),
        PemTest.PASSPHRASE));
    try (ServerTls tls = TlsContexts.forServer(chain, key).keyPassphrase(PemTest.PASSPHRASE).build()) {
      assertThat(tls.certificateChain()).containsExactlyElementsOf(held.chain());
      assertThat(tls.toString()).startsWith("ServerTls{server certificate CN=broker (sha256 ")
          .doesNotContain("PRIVATE");
    }
  }

  @Test
  void build_mistakes_areNamed() throws Exception {
    Path chain = Files.writeString(dir.resolve("server.pem"), Pem.encode(SERVER.chain()));
    Path otherKey = Files.writeString(dir.resolve("other.key"),
        Pem.encodePrivateKey(TlsHandshakeTest.PRESS.privateKey()));
    Path certAsKey = Files.writeString(dir.resolve("cert.key"), Pem.encode(SERVER.chain()));
    assertThatThrownBy(() -> TlsContexts.forServer(chain, otherKey).build())
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(otherKey + ": key does not match the certificate's public key (" + chain + ": CN=broker)");
    assertThatThrownBy(() -> TlsContexts.forServer(chain, certAsKey).build())
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(certAsKey + ":1: holds a CERTIFICATE, not a private key");
    assertThatThrownBy(() -> TlsContexts.forServer(chain, dir.resolve("none.key")).build())
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(dir.resolve("none.key") + ": no such file");
    Path reversed = Files.writeString(dir.resolve("reversed.pem"),
        Pem.encode(List.of(CA.certificate(), SERVER.certificate())));
    Path serverKey = Files.writeString(dir.resolve("server.key"), Pem.encodePrivateKey(SERVER.privateKey()));
    assertThatThrownBy(() -> TlsContexts.forServer(reversed, serverKey).build())
        .isInstanceOf(TlsConfigException.class)
        .hasMessageStartingWith(serverKey + ": key does not match");
  }

  @Test
  void builder_contradictionsAndRepeats_failFast() {
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).clientAuth(ClientAuth.REQUIRE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client auth REQUIRE needs trustedCertificates(...)");
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).trustedCertificates(List.of(CA.certificate()))
        .crl(List.of(CA.crl(Duration.ofDays(1)))).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("CRLs are set but client auth is NONE, so no client certificate would ever be checked; set "
            + "clientAuth(OPTIONAL or REQUIRE)");
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).clientAuth(ClientAuth.NONE).clientAuth(ClientAuth.REQUIRE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client auth was already set to NONE");
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).reloadOnChange(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("reloadOnChange needs at least one file to watch");
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).crlGracePeriod(Duration.ofDays(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toPkcs12_writesAnOwnerOnlyKeyStoreWithTheKeyAndChain() throws Exception {
    try (ServerTls tls = TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).trustedCertificates(List.of(CA.certificate()))
        .clientAuth(ClientAuth.OPTIONAL).build()) {
      char[] password = "store password".toCharArray();
      Path keystore = dir.resolve("broker.p12");
      Path truststore = dir.resolve("trust.p12");
      tls.toPkcs12(keystore, password);
      tls.trustStoreToPkcs12(truststore, password);
      assertThat(Files.getPosixFilePermissions(keystore))
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, password);
      }
      assertThat(store.getKey("mqtt-sec", password)).isEqualTo(SERVER.privateKey());
      assertThat(store.getCertificateChain("mqtt-sec")).containsExactly(SERVER.certificate());
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(truststore)) {
        trust.load(in, password);
      }
      assertThat(trust.getCertificate("ca-0")).isEqualTo(CA.certificate());
    }
  }

  @Test
  void crlWith100000Serials_findsTheRevokedOne() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Big CA", Duration.ofDays(30));
    HeldCertificate press = ca.issue("press-1").clientAuth().issue();
    HeldCertificate other = ca.issue("press-2").clientAuth().issue();
    for (int i = 1; i <= 100_000; i++) {
      ca.revoke(BigInteger.valueOf(i));
    }
    ca.revoke(press.certificate().getSerialNumber());
    try (ServerTls tls = TlsContexts.forServer(SERVER.privateKey(), SERVER.chain()).trustedCertificates(List.of(ca.certificate()))
        .clientAuth(ClientAuth.REQUIRE).crl(List.of(ca.crl(Duration.ofDays(7)))).build()) {
      assertThat(tls.toString()).contains("1 CRL(s) with 100001 revoked serial(s)");
      assertThat(tls.checkClientChain(press.chain().toArray(new X509Certificate[0])).allowed()).isFalse();
      assertThat(tls.checkClientChain(other.chain().toArray(new X509Certificate[0])).allowed()).isTrue();
    }
  }

  @Test
  void client_identityFromFiles_mismatchedKeyIsRefused() throws Exception {
    Path cert = Files.writeString(dir.resolve("device.pem"), Pem.encode(TlsHandshakeTest.PRESS.chain()));
    Path wrong = Files.writeString(dir.resolve("device.key"), Pem.encodePrivateKey(SERVER.privateKey()));
    assertThatThrownBy(() -> TlsContexts.forClient().identity(cert, wrong))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(wrong + ": key does not match the certificate's public key (" + cert + ": CN=press-42)");
  }
}
