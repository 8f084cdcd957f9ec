/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.SecurityEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Elastic Common Schema lines, as nested objects: {@code @timestamp}, {@code message}, {@code ecs.version},
 * {@code event.*} (kind, category, type, outcome from ECS's allowed values; {@code action} is mqtt-sec's event
 * name), {@code user.name}, {@code source.ip} and {@code client.ip}, {@code tls.client.*}, {@code related.*},
 * {@code rule.name}, {@code error.message}, {@code file.*}, and mqtt-sec's own fields under {@code mqtt.*}, which ECS
 * leaves free. A field cut to {@value AuditLog#MAX_FIELD_BYTES} bytes is listed in {@code mqtt.truncated}.
 */
final class EcsEncoder implements AuditEncoder {

  private static final String[] AUTHENTICATION = {"authentication"};
  private static final String[] START = {"start"};
  private static final String[] DENIED = {"denied"};
  private static final String[] INFO = {"info"};

  /** What one line says, gathered before it is written in ECS's order. */
  private static final class Line {
    String action;
    String kind = "event";
    String[] category;
    String[] type;
    String outcome;
    String reason;
    Instant start;
    Instant end;
    Who who;
    String message;
    String rule;
    String error;
    String filePath;
    String certSubject;
    Instant certNotAfter;
    String certSha256;
    String rejectedSubject;
    String protocol = "mqtt";
    final List<Object> mqtt = new ArrayList<>(12);

    Line(String action, String[] category, String[] type, String outcome) {
      this.action = action;
      this.category = category;
      this.type = type;
      this.outcome = outcome;
    }

    Line mqtt(String key, Object value) {
      if (value != null) {
        mqtt.add(key);
        mqtt.add(value);
      }
      return this;
    }
  }

  @Override
  public String encode(SecurityEvent event, String listener) {
    Line l;
    if (event instanceof SecurityEvent.AuthSucceeded e) {
      l = new Line("connect.success", AUTHENTICATION, START, "success").mqtt("auth_method", e.method());
      l.who = Who.of(e.who(), listener);
      l.message = l.who.describe() + " connected, authenticated by " + e.method();
    } else if (event instanceof SecurityEvent.AuthFailed e) {
      l = new Line("connect.failure", AUTHENTICATION, START, "failure")
          .mqtt("auth_outcome", e.outcome().name());
      l.who = Who.of(e.who(), listener);
      l.reason = e.reason();
      l.message = l.who.describe() + " refused: " + e.reason();
    } else if (event instanceof SecurityEvent.ClientLockedOut e) {
      l = new Line("lockout", AUTHENTICATION, INFO, "failure")
          .mqtt("locked_for_seconds", e.lockedFor().toSeconds())
          .mqtt("consecutive_failures", (long) e.consecutiveFailures());
      l.who = Who.of(e.who(), listener);
      l.reason = "locked out for " + e.lockedFor().toSeconds() + " s after " + e.consecutiveFailures()
          + " failed logins";
      l.message = l.who.describe() + " " + l.reason;
    } else if (event instanceof SecurityEvent.AddressBlocked e) {
      l = new Line("address.blocked", new String[] {"network"}, DENIED, "failure")
          .mqtt("blocked_for_seconds", e.blockedFor().toSeconds())
          .mqtt("failures_in_window", (long) e.failuresInWindow());
      l.who = Who.of(e.who().withRemoteAddress(e.address()), listener);
      l.reason = "blocked for " + e.blockedFor().toSeconds() + " s after " + e.failuresInWindow()
          + " failed logins";
      l.message = "address " + l.who.address() + " " + l.reason;
    } else if (event instanceof SecurityEvent.AccessDenied e) {
      l = new Line("acl.denied", new String[] {"api"}, DENIED, "failure").mqtt("action", e.action().name())
          .mqtt("topic", e.topic());
      l.who = Who.of(e.who(), listener);
      l.reason = e.reason();
      l.message = l.who.describe() + " may not " + e.action().name() + " " + e.topic() + ": " + e.reason();
    } else if (event instanceof SecurityEvent.TakeoverRefused e) {
      l = new Line("takeover.refused", new String[] {"authentication", "session"}, START, "failure")
          .mqtt("owner", e.owner());
      l.who = Who.of(e.who(), listener);
      l.reason = "client id " + e.who().clientId() + " belongs to " + e.owner();
      l.message = l.who.describe() + " refused: " + l.reason;
    } else if (event instanceof SecurityEvent.ClientDisconnected e) {
      l = new Line("disconnect", new String[] {"session"}, new String[] {"end"}, "success")
          .mqtt("initiator", MqttSecEncoder.initiator(e.initiator()));
      l.who = Who.of(e.who(), listener);
      l.reason = e.reason();
      l.message = l.who.describe() + " disconnected by " + MqttSecEncoder.initiator(e.initiator()) + ": "
          + e.reason();
    } else if (event instanceof SecurityEvent.WillSuppressed e) {
      l = new Line("will.suppressed", new String[] {"api"}, DENIED, "failure").mqtt("action", "WILL")
          .mqtt("topic", e.topic());
      l.who = Who.of(e.who(), listener);
      l.reason = e.reason();
      l.message = "will of " + l.who.describe() + " on " + e.topic() + " not sent: " + e.reason();
    } else if (event instanceof SecurityEvent.LimitExceeded e) {
      l = new Line("limit.exceeded", new String[] {"network"}, DENIED, "failure").mqtt("limit", e.limit())
          .mqtt("scope", e.scope()).mqtt("verdict", e.verdict()).mqtt("count", e.count());
      l.who = Who.of(e.who(), listener);
      l.start = e.since();
      l.end = e.time();
      l.reason = e.limit() + " exceeded " + e.count() + " times (" + e.scope() + "): " + e.verdict();
      l.message = l.who.describe() + " " + l.reason;
    } else if (event instanceof SecurityEvent.AlertRaised e) {
      l = new Line(e.name(), new String[] {alertCategory(e.name()), "intrusion_detection"}, INFO, null)
          .mqtt("scope", e.scope()).mqtt("count", e.count()).mqtt("window_seconds", e.window().toSeconds());
      l.kind = "alert";
      l.who = Who.of(e.who(), listener);
      l.rule = e.name();
      l.start = e.time().minus(e.window());
      l.end = e.time();
      l.reason = e.detail();
      l.message = e.name() + ": " + e.detail();
    } else if (event instanceof SecurityEvent.PolicyReloaded e) {
      l = new Line("reload", new String[] {"configuration"}, new String[] {"change"}, "success");
      l.filePath = e.source();
      l.reason = e.summary();
      l.message = "reloaded " + e.source() + ": " + e.summary();
    } else if (event instanceof SecurityEvent.PolicyReloadFailed e) {
      l = new Line("reload.failure", new String[] {"configuration"}, new String[] {"change"}, "failure");
      l.filePath = e.source();
      l.error = e.error();
      l.message = "kept the last good " + e.source() + ": " + e.error();
    } else if (event instanceof SecurityEvent.CertificateExpiring e) {
      l = new Line("certificate.expiring", new String[] {"configuration"}, INFO, null).mqtt("certificate",
          e.what());
      l.certSubject = e.subject();
      l.certNotAfter = e.notAfter();
      l.certSha256 = e.sha256Fingerprint().toUpperCase(Locale.ROOT);
      l.reason = e.what() + " certificate expires " + e.notAfter();
      l.message = e.what() + " certificate " + e.subject() + " expires " + e.notAfter();
    } else if (event instanceof SecurityEvent.CrlOverdue e) {
      l = new Line("crl.overdue", new String[] {"configuration"}, INFO, null).mqtt("crl_issuer", e.issuer())
          .mqtt("next_update", e.nextUpdate().toString()).mqtt("still_in_force", e.stillInForce());
      l.reason = "CRL of " + e.issuer() + " was due " + e.nextUpdate()
          + (e.stillInForce() ? "; still in force" : "; no longer in force");
      l.message = l.reason;
    } else if (event instanceof SecurityEvent.StoreUnavailable e) {
      l = new Line("store.unavailable", new String[] {"database"}, new String[] {"error"}, "failure")
          .mqtt("store", e.store()).mqtt("snapshot_in_force", e.snapshotInForce());
      l.error = e.error();
      l.reason = e.snapshotInForce() ? "the last snapshot stays in force" : "no snapshot: every client is refused";
      l.message = "store " + e.store() + " unavailable (" + e.error() + "); " + l.reason;
    } else if (event instanceof SecurityEvent.StoreRecovered e) {
      l = new Line("store.recovered", new String[] {"database"}, new String[] {"info"}, "success")
          .mqtt("store", e.store());
      l.start = e.time().minus(e.outage());
      l.end = e.time();
      l.reason = "reachable again after " + e.outage().toSeconds() + " s";
      l.message = "store " + e.store() + " " + l.reason;
    } else if (event instanceof SecurityEvent.CertificateRejected e) {
      l = new Line("certificate.rejected", AUTHENTICATION, START, "failure");
      l.rejectedSubject = e.subject();
      l.reason = e.reason();
      l.message = "certificate " + e.subject() + " refused: " + e.reason();
    } else if (event instanceof SecurityEvent.CertificateEnrolled e) {
      l = new Line("certificate.enrolled", new String[] {"iam"}, new String[] {"creation"}, "success")
          .mqtt("enrollment", e.kind()).mqtt("certificate_serial", e.serial());
      l.who = new Who(null, e.commonName(), e.address().getHostAddress(), null, null);
      l.protocol = "https";
      l.reason = e.kind() + " over EST";
      l.message = "certificate " + e.serial() + " issued to " + e.commonName() + " (" + e.kind() + ")";
    } else if (event instanceof SecurityEvent.EnrollmentRefused e) {
      l = new Line("enrollment.refused", new String[] {"iam"}, new String[] {"creation"}, "failure")
          .mqtt("enrollment", e.kind());
      l.who = new Who(null, e.commonName().isEmpty() ? null : e.commonName(), e.address().getHostAddress(), null,
          null);
      l.protocol = "https";
      l.reason = e.reason();
      l.message = e.kind() + (e.commonName().isEmpty() ? "" : " of " + e.commonName()) + " from "
          + e.address().getHostAddress() + " refused: " + e.reason();
    } else if (event instanceof SecurityEvent.CertificateRenewed e) {
      l = new Line("certificate.renewed", new String[] {"configuration"}, new String[] {"change"}, "success")
          .mqtt("previous_serial", e.previousSerial()).mqtt("certificate_serial", e.serial());
      l.certSubject = e.subject();
      l.certNotAfter = e.notAfter();
      l.protocol = "https";
      l.reason = "renewed over EST";
      l.message = "certificate of " + e.subject() + " renewed: serial " + e.serial() + " until " + e.notAfter();
    } else if (event instanceof SecurityEvent.RenewalFailed e) {
      l = new Line("renewal.failure", new String[] {"configuration"}, new String[] {"change"}, "failure")
          .mqtt("next_attempt", e.nextAttempt().toString());
      l.protocol = "https";
      l.error = e.reason();
      l.reason = "next attempt " + e.nextAttempt();
      l.message = "renewal of " + e.subject() + " failed (" + e.reason() + "); " + l.reason;
    } else {
      throw new IllegalArgumentException("no ECS mapping for " + event.getClass().getSimpleName());
    }
    return write(event.time(), l);
  }

  @Override
  public String suppressed(Suppressed s) {
    Line l = new Line("acl.denied.suppressed", new String[] {"api"}, DENIED, "failure")
        .mqtt("suppressed", s.count()).mqtt("action", s.lastAction().name()).mqtt("topic", s.lastTopic());
    l.who = s.who() == null ? new Who(AuditLog.OVERFLOW, null, null, null, null) : Who.of(s.who(), null);
    l.start = s.since();
    l.end = s.now();
    l.reason = s.count() + " more denials since " + s.since();
    l.message = l.who.describe() + ": " + l.reason + " (the last: " + s.lastAction().name() + " "
        + s.lastTopic() + ")";
    return write(s.now(), l);
  }

  private static String alertCategory(String alert) {
    return switch (alert) {
      case Detector.CONNECTION_SPIKE -> "network";
      case Detector.DENIAL_BURST -> "api";
      default -> "authentication";
    };
  }

  private static String write(Instant time, Line l) {
    JsonLine j = new JsonLine(false).text("@timestamp", time.toString()).text("message", l.message);
    j.object("ecs").text("version", AuditFormat.ECS_VERSION).close();
    j.object("event").text("kind", l.kind).texts("category", l.category).texts("type", l.type)
        .text("outcome", l.outcome).text("action", l.action).text("reason", l.reason)
        .text("module", "mqtt-sec").text("dataset", "mqtt-sec.audit")
        .text("start", l.start == null ? null : l.start.toString())
        .text("end", l.end == null ? null : l.end.toString());
    if (l.start != null && l.end != null) {
      j.number("duration", Duration.between(l.start, l.end).toNanos());
    }
    j.close();
    Who w = l.who;
    if (w != null) {
      if (w.user() != null) {
        j.object("user").text("name", w.user()).close();
      }
      if (w.address() != null) {
        j.object("source").text("ip", w.address()).close();
        j.object("client").text("ip", w.address()).close();
      }
    }
    String sha256 = w == null ? null : w.fingerprint();
    if (sha256 != null || l.rejectedSubject != null) {
      j.object("tls").object("client");
      if (sha256 != null) {
        j.object("hash").text("sha256", sha256.toUpperCase(Locale.ROOT)).close();
      }
      j.object("x509");
      j.object("subject").text("distinguished_name", w != null && w.certificate() != null ? w.subject()
          : l.rejectedSubject).close();
      if (w != null && w.certificate() != null) {
        j.object("issuer").text("distinguished_name", w.issuer()).close();
        j.text("serial_number", w.serial()).text("not_after", w.notAfter().toString());
      }
      j.close().close().close();
    }
    if (l.certSubject != null) {
      j.object("file").object("x509").object("subject").text("distinguished_name", l.certSubject).close()
          .text("not_after", l.certNotAfter.toString()).close().close();
    }
    if (l.filePath != null) {
      j.object("file").text("path", l.filePath).close();
    }
    related(j, w, sha256 != null ? sha256.toUpperCase(Locale.ROOT) : l.certSha256);
    if (l.rule != null) {
      j.object("rule").text("name", l.rule).close();
    }
    if (l.error != null) {
      j.object("error").text("message", l.error).close();
    }
    j.object("network").text("protocol", l.protocol).close();
    j.object("observer").text("product", "mqtt-sec").text("version", AuditFormat.PRODUCT_VERSION).close();
    if (w == null && l.mqtt.isEmpty() && j.cuts().isEmpty()) {
      return j.end(); // a reload, say: nothing of MQTT to say
    }
    j.object("mqtt");
    if (w != null) {
      j.text("client_id", w.clientId()).text("listener", w.listener());
    }
    j.fields(l.mqtt);
    if (!j.cuts().isEmpty()) {
      j.texts("truncated", j.cuts().stream().map(JsonLine.Cut::key).toArray(String[]::new));
    }
    return j.end();
  }

  private static void related(JsonLine j, Who w, String sha256) {
    boolean user = w != null && w.user() != null;
    boolean ip = w != null && w.address() != null;
    if (!user && !ip && sha256 == null) {
      return;
    }
    j.object("related");
    if (user) {
      j.texts("user", w.user());
    }
    if (ip) {
      j.texts("ip", w.address());
    }
    if (sha256 != null) {
      j.texts("hash", sha256);
    }
    j.close();
  }
}
