/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;

/**
 * The revoked serials of every configured CRL, by issuer: one hash lookup per certificate of a chain, whatever
 * the size of the CRLs. Each CRL's signature is verified against the trusted certificate of its issuer when
 * the index is built, so a forged CRL can neither revoke nor (by replacing the real one) un-revoke.
 *
 * <p>Policy (fail closed): the peer's own certificate must be covered by a CRL from its issuer; a CA
 * certificate in the chain is checked when a CRL from its issuer is present. A CRL past its {@code nextUpdate}
 * is still used during the grace period and refused after it.
 *
 * <p>When one source holds several CRLs from the same issuer, the newest counts: the higher CRL number (RFC 5280
 * §5.2.3), or the later {@code thisUpdate} when either lacks a number. {@link #requireNoRollback} refuses a
 * reload that would put an older CRL in force than the one in force now: an attacker who can write the CRL file,
 * or replay an old copy, must not be able to un-revoke a device.
 */
final class CrlIndex {

  private final Map<X500Principal, Entry> byIssuer;
  private final Duration grace;

  private CrlIndex(Map<X500Principal, Entry> byIssuer, Duration grace) {
    this.byIssuer = byIssuer;
    this.grace = grace;
  }

  /**
   * Verifies and indexes {@code crls}.
   *
   * @throws TlsConfigException naming {@code source} if a CRL's issuer is not trusted or its signature fails
   */
  static CrlIndex of(List<X509CRL> crls, List<X509Certificate> issuers, Duration grace, String source) {
    Map<X500Principal, Entry> map = new HashMap<>();
    int n = 0;
    for (X509CRL crl : crls) {
      n++;
      X500Principal issuer = crl.getIssuerX500Principal();
      verify(crl, issuers, source, n);
      Set<BigInteger> serials;
      Set<? extends X509CRLEntry> revoked = crl.getRevokedCertificates();
      if (revoked == null) {
        serials = Set.of();
      } else {
        serials = new HashSet<>(revoked.size() * 4 / 3 + 1);
        for (X509CRLEntry e : revoked) {
          serials.add(e.getSerialNumber());
        }
      }
      Date next = crl.getNextUpdate();
      Entry entry = new Entry(issuer.getName(X500Principal.RFC2253), serials,
          next == null ? Instant.MAX : next.toInstant(), crl.getThisUpdate().toInstant(), crlNumber(crl));
      map.merge(issuer, entry, (a, b) -> a.isNewerThan(b) ? a : b);
    }
    return new CrlIndex(Map.copyOf(map), grace);
  }

  /**
   * Refuses {@code next} if, for an issuer both cover, its CRL is older than the one in {@code inForce}: a lower
   * CRL number, or an earlier {@code thisUpdate}. An issuer {@code next} no longer covers is not a rollback: its
   * clients are then refused for want of a CRL.
   *
   * @param inForce the index in force now, or null when none is
   * @throws TlsConfigException naming {@code source}, the issuer and both CRLs' number and date
   */
  static void requireNoRollback(CrlIndex inForce, CrlIndex next, String source) {
    if (inForce == null || next == null) {
      return;
    }
    for (Map.Entry<X500Principal, Entry> e : next.byIssuer.entrySet()) {
      Entry old = inForce.byIssuer.get(e.getKey());
      Entry now = e.getValue();
      if (old == null) {
        continue;
      }
      boolean lowerNumber = now.number != null && old.number != null && now.number.compareTo(old.number) < 0;
      if (lowerNumber || now.thisUpdate.isBefore(old.thisUpdate)) {
        throw new TlsConfigException(source + ": the CRL from " + now.issuer + " (" + now.describe()
            + ") is older than the one in force (" + old.describe() + "); a CRL never goes back, since an older "
            + "one would un-revoke devices");
      }
    }
  }

  /** The CRL number extension (2.5.29.20), or null when the CRL has none or it cannot be read. */
  static BigInteger crlNumber(X509CRL crl) {
    byte[] ext = crl.getExtensionValue("2.5.29.20");
    if (ext == null) {
      return null;
    }
    // an OCTET STRING wrapping the DER of the value, an INTEGER
    int[] at = {0};
    byte[] value = derValue(ext, at, 0x04);
    if (value == null) {
      return null;
    }
    at[0] = 0;
    byte[] integer = derValue(value, at, 0x02);
    return integer == null || integer.length == 0 ? null : new BigInteger(integer);
  }

  /** The contents of the DER element of {@code tag} at {@code at[0]}, advancing it; null if malformed. */
  static byte[] derValue(byte[] der, int[] at, int tag) {
    int i = at[0];
    if (i + 2 > der.length || (der[i] & 0xFF) != tag) {
      return null;
    }
    int length = der[i + 1] & 0xFF;
    i += 2;
    if (length > 0x80) {
      int bytes = length - 0x80;
      if (bytes > 3 || i + bytes > der.length) {
        return null;
      }
      length = 0;
      for (int k = 0; k < bytes; k++) {
        length = (length << 8) | (der[i++] & 0xFF);
      }
    } else if (length == 0x80) {
      return null; // indefinite length is not DER
    }
    if (i + length > der.length) {
      return null;
    }
    at[0] = i + length;
    return Arrays.copyOfRange(der, i, i + length);
  }

