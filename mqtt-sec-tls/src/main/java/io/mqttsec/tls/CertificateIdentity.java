/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.internal.DistinguishedNames;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Who a client certificate says its holder is: what a broker maps to the MQTT user name when devices log in
 * with certificates.
 *
 * <ul>
 *   <li>{@link #commonName()}: the subject's CN, as mosquitto's {@code use_identity_as_username}. Empty when
 *       the subject has no CN or more than one, or the CN is empty, holds U+0000, an unpaired surrogate or
 *       invalid UTF-8, or is in a string type with no fixed character set (TeletexString): no identity rather
 *       than a truncated or guessed one.</li>
 *   <li>{@link #subjectDn()}: the subject in RFC 2253 form, as {@code use_subject_as_username}.</li>
 *   <li>{@link #dnsNames()}, {@link #uris()}, {@link #emails()}: the subject alternative names.</li>
 *   <li>{@link #sha256Fingerprint()}: SHA-256 of the DER certificate in lower-case hex, for audit lines.</li>
 * </ul>
 *
 * <p>Only the first certificate of a chain (the peer's own) is read. Identities are cached per certificate
 * (10,000 at most), so a reconnecting device costs a hash lookup. Immutable and thread-safe.
 */
public final class CertificateIdentity {

  /**
   * Identities by certificate: a device reconnecting presents the same certificate, and parsing its names and
   * hashing it costs microseconds, a lookup well under one. Bounded, so a flood of distinct certificates
   * evicts old entries instead of growing the heap.
   */
  private static final Map<X509Certificate, CertificateIdentity> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<X509Certificate, CertificateIdentity> eldest) {
      return size() > CACHE_SIZE;
    }
  };
  private static final int CACHE_SIZE = 10_000;

  private final Optional<String> commonName;
  private final String subjectDn;
  private final List<String> dnsNames;
  private final List<String> uris;
  private final List<String> emails;
  private final String fingerprint;

  private CertificateIdentity(X509Certificate cert) {
    X500Principal subject = cert.getSubjectX500Principal();
    this.subjectDn = subject.getName(X500Principal.RFC2253);
    this.commonName = DistinguishedNames.commonName(subject);
    List<String> dns = new ArrayList<>();
    List<String> uri = new ArrayList<>();
    List<String> mail = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      sans = null; // an unparsable extension gives no names, not an error: the CN may still serve
    }
    if (sans != null) {
      for (List<?> san : sans) {
        Object type = san.get(0);
        Object value = san.get(1);
        if (!(value instanceof String)) {
          continue;
        }
        switch ((Integer) type) {
          case 1 -> mail.add((String) value);
          case 2 -> dns.add((String) value);
          case 6 -> uri.add((String) value);
          default -> {
          }
        }
      }
    }
    this.dnsNames = List.copyOf(dns);
    this.uris = List.copyOf(uri);
    this.emails = List.copyOf(mail);
    this.fingerprint = fingerprint(cert);
  }

  /**
   * The identity of {@code chain[0]}.
   *
   * @throws IllegalArgumentException if the chain is empty
   */
  public static CertificateIdentity of(X509Certificate... chain) {
    if (chain == null || chain.length == 0 || chain[0] == null) {
      throw new IllegalArgumentException("a certificate chain needs at least the peer's certificate");
    }
    synchronized (CACHE) {
      CertificateIdentity known = CACHE.get(chain[0]);
      if (known != null) {
        return known;
      }
    }
    CertificateIdentity identity = new CertificateIdentity(chain[0]); // parsed outside the lock
    synchronized (CACHE) {
      CACHE.put(chain[0], identity);
    }
    return identity;
  }

  /** The identity of the first certificate of {@code chain}. */
  public static CertificateIdentity of(List<X509Certificate> chain) {
    Objects.requireNonNull(chain, "chain");
    return of(chain.toArray(new X509Certificate[0]));
  }

  private static String fingerprint(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint a certificate", e);
    }
  }

  /** The subject's single common name, if it has exactly one usable CN. */
  public Optional<String> commonName() {
    return commonName;
  }

  /** The subject distinguished name in RFC 2253 form, for example {@code CN=press-42,OU=Hall 3,O=Factory}. */
  public String subjectDn() {
    return subjectDn;
  }

  /** The DNS subject alternative names, in certificate order. */
  public List<String> dnsNames() {
    return dnsNames;
  }

  /** The URI subject alternative names, in certificate order. */
  public List<String> uris() {
    return uris;
  }

  /** The e-mail subject alternative names, in certificate order. */
  public List<String> emails() {
    return emails;
  }

  /** All DNS, URI and e-mail subject alternative names as {@code DNS:x}, {@code URI:x}, {@code email:x}. */
  public List<String> sans() {
    List<String> all = new ArrayList<>();
    dnsNames.forEach(n -> all.add("DNS:" + n));
    uris.forEach(n -> all.add("URI:" + n));
    emails.forEach(n -> all.add("email:" + n));
    return List.copyOf(all);
  }

  /** SHA-256 of the DER-encoded certificate, 64 lower-case hex digits. */
  public String sha256Fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "CertificateIdentity{" + subjectDn + ", cn=" + commonName.orElse("(none)") + ", sha256="
        + fingerprint.substring(0, 16) + "...}";
  }
}
