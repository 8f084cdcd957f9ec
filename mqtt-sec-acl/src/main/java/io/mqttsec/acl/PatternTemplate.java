/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code pattern} line prepared for {@link AclPolicy#viewFor}: its filter cut at the {@code %u} and {@code %c}
 * levels, so that a client's filter is the pieces joined by its username and client id, built in one pass.
 */
final class PatternTemplate {
  final Rule rule;
  /** The text around the placeholders: one piece more than there are placeholders. */
  private final String[] pieces;
  /** For each placeholder, in order: {@code 'u'} or {@code 'c'}. */
  private final char[] holes;
  private final int fixedLength;

  PatternTemplate(String filter, Rule rule) {
    this.rule = rule;
    List<String> parts = new ArrayList<>();
    StringBuilder holeList = new StringBuilder();
    StringBuilder piece = new StringBuilder();
    int start = 0;
    int n = filter.length();
    while (true) {
      int end = filter.indexOf('/', start);
      if (end < 0) {
        end = n;
      }
      boolean u = end - start == 2 && filter.startsWith("%u", start);
      boolean c = end - start == 2 && filter.startsWith("%c", start);
      if (u || c) {
        parts.add(piece.toString());
        piece.setLength(0);
        holeList.append(u ? 'u' : 'c');
      } else {
        piece.append(filter, start, end);
      }
      if (end == n) {
        break;
      }
      piece.append('/');
      start = end + 1;
    }
    parts.add(piece.toString());
    pieces = parts.toArray(new String[0]);
    holes = holeList.toString().toCharArray();
    int length = 0;
    for (String p : pieces) {
      length += p.length();
    }
    fixedLength = length;
  }

  boolean isDeny() {
    return rule.accessBits == Access.DENY.bits;
  }

  boolean usesClientId() {
    for (char h : holes) {
      if (h == 'c') {
        return true;
      }
    }
    return false;
  }

  /**
   * The filter for a client whose {@code %u} is {@code u} and {@code %c} is {@code c}, or null if it has a
   * placeholder whose value is null (not usable: the pattern never applies to the client).
   */
  String resolve(String u, String c) {
    if (holes.length == 0) {
      return pieces[0];
    }
    int length = fixedLength;
    for (char h : holes) {
      String value = h == 'u' ? u : c;
      if (value == null) {
        return null;
      }
      length += value.length();
    }
    StringBuilder sb = new StringBuilder(length);
    sb.append(pieces[0]);
    for (int i = 0; i < holes.length; i++) {
      sb.append(holes[i] == 'u' ? u : c).append(pieces[i + 1]);
    }
    return sb.toString();
  }
}
