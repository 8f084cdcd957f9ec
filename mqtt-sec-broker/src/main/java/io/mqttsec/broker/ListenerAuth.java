/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.tls.CertificateIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * How the clients of one broker listener prove who they are: a password, a client certificate, or both, and
 * which part of the certificate becomes the user name that the ACL sees ({@code %u}).
 *
 * <pre>{@code
 * ListenerAuth.password()                                        // user name and password from CONNECT
 * ListenerAuth.certificate(ListenerAuth.Identity.CN)             // mosquitto's use_identity_as_username
 * ListenerAuth.certificateAndPassword(ListenerAuth.Identity.CN)  // both, and they must name the same user
 * }</pre>
 *
 * @param mode     what the client must present
 * @param identity which part of a client certificate is the user name; ignored in {@link Mode#PASSWORD}
 */
public record ListenerAuth(Mode mode, Identity identity) {

  /** What a listener's clients must present. */
  public enum Mode {
    /** User name and password from the CONNECT packet, checked against the password file. */
    PASSWORD,
    /** A trusted, unrevoked client certificate; its {@link Identity} is the user name. No password. */
    CERTIFICATE,
    /**
     * A trusted, unrevoked client certificate and the password of the user it names: a stolen password alone
     * or a stolen certificate alone is not enough. A CONNECT naming another user is refused.
     */
    CERTIFICATE_AND_PASSWORD
  }

  /** Which part of a client certificate becomes the user name. */
  public enum Identity {
    /** The subject's common name (mosquitto's {@code use_identity_as_username}). */
    CN,
    /** The RFC 2253 subject, such as {@code CN=press-42,O=Factory} ({@code use_subject_as_username}). */
    SUBJECT,
    /** The certificate's one DNS subject alternative name. */
    SAN_DNS,
    /** The certificate's one URI subject alternative name, such as a SPIFFE id. */
    SAN_URI,
    /** The certificate's one e-mail subject alternative name. */
    SAN_EMAIL,
    /** The SHA-256 fingerprint of the certificate, 64 lower-case hex digits: pins one certificate. */
    SHA256
  }

  public ListenerAuth {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(identity, "identity");
  }

  /** User name and password. */
  public static ListenerAuth password() {
    return new ListenerAuth(Mode.PASSWORD, Identity.CN);
  }

  /** A client certificate alone; {@code identity} names the user. */
  public static ListenerAuth certificate(Identity identity) {
    return new ListenerAuth(Mode.CERTIFICATE, identity);
  }

  /** A client certificate and the password of the user it names. */
  public static ListenerAuth certificateAndPassword(Identity identity) {
    return new ListenerAuth(Mode.CERTIFICATE_AND_PASSWORD, identity);
  }

  /** Whether this listener checks a password. */
  public boolean usesPassword() {
    return mode != Mode.CERTIFICATE;
  }

  /** Whether this listener checks a client certificate. */
  public boolean usesCertificate() {
    return mode != Mode.PASSWORD;
  }

  /**
   * The user name {@code chain}'s leaf certificate carries under this listener's {@link Identity}, or null with
   * the reason in {@code why[0]} when it carries none or more than one (an ambiguous certificate is refused,
   * never resolved by picking one).
   */
  String userName(X509Certificate[] chain, String[] why) {
    CertificateIdentity id = CertificateIdentity.of(chain);
    return switch (identity) {
      case CN -> id.commonName().filter(cn -> !cn.isEmpty()).orElseGet(() -> {
        why[0] = "the certificate " + id.subjectDn() + " has no single CN to use as the user name";
        return null;
      });
      case SUBJECT -> id.subjectDn();
      case SAN_DNS -> single(id.dnsNames(), "DNS", id, why);
      case SAN_URI -> single(id.uris(), "URI", id, why);
      case SAN_EMAIL -> single(id.emails(), "e-mail", id, why);
      case SHA256 -> id.sha256Fingerprint();
    };
  }

  private static String single(List<String> names, String kind, CertificateIdentity id, String[] why) {
    if (names.size() == 1 && !names.get(0).isEmpty()) {
      return names.get(0);
    }
    why[0] = "the certificate " + id.subjectDn() + " has " + names.size() + " " + kind + " subject alternative "
        + "names; the listener's identity needs exactly one";
    return null;
  }
}
