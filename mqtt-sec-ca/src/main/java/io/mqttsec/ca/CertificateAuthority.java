/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.DistinguishedNames;
import io.mqttsec.internal.Durations;
import io.mqttsec.internal.KeyChecks;
import io.mqttsec.internal.PemCodec;
import io.mqttsec.internal.SecureFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * An internal certificate authority for a device fleet: a root (and optionally an intermediate) that issues
 * server and device certificates, revokes them, and signs CRLs.
 *
 * <pre>{@code
 * CertificateAuthority root = CertificateAuthority.create("CN=Factory Root CA", Duration.ofDays(3650));
 * CertificateAuthority devices = root.intermediate("CN=Factory Devices CA", Duration.ofDays(1825));
 * HeldCertificate broker = devices.issue("broker.factory.local").dnsNames("broker.factory.local")
 *     .serverAuth().validity(Duration.ofDays(397)).issue();
 * HeldCertificate press = devices.issue("press-42").clientAuth().validity(Duration.ofDays(825)).issue();
 * devices.revoke(press.certificate().getSerialNumber());
 * X509CRL crl = devices.crl(Duration.ofDays(7));
 * }</pre>
 *
 * <p>Keys are EC P-256 unless RSA is asked for. Serial numbers are 159 bits long, 158 of them random (positive,
 * as RFC 5280 requires). Certificates start one minute before "now", so a peer whose clock is a little behind
 * accepts them.
 * CA certificates carry critical basic constraints (an intermediate may issue only leaves) and key usage
 * {@code keyCertSign, cRLSign}; leaves carry {@code CA:false}, key usage and the extended key usages asked for.
 *
 * <p>Thread-safe: issuing and revoking may run concurrently.
 */
public final class CertificateAuthority {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration BACKDATE = Duration.ofMinutes(1);

  /**
   * The most a reader of certificate requests takes in before it refuses (a PEM file for {@code mqtt-sec ca sign},
   * a base64 body for {@link EstServer}): larger than any real request (an RSA-8192 one is about 3.5 KiB), small
   * enough to refuse a flood. {@link #request} itself takes what its caller gives it.
   */
  public static final int MAX_REQUEST_BYTES = 32 * 1024;

  private final X509Certificate certificate;
  private final KeyPair keyPair;
  private final Clock clock;
  private final Map<BigInteger, Instant> revoked = new LinkedHashMap<>();
  private BigInteger crlNumber = BigInteger.ZERO;
  /** Where {@link #record} keeps the inventory: the folder this CA was loaded from or last saved to. */
  private volatile Path folder;

  private CertificateAuthority(X509Certificate certificate, KeyPair keyPair, Clock clock) {
    this.certificate = certificate;
    this.keyPair = keyPair;
    this.clock = clock;
  }

  /**
   * A new self-signed root with an EC P-256 key, valid for {@code validity} from now.
   *
   * @throws IllegalArgumentException if {@code subjectDn} is not a distinguished name
   */
  public static CertificateAuthority create(String subjectDn, Duration validity) {
    return create(subjectDn, validity, Clock.systemUTC());
  }

  /** As {@link #create(String, Duration)}, with the clock that dates certificates and CRLs. */
  public static CertificateAuthority create(String subjectDn, Duration validity, Clock clock) {
    return create(subjectDn, validity, KeyType.EC.generate(), clock);
  }

