package io.mqttsec.hivemq;

import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.tls.CertificateIdentity;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each {@link SecurityEvent} as one JSON object per line on the SLF4J logger {@code io.mqttsec.audit},
 * for a SIEM: {@code time}, {@code event}, and where known {@code clientId}, {@code user}, {@code address},
 * {@code listener}, {@code certSha256}, then the event's own fields. Never a password: events carry none.
 */
final class AuditLog implements SecurityEventListener {

  static final String LOGGER = "io.mqttsec.audit";

  private final Consumer<String> sink;

  AuditLog(Consumer<String> sink) {
    this.sink = sink;
  }

  static AuditLog toSlf4j() {
    Logger logger = LoggerFactory.getLogger(LOGGER);
    return new AuditLog(logger::info);
  }

  /**
   * The broker listener of the connection being handled on this thread, so events the library publishes
   * from inside an authentication carry it.
   */
  private static final ThreadLocal<String> LISTENER = new ThreadLocal<>();

  /** Runs {@code work} with {@code listener} named on every event it publishes on this thread. */
  static void withListener(String listener, Runnable work) {
    LISTENER.set(listener);
    try {
      work.run();
    } finally {
      LISTENER.remove();
    }
  }

  @Override
  public void on(SecurityEvent event) {
    sink.accept(json(event, LISTENER.get()));
  }

  static String json(SecurityEvent event, String listener) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("time", event.time());
    if (event instanceof SecurityEvent.AuthSucceeded e) {
      f.put("event", "connect.success");
      who(f, e.who(), listener);
      f.put("method", e.method());
    } else if (event instanceof SecurityEvent.AuthFailed e) {
      f.put("event", "connect.failure");
      who(f, e.who(), listener);
      f.put("outcome", e.outcome());
      f.put("reason", e.reason());
    } else if (event instanceof SecurityEvent.ClientLockedOut e) {
      f.put("event", "lockout");
      who(f, e.who(), listener);
      f.put("lockedForSeconds", e.lockedFor().toSeconds());
      f.put("consecutiveFailures", e.consecutiveFailures());
    } else if (event instanceof SecurityEvent.AddressBlocked e) {
      f.put("event", "address.blocked");
      who(f, e.who(), listener);
      f.put("address", e.address().getHostAddress());
      f.put("blockedForSeconds", e.blockedFor().toSeconds());
    } else if (event instanceof SecurityEvent.AccessDenied e) {
      f.put("event", "acl.denied");
      who(f, e.who(), listener);
      f.put("action", e.action());
      f.put("topic", e.topic());
      f.put("rule", e.reason());
    } else if (event instanceof SecurityEvent.PolicyReloaded e) {
      f.put("event", "reload");
      f.put("source", e.source());
      f.put("summary", e.summary());
    } else if (event instanceof SecurityEvent.PolicyReloadFailed e) {
      f.put("event", "reload.failure");
      f.put("source", e.source());
      f.put("error", e.error());
    } else if (event instanceof SecurityEvent.CertificateExpiring e) {
      f.put("event", "certificate.expiring");
      f.put("what", e.what());
      f.put("subject", e.subject());
      f.put("certSha256", e.sha256Fingerprint());
      f.put("notAfter", e.notAfter());
    } else if (event instanceof SecurityEvent.CrlOverdue e) {
      f.put("event", "crl.overdue");
      f.put("issuer", e.issuer());
      f.put("nextUpdate", e.nextUpdate());
      f.put("stillInForce", e.stillInForce());
    } else if (event instanceof SecurityEvent.CertificateRejected e) {
      f.put("event", "certificate.rejected");
      f.put("subject", e.subject());
      f.put("reason", e.reason());
    }
    StringBuilder out = new StringBuilder(256).append('{');
    f.forEach((k, v) -> {
      if (out.length() > 1) {
        out.append(',');
      }
      quote(out, k).append(':');
      if (v instanceof Number || v instanceof Boolean) {
        out.append(v);
      } else {
        quote(out, String.valueOf(v));
      }
    });
    return out.append('}').toString();
  }

  private static void who(Map<String, Object> f, ClientIdentity who, String listener) {
    f.put("clientId", who.clientId());
    who.username().ifPresent(u -> f.put("user", u));
    who.remoteAddress().map(InetAddress::getHostAddress).ifPresent(a -> f.put("address", a));
    if (listener != null) {
      f.put("listener", listener);
    }
    who.certificate().ifPresent(c -> f.put("certSha256", CertificateIdentity.of(c).sha256Fingerprint()));
  }

  /** JSON string escaping (RFC 8259): quotes, backslash and every control character. */
  private static StringBuilder quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }
}
