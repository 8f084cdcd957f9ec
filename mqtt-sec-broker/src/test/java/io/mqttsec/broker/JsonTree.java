/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of one JSON text (RFC 8259): objects as {@code Map<String, Object>} in order, arrays as
 * {@code List<Object>}, strings, numbers as {@code Long} or {@code Double}, booleans and null. It throws
 * {@link IllegalArgumentException} at the first character that is not valid JSON, and also at what a strict
 * consumer refuses: a duplicate key, and an escaped surrogate that is not half of a pair.
 */
public final class JsonTree {

  private final String s;
  private int i;

  private JsonTree(String s) {
    this.s = s;
  }

  /** The value {@code text} holds, nothing after it but white space. */
  public static Object parse(String text) {
    JsonTree p = new JsonTree(text);
    Object v = p.value();
    p.space();
    if (p.i != p.s.length()) {
      throw p.error("text after the value");
    }
    return v;
  }

  /** {@code line} as an object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(String line) {
    Object v = parse(line);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("not an object: " + line);
    }
    return (Map<String, Object>) v;
  }

  /** A flat object's fields in order: strings decoded, numbers and booleans as their text. */
  public static Map<String, String> flat(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    object(line).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  /** The object's leaves under their dotted paths ({@code event.action}); arrays stay lists. */
  public static Map<String, Object> flatten(Map<String, Object> object) {
    Map<String, Object> out = new LinkedHashMap<>();
    flatten("", object, out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> object, Map<String, Object> out) {
    for (Map.Entry<String, Object> e : object.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m) {
        flatten(key + ".", (Map<String, Object>) m, out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private Object value() {
    space();
    char c = peek();
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> word("true", Boolean.TRUE);
      case 'f' -> word("false", Boolean.FALSE);
      case 'n' -> word("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object() {
    i++;
    Map<String, Object> out = new LinkedHashMap<>();
    space();
    if (peek() == '}') {
      i++;
      return out;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("a key must be a string");
      }
      String key = string();
      space();
      expect(':');
      Object v = value();
      if (out.containsKey(key)) {
        throw error("duplicate key " + key);
      }
      out.put(key, v);
      space();
      char c = next();
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw error("expected , or }");
      }
    }
  }

  private List<Object> array() {
    i++;
    List<Object> out = new ArrayList<>();
    space();
    if (peek() == ']') {
      i++;
      return out;
    }
    while (true) {
      out.add(value());
      space();
      char c = next();
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        throw error("expected , or ]");
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        break;
      }
      if (c < 0x20) {
        throw error("unescaped control character");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(hex());
        default -> throw error("bad escape \\" + e);
      }
    }
    String v = out.toString();
    for (int k = 0; k < v.length(); k++) {
      char c = v.charAt(k);
      if (Character.isHighSurrogate(c) && k + 1 < v.length() && Character.isLowSurrogate(v.charAt(k + 1))) {
        k++;
      } else if (Character.isSurrogate(c)) {
        throw error("unpaired surrogate");
      }
    }
    return v;
  }

  private char hex() {
    if (i + 4 > s.length()) {
      throw error("short \\u escape");
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(s.charAt(i++), 16);
      if (d < 0) {
        throw error("bad \\u escape");
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private Object number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (i < s.length() && s.charAt(i) == '0') {
      i++;
    } else {
      digits();
    }
    boolean fraction = false;
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
      digits();
      fraction = true;
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      digits();
      fraction = true;
    }
    String n = s.substring(start, i);
    return fraction ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
  }

  private void digits() {
    int start = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    if (i == start) {
      throw error("expected a digit");
    }
  }

  private Object word(String word, Object value) {
    if (!s.startsWith(word, i)) {
      throw error("expected " + word);
    }
    i += word.length();
    return value;
  }

  private void space() {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n'
        || s.charAt(i) == '\r')) {
      i++;
    }
  }

  private char peek() {
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(i);
  }

  private char next() {
    char c = peek();
    i++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) {
      throw error("expected " + c);
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("offset " + i + ": " + what);
  }
}
