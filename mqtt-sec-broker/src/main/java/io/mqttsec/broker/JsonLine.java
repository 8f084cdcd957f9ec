/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object on one line, written field by field: objects and arrays nest, every text value is cut at
 * {@link AuditLog#MAX_FIELD_BYTES} bytes of UTF-8 (on a character boundary) and the cut is recorded under its dotted
 * path ({@code mqtt.topic}), and every string is escaped so that the line is valid JSON whatever it holds: quotes,
 * backslashes, control characters and U+2028/U+2029 as escapes, an unpaired surrogate (which no UTF-8 text can
 * hold, and which strict parsers refuse even escaped) as U+FFFD.
 */
final class JsonLine {

  /** A text value that was cut: its key and its length in bytes of UTF-8. */
  record Cut(String key, int bytes) {
  }

  private final StringBuilder out = new StringBuilder(320).append('{');
  /** Whether the innermost open object or array has a member yet, one bit a level. */
  private long nonEmpty;
  private int depth;
  /** The keys of the open objects and arrays, outermost first. */
  private final String[] path = new String[64];
  private final boolean inlineLengths;
  private final List<Cut> cuts = new ArrayList<>(0);

  /**
   * @param inlineLengths whether a cut value is followed at once by {@code "<key>Length":<bytes>} (mqtt-sec's own
   *                      format); otherwise the cuts are only recorded, for the encoder to place
   */
  JsonLine(boolean inlineLengths) {
    this.inlineLengths = inlineLengths;
  }

  JsonLine text(String key, String value) {
    if (value == null) {
      return this;
    }
    key(key);
    int bytes = AuditLog.utf8Length(value);
    if (bytes <= AuditLog.MAX_FIELD_BYTES) {
      quote(value, value.length());
    } else {
      quote(value, AuditLog.cut(value));
      cuts.add(new Cut(dotted(key), bytes));
      if (inlineLengths) {
        key(key + "Length");
        out.append(bytes);
      }
    }
    return this;
  }

  JsonLine number(String key, long value) {
    key(key).append(value);
    return this;
  }

  JsonLine bool(String key, boolean value) {
    key(key).append(value);
    return this;
  }

  /** Each key and value of {@code keyValues} (a key, then its Long, Boolean or String, and so on). */
  JsonLine fields(List<Object> keyValues) {
    for (int i = 0; i < keyValues.size(); i += 2) {
      String key = (String) keyValues.get(i);
      Object value = keyValues.get(i + 1);
      if (value instanceof Long n) {
        number(key, n);
      } else if (value instanceof Boolean b) {
        bool(key, b);
      } else {
        text(key, (String) value);
      }
    }
    return this;
  }

  /** Opens an object under {@code key}; {@link #close()} ends it. */
  JsonLine object(String key) {
    key(key).append('{');
    push(key);
    return this;
  }

  /** Opens an object as the next element of the array being written. */
  JsonLine element() {
    comma().append('{');
    push(path[depth]);
    return this;
  }

  /** An array of texts under {@code key}, each bounded as {@link #text} bounds one. */
  JsonLine texts(String key, String... values) {
    key(key).append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      int bytes = AuditLog.utf8Length(values[i]);
      if (bytes <= AuditLog.MAX_FIELD_BYTES) {
        quote(values[i], values[i].length());
      } else {
        quote(values[i], AuditLog.cut(values[i]));
        cuts.add(new Cut(dotted(key), bytes));
      }
    }
    out.append(']');
    return this;
  }

  /** Opens an array under {@code key}; {@link #closeArray()} ends it. */
  JsonLine array(String key) {
    key(key).append('[');
    push(key);
    return this;
  }

  JsonLine close() {
    pop();
    out.append('}');
    return this;
  }

  JsonLine closeArray() {
    pop();
    out.append(']');
    return this;
  }

  /** The text values cut so far. */
  List<Cut> cuts() {
    return cuts;
  }

  /** The finished line: closes whatever is open. */
  String end() {
    while (depth > 0) {
      close();
    }
    return out.append('}').toString();
  }

  private void push(String key) {
    depth++;
    path[depth] = key;
    nonEmpty &= ~(1L << depth);
  }

  private String dotted(String key) {
    if (depth == 0) {
      return key;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 1; i <= depth; i++) {
      s.append(path[i]).append('.');
    }
    return s.append(key).toString();
  }

  private void pop() {
    depth--;
  }

  private StringBuilder comma() {
    long bit = 1L << depth;
    if ((nonEmpty & bit) != 0) {
      out.append(',');
    }
    nonEmpty |= bit;
    return out;
  }

  private StringBuilder key(String key) {
    comma();
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
          if (Character.isSurrogate(c) && !paired) {
            out.append("\\ufffd");
          } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();
}