  private static void verify(X509CRL crl, List<X509Certificate> issuers, String source, int n) {
    X500Principal issuer = crl.getIssuerX500Principal();
    boolean named = false;
    for (X509Certificate ca : issuers) {
      if (!ca.getSubjectX500Principal().equals(issuer)) {
        continue;
      }
      named = true;
      try {
        crl.verify(ca.getPublicKey());
        return;
      } catch (GeneralSecurityException e) {
        // another certificate with the same name (a renewed CA) may have signed it
      }
    }
    String which = source + ": CRL #" + n + " from " + issuer.getName(X500Principal.RFC2253);
    throw new TlsConfigException(named
        ? which + " has a signature that no trusted certificate of that name verifies"
        : which + " is from an issuer that is not among the trusted certificates (add the issuing CA, "
            + "intermediate included, to the trusted bundle)");
  }

  /** How many CRLs are indexed (one per issuer). */
  int size() {
    return byIssuer.size();
  }

  /** Total revoked serials over all CRLs. */
  int revokedCount() {
    return byIssuer.values().stream().mapToInt(e -> e.serials.size()).sum();
  }

  /** Each CRL's issuer and validity, for the expiry monitor. */
  List<Validity> validities() {
    return byIssuer.values().stream().map(e -> new Validity(e.issuer, e.thisUpdate, e.nextUpdate)).toList();
  }

  record Validity(String issuer, Instant thisUpdate, Instant nextUpdate) {
  }

  /**
   * Why {@code chain} must be refused, or {@code null} when no certificate in it is revoked. Publishes a
   * {@link SecurityEvent.CrlOverdue} the first time a CRL is used (or refused) past its {@code nextUpdate}.
   */
  String check(X509Certificate[] chain, Instant now, SecurityEventListener listener) {
    for (int i = 0; i < chain.length; i++) {
      X509Certificate cert = chain[i];
      X500Principal issuer = cert.getIssuerX500Principal();
      if (i > 0 && issuer.equals(cert.getSubjectX500Principal())) {
        continue; // a self-signed root: trusted or not, it is not revoked by CRL
      }
      Entry entry = byIssuer.get(issuer);
      if (entry == null) {
        if (i == 0) {
          return "no CRL from its issuer " + issuer.getName(X500Principal.RFC2253) + " (revocation checking is "
              + "on, so every client certificate's issuer needs a CRL)";
        }
        continue;
      }
      if (now.isAfter(entry.nextUpdate)) {
        boolean inForce = !now.isAfter(entry.nextUpdate.plus(grace));
        if (entry.reportOverdue(inForce)) {
          listener.deliver(new SecurityEvent.CrlOverdue(now, entry.issuer, entry.nextUpdate, inForce));
        }
        if (!inForce) {
          return "the CRL from " + entry.issuer + " is overdue (nextUpdate " + entry.nextUpdate
              + (grace.isZero() ? "" : ", grace " + grace) + "); publish a fresh CRL";
        }
      }
      if (entry.serials.contains(cert.getSerialNumber())) {
        return "certificate serial " + cert.getSerialNumber().toString(16) + " (" + CertificateIdentity.of(cert)
            .subjectDn() + ") is revoked by the CRL from " + entry.issuer;
      }
    }
    return null;
  }

  private static final class Entry {
    final String issuer;
    final Set<BigInteger> serials;
    final Instant nextUpdate;
    final Instant thisUpdate;
    /** The CRL number, or null when the CRL carries none. */
    final BigInteger number;
    /** 0 not reported, 1 reported in grace, 2 reported refused. */
    private final AtomicInteger reported = new AtomicInteger();

    Entry(String issuer, Set<BigInteger> serials, Instant nextUpdate, Instant thisUpdate, BigInteger number) {
      this.issuer = issuer;
      this.serials = serials;
      this.nextUpdate = nextUpdate;
      this.thisUpdate = thisUpdate;
      this.number = number;
    }

    boolean isNewerThan(Entry other) {
      if (number != null && other.number != null && !number.equals(other.number)) {
        return number.compareTo(other.number) > 0;
      }
      return thisUpdate.isAfter(other.thisUpdate);
    }

    String describe() {
      return (number == null ? "no CRL number" : "CRL number " + number) + ", thisUpdate " + thisUpdate;
    }

    boolean reportOverdue(boolean inForce) {
      int level = inForce ? 1 : 2;
      int before = reported.get();
      return before < level && reported.compareAndSet(before, level);
    }
  }
}
