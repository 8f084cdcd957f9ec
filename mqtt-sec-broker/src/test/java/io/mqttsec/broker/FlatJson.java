package io.mqttsec.broker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict reader of one flat JSON object (string, number and boolean values), as RFC 8259 defines them: what the
 * audit lines must be. Throws {@link IllegalArgumentException} at the first character that is not valid JSON.
 */
final class FlatJson {

  private final String s;
  private int i;

  private FlatJson(String s) {
    this.s = s;
  }

  /** The object's fields in order; strings decoded, numbers and booleans as their text. */
  static Map<String, String> parse(String line) {
    FlatJson p = new FlatJson(line);
    Map<String, String> out = new LinkedHashMap<>();
    p.expect('{');
    if (p.peek() != '}') {
      do {
        String key = p.string();
        p.expect(':');
        String value = p.peek() == '"' ? p.string() : p.literal();
        if (out.put(key, value) != null) {
          throw new IllegalArgumentException("duplicate key " + key);
        }
      } while (p.accept(','));
    }
    p.expect('}');
    if (p.i != line.length()) {
      throw new IllegalArgumentException("text after the object at " + p.i);
    }
    return out;
  }

  private char peek() {
    if (i >= s.length()) {
      throw new IllegalArgumentException("unexpected end");
    }
    return s.charAt(i);
  }

  private boolean accept(char c) {
    if (i < s.length() && s.charAt(i) == c) {
      i++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!accept(c)) {
      throw new IllegalArgumentException("expected '" + c + "' at " + i + " in " + s);
    }
  }

  private String literal() {
    int start = i;
    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "-+.".indexOf(s.charAt(i)) >= 0)) {
      i++;
    }
    String lit = s.substring(start, i);
    if (!lit.equals("true") && !lit.equals("false") && !lit.matches("-?(0|[1-9][0-9]*)")) {
      throw new IllegalArgumentException("not a JSON literal: " + lit);
    }
    return lit;
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = peek();
      i++;
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw new IllegalArgumentException("raw control character " + (int) c + " at " + (i - 1));
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = peek();
      i++;
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> throw new IllegalArgumentException("bad escape \\" + e);
      }
    }
  }
}