  /**
   * A new self-signed root on a key pair made elsewhere, such as in a token through the JDK's {@code SunPKCS11}
   * provider: the private key is only asked to sign, never read. Save such a CA with {@link #save(Path)} and load it
   * with {@link #load(Path, PrivateKey, Clock)}; its key stays in the token.
   *
   * @throws IllegalArgumentException if {@code subjectDn} is not a distinguished name
   */
  public static CertificateAuthority create(String subjectDn, Duration validity, KeyPair keys, Clock clock) {
    X500Name subject = name(subjectDn);
    Instant now = clock.instant();
    X509Certificate cert = sign(keys, subject, subject, keys.getPublic(), now, now.plus(validity), null, ext -> {
      ext.add(Extension.basicConstraints, true, new BasicConstraints(true));
      ext.add(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    });
    return new CertificateAuthority(cert, keys, clock);
  }

  /**
   * A new intermediate CA signed by this root, allowed to issue leaf certificates only.
   *
   * @throws IllegalStateException if this CA is itself an intermediate
   */
  public CertificateAuthority intermediate(String subjectDn, Duration validity) {
    if (!isRoot()) {
      throw new IllegalStateException("an intermediate may issue leaf certificates only (path length 0)");
    }
    KeyPair keys = KeyType.EC.generate();
    Instant now = clock.instant();
    X509Certificate cert = sign(keyPair, x500(certificate), name(subjectDn), keys.getPublic(), now,
        now.plus(validity), certificate, ext -> {
          ext.add(Extension.basicConstraints, true, new BasicConstraints(0));
          ext.add(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    return new CertificateAuthority(cert, keys, clock);
  }

  private boolean isRoot() {
    return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
  }

  /**
   * Starts a certificate for {@code commonName} (the CN, and with mosquitto's rules the MQTT user name). The CN is
   * taken as text, never parsed: it must not be empty, start with {@code #} (which a distinguished name's string
   * form reads as hex-encoded DER, so {@code #0c0561646d696e} would be CN=admin), hold a control character, or be
   * longer than 64 characters (X.520's bound).
   *
   * @throws IllegalArgumentException saying which rule the CN breaks
   */
  public Issue issue(String commonName) {
    return new Issue(checkCommonName(commonName));
  }

  /**
   * {@code cn}, if a certificate may carry it as its CN; see {@link #issue}.
   *
   * @throws IllegalArgumentException saying which rule the CN breaks
   */
  public static String checkCommonName(String cn) {
    return DistinguishedNames.checkCommonName(cn);
  }

  /**
   * Starts a certificate for the key in a device's certificate request (PKCS#10 PEM, as {@code openssl req
   * -new} writes it), so the private key never leaves the device. The request's signature must verify with
   * the key it carries, and its subject must hold exactly one usable CN, which becomes the certificate's CN.
   * Extensions the request asks for are ignored: SANs and usages are only what the CA adds. Finish with
   * {@link Issue#sign()}.
   *
   * @param source names the request in errors, such as its file name
   * @throws TlsConfigException if the request is malformed, forged, or has no usable CN
   */
  public Issue request(String csrPem, String source) {
    PKCS10CertificationRequest csr = parseRequest(csrPem, source);
    boolean valid;
    PublicKey key;
    try {
      String oid = csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm().getId();
      String algorithm = PemCodec.keyAlgorithm(oid);
      if (algorithm == null) {
        throw new TlsConfigException(source + ": unsupported key algorithm " + oid + " (use RSA, EC or Ed25519)");
      }
      key = KeyFactory.getInstance(algorithm).generatePublic(
          new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    } catch (TlsConfigException e) {
      throw e;
    } catch (GeneralSecurityException | IOException | OperatorCreationException | PKCSException
             | RuntimeException e) {
      throw new TlsConfigException(source + ": unusable certificate request (" + e.getMessage() + ")", e);
    }
    if (!valid) {
      throw new TlsConfigException(source + ": the request's signature does not verify with the key it carries");
    }
    String cn;
    try {
      cn = DistinguishedNames.commonName(new X500Principal(csr.getSubject().getEncoded())).orElse(null);
    } catch (IOException | IllegalArgumentException e) {
      cn = null;
    }
    if (cn == null) {
      throw new TlsConfigException(source + ": the request's subject \"" + csr.getSubject()
          + "\" has no single usable CN");
    }
    try {
      checkCommonName(cn);
    } catch (IllegalArgumentException e) {
      throw new TlsConfigException(source + ": the request's CN is refused: " + e.getMessage(), e);
    }
    Issue issue = new Issue(cn);
    issue.publicKey = key;
    return issue;
  }

  /** The one certificate request (PKCS#10) in the text; any other block, or more than one, is an error. */
  private static PKCS10CertificationRequest parseRequest(String pem, String source) {
    String[] lines = pem.split("\r?\n", -1);
    List<Integer> begins = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().startsWith("-----BEGIN ")) {
        begins.add(i);
      }
    }
    if (begins.size() != 1) {
      throw new TlsConfigException(source + ": expected one CERTIFICATE REQUEST block, found " + begins.size());
    }
    int begin = begins.get(0);
    String label = lines[begin].strip().replaceAll("^-----BEGIN |-----$", "");
    if (!label.equals("CERTIFICATE REQUEST") && !label.equals("NEW CERTIFICATE REQUEST")) {
      throw new TlsConfigException(source + ":" + (begin + 1) + ": holds a " + label
          + ", not a certificate request");
    }
    StringBuilder base64 = new StringBuilder();
    int i = begin + 1;
    for (; i < lines.length && !lines[i].strip().startsWith("-----END "); i++) {
      base64.append(lines[i].strip());
    }
    try {
      if (i == lines.length) {
        throw new IllegalArgumentException("no END line");
      }
      return new PKCS10CertificationRequest(Base64.getDecoder().decode(base64.toString()));
    } catch (IOException | RuntimeException e) {
      // BouncyCastle's messages describe the ASN.1 structure, never key bytes
      throw new TlsConfigException(source + ":" + (begin + 1) + ": malformed CERTIFICATE REQUEST block ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** Revokes {@code serial} from now on; the next {@link #crl} lists it. */
  public synchronized void revoke(BigInteger serial) {
    revoked.putIfAbsent(Objects.requireNonNull(serial, "serial"), clock.instant());
  }

  /** A CRL of everything revoked so far, dated now and due again in {@code nextUpdateIn}. */
  public synchronized X509CRL crl(Duration nextUpdateIn) {
    Instant now = clock.instant();
    X509v2CRLBuilder builder = new X509v2CRLBuilder(x500(certificate), Date.from(now));
    builder.setNextUpdate(Date.from(now.plus(nextUpdateIn)));
    for (Map.Entry<BigInteger, Instant> e : revoked.entrySet()) {
      builder.addCRLEntry(e.getKey(), Date.from(e.getValue()), CRLReason.unspecified);
    }
    crlNumber = crlNumber.add(BigInteger.ONE);
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          utils.createAuthorityKeyIdentifier(certificate));
      builder.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
      return new JcaX509CRLConverter().getCRL(builder.build(signer(keyPair)));
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException("cannot sign a CRL for " + certificate.getSubjectX500Principal().getName(), e);
    }
  }

  /** The file names {@link #save} writes in its folder. */
  static final String CERTIFICATE_FILE = "ca.pem";
  static final String KEY_FILE = "ca.key";
  static final String STATE_FILE = "ca.state";

  /**
   * Saves the CA to {@code folder}: {@code ca.pem} (its certificate), {@code ca.key} (its private key,
   * encrypted PKCS#8 with {@code passphrase}) and {@code ca.state} (the revoked serials and the CRL number, so
   * the next CRL still lists every revocation). Each file is written atomically; the key and the state are
   * readable by their owner only (0600), the certificate, which is public, by everyone (0644). From then on, every
   * certificate this CA signs is recorded in the folder's inventory ({@link Inventory}) before it is handed out.
   *
   * @throws TlsConfigException if a file cannot be written
   */
  public synchronized void save(Path folder, char[] passphrase) {
    if (keyPair.getPrivate().getEncoded() == null) {
      throw new IllegalStateException("this CA's key cannot be read (it is in a token): save it with save(folder), "
          + "which leaves the key where it is");
    }
    String state = state();
    try {
      Files.createDirectories(folder);
      SecureFiles.writeAtomically(folder.resolve(KEY_FILE),
          PemCodec.encodePrivateKey(keyPair.getPrivate(), passphrase).getBytes(StandardCharsets.US_ASCII));
      SecureFiles.writePublicAtomically(folder.resolve(CERTIFICATE_FILE),
          PemCodec.encode(List.of(certificate)).getBytes(StandardCharsets.US_ASCII));
      SecureFiles.writeAtomically(folder.resolve(STATE_FILE), state.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TlsConfigException(folder + ": cannot save the CA (" + e.getMessage() + ")", e);
    }
    this.folder = folder;
  }

  /** The text of {@code ca.state}: the last CRL number, then each revoked serial and when. */
  private String state() {
    StringBuilder state = new StringBuilder("# mqtt-sec CA state: the last CRL number, then each revoked serial "
        + "(hex) and when it was revoked\n");
    state.append("crl-number ").append(crlNumber).append('\n');
    revoked.forEach((serial, at) -> state.append("revoked ").append(serial.toString(16)).append(' ').append(at)
        .append('\n'));
    return state.toString();
  }

  /**
   * Saves a CA whose key stays elsewhere (a token): {@code ca.pem} and {@code ca.state} as {@link #save(Path, char[])}
   * writes them, and no {@code ca.key}. Load it with {@link #load(Path, PrivateKey, Clock)}.
   *
   * @throws TlsConfigException if a file cannot be written
   */
  public synchronized void save(Path folder) {
    try {
      Files.createDirectories(folder);
      SecureFiles.writePublicAtomically(folder.resolve(CERTIFICATE_FILE),
          PemCodec.encode(List.of(certificate)).getBytes(StandardCharsets.US_ASCII));
      SecureFiles.writeAtomically(folder.resolve(STATE_FILE), state().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TlsConfigException(folder + ": cannot save the CA (" + e.getMessage() + ")", e);
    }
    this.folder = folder;
  }

  /**
   * Loads a CA that {@link #save(Path)} wrote, with its key from elsewhere (a token).
   *
   * @throws TlsConfigException if a file is missing or malformed, or the key does not belong to the certificate
   */
  public static CertificateAuthority load(Path folder, PrivateKey key, Clock clock) {
    Path certFile = folder.resolve(CERTIFICATE_FILE);
    X509Certificate cert = readCertificate(certFile);
    KeyChecks.requireMatch(key, cert, "the CA key", certFile.toString());
    CertificateAuthority ca = new CertificateAuthority(cert, new KeyPair(cert.getPublicKey(), key), clock);
    readState(folder.resolve(STATE_FILE), ca.revoked, n -> ca.crlNumber = n);
    ca.folder = folder;
    return ca;
  }

  /** Loads a CA that {@link #save} wrote, with the system clock. */
  public static CertificateAuthority load(Path folder, char[] passphrase) {
    return load(folder, passphrase, Clock.systemUTC());
  }

  /**
   * Loads a CA that {@link #save} wrote. Every certificate it signs is recorded in the folder's inventory
   * ({@link Inventory}) before it is handed out.
   *
   * @throws TlsConfigException if a file is missing or malformed, the passphrase is wrong, or the key does not
   *                            belong to the certificate
   */
  public static CertificateAuthority load(Path folder, char[] passphrase, Clock clock) {
    Path certFile = folder.resolve(CERTIFICATE_FILE);
    Path keyFile = folder.resolve(KEY_FILE);
    X509Certificate cert = readCertificate(certFile);
    PrivateKey key = PemCodec.readPrivateKey(keyFile, passphrase);
    KeyChecks.requireMatch(key, cert, keyFile.toString(), certFile.toString());
    CertificateAuthority ca = new CertificateAuthority(cert, new KeyPair(cert.getPublicKey(), key), clock);
    readState(folder.resolve(STATE_FILE), ca.revoked, n -> ca.crlNumber = n);
    ca.folder = folder;
    return ca;
  }

  /**
   * What a CA folder that {@link #save} wrote tells without its key: the certificate, the number of the last CRL,
   * and the revoked serials with when each was revoked (in revocation order).
   */
  public record Published(X509Certificate certificate, BigInteger crlNumber, Map<BigInteger, Instant> revocations) {
    public Published {
      revocations = Collections.unmodifiableMap(new LinkedHashMap<>(revocations));
    }
  }

  /**
   * Reads the public part of a CA folder: no passphrase, the key is not opened.
   *
   * @throws TlsConfigException if {@code ca.pem} or {@code ca.state} is missing or malformed
   */
  public static Published readPublished(Path folder) {
    X509Certificate cert = readCertificate(folder.resolve(CERTIFICATE_FILE));
    Map<BigInteger, Instant> revocations = new LinkedHashMap<>();
    BigInteger[] number = {BigInteger.ZERO};
    readState(folder.resolve(STATE_FILE), revocations, n -> number[0] = n);
    return new Published(cert, number[0], revocations);
  }

  private static X509Certificate readCertificate(Path certFile) {
    List<X509Certificate> certs = PemCodec.readCertificates(certFile);
    if (certs.size() != 1 || certs.get(0).getBasicConstraints() < 0) {
      throw new TlsConfigException(certFile + ": expected one CA certificate");
    }
    return certs.get(0);
  }

  private static void readState(Path file, Map<BigInteger, Instant> revoked,
      java.util.function.Consumer<BigInteger> crlNumber) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TlsConfigException(file + ": the CA state: " + Checks.cannotRead(e), e);
    }
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
      throw new TlsConfigException(file + ":1:1: " + Checks.BYTE_ORDER_MARK);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ");
      try {
        if (f[0].equals("crl-number") && f.length == 2) {
          crlNumber.accept(new BigInteger(f[1]));
        } else if (f[0].equals("revoked") && f.length == 3) {
          revoked.put(new BigInteger(f[1], 16), Instant.parse(f[2]));
        } else {
          throw new TlsConfigException(file + ":" + (i + 1) + ": expected \"crl-number N\" or \"revoked SERIAL "
              + "TIME\"");
        }
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new TlsConfigException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
  }

  /** This CA's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The revoked serials and when each was revoked, in revocation order. */
  public synchronized Map<BigInteger, Instant> revocations() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(revoked));
  }

  /** The number of the last CRL signed (0 before the first). */
  public synchronized BigInteger crlNumber() {
    return crlNumber;
  }

  @Override
  public String toString() {
    return "CertificateAuthority{" + certificate.getSubjectX500Principal().getName() + '}';
  }

  /** The key algorithms a certificate can be issued with. */
  enum KeyType {
    EC, RSA;

    KeyPair generate() {
      return generate(2048);
    }

    KeyPair generate(int rsaBits) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance(name());
        if (this == EC) {
          g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        } else {
          g.initialize(rsaBits, RANDOM);
        }
        return g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new TlsConfigException("cannot generate a " + name() + " key pair", e);
      }
    }
  }

  /** A certificate being described; {@link #issue()} signs it. */
  public final class Issue {
    private final String commonName;
    private final List<GeneralName> sans = new ArrayList<>();
    private Duration validity;
    private boolean serverAuth;
    private boolean clientAuth;
    private int rsaBits;
    private PublicKey publicKey;

    private Issue(String commonName) {
      this.commonName = commonName;
    }

    /** The CN the certificate will carry: as given to {@link #issue}, or the request's. */
    public String commonName() {
      return commonName;
    }

    /** DNS subject alternative names; a TLS client checks the host name against these. */
    public Issue dnsNames(String... names) {
      for (String n : names) {
        sans.add(new GeneralName(GeneralName.dNSName, n));
      }
      return this;
    }

    /** IP address subject alternative names. */
    public Issue ipAddresses(String... addresses) {
      for (String a : addresses) {
        sans.add(new GeneralName(GeneralName.iPAddress, a));
      }
      return this;
    }

    /** URI subject alternative names (for example {@code urn:factory:press-42}). */
    public Issue uris(String... uris) {
      for (String u : uris) {
        sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u));
      }
      return this;
    }

