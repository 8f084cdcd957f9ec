/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import io.mqttsec.api.TlsConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The PEM reading and writing behind {@code io.mqttsec.tls.Pem} (whose javadoc says what it does), shared with the
 * CA module. Internal to mqtt-sec.
 */
public final class PemCodec {

  /** The largest PEM file read: 64 MiB, room for a CRL with a million entries. */
  public static final int MAX_FILE_BYTES = 64 * 1024 * 1024;

  private static final int PBKDF2_ITERATIONS = 600_000;
  /** More PBKDF2 iterations than this in a key file is refused: a hostile file must not cost minutes. */
  private static final int MAX_PBKDF2_ITERATIONS = 10_000_000;
  private static final String PBES2 = "1.2.840.113549.1.5.13";
  private static final String PBKDF2 = "1.2.840.113549.1.5.12";
  private static final String HMAC_SHA256 = "1.2.840.113549.2.9";
  private static final String AES_256_CBC = "2.16.840.1.101.3.4.1.42";
  private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
  private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private PemCodec() {
  }

  // ---------------------------------------------------------------------------------------------- reading

  /**
   * All certificates in {@code file}, in file order (leaf first for a chain).
   *
   * @throws TlsConfigException if the file cannot be read, holds no certificate, or holds something else
   *                            (a key in a certificate file is refused rather than skipped)
   */
  public static List<X509Certificate> readCertificates(Path file) {
    return parseCertificates(read(file), name(file));
  }

  /** As {@link #readCertificates(Path)}, from text; {@code source} names it in errors. */
  public static List<X509Certificate> parseCertificates(String pem, String source) {
    List<X509Certificate> all = new ArrayList<>();
    for (Block block : blocks(pem, source)) {
      if (!block.type.equals("CERTIFICATE") && !block.type.equals("TRUSTED CERTIFICATE")) {
        throw block.error(source, "holds " + block.describe() + ", not a certificate");
      }
      try {
        all.add((X509Certificate) x509().generateCertificate(new ByteArrayInputStream(block.body(source))));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw block.error(source, "malformed " + block.type + " block (" + reason(e) + ")");
      }
    }
    if (all.isEmpty()) {
      throw new TlsConfigException(source + ": no certificate found (expected -----BEGIN CERTIFICATE-----)");
    }
    return List.copyOf(all);
  }

  /**
   * The one private key in {@code file}.
   *
   * @param passphrase the passphrase of an encrypted key; {@code null} when the key is not encrypted
   * @throws TlsConfigException if the file holds no key, more than one, something other than a key, an
   *                            encrypted key without (or with the wrong) passphrase, or an unsupported algorithm
   */
  public static PrivateKey readPrivateKey(Path file, char[] passphrase) {
    return parsePrivateKey(read(file), name(file), passphrase);
  }

  /** As {@link #readPrivateKey(Path, char[])}, from text; {@code source} names it in errors. */
  public static PrivateKey parsePrivateKey(String pem, String source, char[] passphrase) {
    PrivateKey key = null;
    byte[] curve = null;
    for (Block block : blocks(pem, source)) {
      if (block.type.equals("EC PARAMETERS")) {
        curve = block.body(source); // as openssl ecparam -genkey writes before the key
        continue;
      }
      byte[] pkcs8 = switch (block.type) {
        case "PRIVATE KEY" -> block.body(source);
        case "ENCRYPTED PRIVATE KEY" -> decryptPkcs8(block, source, passphrase);
        case "RSA PRIVATE KEY" -> wrapRsa(block.traditional(source, passphrase));
        case "EC PRIVATE KEY" -> wrapEc(block, source, block.traditional(source, passphrase), curve);
        default -> throw block.error(source, "holds " + block.describe() + ", not a private key");
      };
      if (key != null) {
        Arrays.fill(pkcs8, (byte) 0);
        throw block.error(source, "holds more than one private key");
      }
      try {
        key = toJdkKey(pkcs8, block, source);
      } finally {
        Arrays.fill(pkcs8, (byte) 0);
      }
    }
    if (key == null) {
      throw new TlsConfigException(source + ": no private key found (expected -----BEGIN PRIVATE KEY-----)");
    }
    return key;
  }

