/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.Der;
import io.mqttsec.internal.DistinguishedNames;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * A PKCS#10 certificate request for a device's own key, written on the JDK alone (a request is a small DER
 * structure): the subject is the CN alone, as a UTF8String, never parsed from a distinguished name's text; no
 * attributes. The private key is only asked to sign, so a key in a token (PKCS#11) makes requests as well as one in
 * memory. EC keys sign with ECDSA-SHA256, RSA keys with SHA256withRSA, Ed25519 keys with Ed25519.
 *
 * <pre>{@code
 * KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
 * byte[] der = CertificateRequest.der("press-42", keys.getPublic(), keys.getPrivate());
 * String pem = CertificateRequest.pem(der);       // what 'mqtt-sec ca sign --csr' and openssl read
 * }</pre>
 */
public final class CertificateRequest {

  private static final String CN = "2.5.4.3";

  private CertificateRequest() {
  }

  /**
   * The DER request for {@code commonName} and {@code publicKey}, signed with {@code privateKey}.
   *
   * @throws IllegalArgumentException if the CN is empty, over 64 characters, holds a control character or starts
   *                                  with {@code #} (the rules the CA applies)
   * @throws TlsConfigException if the key cannot sign (its type unsupported, or a token refusing)
   */
  public static byte[] der(String commonName, PublicKey publicKey, PrivateKey privateKey) {
    DistinguishedNames.checkCommonName(commonName);
    byte[] subject = Der.sequence(Der.element(Der.SET, Der.sequence(Der.oid(CN),
        Der.element(Der.UTF8_STRING, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] info = Der.sequence(Der.integer(0), subject, publicKey.getEncoded(), Der.element(0xA0));
    String[] algorithm = algorithm(publicKey);
    byte[] signature;
    try {
      Signature signer = Signature.getInstance(algorithm[0]);
      signer.initSign(privateKey);
      signer.update(info);
      signature = signer.sign();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new TlsConfigException("cannot sign the certificate request with the " + privateKey.getAlgorithm()
          + " key (" + e.getMessage() + ")", e);
    }
    byte[] algorithmId = algorithm[1].isEmpty() ? Der.sequence(Der.oid(algorithm[2]))
        : Der.sequence(Der.oid(algorithm[2]), Der.nul());
    byte[] bits = new byte[signature.length + 1]; // no unused bits
    System.arraycopy(signature, 0, bits, 1, signature.length);
    return Der.sequence(info, algorithmId, Der.element(Der.BIT_STRING, bits));
  }

  /**
   * {@code cn}, if the CA would issue it: not empty, not starting with {@code #}, no control character, at most 64
   * characters.
   *
   * @throws IllegalArgumentException saying which rule it breaks
   */
  public static String checkCommonName(String cn) {
    return DistinguishedNames.checkCommonName(cn);
  }

  /** {@code der} as PEM ({@code CERTIFICATE REQUEST}). */
  public static String pem(byte[] der) {
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  /** The JCA signature name, whether the algorithm identifier carries NULL parameters, and its OID. */
  private static String[] algorithm(PublicKey key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> new String[] {"SHA256withECDSA", "", "1.2.840.10045.4.3.2"};
      case "RSA" -> new String[] {"SHA256withRSA", "null", "1.2.840.113549.1.1.11"};
      case "Ed25519", "EdDSA" -> new String[] {"Ed25519", "", "1.3.101.112"};
      default -> throw new TlsConfigException("unsupported key algorithm " + key.getAlgorithm()
          + " for a certificate request (use EC, RSA or Ed25519)");
    };
  }
}
