package io.mqttsec.tls;

import io.mqttsec.api.TlsConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads and writes the PEM files a broker is configured with: certificates and chains, private keys, CRLs and
 * certificate requests, in the formats OpenSSL, cert-manager and cloud consoles produce.
 *
 * <p>Private keys are read from every common form: PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}, PBES2 as {@code openssl pkcs8 -topk8} writes it), PKCS#1 RSA
 * ({@code RSA PRIVATE KEY}, also with OpenSSL's legacy {@code Proc-Type: 4,ENCRYPTED} header), SEC1 EC
 * ({@code EC PRIVATE KEY}, with or without a preceding {@code EC PARAMETERS} block) and Ed25519 (PKCS#8).
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
  public static final int MAX_FILE_BYTES = 64 * 1024 * 1024;

  private static final int PBKDF2_ITERATIONS = 600_000;
  /** A private instance for PBES2 and signature checks; never registered JVM-wide. */
  static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private Pem() {
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
    return parseAll(pem, source, X509CertificateHolder.class, "certificate", "CERTIFICATE",
        holder -> new JcaX509CertificateConverter().getCertificate(holder));
  }

  private interface Converter<H, T> {
    T convert(H holder) throws GeneralSecurityException;
  }

  /** Every block of {@code pem} as a {@code T}; any other kind of block, or none at all, is an error. */
  private static <H, T> List<T> parseAll(String pem, String source, Class<H> kind, String what, String label,
                                         Converter<H, T> converter) {
    List<T> all = new ArrayList<>();
    for (Block block : blocks(pem, source)) {
      Object parsed = block.parse(source);
      if (!kind.isInstance(parsed)) {
        throw block.error(source, "holds " + block.describe() + ", not a " + what);
      }
      try {
        all.add(converter.convert(kind.cast(parsed)));
      } catch (GeneralSecurityException e) {
        throw block.error(source, "unusable " + what + " (" + e.getMessage() + ")");
      }
    }
    if (all.isEmpty()) {
      throw new TlsConfigException(source + ": no " + what + " found (expected -----BEGIN " + label + "-----)");
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
    for (Block block : blocks(pem, source)) {
      Object parsed = block.parse(source);
      if (parsed instanceof ASN1ObjectIdentifier) {
        continue; // an EC PARAMETERS block, as openssl ecparam -genkey writes before the key
      }
      PrivateKeyInfo info = privateKeyInfo(block, parsed, source, passphrase);
      if (key != null) {
        throw block.error(source, "holds more than one private key");
      }
      key = toJdkKey(info, block, source);
    }
    if (key == null) {
      throw new TlsConfigException(source + ": no private key found (expected -----BEGIN PRIVATE KEY-----)");
    }
    return key;
  }

  private static PrivateKeyInfo privateKeyInfo(Block block, Object parsed, String source, char[] passphrase) {
    if (parsed instanceof PrivateKeyInfo info) {
      return info;
    }
    if (parsed instanceof PEMKeyPair pair) {
      return pair.getPrivateKeyInfo();
    }
    boolean encrypted = parsed instanceof PKCS8EncryptedPrivateKeyInfo || parsed instanceof PEMEncryptedKeyPair;
    if (!encrypted) {
      throw block.error(source, "holds " + block.describe() + ", not a private key");
    }
    if (passphrase == null) {
      throw block.error(source, "the private key is encrypted and no passphrase was given");
    }
    try {
      if (parsed instanceof PKCS8EncryptedPrivateKeyInfo enc) {
        return enc.decryptPrivateKeyInfo(
            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase));
      }
      return ((PEMEncryptedKeyPair) parsed)
          .decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(passphrase))
          .getPrivateKeyInfo();
    } catch (PKCSException | IOException | OperatorCreationException | RuntimeException e) {
      throw block.error(source, "cannot decrypt the private key: wrong passphrase or unsupported encryption");
    }
  }

  /** The JDK's own key object, so JSSE and {@code Signature} use it with the JDK's providers. */
  private static PrivateKey toJdkKey(PrivateKeyInfo info, Block block, String source) {
    String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
    String algorithm = keyAlgorithm(oid);
    if (algorithm == null) {
      throw block.error(source, "unsupported private key algorithm " + oid + " (use RSA, EC or Ed25519)");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw block.error(source, "unusable " + algorithm + " private key (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The JDK's name for a key algorithm OID, or {@code null} for one mqtt-sec does not use. */
  static String keyAlgorithm(String oid) {
    return switch (oid) {
      case "1.2.840.113549.1.1.1" -> "RSA";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case "1.2.840.10045.2.1" -> "EC";
      case "1.3.101.112" -> "Ed25519";
      case "1.3.101.113" -> "Ed448";
      default -> null;
    };
  }

  /**
   * All CRLs in {@code file}, in file order. A bundle of CRLs from several issuers is one file with several
   * {@code X509 CRL} blocks. Signatures are not checked here: see {@link TlsContexts}.
   */
  public static List<X509CRL> readCrls(Path file) {
    return parseCrls(read(file), name(file));
  }

  /** As {@link #readCrls(Path)}, from text; {@code source} names it in errors. */
  public static List<X509CRL> parseCrls(String pem, String source) {
    return parseAll(pem, source, X509CRLHolder.class, "CRL", "X509 CRL",
        holder -> new JcaX509CRLConverter().getCRL(holder));
  }

  /** The one certificate request (PKCS#10) in the text. Its signature is checked by the CA that signs it. */
  static PKCS10CertificationRequest parseCertificateRequest(String pem, String source) {
    List<Block> blocks = blocks(pem, source);
    if (blocks.size() != 1) {
      throw new TlsConfigException(source + ": expected one CERTIFICATE REQUEST block, found " + blocks.size());
    }
    Object parsed = blocks.get(0).parse(source);
    if (!(parsed instanceof PKCS10CertificationRequest csr)) {
      throw blocks.get(0).error(source, "holds " + blocks.get(0).describe() + ", not a certificate request");
    }
    return csr;
  }

  // ---------------------------------------------------------------------------------------------- writing

  /** Certificates as PEM, in the order given. */
  public static String encode(List<X509Certificate> certificates) {
    return write(certificates.toArray());
  }

  /** A CRL as PEM. */
  public static String encode(X509CRL crl) {
    return write(crl);
  }

  /**
   * A private key as unencrypted PKCS#8 PEM.
   *
   * <p><b>Security:</b> the result is the key. Write it to a file only the broker's user can read (0600).
   */
  public static String encodePrivateKey(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new TlsConfigException("cannot encode a " + key.getAlgorithm() + " private key", e);
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
    try {
      var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
          .setProvider(BC)
          .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
          .setIterationCount(PBKDF2_ITERATIONS)
          .setPassword(passphrase)
          .build();
      return write(new JcaPKCS8Generator(key, encryptor).generate());
    } catch (IOException | OperatorCreationException e) {
      throw new TlsConfigException("cannot encrypt a " + key.getAlgorithm() + " private key", e);
    }
  }

  private static String write(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    } catch (IOException e) {
      throw new TlsConfigException("cannot encode PEM", e);
    }
    return out.toString();
  }

  // ------------------------------------------------------------------------------------------- splitting

  static String read(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new TlsConfigException(file + ": " + size + " bytes is over the limit of " + MAX_FILE_BYTES
            + " (Pem.MAX_FILE_BYTES)");
      }
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.US_ASCII.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw new TlsConfigException(file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new TlsConfigException(file + ": not a PEM file (it holds bytes that are not ASCII; DER files must "
          + "be converted with openssl x509 -inform der)");
    } catch (IOException e) {
      throw new TlsConfigException(file + ": cannot read (" + e.getMessage() + ")", e);
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
          + MAX_FILE_BYTES + " (Pem.MAX_FILE_BYTES)");
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
        blocks.add(new Block(type, begin + 1, String.join("\n", List.of(lines).subList(begin, i + 1)) + "\n"));
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

  private record Block(String type, int line, String text) {

    Object parse(String source) {
      try (PEMParser parser = new PEMParser(new StringReader(text))) {
        Object parsed = parser.readObject();
        if (parsed == null) {
          throw error(source, "malformed " + type + " block");
        }
        if (parsed instanceof PEMKeyPair pair && pair.getPrivateKeyInfo() == null) {
          throw error(source, "malformed " + type + " block");
        }
        return parsed;
      } catch (TlsConfigException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // BouncyCastle's messages describe the ASN.1 structure, never the key bytes
        throw error(source, "malformed " + type + " block (" + reason(e) + ")");
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

    private static String reason(Exception e) {
      String message = e.getMessage();
      if (message == null || message.isBlank()) {
        return e.getClass().getSimpleName();
      }
      return message.length() > 120 ? message.substring(0, 120) + "..." : message;
    }
  }
}
