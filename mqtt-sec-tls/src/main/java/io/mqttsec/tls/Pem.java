/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.PemCodec;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Reads and writes the PEM files a broker is configured with: certificates and chains, private keys, CRLs and
 * in the formats OpenSSL, cert-manager and cloud consoles produce, with the JDK alone (no security provider is
 * added or needed).
 *
 * <p>Private keys are read from every common form: PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}, PBES2 as {@code openssl pkcs8 -topk8} writes it), PKCS#1 RSA
 * ({@code RSA PRIVATE KEY}, also with OpenSSL's legacy {@code Proc-Type: 4,ENCRYPTED} header), SEC1 EC
 * ({@code EC PRIVATE KEY}, with or without a preceding {@code EC PARAMETERS} block) and Ed25519 (PKCS#8).
 * Encrypted PKCS#8 is PBES2 with PBKDF2 (HMAC-SHA1, -SHA224, -SHA256, -SHA384, -SHA512) and AES-CBC or 3DES; the
 * legacy header supports AES-128/192/256-CBC and DES-EDE3-CBC.
 * Keys are written as PKCS#8, plain or encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC).
 *
 * <p>Errors are {@link TlsConfigException}s that name the source and, where there is one, the line, and say
 * what is wrong: {@code server.key: holds a CERTIFICATE, not a private key},
 * {@code ca.pem:12: malformed CERTIFICATE block (...)}. Inputs are bounded by {@link #MAX_FILE_BYTES}.
 *
 * <p><b>Security:</b> no message ever contains key material or a passphrase. Passphrase arrays are read,
 * never kept or wiped: they belong to the caller.
 *
 * <p>All methods are static and thread-safe.
 */
public final class Pem {

  /** The largest PEM file read: 64 MiB, room for a CRL with a million entries. */
  public static final int MAX_FILE_BYTES = PemCodec.MAX_FILE_BYTES;

  private Pem() {
  }

  /**
   * All certificates in {@code file}, in file order (leaf first for a chain).
   *
   * @throws TlsConfigException if the file cannot be read, holds no certificate, or holds something else
   *                            (a key in a certificate file is refused rather than skipped)
   */
  public static List<X509Certificate> readCertificates(Path file) {
    return PemCodec.readCertificates(file);
  }

  /** As {@link #readCertificates(Path)}, from text; {@code source} names it in errors. */
  public static List<X509Certificate> parseCertificates(String pem, String source) {
    return PemCodec.parseCertificates(pem, source);
  }

  /**
   * The one private key in {@code file}.
   *
   * @param passphrase the passphrase of an encrypted key; {@code null} when the key is not encrypted
   * @throws TlsConfigException if the file holds no key, more than one, something other than a key, an
   *                            encrypted key without (or with the wrong) passphrase, or an unsupported algorithm
   */
  public static PrivateKey readPrivateKey(Path file, char[] passphrase) {
    return PemCodec.readPrivateKey(file, passphrase);
  }

  /** As {@link #readPrivateKey(Path, char[])}, from text; {@code source} names it in errors. */
  public static PrivateKey parsePrivateKey(String pem, String source, char[] passphrase) {
    return PemCodec.parsePrivateKey(pem, source, passphrase);
  }

  /**
   * All CRLs in {@code file}, in file order. A bundle of CRLs from several issuers is one file with several
   * {@code X509 CRL} blocks. Signatures are not checked here: see {@link TlsContexts}.
   */
  public static List<X509CRL> readCrls(Path file) {
    return PemCodec.readCrls(file);
  }

  /** As {@link #readCrls(Path)}, from text; {@code source} names it in errors. */
  public static List<X509CRL> parseCrls(String pem, String source) {
    return PemCodec.parseCrls(pem, source);
  }

  /** Certificates as PEM, in the order given. */
  public static String encode(List<X509Certificate> certificates) {
    return PemCodec.encode(certificates);
  }

  /** A CRL as PEM. */
  public static String encode(X509CRL crl) {
    return PemCodec.encode(crl);
  }

  /**
   * A private key as unencrypted PKCS#8 PEM.
   *
   * <p><b>Security:</b> the result is the key. Write it to a file only the broker's user can read (0600).
   */
  public static String encodePrivateKey(PrivateKey key) {
    return PemCodec.encodePrivateKey(key);
  }

  /**
   * A private key as encrypted PKCS#8 PEM: PBES2 with PBKDF2-HMAC-SHA256 (600,000 iterations, the OWASP 2023
   * figure) and AES-256-CBC, which {@code openssl pkey -in key.pem} reads.
   */
  public static String encodePrivateKey(PrivateKey key, char[] passphrase) {
    return PemCodec.encodePrivateKey(key, passphrase);
  }
}
