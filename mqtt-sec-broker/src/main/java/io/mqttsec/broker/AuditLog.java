/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Writes each {@link SecurityEvent} as one JSON object per line, for a SIEM, in an {@link AuditFormat}: mqtt-sec's
 * own ({@code time}, {@code event}, and where known {@code clientId}, {@code user}, {@code address},
 * {@code listener}, {@code certSha256}, then the event's own fields), ECS or OCSF. The same lines whatever the
 * broker: the HiveMQ extension hands them to SLF4J or an {@link AuditFile}, an embedder to any
 * {@code Consumer<String>}.
 *
 * <pre>{@code
 * {"time":"2026-11-22T03:52:12Z","event":"acl.denied","clientId":"press-42-1","user":"press-42","address":"10.0.3.17","action":"PUBLISH","topic":"factory/press-43/temp","rule":"no rule matched"}
 * }</pre>
 *
 * <p>Event names: {@code connect.success}, {@code connect.failure}, {@code lockout}, {@code address.blocked},
 * {@code acl.denied}, {@code acl.denied.suppressed}, {@code takeover.refused}, {@code disconnect},
 * {@code limit.exceeded},
 * {@code will.suppressed}, {@code reload}, {@code reload.failure}, {@code certificate.expiring},
 * {@code crl.overdue}, {@code certificate.rejected}, and the alerts of a {@link Detector}: {@code alert.brute-force},
 * {@code alert.new-address}, {@code alert.connection-spike}, {@code alert.denial-burst}.
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
 * <p>Always valid JSON: quotes, backslashes, control characters and U+2028/U+2029 are escaped, an unpaired
 * surrogate is written as U+FFFD. No password ever appears: events carry none. Thread-safe.
 */
public final class AuditLog implements SecurityEventListener {

  /** The longest text field written, in bytes of UTF-8. */
  public static final int MAX_FIELD_BYTES = 1024;
  /** How many {@code acl.denied} lines one client id may cause in a minute before they are summarised. */
  public static final int DENIALS_PER_MINUTE = 10;
  /** How many client ids' denial budgets are tracked at once. */
  public static final int TRACKED_CLIENTS = 100_000;

  private static final Duration WINDOW = Duration.ofMinutes(1);
  static final String OVERFLOW = "*";

  private final Consumer<String> sink;
  private final AuditFormat format;
  private final AuditEncoder encoder;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private AuditLog(AuditFormat format, Consumer<String> sink) {
    this.format = format;
    this.encoder = format.encoder();
    this.sink = sink;
  }

  /** Writes each line of mqtt-sec's own format (without a line break) to {@code sink}, which must be thread-safe. */
  public static AuditLog jsonLines(Consumer<String> sink) {
    return of(AuditFormat.MQTT_SEC, sink);
  }

  /** Writes each line in {@code format} (without a line break) to {@code sink}, which must be thread-safe. */
  public static AuditLog of(AuditFormat format, Consumer<String> sink) {
    return new AuditLog(Objects.requireNonNull(format, "format"), Objects.requireNonNull(sink, "sink"));
  }

  /** The format of the lines. */
  public AuditFormat format() {
    return format;
  }

  @Override
  public void on(SecurityEvent event) {
    String listener = BrokerSecurity.currentListener();
    if (event instanceof SecurityEvent.AccessDenied denied) {
      throttled(denied, listener);
    } else {
      sink.accept(encoder.encode(event, listener));
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
        summary = w.summary(encoder, now);
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
          summary = w.summary(encoder, denied.time());
          w.restart(denied.time());
        }
        if (w.written < DENIALS_PER_MINUTE) {
          w.written++;
          line = encoder.encode(denied, listener);
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
    String summary(AuditEncoder encoder, Instant now) {
      if (suppressed == 0) {
        return null;
      }
      return encoder.suppressed(new AuditEncoder.Suppressed(now, clientId.equals(OVERFLOW) ? null : last.who(),
          suppressed, start, last.action(), last.topic()));
    }
  }

  /**
   * The length of {@code s} in UTF-8 as the audit writes it (an unpaired surrogate as U+FFFD, 3 bytes) when it
   * might exceed {@link #MAX_FIELD_BYTES}; a string too short to exceed it (3 bytes a char at most) answers its
   * char count, which is all the caller needs then.
   */
  static int utf8Length(String s) {
    int n = s.length();
    if (n * 3 <= MAX_FIELD_BYTES) {
      return n;
    }
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
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
