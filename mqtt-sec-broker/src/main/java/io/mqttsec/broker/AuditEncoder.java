/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.tls.CertificateIdentity;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.security.auth.x500.X500Principal;

/** One {@link AuditFormat}: every event, and the summary of a client's suppressed denials, as one JSON line. */
interface AuditEncoder {

  String encode(SecurityEvent event, String listener);

  String suppressed(Suppressed summary);

  /**
   * {@code count} {@code acl.denied} lines of one client left out between {@code since} and {@code now}; {@code who}
   * is null for the denials of clients beyond {@link AuditLog#TRACKED_CLIENTS}, counted together.
   */
  record Suppressed(Instant now, ClientIdentity who, long count, Instant since, Action lastAction, String lastTopic) {
  }

  /** What an event says about the client, read once. */
  record Who(String clientId, String user, String address, String listener, X509Certificate certificate) {

    static Who of(ClientIdentity who, String listener) {
      return new Who(who.clientId(), who.username().orElse(null),
          who.remoteAddress().map(InetAddress::getHostAddress).orElse(null), listener,
          who.certificate().orElse(null));
    }

    String fingerprint() {
      return certificate == null ? null : CertificateIdentity.of(certificate).sha256Fingerprint();
    }

    String subject() {
      return certificate == null ? null : certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    String issuer() {
      return certificate == null ? null : certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
    }

    String serial() {
      return certificate == null ? null : certificate.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
    }

    Instant notAfter() {
      return certificate == null ? null : certificate.getNotAfter().toInstant();
    }

    /** "press-1 (user press-1, 10.0.3.17)" for a message. */
    String describe() {
      StringBuilder s = new StringBuilder(clientId);
      if (user != null || address != null) {
        s.append(" (");
        if (user != null) {
          s.append("user ").append(user);
        }
        if (address != null) {
          s.append(user != null ? ", " : "").append(address);
        }
        s.append(')');
      }
      return s.toString();
    }
  }
}
