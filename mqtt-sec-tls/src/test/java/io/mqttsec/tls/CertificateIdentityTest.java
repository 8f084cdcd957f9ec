/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificateIdentityTest {

  static final CertificateAuthority ROOT = CertificateAuthority.create("CN=Factory Root CA,O=Factory",
      java.time.Duration.ofDays(3650));

  /** A self-signed certificate with exactly the subject given, for subjects the CA would never write. */
  static X509Certificate withSubject(X500Name subject) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair keys = g.generateKeyPair();
    Instant now = Instant.now();
    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
        BigInteger.ONE, Date.from(now), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  static X509Certificate withCn(ASN1Encodable... values) throws Exception {
    X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Factory");
    for (ASN1Encodable v : values) {
      b.addRDN(BCStyle.CN, v);
    }
    return withSubject(b.build());
  }

  @Test
  void of_deviceCertificate_givesCnSubjectSansAndFingerprint() throws Exception {
    HeldCertificate press = ROOT.issue("press-42").clientAuth()
        .dnsNames("press-42.factory.local").uris("urn:factory:press-42").emails("ops@factory.example").issue();
    CertificateIdentity id = CertificateIdentity.of(press.chain());
    assertThat(id.commonName()).contains("press-42");
    assertThat(id.subjectDn()).isEqualTo("CN=press-42");
    assertThat(id.dnsNames()).containsExactly("press-42.factory.local");
    assertThat(id.uris()).containsExactly("urn:factory:press-42");
    assertThat(id.emails()).containsExactly("ops@factory.example");
    assertThat(id.sans()).containsExactly("DNS:press-42.factory.local", "URI:urn:factory:press-42",
        "email:ops@factory.example");
    assertThat(id.sha256Fingerprint()).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(press.certificate().getEncoded())));
  }

  @Test
  void subjectDn_isRfc2253() throws Exception {
    X509Certificate cert = withSubject(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "DE")
        .addRDN(BCStyle.O, "Factory, Inc.").addRDN(BCStyle.CN, "press-42").build());
    CertificateIdentity id = CertificateIdentity.of(cert);
    assertThat(id.subjectDn()).isEqualTo("CN=press-42,O=Factory\\, Inc.,C=DE");
    assertThat(id.commonName()).contains("press-42");
  }

  @Test
  void commonName_unicodeInUtf8String_isKept() throws Exception {
    assertThat(CertificateIdentity.of(withCn(new DERUTF8String("Presse-Größe-𝄞"))).commonName())
        .contains("Presse-Größe-𝄞");
  }

  @Test
  void commonName_none_twoOrEmpty_givesNoIdentity() throws Exception {
    assertThat(CertificateIdentity.of(withCn()).commonName()).isEmpty();
    assertThat(CertificateIdentity.of(withCn(new DERUTF8String("a"), new DERUTF8String("b"))).commonName()).isEmpty();
    assertThat(CertificateIdentity.of(withCn(new DERUTF8String(""))).commonName()).isEmpty();
  }

  @Test
  void commonName_withNul_givesNoIdentityRatherThanATruncatedOne() throws Exception {
    CertificateIdentity id = CertificateIdentity.of(withCn(new DERUTF8String("admin\u0000.press-42")));
    assertThat(id.commonName()).isEmpty();
    assertThat(id.subjectDn()).contains("admin");
  }

  @Test
  void commonName_invalidUtf8_givesNoIdentity() throws Exception {
    ASN1Primitive invalid = ASN1Primitive.fromByteArray(new byte[] {0x0C, 0x03, 'a', (byte) 0xC3, 0x28});
    assertThat(CertificateIdentity.of(withCn(invalid)).commonName()).isEmpty();
  }

  @Test
  void commonName_teletexString_givesNoIdentity() throws Exception {
    assertThat(CertificateIdentity.of(withCn(new DERT61String("press-42"))).commonName()).isEmpty();
  }
}
