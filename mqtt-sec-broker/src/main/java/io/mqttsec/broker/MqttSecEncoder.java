/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.SecurityEvent;
import java.util.Locale;

/**
 * mqtt-sec's own lines: flat, {@code time} and {@code event} first, then who and the event's fields; a field cut
 * to {@value AuditLog#MAX_FIELD_BYTES} bytes is followed by {@code <field>Length}.
 */
final class MqttSecEncoder implements AuditEncoder {

  @Override
  public String encode(SecurityEvent event, String listener) {
    JsonLine j = new JsonLine(true).text("time", event.time().toString());
    if (event instanceof SecurityEvent.AuthSucceeded e) {
      j.text("event", "connect.success");
      who(j, Who.of(e.who(), listener));
      j.text("method", e.method());
    } else if (event instanceof SecurityEvent.AuthFailed e) {
      j.text("event", "connect.failure");
      who(j, Who.of(e.who(), listener));
      j.text("outcome", e.outcome().name()).text("reason", e.reason());
    } else if (event instanceof SecurityEvent.ClientLockedOut e) {
      j.text("event", "lockout");
      who(j, Who.of(e.who(), listener));
      j.number("lockedForSeconds", e.lockedFor().toSeconds()).number("consecutiveFailures",
          e.consecutiveFailures());
    } else if (event instanceof SecurityEvent.AddressBlocked e) {
      j.text("event", "address.blocked");
      who(j, Who.of(e.who().withRemoteAddress(e.address()), listener));
      j.number("blockedForSeconds", e.blockedFor().toSeconds()).number("failuresInWindow", e.failuresInWindow());
    } else if (event instanceof SecurityEvent.AccessDenied e) {
      j.text("event", "acl.denied");
      who(j, Who.of(e.who(), listener));
      j.text("action", e.action().name()).text("topic", e.topic()).text("rule", e.reason());
    } else if (event instanceof SecurityEvent.TakeoverRefused e) {
      j.text("event", "takeover.refused");
      who(j, Who.of(e.who(), listener));
      j.text("owner", e.owner());
    } else if (event instanceof SecurityEvent.ClientDisconnected e) {
      j.text("event", "disconnect");
      who(j, Who.of(e.who(), listener));
      j.text("initiator", initiator(e.initiator())).text("reason", e.reason());
    } else if (event instanceof SecurityEvent.WillSuppressed e) {
      j.text("event", "will.suppressed");
      who(j, Who.of(e.who(), listener));
      j.text("topic", e.topic()).text("reason", e.reason());
    } else if (event instanceof SecurityEvent.LimitExceeded e) {
      j.text("event", "limit.exceeded");
      who(j, Who.of(e.who(), listener));
      j.text("limit", e.limit()).text("scope", e.scope()).text("verdict", e.verdict()).number("count", e.count())
          .text("since", e.since().toString());
    } else if (event instanceof SecurityEvent.AlertRaised e) {
      j.text("event", e.name());
      who(j, Who.of(e.who(), listener));
      j.text("scope", e.scope()).number("count", e.count()).number("windowSeconds", e.window().toSeconds())
          .text("detail", e.detail());
    } else if (event instanceof SecurityEvent.PolicyReloaded e) {
      j.text("event", "reload").text("source", e.source()).text("summary", e.summary());
    } else if (event instanceof SecurityEvent.PolicyReloadFailed e) {
      j.text("event", "reload.failure").text("source", e.source()).text("error", e.error());
    } else if (event instanceof SecurityEvent.CertificateExpiring e) {
      j.text("event", "certificate.expiring").text("what", e.what()).text("subject", e.subject())
          .text("certSha256", e.sha256Fingerprint()).text("notAfter", e.notAfter().toString());
    } else if (event instanceof SecurityEvent.CrlOverdue e) {
      j.text("event", "crl.overdue").text("issuer", e.issuer()).text("nextUpdate", e.nextUpdate().toString())
          .bool("stillInForce", e.stillInForce());
    } else if (event instanceof SecurityEvent.CertificateRejected e) {
      j.text("event", "certificate.rejected").text("subject", e.subject()).text("reason", e.reason());
    } else if (event instanceof SecurityEvent.StoreUnavailable e) {
      j.text("event", "store.unavailable").text("store", e.store()).text("error", e.error())
          .bool("snapshotInForce", e.snapshotInForce());
    } else if (event instanceof SecurityEvent.StoreRecovered e) {
      j.text("event", "store.recovered").text("store", e.store()).number("outageSeconds", e.outage().toSeconds());
    } else if (event instanceof SecurityEvent.CertificateEnrolled e) {
      j.text("event", "certificate.enrolled").text("user", e.commonName()).text("address",
          e.address().getHostAddress()).text("enrollment", e.kind()).text("serial", e.serial());
    } else if (event instanceof SecurityEvent.EnrollmentRefused e) {
      j.text("event", "enrollment.refused").text("user", e.commonName().isEmpty() ? null : e.commonName())
          .text("address", e.address().getHostAddress()).text("enrollment", e.kind()).text("reason", e.reason());
    } else if (event instanceof SecurityEvent.CertificateRenewed e) {
      j.text("event", "certificate.renewed").text("subject", e.subject()).text("previousSerial", e.previousSerial())
          .text("serial", e.serial()).text("notAfter", e.notAfter().toString());
    } else if (event instanceof SecurityEvent.RenewalFailed e) {
      j.text("event", "renewal.failure").text("subject", e.subject()).text("reason", e.reason())
          .text("nextAttempt", e.nextAttempt().toString());
    }
    return j.end();
  }

  @Override
  public String suppressed(Suppressed s) {
    JsonLine j = new JsonLine(true).text("time", s.now().toString()).text("event", "acl.denied.suppressed");
    if (s.who() == null) {
      j.text("clientId", AuditLog.OVERFLOW);
    } else {
      who(j, Who.of(s.who(), null));
    }
    return j.number("suppressed", s.count()).text("since", s.since().toString())
        .text("lastAction", s.lastAction().name()).text("lastTopic", s.lastTopic()).end();
  }

  static String initiator(SecurityEvent.Initiator initiator) {
    return initiator.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static void who(JsonLine j, Who w) {
    j.text("clientId", w.clientId()).text("user", w.user()).text("address", w.address())
        .text("listener", w.listener()).text("certSha256", w.fingerprint());
  }
}
