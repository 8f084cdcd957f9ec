/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.internal.PemCodec;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

  static java.security.KeyPair generateEc() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  /** The DNS names among a certificate's subject alternative names. */
  static List<String> dnsNames(X509Certificate c) throws Exception {
    return c.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == 2)
        .map(n -> (String) n.get(1)).toList();
  }

  static final CertificateAuthority ROOT = CertificateAuthority.create("CN=Factory Root CA,O=Factory",
      Duration.ofDays(3650));

  /** The JDK's own PKIX validation, with or without revocation checking against {@code crls}. */
  static void validate(List<X509Certificate> chain, X509Certificate root, X509CRL... crls) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(crls.length > 0);
    if (crls.length > 0) {
      params.addCertStore(java.security.cert.CertStore.getInstance("Collection",
          new java.security.cert.CollectionCertStoreParameters(List.of(crls))));
    }
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }

  @Test
  void issue_deviceCertificate_validatesAgainstTheRoot() throws Exception {
    HeldCertificate press = ROOT.issue("press-42").clientAuth().validity(Duration.ofDays(30)).issue();
    validate(press.chain(), ROOT.certificate());
    X509Certificate cert = press.certificate();
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=press-42");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(cert.getSerialNumber().bitLength()).isEqualTo(159);
    assertThat(press.chain()).containsExactly(cert);
    assertThat(press.privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(press.keyPair().getPrivate()).isSameAs(press.privateKey());
    assertThat(press.keyPair().getPublic()).isEqualTo(cert.getPublicKey());
    assertThat(press.toString()).startsWith("HeldCertificate{CN=press-42, serial ").doesNotContain("PRIVATE");
  }

  @Test
  void intermediate_issuesLeavesThatValidateThroughIt() throws Exception {
    CertificateAuthority devices = ROOT.intermediate("CN=Factory Devices CA", Duration.ofDays(1825));
    assertThat(devices.certificate().getBasicConstraints()).isZero();
    HeldCertificate broker = devices.issue("broker.factory.local").dnsNames("broker.factory.local")
        .ipAddresses("127.0.0.1").serverAuth().issue();
    assertThat(broker.chain()).containsExactly(broker.certificate(), devices.certificate());
    validate(broker.chain(), ROOT.certificate());
    assertThatThrownBy(() -> devices.intermediate("CN=Too Deep", Duration.ofDays(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an intermediate may issue leaf certificates only (path length 0)");
  }

  @Test
  void issue_rsa_givesAnRsaKeyWithKeyEncipherment() {
    HeldCertificate legacy = ROOT.issue("legacy-plc").clientAuth().rsa(2048).issue();
    assertThat(legacy.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(legacy.certificate().getKeyUsage()[2]).isTrue();
    assertThatThrownBy(() -> ROOT.issue("x").rsa(1024)).hasMessage("RSA keys must have at least 2048 bits, not 1024");
  }

  @Test
  void issue_aCnIsText_neverParsed_andIsRefusedEmptyHexOrWithControlCharacters() throws Exception {
    assertThatThrownBy(() -> ROOT.issue("#0c0561646d696e")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a CN must not start with '#': a distinguished name reads that as hex-encoded DER, which can "
            + "name another CN");
    assertThatThrownBy(() -> ROOT.issue("#")).hasMessageStartingWith("a CN must not start with '#'");
    assertThatThrownBy(() -> ROOT.issue("")).hasMessage("a CN must not be empty: it names the device (and its "
        + "MQTT user)");
    assertThatThrownBy(() -> ROOT.issue("press\n1")).hasMessage("a CN must not hold a control character (U+000A "
        + "at index 5)");
    assertThatThrownBy(() -> ROOT.issue("a".repeat(65))).hasMessage("a CN is at most 64 characters, not 65");
    HeldCertificate odd = ROOT.issue("press, 1+x=\"y\"").clientAuth().issue();
    assertThat(io.mqttsec.internal.DistinguishedNames.commonName(odd.certificate().getSubjectX500Principal()))
        .as("taken as text")
        .contains("press, 1+x=\"y\"");
    assertThat(ROOT.issue("a".repeat(64)).clientAuth().issue().certificate()).isNotNull();
  }

  @Test
  void issue_settingTwice_failsInsteadOfOverwriting() {
    assertThatThrownBy(() -> ROOT.issue("x").validity(Duration.ofDays(1)).validity(Duration.ofDays(2)))
        .isInstanceOf(IllegalStateException.class).hasMessage("validity was already set to PT24H");
    assertThat(ROOT.issue("x").clientAuth().issue().certificate().getNotAfter().toInstant())
        .isAfter(java.time.Instant.now().plus(Duration.ofDays(396)));
  }

  @Test
  void issue_withoutAPurpose_isRefused() {
    assertThatThrownBy(() -> ROOT.issue("x").issue())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("say what the certificate is for: serverAuth(), clientAuth() or both");
  }

  @Test
  void revoke_thenCrl_failsPkixValidationOfThatDeviceOnly() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Revoking CA", Duration.ofDays(365));
    HeldCertificate good = ca.issue("good").clientAuth().issue();
    HeldCertificate bad = ca.issue("bad").clientAuth().issue();
    ca.revoke(bad.certificate().getSerialNumber());
    X509CRL crl = ca.crl(Duration.ofDays(7));
    crl.verify(ca.certificate().getPublicKey());
    assertThat(crl.isRevoked(bad.certificate())).isTrue();
    assertThat(crl.isRevoked(good.certificate())).isFalse();
    assertThat(crl.getNextUpdate().getTime() - crl.getThisUpdate().getTime()).isEqualTo(Duration.ofDays(7).toMillis());
    validate(good.chain(), ca.certificate(), crl);
    assertThatThrownBy(() -> validate(bad.chain(), ca.certificate(), crl))
        .isInstanceOf(CertPathValidatorException.class)
        .hasMessageContaining("revoked");
  }

  @Test
  void create_badDistinguishedName_saysSo() {
    assertThatThrownBy(() -> CertificateAuthority.create("not a dn", Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a distinguished name: \"not a dn\"");
  }

  static String csr(String subject, java.security.KeyPair keys, java.security.PrivateKey signer) throws Exception {
    var request = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
        new javax.security.auth.x500.X500Principal(subject), keys.getPublic())
        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(signer));
    java.io.StringWriter out = new java.io.StringWriter();
    try (var writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      writer.writeObject(request);
    }
    return out.toString();
  }

  @Test
  void request_signsTheDevicesOwnKey_withTheCnFromTheRequest() throws Exception {
    java.security.KeyPair keys = generateEc();
    List<X509Certificate> chain = ROOT.request(csr("CN=press-77,O=Plant 3", keys, keys.getPrivate()), "press.csr")
        .clientAuth().dnsNames("press-77.factory.local").sign();
    validate(chain, ROOT.certificate());
    assertThat(chain.get(0).getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=press-77");
    assertThat(dnsNames(chain.get(0))).containsExactly("press-77.factory.local");
    assertThatThrownBy(() -> ROOT.request(csr("CN=x", keys, keys.getPrivate()), "x.csr").clientAuth().issue())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the key of a certificate request stays with the device: use sign()");
  }

  @Test
  void request_forgedOrWithoutCn_isRefused() throws Exception {
    java.security.KeyPair keys = generateEc();
    java.security.KeyPair other = generateEc();
    assertThatThrownBy(() -> ROOT.request(csr("CN=press-1", keys, other.getPrivate()), "forged.csr"))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class)
        .hasMessage("forged.csr: the request's signature does not verify with the key it carries");
    assertThatThrownBy(() -> ROOT.request(csr("O=No Name", keys, keys.getPrivate()), "anon.csr"))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class)
        .hasMessage("anon.csr: the request's subject \"O=No Name\" has no single usable CN");
    assertThatThrownBy(() -> ROOT.request(PemCodec.encode(List.of(ROOT.certificate())), "cert.csr"))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class)
        .hasMessage("cert.csr:1: holds a CERTIFICATE, not a certificate request");
  }

  @Test
  void saveAndLoad_keepsTheKeyRevocationsAndCrlNumber_withTheKeyOwnerOnly(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("CN=Saved CA", Duration.ofDays(365));
    HeldCertificate press = ca.issue("press-1").clientAuth().issue();
    ca.revoke(press.certificate().getSerialNumber());
    ca.crl(Duration.ofDays(7));
    char[] passphrase = "ca passphrase".toCharArray();
    ca.save(dir, passphrase);
    for (String f : List.of("ca.key", "ca.state")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
          java.nio.file.Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(dir.resolve("ca.pem")))).as("public").isEqualTo("rw-r--r--");
    CertificateAuthority.Published published = CertificateAuthority.readPublished(dir);
    assertThat(published.certificate()).isEqualTo(ca.certificate());
    assertThat(published.crlNumber()).isEqualTo(java.math.BigInteger.ONE);
    assertThat(published.revocations()).isEqualTo(ca.revocations());
    assertThat(java.nio.file.Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY");

    CertificateAuthority loaded = CertificateAuthority.load(dir, passphrase);
    assertThat(loaded.certificate()).isEqualTo(ca.certificate());
    assertThat(loaded.revocations()).isEqualTo(ca.revocations()).containsOnlyKeys(press.certificate()
        .getSerialNumber());
    assertThat(loaded.crlNumber()).isEqualTo(java.math.BigInteger.ONE);
    X509CRL crl = loaded.crl(Duration.ofDays(7));
    crl.verify(ca.certificate().getPublicKey());
    assertThat(crl.isRevoked(press.certificate())).isTrue();
    assertThat(new java.math.BigInteger(1, java.util.Arrays.copyOfRange(
        crl.getExtensionValue("2.5.29.20"), 4, crl.getExtensionValue("2.5.29.20").length))).isEqualTo(2);
    validate(loaded.issue("press-2").clientAuth().issue().chain(), ca.certificate());

    assertThatThrownBy(() -> CertificateAuthority.load(dir, "wrong".toCharArray()))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class)
        .hasMessage(dir.resolve("ca.key") + ":1: cannot decrypt the private key: wrong passphrase or unsupported "
            + "encryption");
    java.nio.file.Files.writeString(dir.resolve("ca.state"), "crl-number 2\nrevoked zz 2026-01-01T00:00:00Z\n");
    assertThatThrownBy(() -> CertificateAuthority.load(dir, passphrase))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class)
        .hasMessageStartingWith(dir.resolve("ca.state") + ":2: ");
    java.nio.file.Files.writeString(dir.resolve("ca.state"), "\uFEFFcrl-number 2\n");
    assertThatThrownBy(() -> CertificateAuthority.load(dir, passphrase))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class).hasMessage(dir.resolve("ca.state")
            + ":1:1: the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one");
    java.nio.file.Files.writeString(dir.resolve("ca.state"), "crl-number 2\nrevoked 1f\n");
    assertThatThrownBy(() -> CertificateAuthority.load(dir, passphrase))
        .isInstanceOf(io.mqttsec.api.TlsConfigException.class).hasMessage(dir.resolve("ca.state")
            + ":2: expected \"crl-number N\" or \"revoked SERIAL TIME\"");
  }

  @Test
  void serials_are159RandomBits_notJustTheirLength() {
    java.util.Set<Integer> leadingBytes = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      java.math.BigInteger serial = ROOT.issue("press-" + i).clientAuth().issue().certificate().getSerialNumber();
      assertThat(serial.bitLength()).isEqualTo(159);
      leadingBytes.add(serial.shiftRight(152).intValue());
    }
    // the first byte is 01xxxxxx: six random bits; twenty serials with one first byte would be 1 in 64^19
    assertThat(leadingBytes).allMatch(b -> (b & 0xC0) == 0x40).hasSizeGreaterThan(1);
  }

  @Test
  void extensionsAndKeys_areWhatTheReadmeSays_forARootAnIntermediateAndALeaf() throws Exception {
    CertificateAuthority devices = ROOT.intermediate("CN=Extensions CA", Duration.ofDays(30));
    for (X509Certificate ca : List.of(ROOT.certificate(), devices.certificate())) {
      assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
      assertThat(ca.getKeyUsage()[6]).as("cRLSign").isTrue();
      assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
    }
    HeldCertificate leaf = devices.issue("press-61").clientAuth().issue();
    assertThat(leaf.certificate().getCriticalExtensionOIDs()).as("CA:false said, not left out")
        .contains("2.5.29.19");
    assertThat(((java.security.interfaces.ECPublicKey) leaf.certificate().getPublicKey()).getParams().getCurve()
        .getField().getFieldSize()).as("P-256").isEqualTo(256);
    assertThat(((java.security.interfaces.RSAPublicKey) ROOT.issue("legacy").clientAuth().rsa(3072).issue()
        .certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(3072);
    java.security.KeyPair keys = generateEc();
    assertThat(devices.request(csr("CN=press-62", keys, keys.getPrivate()), "r.csr").clientAuth().sign())
        .as("the chain the device presents").hasSize(2).last().isEqualTo(devices.certificate());
  }

  @Test
  void anIntermediate_isSavedAndLoaded_andAKeySavedElsewhere_isLoadedWithThatKey(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    char[] passphrase = "intermediate".toCharArray();
    CertificateAuthority devices = ROOT.intermediate("CN=Saved Intermediate", Duration.ofDays(30));
    devices.save(dir.resolve("intermediate"), passphrase);
    assertThat(CertificateAuthority.load(dir.resolve("intermediate"), passphrase).certificate())
        .as("pathlen 0 is a CA").isEqualTo(devices.certificate());

    java.security.KeyPair keys = generateEc();
    CertificateAuthority held = CertificateAuthority.create("CN=Key Elsewhere", Duration.ofDays(30), keys,
        java.time.Clock.systemUTC());
    HeldCertificate before = held.issue("press-63").clientAuth().issue();
    held.revoke(before.certificate().getSerialNumber());
    held.save(dir.resolve("elsewhere"));
    assertThat(dir.resolve("elsewhere/ca.key")).doesNotExist();
    assertThat(dir.resolve("elsewhere/ca.pem")).exists();
    CertificateAuthority loaded = CertificateAuthority.load(dir.resolve("elsewhere"), keys.getPrivate(),
        java.time.Clock.systemUTC());
    assertThat(loaded.revocations()).containsOnlyKeys(before.certificate().getSerialNumber());
    validate(loaded.issue("press-64").clientAuth().issue().chain(), held.certificate());
    assertThat(Inventory.read(dir.resolve("elsewhere")).entries()).extracting(Inventory.Entry::commonName)
        .containsExactly("press-64");
    assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("elsewhere"), generateEc().getPrivate(),
        java.time.Clock.systemUTC())).hasMessageStartingWith("the CA key: key does not match");
    java.nio.file.Files.copy(dir.resolve("elsewhere/ca.pem"), dir.resolve("intermediate/ca.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("intermediate"), passphrase))
        .hasMessageContaining("key does not match the certificate's public key");
  }
}
