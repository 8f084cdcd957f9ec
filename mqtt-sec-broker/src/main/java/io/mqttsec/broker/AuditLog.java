package io.mqttsec.broker;

import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.tls.CertificateIdentity;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Writes each {@link SecurityEvent} as one JSON object per line, for a SIEM: {@code time}, {@code event}, and
 * where known {@code clientId}, {@code user}, {@code address}, {@code listener}, {@code certSha256}, then the
 * event's own fields. The same lines whatever the broker: the HiveMQ extension hands them to SLF4J, an embedder
 * to any {@code Consumer<String>}.
 *
 * <pre>{@code
 * {"time":"2026-11-22T03:52:12Z","event":"acl.denied","clientId":"press-42-1","user":"press-42","address":"10.0.3.17","action":"PUBLISH","topic":"factory/press-43/temp","rule":"no rule matched"}
 * }</pre>
 *
 * <p>Event names: {@code connect.success}, {@code connect.failure}, {@code lockout}, {@code address.blocked},
 * {@code acl.denied}, {@code acl.denied.suppressed}, {@code takeover.refused}, {@code disconnect},
 * {@code limit.exceeded},
 * {@code will.suppressed}, {@code reload}, {@code reload.failure}, {@code certificate.expiring},
 * {@code crl.overdue}, {@code certificate.rejected}.
 *
 * <p><b>Bounded.</b> A client controls much of what is written (its client id, user name, topics up to 64 KiB),
 * so no client may make the log grow without bound:
 * <ul>
 *   <li>every text field is cut at {@value #MAX_FIELD_BYTES} bytes of UTF-8 (on a character boundary), and the
 *       original length in bytes follows as {@code <field>Length}: {@code "topic":"a/b/...","topicLength":60000};</li>
 *   <li>a client id gets at most {@value #DENIALS_PER_MINUTE} {@code acl.denied} lines a minute; the rest are
 *       counted, and one {@code acl.denied.suppressed} line (with the count, the window and the last action and
 *       topic) closes the minute, at the client's next denial or at the next {@link #flush(Instant)};</li>
 *   <li>at most {@value #TRACKED_CLIENTS} client ids are tracked at once; denials of further ones share one
 *       budget, summarised under the client id {@code *}.</li>
 * </ul>
 * So a client can cause at most {@value #DENIALS_PER_MINUTE} + 1 denial lines a minute, each of a few KiB.
 *
 * <p>Always valid JSON: quotes, backslashes, control characters, U+2028/U+2029 and unpaired surrogates are
 * escaped. No password ever appears: events carry none. Thread-safe.
 */
public final class AuditLog implements SecurityEventListener {

  /** The longest text field written, in bytes of UTF-8. */
  public static final int MAX_FIELD_BYTES = 1024;
  /** How many {@code acl.denied} lines one client id may cause in a minute before they are summarised. */
  public static final int DENIALS_PER_MINUTE = 10;
  /** How many client ids' denial budgets are tracked at once. */
  public static final int TRACKED_CLIENTS = 100_000;

  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final String OVERFLOW = "*";

  private final Consumer<String> sink;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private AuditLog(Consumer<String> sink) {
    this.sink = sink;
  }

  /** Writes each line (without a line break) to {@code sink}, which must be thread-safe. */
  public static AuditLog jsonLines(Consumer<String> sink) {
    return new AuditLog(Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public void on(SecurityEvent event) {
    String listener = BrokerSecurity.currentListener();
    if (event instanceof SecurityEvent.AccessDenied denied) {
      throttled(denied, listener);
    } else {
      sink.accept(json(event, listener));
    }
  }

  /**
   * Writes the summary of every denial window that has ended by {@code now} and forgets those clients.
   * {@link BrokerSecurity} calls it every few seconds; an embedder using this class alone calls it itself.
   */
  public void flush(Instant now) {
    for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
      Window w = it.next().getValue();
      String summary;
      synchronized (w) {
        if (Duration.between(w.start, now).compareTo(WINDOW) < 0) {
          continue;
        }
        summary = w.summary(now);
        w.closed = true;
        it.remove();
      }
      if (summary != null) {
        sink.accept(summary);
      }
    }
  }

  private void throttled(SecurityEvent.AccessDenied denied, String listener) {
    String clientId = denied.who().clientId();
    String line;
    String summary = null;
    while (true) {
      Window w = windows.get(clientId);
      if (w == null) {
        boolean full = windows.size() >= TRACKED_CLIENTS;
        String key = full ? OVERFLOW : clientId;
        w = windows.computeIfAbsent(key, k -> new Window(k, denied.time()));
      }
      synchronized (w) {
        if (w.closed) {
          continue; // flushed and forgotten meanwhile: count in a fresh window
        }
        if (Duration.between(w.start, denied.time()).compareTo(WINDOW) >= 0) {
          summary = w.summary(denied.time());
          w.restart(denied.time());
        }
        if (w.written < DENIALS_PER_MINUTE) {
          w.written++;
          line = json(denied, listener);
        } else {
          w.suppress(denied);
          line = null;
        }
      }
      break;
    }
    if (summary != null) {
      sink.accept(summary);
    }
    if (line != null) {
      sink.accept(line);
    }
  }

  /** One client id's denial budget for the current minute. */
  private static final class Window {
    final String clientId;
    Instant start;
    int written;
    long suppressed;
    SecurityEvent.AccessDenied last;
    /** Flushed and removed from the map; a denial that still holds it starts a fresh one. */
    boolean closed;

    Window(String clientId, Instant start) {
      this.clientId = clientId;
      this.start = start;
    }

    void restart(Instant at) {
      start = at;
      written = 0;
      suppressed = 0;
      last = null;
    }

    void suppress(SecurityEvent.AccessDenied denied) {
      suppressed++;
      last = denied;
    }

    /** The summary line of this window, or null when nothing was suppressed. */
    String summary(Instant now) {
      if (suppressed == 0) {
        return null;
      }
      Json j = new Json().field("time", now.toString()).field("event", "acl.denied.suppressed");
      if (clientId.equals(OVERFLOW)) {
        j.field("clientId", OVERFLOW);
      } else {
        who(j, last.who(), null);
      }
      return j.number("suppressed", suppressed).field("since", start.toString())
          .field("lastAction", last.action().name()).field("lastTopic", last.topic()).end();
    }
  }

  /** The JSON line for {@code event}; {@code listener} is named when not null. */
  static String json(SecurityEvent event, String listener) {
    Json j = new Json().field("time", event.time().toString());
    if (event instanceof SecurityEvent.AuthSucceeded e) {
      j.field("event", "connect.success");
      who(j, e.who(), listener);
      j.field("method", e.method());
    } else if (event instanceof SecurityEvent.AuthFailed e) {
      j.field("event", "connect.failure");
      who(j, e.who(), listener);
      j.field("outcome", e.outcome().name()).field("reason", e.reason());
    } else if (event instanceof SecurityEvent.ClientLockedOut e) {
      j.field("event", "lockout");
      who(j, e.who(), listener);
      j.number("lockedForSeconds", e.lockedFor().toSeconds()).number("consecutiveFailures",
          e.consecutiveFailures());
    } else if (event instanceof SecurityEvent.AddressBlocked e) {
      j.field("event", "address.blocked");
      who(j, e.who().withRemoteAddress(e.address()), listener);
      j.number("blockedForSeconds", e.blockedFor().toSeconds()).number("failuresInWindow", e.failuresInWindow());
    } else if (event instanceof SecurityEvent.AccessDenied e) {
      j.field("event", "acl.denied");
      who(j, e.who(), listener);
      j.field("action", e.action().name()).field("topic", e.topic()).field("rule", e.reason());
    } else if (event instanceof SecurityEvent.TakeoverRefused e) {
      j.field("event", "takeover.refused");
      who(j, e.who(), listener);
      j.field("owner", e.owner());
    } else if (event instanceof SecurityEvent.ClientDisconnected e) {
      j.field("event", "disconnect");
      who(j, e.who(), listener);
      j.field("initiator", e.initiator().name().toLowerCase(Locale.ROOT).replace('_', '-'))
          .field("reason", e.reason());
    } else if (event instanceof SecurityEvent.WillSuppressed e) {
      j.field("event", "will.suppressed");
      who(j, e.who(), listener);
      j.field("topic", e.topic()).field("reason", e.reason());
    } else if (event instanceof SecurityEvent.LimitExceeded e) {
      j.field("event", "limit.exceeded");
      who(j, e.who(), listener);
      j.field("limit", e.limit()).field("scope", e.scope()).field("verdict", e.verdict()).number("count", e.count())
          .field("since", e.since().toString());
    } else if (event instanceof SecurityEvent.PolicyReloaded e) {
      j.field("event", "reload").field("source", e.source()).field("summary", e.summary());
    } else if (event instanceof SecurityEvent.PolicyReloadFailed e) {
      j.field("event", "reload.failure").field("source", e.source()).field("error", e.error());
    } else if (event instanceof SecurityEvent.CertificateExpiring e) {
      j.field("event", "certificate.expiring").field("what", e.what()).field("subject", e.subject())
          .field("certSha256", e.sha256Fingerprint()).field("notAfter", e.notAfter().toString());
    } else if (event instanceof SecurityEvent.CrlOverdue e) {
      j.field("event", "crl.overdue").field("issuer", e.issuer()).field("nextUpdate", e.nextUpdate().toString())
          .bool("stillInForce", e.stillInForce());
    } else if (event instanceof SecurityEvent.CertificateRejected e) {
      j.field("event", "certificate.rejected").field("subject", e.subject()).field("reason", e.reason());
    }
    return j.end();
  }

  private static void who(Json j, ClientIdentity who, String listener) {
    j.field("clientId", who.clientId());
    who.username().ifPresent(u -> j.field("user", u));
    who.remoteAddress().map(InetAddress::getHostAddress).ifPresent(a -> j.field("address", a));
    if (listener != null) {
      j.field("listener", listener);
    }
    who.certificate().ifPresent(c -> j.field("certSha256", CertificateIdentity.of(c).sha256Fingerprint()));
  }

  /** A JSON object written field by field, text fields bounded. */
  private static final class Json {
    private final StringBuilder out = new StringBuilder(256).append('{');

    Json field(String key, String value) {
      key(key);
      int bytes = utf8Length(value);
      if (bytes <= MAX_FIELD_BYTES) {
        quote(value, value.length());
      } else {
        quote(value, cut(value));
        out.append(',');
        quote(key + "Length", (key + "Length").length()).append(':').append(bytes);
      }
      return this;
    }

    Json number(String key, long value) {
      key(key).append(value);
      return this;
    }

    Json bool(String key, boolean value) {
      key(key).append(value);
      return this;
    }

    String end() {
      return out.append('}').toString();
    }

    private StringBuilder key(String key) {
      if (out.length() > 1) {
        out.append(',');
      }
      return quote(key, key.length()).append(':');
    }

    /** JSON string escaping (RFC 8259) of the first {@code end} chars of {@code s}. */
    private StringBuilder quote(String s, int end) {
      out.append('"');
      for (int i = 0; i < end; i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            boolean paired = Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))
                || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c) && !paired) {
              out.append("\\u").append(String.format("%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      return out.append('"');
    }
  }

  /**
   * The length of {@code s} in UTF-8 when it might exceed {@link #MAX_FIELD_BYTES}; a string too short to exceed
   * it (3 bytes a char at most) answers its char count, which is all the caller needs then.
   */
  static int utf8Length(String s) {
    if (s.length() * 3 <= MAX_FIELD_BYTES) {
      return s.length();
    }
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** How many chars of {@code s} fit in {@link #MAX_FIELD_BYTES} bytes of UTF-8, never splitting a pair. */
  static int cut(String s) {
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > MAX_FIELD_BYTES) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return i;
  }
}