  /** The PKCS#8 inside an {@code ENCRYPTED PRIVATE KEY}: PBES2, PBKDF2 and a CBC cipher. */
  private static byte[] decryptPkcs8(Block block, String source, char[] passphrase) {
    if (passphrase == null) {
      throw block.error(source, "the private key is encrypted and no passphrase was given");
    }
    byte[] der = block.body(source);
    String cipherOid;
    byte[] iv;
    byte[] salt;
    int iterations;
    String prf;
    byte[] encrypted;
    try {
      Der.Reader info = Der.parse(der).expect(Der.SEQUENCE, "EncryptedPrivateKeyInfo").children();
      Der.Reader algorithm = info.next(Der.SEQUENCE, "an algorithm").children();
      if (!algorithm.next().oid().equals(PBES2)) {
        throw block.error(source, "cannot decrypt the private key: only PBES2 encryption is supported (as "
            + "openssl pkcs8 -topk8 -v2 aes-256-cbc writes it)");
      }
      Der.Reader params = algorithm.next(Der.SEQUENCE, "PBES2 parameters").children();
      Der.Reader kdf = params.next(Der.SEQUENCE, "a key derivation").children();
      if (!kdf.next().oid().equals(PBKDF2)) {
        throw block.error(source, "cannot decrypt the private key: only PBKDF2 key derivation is supported");
      }
      Der.Reader pbkdf2 = kdf.next(Der.SEQUENCE, "PBKDF2 parameters").children();
      salt = pbkdf2.next(Der.OCTET_STRING, "a salt").contents();
      BigInteger count = pbkdf2.next().integer();
      pbkdf2.optional(Der.INTEGER); // the key length, which the cipher fixes anyway
      Der.Element prfElement = pbkdf2.optional(Der.SEQUENCE);
      prf = prfElement == null ? "1.2.840.113549.2.7" : prfElement.children().next().oid();
      Der.Reader scheme = params.next(Der.SEQUENCE, "an encryption scheme").children();
      cipherOid = scheme.next().oid();
      iv = scheme.next(Der.OCTET_STRING, "an IV").contents();
      encrypted = info.next(Der.OCTET_STRING, "the encrypted key").contents();
      if (count.signum() <= 0 || count.compareTo(BigInteger.valueOf(MAX_PBKDF2_ITERATIONS)) > 0) {
        throw block.error(source, "cannot decrypt the private key: " + count + " PBKDF2 iterations is outside 1 to "
            + MAX_PBKDF2_ITERATIONS);
      }
      iterations = count.intValueExact();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw block.error(source, "malformed ENCRYPTED PRIVATE KEY block (" + e.getMessage() + ")");
    }
    String mac = switch (prf) {
      case "1.2.840.113549.2.7" -> "HmacSHA1";
      case "1.2.840.113549.2.8" -> "HmacSHA224";
      case HMAC_SHA256 -> "HmacSHA256";
      case "1.2.840.113549.2.10" -> "HmacSHA384";
      case "1.2.840.113549.2.11" -> "HmacSHA512";
      default -> throw block.error(source, "cannot decrypt the private key: unsupported PBKDF2 function " + prf);
    };
    CipherSpec cipher = CipherSpec.of(cipherOid);
    if (cipher == null) {
      throw block.error(source, "cannot decrypt the private key: unsupported cipher " + cipherOid
          + " (AES-CBC or DES-EDE3-CBC)");
    }
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, cipher.keyBytes * 8);
    byte[] key = null;
    try {
      key = SecretKeyFactory.getInstance("PBKDF2With" + mac).generateSecret(spec).getEncoded();
      byte[] plain = cipher.decrypt(key, iv, encrypted);
      try {
        // a wrong passphrase that happens to leave valid padding (about one time in 256) yields garbage: the
        // decrypted bytes must be a PrivateKeyInfo (a SEQUENCE of a version and an algorithm) to count as decrypted
        Der.Reader info = Der.parse(plain).expect(Der.SEQUENCE, "a private key").children();
        info.next(Der.INTEGER, "a version");
        info.next(Der.SEQUENCE, "an algorithm");
      } catch (IllegalArgumentException garbage) {
        Arrays.fill(plain, (byte) 0);
        throw new GeneralSecurityException("not a private key after decryption");
      }
      return plain;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw block.error(source, "cannot decrypt the private key: wrong passphrase or unsupported encryption");
    } finally {
      spec.clearPassword();
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /** A cipher an encrypted key may use: its JDK name and key length. */
  private record CipherSpec(String algorithm, String transformation, int keyBytes) {

    static CipherSpec of(String oidOrDekName) {
      return switch (oidOrDekName) {
        case "2.16.840.1.101.3.4.1.2", "AES-128-CBC" -> new CipherSpec("AES", "AES/CBC/PKCS5Padding", 16);
        case "2.16.840.1.101.3.4.1.22", "AES-192-CBC" -> new CipherSpec("AES", "AES/CBC/PKCS5Padding", 24);
        case AES_256_CBC, "AES-256-CBC" -> new CipherSpec("AES", "AES/CBC/PKCS5Padding", 32);
        case "1.2.840.113549.3.7", "DES-EDE3-CBC" -> new CipherSpec("DESede", "DESede/CBC/PKCS5Padding", 24);
        default -> null;
      };
    }

    byte[] decrypt(byte[] key, byte[] iv, byte[] data) throws GeneralSecurityException {
      Cipher c = Cipher.getInstance(transformation);
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, algorithm), new IvParameterSpec(iv));
      return c.doFinal(data);
    }
  }

  /** PKCS#1 RSA in PKCS#8. */
  private static byte[] wrapRsa(byte[] pkcs1) {
    try {
      return Der.sequence(Der.integer(0), Der.sequence(Der.oid(RSA_ENCRYPTION), Der.nul()), Der.octetString(pkcs1));
    } finally {
      Arrays.fill(pkcs1, (byte) 0);
    }
  }

  /** SEC1 EC in PKCS#8, the curve from the key's own parameters or a preceding {@code EC PARAMETERS}. */
  private static byte[] wrapEc(Block block, String source, byte[] sec1, byte[] curveBlock) {
    try {
      byte[] curve = null;
      Der.Reader key = Der.parse(sec1).expect(Der.SEQUENCE, "ECPrivateKey").children();
      key.next().integer();
      key.next(Der.OCTET_STRING, "the private key");
      Der.Element params = key.optional(0xA0);
      if (params != null) {
        curve = params.children().next().expect(Der.OID, "a named curve").contents();
      } else if (curveBlock != null) {
        curve = Der.parse(curveBlock).expect(Der.OID, "a named curve").contents();
      }
      if (curve == null) {
        throw block.error(source, "the EC private key names no curve");
      }
      return Der.sequence(Der.integer(0), Der.sequence(Der.oid(EC_PUBLIC_KEY), Der.element(Der.OID, curve)),
          Der.octetString(sec1));
    } catch (IllegalArgumentException e) {
      throw block.error(source, "malformed EC PRIVATE KEY block (" + e.getMessage() + ")");
    } finally {
      Arrays.fill(sec1, (byte) 0);
    }
  }

  /** The JDK's own key object, so JSSE and {@code Signature} use it with the JDK's providers. */
  private static PrivateKey toJdkKey(byte[] pkcs8, Block block, String source) {
    String oid;
    try {
      Der.Reader info = Der.parse(pkcs8).expect(Der.SEQUENCE, "PrivateKeyInfo").children();
      info.next().integer();
      oid = info.next(Der.SEQUENCE, "an algorithm").children().next().oid();
    } catch (IllegalArgumentException e) {
      throw block.error(source, "malformed " + block.type + " block (" + e.getMessage() + ")");
    }
    String algorithm = keyAlgorithm(oid);
    if (algorithm == null) {
      throw block.error(source, "unsupported private key algorithm " + oid + " (use RSA, EC or Ed25519)");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw block.error(source, "unusable " + algorithm + " private key (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The JDK's name for a key algorithm OID, or {@code null} for one mqtt-sec does not use. */
  public static String keyAlgorithm(String oid) {
    return switch (oid) {
      case RSA_ENCRYPTION -> "RSA";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case EC_PUBLIC_KEY -> "EC";
      case "1.3.101.112" -> "Ed25519";
      case "1.3.101.113" -> "Ed448";
      default -> null;
    };
  }

  /**
   * All CRLs in {@code file}, in file order. A bundle of CRLs from several issuers is one file with several
   * {@code X509 CRL} blocks. Signatures are not checked here.
   */
  public static List<X509CRL> readCrls(Path file) {
    return parseCrls(read(file), name(file));
  }

  /** As {@link #readCrls(Path)}, from text; {@code source} names it in errors. */
  public static List<X509CRL> parseCrls(String pem, String source) {
    List<X509CRL> all = new ArrayList<>();
    for (Block block : blocks(pem, source)) {
      if (!block.type.equals("X509 CRL")) {
        throw block.error(source, "holds " + block.describe() + ", not a CRL");
      }
      try {
        all.add((X509CRL) x509().generateCRL(new ByteArrayInputStream(block.body(source))));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw block.error(source, "malformed X509 CRL block (" + reason(e) + ")");
      }
    }
    if (all.isEmpty()) {
      throw new TlsConfigException(source + ": no CRL found (expected -----BEGIN X509 CRL-----)");
    }
    return List.copyOf(all);
  }

  private static CertificateFactory x509() throws GeneralSecurityException {
    return CertificateFactory.getInstance("X.509");
  }

  // ---------------------------------------------------------------------------------------------- writing

  /** Certificates as PEM, in the order given. */
  public static String encode(List<X509Certificate> certificates) {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : certificates) {
      try {
        block(out, "CERTIFICATE", c.getEncoded());
      } catch (GeneralSecurityException e) {
        throw new TlsConfigException("cannot encode a certificate", e);
      }
    }
    return out.toString();
  }

  /** A CRL as PEM. */
  public static String encode(X509CRL crl) {
    try {
      return block(new StringBuilder(), "X509 CRL", crl.getEncoded()).toString();
    } catch (GeneralSecurityException e) {
      throw new TlsConfigException("cannot encode a CRL", e);
    }
  }

  /**
   * A private key as unencrypted PKCS#8 PEM.
   *
   * <p><b>Security:</b> the result is the key. Write it to a file only the broker's user can read (0600).
   */
  public static String encodePrivateKey(PrivateKey key) {
    byte[] der = pkcs8(key);
    try {
      return block(new StringBuilder(), "PRIVATE KEY", der).toString();
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * A private key as encrypted PKCS#8 PEM: PBES2 with PBKDF2-HMAC-SHA256 (600,000 iterations, the OWASP 2023
   * figure) and AES-256-CBC, which {@code openssl pkey -in key.pem} reads.
   */
  public static String encodePrivateKey(PrivateKey key, char[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("an empty passphrase does not protect a key");
    }
    byte[] salt = new byte[16];
    byte[] iv = new byte[16];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(iv);
    byte[] der = pkcs8(key);
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, PBKDF2_ITERATIONS, 256);
    byte[] aes = null;
    try {
      aes = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aes, "AES"), new IvParameterSpec(iv));
      byte[] encrypted = c.doFinal(der);
      byte[] info = Der.sequence(
          Der.sequence(Der.oid(PBES2), Der.sequence(
              Der.sequence(Der.oid(PBKDF2), Der.sequence(Der.octetString(salt), Der.integer(PBKDF2_ITERATIONS),
                  Der.sequence(Der.oid(HMAC_SHA256), Der.nul()))),
              Der.sequence(Der.oid(AES_256_CBC), Der.octetString(iv)))),
          Der.octetString(encrypted));
      return block(new StringBuilder(), "ENCRYPTED PRIVATE KEY", info).toString();
    } catch (GeneralSecurityException e) {
      throw new TlsConfigException("cannot encrypt a " + key.getAlgorithm() + " private key", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(der, (byte) 0);
      if (aes != null) {
        Arrays.fill(aes, (byte) 0);
      }
    }
  }

  private static byte[] pkcs8(PrivateKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new TlsConfigException("cannot encode a " + key.getAlgorithm() + " private key: it is not "
          + "extractable as PKCS#8 (a hardware key stays in its token)");
    }
    return der;
  }

  private static StringBuilder block(StringBuilder out, String label, byte[] der) {
    out.append("-----BEGIN ").append(label).append("-----\n");
    String base64 = Base64.getEncoder().encodeToString(der);
    for (int i = 0; i < base64.length(); i += 64) {
      out.append(base64, i, Math.min(base64.length(), i + 64)).append('\n');
    }
    return out.append("-----END ").append(label).append("-----\n");
  }

  // ------------------------------------------------------------------------------------------- splitting

  public static String read(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new TlsConfigException(file + ": " + size + " bytes is over the limit of " + MAX_FILE_BYTES
            + " bytes for a PEM file");
      }
      byte[] bytes = Files.readAllBytes(file);
      if (Checks.startsWithByteOrderMark(bytes)) {
        throw new TlsConfigException(file + ":1:1: " + Checks.BYTE_ORDER_MARK);
      }
      return StandardCharsets.US_ASCII.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new TlsConfigException(file + ": not a PEM file (it holds bytes that are not ASCII; DER files must "
          + "be converted with openssl x509 -inform der)");
    } catch (IOException e) {
      throw new TlsConfigException(file + ": " + Checks.cannotRead(e), e);
    }
  }

  private static String name(Path file) {
    return file.toString();
  }

  /** The BEGIN/END blocks of a PEM text, with the line each begins on; text between blocks is ignored. */
  private static List<Block> blocks(String pem, String source) {
    Objects.requireNonNull(pem, "pem");
    if (pem.length() > MAX_FILE_BYTES) {
      throw new TlsConfigException(source + ": " + pem.length() + " characters is over the limit of "
          + MAX_FILE_BYTES + " for a PEM file");
    }
    List<Block> blocks = new ArrayList<>();
    String[] lines = pem.split("\r?\n", -1);
    int begin = -1;
    String type = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("-----BEGIN ")) {
        if (type != null) {
          throw new TlsConfigException(source + ":" + (i + 1) + ": BEGIN " + type + " on line " + (begin + 1)
              + " has no END before the next BEGIN");
        }
        type = label(line, "-----BEGIN ", source, i);
        begin = i;
      } else if (line.startsWith("-----END ")) {
        String end = label(line, "-----END ", source, i);
        if (type == null) {
          throw new TlsConfigException(source + ":" + (i + 1) + ": END " + end + " without a BEGIN");
        }
        if (!end.equals(type)) {
          throw new TlsConfigException(source + ":" + (i + 1) + ": END " + end + " does not close BEGIN " + type
              + " on line " + (begin + 1));
        }
        blocks.add(new Block(type, begin + 1, List.of(lines).subList(begin + 1, i)));
        type = null;
      }
    }
    if (type != null) {
      throw new TlsConfigException(source + ":" + (begin + 1) + ": BEGIN " + type + " has no END");
    }
    return blocks;
  }

  private static String label(String line, String prefix, String source, int index) {
    if (!line.endsWith("-----") || line.length() < prefix.length() + 6) {
      throw new TlsConfigException(source + ":" + (index + 1) + ": malformed PEM boundary line");
    }
    String label = line.substring(prefix.length(), line.length() - 5);
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '-')) {
        throw new TlsConfigException(source + ":" + (index + 1) + ": malformed PEM label");
      }
    }
    return label;
  }

  private static String reason(Exception e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.length() > 120 ? message.substring(0, 120) + "..." : message;
  }

  /** One BEGIN/END block: its label, the line it begins on, its header lines and base64 body lines. */
  private record Block(String type, int line, List<String> lines) {

    /** The RFC 1421 headers ({@code Proc-Type}, {@code DEK-Info}) before the body. */
    Map<String, String> headers() {
      Map<String, String> headers = new LinkedHashMap<>();
      for (String l : lines) {
        int colon = l.indexOf(':');
        if (colon < 0) {
          break;
        }
        headers.put(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
      }
      return headers;
    }

    /** The DER the base64 body holds. */
    byte[] body(String source) {
      StringBuilder base64 = new StringBuilder();
      boolean inHeaders = true;
      for (String l : lines) {
        String t = l.strip();
        if (inHeaders && t.indexOf(':') >= 0) {
          continue;
        }
        inHeaders = false;
        base64.append(t);
      }
      try {
        byte[] der = Base64.getDecoder().decode(base64.toString());
        if (der.length == 0) {
          throw error(source, "malformed " + type + " block (empty)");
        }
        return der;
      } catch (IllegalArgumentException e) {
        throw error(source, "malformed " + type + " block (not base64)");
      }
    }

    /**
     * The body of a PKCS#1 or SEC1 key, decrypted when OpenSSL's legacy header says it is encrypted
     * ({@code Proc-Type: 4,ENCRYPTED}, {@code DEK-Info: AES-256-CBC,<iv>}; the key is OpenSSL's
     * {@code EVP_BytesToKey} with MD5, the salt the IV's first 8 bytes).
     */
    byte[] traditional(String source, char[] passphrase) {
      Map<String, String> headers = headers();
      if (!headers.getOrDefault("Proc-Type", "").equals("4,ENCRYPTED")) {
        return body(source);
      }
      if (passphrase == null) {
        throw error(source, "the private key is encrypted and no passphrase was given");
      }
      String[] dek = headers.getOrDefault("DEK-Info", "").split(",");
      CipherSpec cipher = dek.length == 2 ? CipherSpec.of(dek[0].toUpperCase(Locale.ROOT)) : null;
      if (cipher == null) {
        throw error(source, "cannot decrypt the private key: unsupported DEK-Info " + headers.get("DEK-Info"));
      }
      byte[] iv;
      try {
        iv = HexFormat.of().parseHex(dek[1]);
      } catch (IllegalArgumentException e) {
        throw error(source, "malformed DEK-Info IV");
      }
      byte[] password = new String(passphrase).getBytes(StandardCharsets.UTF_8);
      byte[] key = new byte[cipher.keyBytes];
      try {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] previous = new byte[0];
        for (int filled = 0; filled < key.length; ) {
          md5.update(previous);
          md5.update(password);
          md5.update(iv, 0, 8);
          previous = md5.digest();
          int n = Math.min(previous.length, key.length - filled);
          System.arraycopy(previous, 0, key, filled, n);
          filled += n;
        }
        return cipher.decrypt(key, iv, body(source));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw error(source, "cannot decrypt the private key: wrong passphrase or unsupported encryption");
      } finally {
        Arrays.fill(password, (byte) 0);
        Arrays.fill(key, (byte) 0);
      }
    }

    String describe() {
      return switch (type) {
        case "CERTIFICATE", "TRUSTED CERTIFICATE" -> "a CERTIFICATE";
        case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> "a private key";
        case "X509 CRL" -> "a CRL";
        default -> "a " + type.toLowerCase(Locale.ROOT).replace("new ", "") + " block";
      };
    }

    TlsConfigException error(String source, String what) {
      return new TlsConfigException(source + ":" + line + ": " + what);
    }
  }
}
