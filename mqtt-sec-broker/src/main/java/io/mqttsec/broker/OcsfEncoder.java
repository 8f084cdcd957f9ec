/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.Action;
import io.mqttsec.api.SecurityEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * OCSF 1.8 events. Logins, refusals and logouts are Authentication (3002: Logon, Logoff); ACL denials and
 * suppressed wills API Activity (6003: Create for a PUBLISH or a will, Read for a SUBSCRIBE or a delivery); limits
 * and blocked addresses Network Activity (4001: Refuse); reloads Application Lifecycle (6002: Update); alerts,
 * expiring certificates and overdue CRLs Detection Finding (2004: Create). Every event names mqtt-sec's event in
 * {@code metadata.event_code}, the MQTT client id in {@code src_endpoint.uid} (or a resource), and keeps what OCSF has
 * no attribute for under {@code unmapped}. A field cut to {@value AuditLog#MAX_FIELD_BYTES} bytes sets
 * {@code metadata.is_truncated} and is listed in {@code unmapped.truncated}.
 */
final class OcsfEncoder implements AuditEncoder {

  private static final String[] SEVERITY = {"Unknown", "Informational", "Low", "Medium", "High", "Critical",
      "Fatal"};
  private static final int INFORMATIONAL = 1;
  private static final int LOW = 2;
  private static final int MEDIUM = 3;
  private static final int HIGH = 4;
  private static final int SUCCESS = 1;
  private static final int FAILURE = 2;
  private static final int FINDING_NEW = 1;

  /** An OCSF class: its uid, name, category. */
  private enum Type {
    AUTHENTICATION(3002, "Authentication", 3, "Identity & Access Management"),
    API_ACTIVITY(6003, "API Activity", 6, "Application Activity"),
    NETWORK_ACTIVITY(4001, "Network Activity", 4, "Network Activity"),
    APPLICATION_LIFECYCLE(6002, "Application Lifecycle", 6, "Application Activity"),
    DETECTION_FINDING(2004, "Detection Finding", 2, "Findings");

    final int uid;
    final String caption;
    final int category;
    final String categoryCaption;

    Type(int uid, String caption, int category, String categoryCaption) {
      this.uid = uid;
      this.caption = caption;
      this.category = category;
      this.categoryCaption = categoryCaption;
    }
  }

  /** What one line says, gathered before it is written. */
  private static final class Line {
    final String code;
    final Type type;
    final int activity;
    final String activityName;
    int severity;
    int status;
    String statusName;
    String statusCode;
    String detail;
    String message;
    Who who;
    /** Authentication: the method; API Activity: the operation; Detection Finding: the finding's title. */
    String what;
    String topic;
    Long count;
    Instant start;
    Instant end;
    List<String> resource;
    String service = "mqtt";
    String findingUid;
    boolean alert;
    final List<Object> unmapped = new ArrayList<>(8);

    Line(String code, Type type, int activity, String activityName, int severity, int status) {
      this.code = code;
      this.type = type;
      this.activity = activity;
      this.activityName = activityName;
      this.severity = severity;
      this.status = status;
      this.statusName = type == Type.DETECTION_FINDING ? "New" : status == SUCCESS ? "Success" : "Failure";
    }

    Line unmapped(String key, Object value) {
      if (value != null) {
        unmapped.add(key);
        unmapped.add(value);
      }
      return this;
    }
  }

  @Override
  public String encode(SecurityEvent event, String listener) {
    Line l;
    if (event instanceof SecurityEvent.AuthSucceeded e) {
      l = logon("connect.success", INFORMATIONAL, SUCCESS);
      l.who = Who.of(e.who(), listener);
      l.what = e.method();
      l.message = l.who.describe() + " connected, authenticated by " + e.method();
    } else if (event instanceof SecurityEvent.AuthFailed e) {
      l = logon("connect.failure", LOW, FAILURE);
      l.who = Who.of(e.who(), listener);
      l.statusCode = e.outcome().name();
      l.detail = e.reason();
      l.message = l.who.describe() + " refused: " + e.reason();
    } else if (event instanceof SecurityEvent.ClientLockedOut e) {
      l = logon("lockout", MEDIUM, FAILURE);
      l.who = Who.of(e.who(), listener);
      l.statusCode = "LOCKED_OUT";
      l.detail = "locked out for " + e.lockedFor().toSeconds() + " s after " + e.consecutiveFailures()
          + " failed logins";
      l.message = l.who.describe() + " " + l.detail;
      l.unmapped("locked_for_seconds", e.lockedFor().toSeconds())
          .unmapped("consecutive_failures", (long) e.consecutiveFailures());
    } else if (event instanceof SecurityEvent.AddressBlocked e) {
      l = refuse("address.blocked", MEDIUM);
      l.who = Who.of(e.who().withRemoteAddress(e.address()), listener);
      l.detail = "blocked for " + e.blockedFor().toSeconds() + " s after " + e.failuresInWindow()
          + " failed logins";
      l.message = "address " + l.who.address() + " " + l.detail;
      l.count = (long) e.failuresInWindow();
      l.unmapped("blocked_for_seconds", e.blockedFor().toSeconds());
    } else if (event instanceof SecurityEvent.AccessDenied e) {
      l = api("acl.denied", e.action(), e.action().name());
      l.who = Who.of(e.who(), listener);
      l.topic = e.topic();
      l.detail = e.reason();
      l.message = l.who.describe() + " may not " + e.action().name() + " " + e.topic() + ": " + e.reason();
    } else if (event instanceof SecurityEvent.TakeoverRefused e) {
      l = logon("takeover.refused", MEDIUM, FAILURE);
      l.who = Who.of(e.who(), listener);
      l.statusCode = "TAKEOVER_REFUSED";
      l.detail = "client id " + e.who().clientId() + " belongs to " + e.owner();
      l.message = l.who.describe() + " refused: " + l.detail;
      l.unmapped("owner", e.owner());
    } else if (event instanceof SecurityEvent.ClientDisconnected e) {
      l = new Line("disconnect", Type.AUTHENTICATION, 2, "Logoff", INFORMATIONAL, SUCCESS);
      l.who = Who.of(e.who(), listener);
      l.detail = e.reason();
      l.message = l.who.describe() + " disconnected by " + MqttSecEncoder.initiator(e.initiator()) + ": "
          + e.reason();
      l.unmapped("initiator", MqttSecEncoder.initiator(e.initiator()));
    } else if (event instanceof SecurityEvent.WillSuppressed e) {
      l = api("will.suppressed", Action.PUBLISH, "WILL");
      l.who = Who.of(e.who(), listener);
      l.topic = e.topic();
      l.detail = e.reason();
      l.message = "will of " + l.who.describe() + " on " + e.topic() + " not sent: " + e.reason();
    } else if (event instanceof SecurityEvent.LimitExceeded e) {
      l = refuse("limit.exceeded", LOW);
      l.who = Who.of(e.who(), listener);
      l.detail = e.limit() + " exceeded " + e.count() + " times (" + e.scope() + "): " + e.verdict();
      l.message = l.who.describe() + " " + l.detail;
      l.count = e.count();
      l.start = e.since();
      l.end = e.time();
      l.unmapped("limit", e.limit()).unmapped("scope", e.scope()).unmapped("verdict", e.verdict());
    } else if (event instanceof SecurityEvent.AlertRaised e) {
      l = finding(e.name(), e.name().equals(Detector.BRUTE_FORCE) ? HIGH : MEDIUM, e.time());
      l.who = Who.of(e.who(), listener);
      l.alert = true;
      l.what = e.detail();
      l.message = e.name() + ": " + e.detail();
      l.count = e.count();
      l.start = e.time().minus(e.window());
      l.end = e.time();
      l.resource = List.of("mqtt client", e.who().clientId());
      l.unmapped("scope", e.scope()).unmapped("window_seconds", e.window().toSeconds());
    } else if (event instanceof SecurityEvent.PolicyReloaded e) {
      l = new Line("reload", Type.APPLICATION_LIFECYCLE, 8, "Update", INFORMATIONAL, SUCCESS);
      l.detail = e.summary();
      l.message = "reloaded " + e.source() + ": " + e.summary();
      l.unmapped("source", e.source());
    } else if (event instanceof SecurityEvent.PolicyReloadFailed e) {
      l = new Line("reload.failure", Type.APPLICATION_LIFECYCLE, 8, "Update", HIGH, FAILURE);
      l.detail = e.error();
      l.message = "kept the last good " + e.source() + ": " + e.error();
      l.unmapped("source", e.source());
    } else if (event instanceof SecurityEvent.CertificateExpiring e) {
      l = finding("certificate.expiring", MEDIUM, e.time());
      l.what = e.what() + " certificate " + e.subject() + " expires " + e.notAfter();
      l.message = l.what;
      l.resource = List.of("certificate", e.subject(), e.sha256Fingerprint());
      l.unmapped("certificate", e.what()).unmapped("not_after", e.notAfter().toString());
    } else if (event instanceof SecurityEvent.CrlOverdue e) {
      l = finding("crl.overdue", e.stillInForce() ? MEDIUM : HIGH, e.time());
      l.what = "CRL of " + e.issuer() + " was due " + e.nextUpdate()
          + (e.stillInForce() ? "; still in force" : "; no longer in force");
      l.message = l.what;
      l.resource = List.of("crl", e.issuer());
      l.unmapped("next_update", e.nextUpdate().toString()).unmapped("still_in_force", e.stillInForce());
    } else if (event instanceof SecurityEvent.StoreUnavailable e) {
      l = new Line("store.unavailable", Type.APPLICATION_LIFECYCLE, 99, "Other", HIGH, FAILURE);
      l.detail = e.error();
      l.message = "store " + e.store() + " unavailable (" + e.error() + "); " + (e.snapshotInForce()
          ? "the last snapshot stays in force" : "no snapshot: every client is refused");
      l.unmapped("store", e.store()).unmapped("snapshot_in_force", e.snapshotInForce());
    } else if (event instanceof SecurityEvent.StoreRecovered e) {
      l = new Line("store.recovered", Type.APPLICATION_LIFECYCLE, 99, "Other", INFORMATIONAL, SUCCESS);
      l.detail = "reachable again after " + e.outage().toSeconds() + " s";
      l.message = "store " + e.store() + " " + l.detail;
      l.unmapped("store", e.store()).unmapped("outage_seconds", e.outage().toSeconds());
    } else if (event instanceof SecurityEvent.CertificateRejected e) {
      l = logon("certificate.rejected", LOW, FAILURE);
      l.statusCode = "CERTIFICATE_REJECTED";
      l.detail = e.reason();
      l.message = "certificate " + e.subject() + " refused: " + e.reason();
      l.unmapped("subject", e.subject());
    } else if (event instanceof SecurityEvent.CertificateEnrolled e) {
      l = new Line("certificate.enrolled", Type.API_ACTIVITY, 1, "Create", INFORMATIONAL, SUCCESS);
      l.who = new Who(null, e.commonName(), e.address().getHostAddress(), null, null);
      l.what = e.kind().equals("reenroll") ? "simplereenroll" : "simpleenroll";
      l.service = "est";
      l.detail = e.kind() + " over EST";
      l.message = "certificate " + e.serial() + " issued to " + e.commonName() + " (" + e.kind() + ")";
      l.resource = List.of("certificate", e.serial());
      l.unmapped("enrollment", e.kind()).unmapped("certificate_serial", e.serial());
    } else if (event instanceof SecurityEvent.EnrollmentRefused e) {
      l = new Line("enrollment.refused", Type.API_ACTIVITY, 1, "Create", MEDIUM, FAILURE);
      l.who = new Who(null, e.commonName().isEmpty() ? null : e.commonName(), e.address().getHostAddress(), null,
          null);
      l.what = e.kind().equals("reenroll") ? "simplereenroll" : "simpleenroll";
      l.service = "est";
      l.resource = List.of("certificate request", e.commonName().isEmpty() ? "(no CN)" : e.commonName());
      l.detail = e.reason();
      l.message = e.kind() + (e.commonName().isEmpty() ? "" : " of " + e.commonName()) + " from "
          + e.address().getHostAddress() + " refused: " + e.reason();
      l.unmapped("enrollment", e.kind());
    } else if (event instanceof SecurityEvent.CertificateRenewed e) {
      l = new Line("certificate.renewed", Type.APPLICATION_LIFECYCLE, 8, "Update", INFORMATIONAL, SUCCESS);
      l.detail = "renewed over EST until " + e.notAfter();
      l.message = "certificate of " + e.subject() + " renewed: serial " + e.serial() + " until " + e.notAfter();
      l.unmapped("subject", e.subject()).unmapped("previous_serial", e.previousSerial())
          .unmapped("certificate_serial", e.serial()).unmapped("not_after", e.notAfter().toString());
    } else if (event instanceof SecurityEvent.RenewalFailed e) {
      l = new Line("renewal.failure", Type.APPLICATION_LIFECYCLE, 8, "Update", MEDIUM, FAILURE);
      l.detail = e.reason();
      l.message = "renewal of " + e.subject() + " failed (" + e.reason() + "); next attempt " + e.nextAttempt();
      l.unmapped("subject", e.subject()).unmapped("next_attempt", e.nextAttempt().toString());
    } else {
      throw new IllegalArgumentException("no OCSF mapping for " + event.getClass().getSimpleName());
    }
    return write(event.time(), l);
  }

  @Override
  public String suppressed(Suppressed s) {
    Line l = api("acl.denied.suppressed", s.lastAction(), s.lastAction().name());
    l.who = s.who() == null ? new Who(AuditLog.OVERFLOW, null, null, null, null) : Who.of(s.who(), null);
    l.topic = s.lastTopic();
    l.count = s.count();
    l.start = s.since();
    l.end = s.now();
    l.detail = s.count() + " more denials since " + s.since();
    l.message = l.who.describe() + ": " + l.detail + " (the last: " + s.lastAction().name() + " " + s.lastTopic()
        + ")";
    return write(s.now(), l);
  }

  private static Line logon(String code, int severity, int status) {
    return new Line(code, Type.AUTHENTICATION, 1, "Logon", severity, status);
  }

  private static Line refuse(String code, int severity) {
    return new Line(code, Type.NETWORK_ACTIVITY, 5, "Refuse", severity, FAILURE);
  }

  private static Line api(String code, Action action, String operation) {
    boolean create = action == Action.PUBLISH;
    Line l = new Line(code, Type.API_ACTIVITY, create ? 1 : 2, create ? "Create" : "Read", LOW, FAILURE);
    l.what = operation;
    return l;
  }

  private static Line finding(String code, int severity, Instant time) {
    Line l = new Line(code, Type.DETECTION_FINDING, 1, "Create", severity, FINDING_NEW);
    l.findingUid = code + "-" + time.toEpochMilli() + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
    return l;
  }

  private static String write(Instant time, Line l) {
    Type t = l.type;
    JsonLine j = new JsonLine(false).number("time", time.toEpochMilli())
        .number("class_uid", t.uid).text("class_name", t.caption)
        .number("category_uid", t.category).text("category_name", t.categoryCaption)
        .number("activity_id", l.activity).text("activity_name", l.activityName)
        .number("type_uid", t.uid * 100L + l.activity).text("type_name", t.caption + ": " + l.activityName)
        .number("severity_id", l.severity).text("severity", SEVERITY[l.severity])
        .number("status_id", l.status).text("status", l.statusName).text("status_code", l.statusCode)
        .text("status_detail", l.detail).text("message", l.message);
    if (l.count != null) {
      j.number("count", l.count);
    }
    if (l.start != null) {
      j.number("start_time", l.start.toEpochMilli());
    }
    if (l.end != null) {
      j.number("end_time", l.end.toEpochMilli());
    }
    Who w = l.who;
    switch (t) {
      case AUTHENTICATION -> {
        user(j, "user", w);
        endpoint(j, w);
        if (l.what != null) {
          j.number("auth_protocol_id", 99).text("auth_protocol", l.what);
        }
        if (w != null && w.certificate() != null) {
          j.object("certificate").text("subject", w.subject()).text("issuer", w.issuer())
              .text("serial_number", w.serial()).number("expiration_time", w.notAfter().toEpochMilli())
              .array("fingerprints").element().number("algorithm_id", 3).text("algorithm", "SHA-256")
              .text("value", w.fingerprint()).close().closeArray().close();
        }
      }
      case API_ACTIVITY -> {
        j.object("actor");
        user(j, "user", w);
        j.close();
        j.object("api").text("operation", l.what).object("service").text("name", l.service).close().close();
        endpoint(j, w);
        if (l.resource != null) {
          j.array("resources").element().text("type", l.resource.get(0)).text("name", l.resource.get(1)).close()
              .closeArray();
        } else {
          j.array("resources").element().text("type", "mqtt topic").text("name", l.topic).close().closeArray();
        }
      }
      case NETWORK_ACTIVITY -> endpoint(j, w);
      case APPLICATION_LIFECYCLE -> product(j, "app");
      case DETECTION_FINDING -> {
        j.bool("is_alert", l.alert);
        j.object("finding_info").text("uid", l.findingUid).text("title", l.what).texts("types", l.code)
            .object("analytic").text("name", l.code).number("type_id", 1).text("type", "Rule").close().close();
        if (w != null) {
          j.array("evidences").element();
          if (w.user() != null) {
            j.object("actor");
            user(j, "user", w);
            j.close();
          }
          endpoint(j, w);
          j.close().closeArray();
        }
        if (l.resource != null) {
          j.array("resources").element().text("type", l.resource.get(0)).text("name", l.resource.get(1));
          if (l.resource.size() > 2) {
            j.text("uid", l.resource.get(2));
          }
          j.close().closeArray();
        }
      }
      default -> throw new IllegalStateException(t.name());
    }
    j.object("unmapped");
    if (w != null) {
      j.text("listener", w.listener());
    }
    j.fields(l.unmapped);
    boolean truncated = !j.cuts().isEmpty();
    if (truncated) {
      j.texts("truncated", j.cuts().stream().map(JsonLine.Cut::key).toArray(String[]::new));
    }
    j.close();
    j.object("metadata").text("version", AuditFormat.OCSF_VERSION);
    product(j, "product");
    j.text("event_code", l.code).text("log_name", "audit");
    if (truncated) {
      j.bool("is_truncated", true);
    }
    return j.end();
  }

  private static void user(JsonLine j, String key, Who w) {
    j.object(key);
    if (w != null && w.user() != null) {
      j.text("name", w.user()).number("type_id", 1).text("type", "User");
    } else {
      j.number("type_id", 0).text("type", "Unknown");
    }
    j.close();
  }

  private static void endpoint(JsonLine j, Who w) {
    if (w == null) {
      return;
    }
    j.object("src_endpoint").text("uid", w.clientId()).text("ip", w.address()).close();
  }

  private static void product(JsonLine j, String key) {
    j.object(key).text("name", "mqtt-sec").text("vendor_name", "mqtt-sec")
        .text("version", AuditFormat.PRODUCT_VERSION).close();
  }
}