    /** E-mail subject alternative names. */
    public Issue emails(String... emails) {
      for (String e : emails) {
        sans.add(new GeneralName(GeneralName.rfc822Name, e));
      }
      return this;
    }

    /** How long the certificate is valid from now. If unset, 397 days (the browsers' maximum). */
    public Issue validity(Duration duration) {
      if (validity != null) {
        throw new IllegalStateException("validity was already set to " + validity);
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("validity must be longer than zero, was " + Durations.describe(duration));
      }
      validity = duration;
      return this;
    }

    /** For a TLS server (extended key usage serverAuth). */
    public Issue serverAuth() {
      serverAuth = true;
      return this;
    }

    /** For a TLS client such as a device (extended key usage clientAuth). */
    public Issue clientAuth() {
      clientAuth = true;
      return this;
    }

    /** An RSA key of {@code bits} instead of EC P-256. */
    public Issue rsa(int bits) {
      if (rsaBits > 0) {
        throw new IllegalStateException("rsa was already set to " + rsaBits + " bits");
      }
      if (bits < 2048) {
        throw new IllegalArgumentException("RSA keys must have at least 2048 bits, not " + bits);
      }
      rsaBits = bits;
      return this;
    }

    /**
     * Signs a certificate for a key generated here, returned with it.
     *
     * @throws IllegalStateException if neither serverAuth nor clientAuth was asked for
     */
    public HeldCertificate issue() {
      if (publicKey != null) {
        throw new IllegalStateException("the key of a certificate request stays with the device: use sign()");
      }
      KeyPair keys = rsaBits > 0 ? KeyType.RSA.generate(rsaBits) : KeyType.EC.generate();
      return new HeldCertificate(sign(keys.getPublic()), keys, isRoot() ? List.of() : List.of(certificate));
    }

