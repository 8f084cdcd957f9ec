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
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {

  static final CertificateAuthority CA = TlsHandshakeTest.CA;
  static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

  @TempDir
  Path dir;

  static KeyPair generate(String algorithm, int size) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (size > 0) {
      g.initialize(size);
    }
    return g.generateKeyPair();
  }

  /** PKCS#1 / SEC1 ("traditional") PEM, as openssl genrsa and openssl ecparam -genkey write it. */
  static String traditional(KeyPair keys, char[] passphrase) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(passphrase == null ? new JcaMiscPEMGenerator(keys)
          : new JcaMiscPEMGenerator(keys, new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).build(passphrase)));
    }
    return out.toString();
  }

  /** SEC1 with the curve and public key, as openssl ecparam -genkey writes it. */
  static String sec1(KeyPair ec) throws Exception {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(ec.getPrivate().getEncoded());
    java.security.interfaces.ECPrivateKey jdk = (java.security.interfaces.ECPrivateKey) ec.getPrivate();
    SubjectPublicKeyInfo pub = SubjectPublicKeyInfo.getInstance(ec.getPublic().getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey key = new org.bouncycastle.asn1.sec.ECPrivateKey(256, jdk.getS(),
        pub.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject("EC PRIVATE KEY", key.getEncoded()));
    }
    return out.toString();
  }

  static java.math.BigInteger scalar(PrivateKey ec) {
    return ((java.security.interfaces.ECPrivateKey) ec).getS();
  }

  @Test
  void certificates_chain_roundTripsInOrder() throws Exception {
    CertificateAuthority devices = CertificateAuthority.create("CN=Root", Duration.ofDays(30))
        .intermediate("CN=Devices", Duration.ofDays(30));
    HeldCertificate held = devices.issue("press-1").clientAuth().issue();
    Path file = dir.resolve("chain.pem");
    Files.writeString(file, "a comment before the blocks is allowed\n" + Pem.encode(held.chain()));
    assertThat(Pem.readCertificates(file)).containsExactlyElementsOf(held.chain());
  }

  @Test
  void privateKeys_everyForm_roundTrips() throws Exception {
    KeyPair rsa = generate("RSA", 2048);
    KeyPair ec = generate("EC", 256);
    KeyPair ed = generate("Ed25519", 0);
    for (KeyPair keys : List.of(rsa, ec, ed)) {
      assertThat(Pem.parsePrivateKey(Pem.encodePrivateKey(keys.getPrivate()), "k", null))
          .isEqualTo(keys.getPrivate());
      String encrypted = Pem.encodePrivateKey(keys.getPrivate(), PASSPHRASE);
      assertThat(encrypted).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
      assertThat(Pem.parsePrivateKey(encrypted, "k", PASSPHRASE)).isEqualTo(keys.getPrivate());
    }
    String pkcs1 = traditional(rsa, null);
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Pem.parsePrivateKey(pkcs1, "k", null)).isEqualTo(rsa.getPrivate());
    String sec1 = sec1(ec);
    assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(scalar(Pem.parsePrivateKey(sec1, "k", null))).isEqualTo(scalar(ec.getPrivate()));
    String legacy = traditional(rsa, PASSPHRASE);
    assertThat(legacy).contains("Proc-Type: 4,ENCRYPTED");
    assertThat(Pem.parsePrivateKey(legacy, "k", PASSPHRASE)).isEqualTo(rsa.getPrivate());
  }

  @Test
  void privateKey_ecParametersBlockBeforeTheKey_isSkipped() throws Exception {
    KeyPair ec = generate("EC", 256);
    String withParams = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        + sec1(ec);
    assertThat(scalar(Pem.parsePrivateKey(withParams, "k", null))).isEqualTo(scalar(ec.getPrivate()));
  }

  @Test
  void crl_andRequest_roundTrip() throws Exception {
    X509CRL crl = CA.crl(Duration.ofDays(7));
    assertThat(Pem.parseCrls(Pem.encode(crl) + Pem.encode(crl), "b")).containsExactly(crl, crl);
  }

  @Test
  void errors_nameTheSourceLineAndProblem() throws Exception {
    PrivateKey key = generate("EC", 256).getPrivate();
    String cert = Pem.encode(List.of(CA.certificate()));
    String plainKey = Pem.encodePrivateKey(key);
    String encrypted = Pem.encodePrivateKey(key, PASSPHRASE);
    assertError(() -> Pem.parsePrivateKey(cert, "server.key", null),
        "server.key:1: holds a CERTIFICATE, not a private key");
    assertError(() -> Pem.parseCertificates(plainKey, "server.pem"),
        "server.pem:1: holds a private key, not a certificate");
    assertError(() -> Pem.parseCertificates("", "ca.pem"),
        "ca.pem: no certificate found (expected -----BEGIN CERTIFICATE-----)");
    assertError(() -> Pem.parsePrivateKey("just text\n", "server.key", null),
        "server.key: no private key found (expected -----BEGIN PRIVATE KEY-----)");
    assertError(() -> Pem.parseCrls(cert, "ca.crl"), "ca.crl:1: holds a CERTIFICATE, not a CRL");
    assertError(() -> Pem.parsePrivateKey(plainKey + plainKey, "two.key", null),
        "two.key:" + (plainKey.split("\n").length + 1) + ": holds more than one private key");
    assertError(() -> Pem.parsePrivateKey(encrypted, "enc.key", null),
        "enc.key:1: the private key is encrypted and no passphrase was given");
    assertError(() -> Pem.parsePrivateKey(encrypted, "enc.key", "wrong".toCharArray()),
        "enc.key:1: cannot decrypt the private key: wrong passphrase or unsupported encryption");
    assertError(() -> Pem.parseCertificates("x\n-----BEGIN CERTIFICATE-----\nAAAA\n", "cut.pem"),
        "cut.pem:2: BEGIN CERTIFICATE has no END");
    assertError(() -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n", "m.pem"),
        "m.pem:3: END X509 CRL does not close BEGIN CERTIFICATE on line 1");
    assertError(() -> Pem.parseCertificates("-----END CERTIFICATE-----\n", "e.pem"),
        "e.pem:1: END CERTIFICATE without a BEGIN");
    assertThatThrownBy(() -> Pem.parseCertificates("\n\n-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        "bad.pem")).isInstanceOf(TlsConfigException.class).hasMessageStartingWith("bad.pem:3: malformed CERTIFICATE block");
    assertError(() -> Pem.readCertificates(dir.resolve("missing.pem")), dir.resolve("missing.pem") + ": no such file");
    Path der = dir.resolve("ca.der");
    Files.write(der, CA.certificate().getEncoded());
    assertError(() -> Pem.readCertificates(der), der + ": not a PEM file (it holds bytes that are not ASCII; DER "
        + "files must be converted with openssl x509 -inform der)");
  }

  @Test
  void errors_neverContainKeyMaterial() throws Exception {
    String plainKey = Pem.encodePrivateKey(generate("EC", 256).getPrivate());
    String body = plainKey.split("\n")[1];
    String corrupted = plainKey.replace(body, body.substring(0, 20) + "*" + body.substring(21));
    assertThatThrownBy(() -> Pem.parsePrivateKey(corrupted, "k", null))
        .isInstanceOf(TlsConfigException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(body.substring(0, 12)));
  }

  static void assertError(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(TlsConfigException.class).hasMessage(message);
  }

  @Provide
  Arbitrary<String> pemLike() {
    Arbitrary<String> label = Arbitraries.of("CERTIFICATE", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "X509 CRL",
        "RSA PRIVATE KEY", "EC PRIVATE KEY", "CERTIFICATE REQUEST", "PUBLIC KEY", "EC PARAMETERS");
    Arbitrary<String> body = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        + "0123456789+/=\n :-,").ofMaxLength(400);
    Arbitrary<String> block = net.jqwik.api.Combinators.combine(label, body)
        .as((l, b) -> "-----BEGIN " + l + "-----\n" + b + "\n-----END " + l + "-----\n");
    return Arbitraries.oneOf(block, Arbitraries.strings().ofMaxLength(400),
        block.list().ofMaxSize(3).map(l -> String.join("", l)));
  }

  @Property(tries = 1000)
  void anyInput_throwsOnlyTlsConfigException(@ForAll("pemLike") String input) {
    for (Runnable parse : List.<Runnable>of(
        () -> Pem.parseCertificates(input, "fuzz"),
        () -> Pem.parsePrivateKey(input, "fuzz", "p".toCharArray()),
        () -> Pem.parseCrls(input, "fuzz"),
        () -> CA.request(input, "fuzz"))) {
      try {
        parse.run();
      } catch (TlsConfigException expected) {
        assertThat(expected.getMessage()).startsWith("fuzz");
      }
    }
  }

  @Test
  void aByteOrderMark_isNamed() throws Exception {
    Path file = dir.resolve("bom.pem");
    Files.writeString(file, "\uFEFF" + Pem.encode(List.of(CA.certificate())));
    assertError(() -> Pem.readCertificates(file), file + ":1:1: " + "the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one");
  }
}
