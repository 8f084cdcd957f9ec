/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import io.mqttsec.api.TlsConfigException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;

/** Checks on keys that the TLS and CA modules share. Internal to mqtt-sec. */
public final class KeyChecks {

  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyChecks() {
  }

  /**
   * Proves that {@code key} belongs to {@code cert} by signing a random challenge and verifying it with the
   * certificate's public key, which works for every key type (RSA, EC, Ed25519) without comparing encodings.
   */
  public static void requireMatch(PrivateKey key, X509Certificate cert, String keyName, String certName) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      case "Ed448" -> "Ed448";
      default -> throw new TlsConfigException(keyName + ": unsupported private key algorithm " + key.getAlgorithm()
          + " (use RSA, EC or Ed25519)");
    };
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      matches = false;
    }
    if (!matches) {
      throw new TlsConfigException(keyName + ": key does not match the certificate's public key (" + certName + ": "
          + cert.getSubjectX500Principal().getName(X500Principal.RFC2253) + ")");
    }
  }
}