    /**
     * Signs the certificate for the requested key ({@link #request}) and returns it with the CA's own
     * certificate when this CA is an intermediate: the chain the device presents.
     *
     * @throws IllegalStateException if this was not started from a request, or no usage was asked for
     */
    public List<X509Certificate> sign() {
      if (publicKey == null) {
        throw new IllegalStateException("no certificate request to sign: use issue() to generate a key");
      }
      X509Certificate leaf = sign(publicKey);
      return isRoot() ? List.of(leaf) : List.of(leaf, certificate);
    }

    private X509Certificate sign(PublicKey key) {
      if (!serverAuth && !clientAuth) {
        throw new IllegalStateException("say what the certificate is for: serverAuth(), clientAuth() or both");
      }
      Instant now = clock.instant();
      return record(signLeaf(key, now));
    }

    private X509Certificate signLeaf(PublicKey key, Instant now) {
      // the CN as a UTF8String, never through the string parser (which would read "#..." as DER)
      X500Name subject = new org.bouncycastle.asn1.x500.X500NameBuilder()
          .addRDN(org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(commonName))
          .build();
      return CertificateAuthority.sign(keyPair, x500(certificate), subject, key, now,
          now.plus(validity == null ? Duration.ofDays(397) : validity), certificate, ext -> {
            ext.add(Extension.basicConstraints, true, new BasicConstraints(false));
            int usage = KeyUsage.digitalSignature | (key.getAlgorithm().equals("RSA") ? KeyUsage.keyEncipherment : 0);
            ext.add(Extension.keyUsage, true, new KeyUsage(usage));
            List<KeyPurposeId> purposes = new ArrayList<>();
            if (serverAuth) {
              purposes.add(KeyPurposeId.id_kp_serverAuth);
            }
            if (clientAuth) {
              purposes.add(KeyPurposeId.id_kp_clientAuth);
            }
            ext.add(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])));
            if (!sans.isEmpty()) {
              ext.add(Extension.subjectAlternativeName, false,
                  new GeneralNames(sans.toArray(new GeneralName[0])));
            }
          });
    }
  }

  /**
   * Writes {@code certificate} to the inventory of the folder this CA lives in (none for a CA never saved), as one
   * file written atomically: a crash leaves the certificate recorded whole or not at all, and a certificate that
   * cannot be recorded is not handed out.
   */
  private X509Certificate record(X509Certificate certificate) {
    Path home = folder;
    if (home != null) {
      Inventory.record(home, certificate);
    }
    return certificate;
  }

  /** Adds extensions to a certificate being built. */
  private interface Extensions {
    void add(Extensions.Sink sink) throws IOException;

    interface Sink {
      void add(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
               org.bouncycastle.asn1.ASN1Encodable value) throws IOException;
    }
  }

  private static X509Certificate sign(KeyPair issuerKeys, X500Name issuer, X500Name subject, PublicKey subjectKey,
                                      Instant from, Instant until, X509Certificate issuerCert,
                                      Extensions extensions) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(),
          Date.from(from.minus(BACKDATE)), Date.from(until), subject, subjectKey);
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
      builder.addExtension(Extension.authorityKeyIdentifier, false, issuerCert == null
          ? utils.createAuthorityKeyIdentifier(subjectKey)
          : utils.createAuthorityKeyIdentifier(issuerCert));
      extensions.add(builder::addExtension);
      X509CertificateHolder holder = builder.build(signer(issuerKeys));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException("cannot sign a certificate for " + subject, e);
    }
  }

  private static ContentSigner signer(KeyPair keys) {
    String algorithm = keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      return new JcaContentSignerBuilder(algorithm).build(keys.getPrivate());
    } catch (OperatorCreationException e) {
      throw new TlsConfigException("cannot sign with " + algorithm, e);
    }
  }

  private static BigInteger serial() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    bytes[0] &= 0x7F;
    bytes[0] |= 0x40; // never shorter than 159 bits, never negative
    return new BigInteger(bytes);
  }

  private static X500Name name(String dn) {
    try {
      return X500Name.getInstance(new X500Principal(dn).getEncoded());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a distinguished name: \"" + dn + "\" (" + e.getMessage() + ")", e);
    }
  }

  private static X500Name x500(X509Certificate cert) {
    return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
  }
}
