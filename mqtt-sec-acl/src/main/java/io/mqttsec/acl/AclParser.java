/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.AclParseException;
import io.mqttsec.api.InvalidTopicException;
import io.mqttsec.api.Topics;
import io.mqttsec.internal.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the mosquitto {@code acl_file} format strictly: every line is a comment, blank, or a well-formed
 * {@code user}, {@code topic} or {@code pattern} line, and anything else stops the parse with
 * {@code source:line:column: what is wrong}. One pass, no regular expressions, no substring per token.
 */
final class AclParser {
  private final String errorSource;
  private final AclLimits limits;
  private final PolicyCompiler compiler;

  private AclParser(String errorSource, String ruleSource, AclLimits limits, List<AclRule> listing) {
    this.errorSource = errorSource;
    this.limits = limits;
    this.compiler = new PolicyCompiler(ruleSource, listing);
  }

  static AclPolicy parse(Path file, AclLimits limits, SubscribeMode mode) {
    String text = read(file, limits);
    Path name = file.getFileName();
    return parse(text, file.toString(), name == null ? file.toString() : name.toString(), limits, mode);
  }

  static List<AclRule> rules(Path file, AclLimits limits) {
    String text = read(file, limits);
    List<AclRule> listing = new ArrayList<>();
    new AclParser(file.toString(), file.toString(), limits, listing).parseText(text);
    return List.copyOf(listing);
  }

  private static String read(Path file, AclLimits limits) {
    String display = file.toString();
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes()) {
        throw tooLarge(display, size, limits);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AclParseException(display, Checks.cannotRead(e), e);
    }
    if (bytes.length > limits.maxFileBytes()) {
      throw tooLarge(display, bytes.length, limits); // the file grew while it was read
    }
    return decode(bytes, display);
  }

  static AclPolicy parse(String text, String errorSource, String ruleSource, AclLimits limits, SubscribeMode mode) {
    if (text.length() > limits.maxFileBytes()) {
      throw tooLarge(errorSource, text.length(), limits);
    }
    AclParser parser = new AclParser(errorSource, ruleSource, limits, null);
    parser.parseText(text);
    return parser.compiler.build(mode, limits.maxLevels());
  }

  private static AclParseException tooLarge(String source, long size, AclLimits limits) {
    return new AclParseException(source, 0, 0, "file is " + size + " bytes, over the limit of "
        + limits.maxFileBytes() + " bytes for an ACL file");
  }

  private static String decode(byte[] bytes, String source) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int bad = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
      throw new AclParseException(source, line, column,
          String.format("invalid UTF-8: byte 0x%02X does not form a valid character", bytes[bad] & 0xFF));
    }
    out.flip();
    return out.toString();
  }

  private void parseText(String text) {
    int n = text.length();
    int pos = 0;
    int line = 0;
    while (true) {
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? n : nl;
      line++;
      int lineEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
      if (lineEnd - pos > limits.maxLineChars()) {
        throw error(line, 0, "line is " + (lineEnd - pos) + " characters long, over the limit of "
            + limits.maxLineChars() + " characters per line");
      }
      parseLine(text, pos, lineEnd, line);
      if (nl < 0) {
        return;
      }
      pos = nl + 1;
    }
  }

  private void parseLine(String s, int lineStart, int end, int line) {
    int i = skipBlanks(s, lineStart, end);
    if (i == end || s.charAt(i) == '#') {
      return;
    }
    if (line == 1 && i == 0 && s.charAt(0) == '\uFEFF') {
      throw error(line, 1, Checks.BYTE_ORDER_MARK);
    }
    int keywordEnd = tokenEnd(s, i, end);
    int trimmedEnd = trimEnd(s, keywordEnd, end);
    if (is(s, i, keywordEnd, "user")) {
      int name = skipBlanks(s, keywordEnd, trimmedEnd);
      if (name == trimmedEnd) {
        throw error(line, column(lineStart, keywordEnd), "user line has no user name");
      }
      compiler.user(s.substring(name, trimmedEnd));
      return;
    }
    boolean topic = is(s, i, keywordEnd, "topic");
    if (!topic && !is(s, i, keywordEnd, "pattern")) {
      throw error(line, column(lineStart, i), "unknown keyword " + excerpt(s, i, keywordEnd)
          + "; expected user, topic or pattern");
    }
    String keyword = topic ? "topic" : "pattern";
    int first = skipBlanks(s, keywordEnd, trimmedEnd);
    if (first == trimmedEnd) {
      throw error(line, column(lineStart, keywordEnd), keyword + " line has no topic filter");
    }
    int firstEnd = tokenEnd(s, first, trimmedEnd);
    int filterStart = skipBlanks(s, firstEnd, trimmedEnd);
    Access access;
    String filter;
    int filterColumn;
    if (filterStart == trimmedEnd) {
      // One word: the filter, with the access word left out (readwrite). A lone access word is refused rather
      // than read as a topic named "read", which is never what its author meant.
      Access word = Access.ofWord(s.substring(first, firstEnd));
      if (word != null) {
        throw error(line, column(lineStart, firstEnd), keyword + " line has the access word \"" + word.word()
            + "\" but no topic filter");
      }
      access = Access.READWRITE;
      filter = s.substring(first, firstEnd);
      filterColumn = column(lineStart, first);
    } else {
      access = Access.ofWord(s.substring(first, firstEnd));
      if (access == null) {
        throw error(line, column(lineStart, first), "unknown access " + excerpt(s, first, firstEnd)
            + "; expected read, write, readwrite or deny (a filter with spaces needs the access word first)");
      }
      filter = s.substring(filterStart, trimmedEnd);
      filterColumn = column(lineStart, filterStart);
    }
    try {
      Topics.validateFilter(filter, limits.maxLevels());
    } catch (InvalidTopicException e) {
      throw error(line, filterColumn + e.index(), e.getMessage());
    }
    if (compiler.rules() >= limits.maxRules()) {
      throw error(line, 0, "more than " + limits.maxRules() + " rules, over the limit for an ACL file");
    }
    if (topic) {
      compiler.topic(access, filter, line);
    } else {
      compiler.pattern(access, filter, line);
    }
  }

  private AclParseException error(int line, int column, String detail) {
    return new AclParseException(errorSource, line, column, detail);
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static int skipBlanks(String s, int i, int end) {
    while (i < end && isBlank(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int tokenEnd(String s, int i, int end) {
    while (i < end && !isBlank(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int trimEnd(String s, int start, int end) {
    while (end > start && isBlank(s.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private static boolean is(String s, int from, int to, String word) {
    return to - from == word.length() && s.startsWith(word, from);
  }

  private static int column(int lineStart, int index) {
    return index - lineStart + 1;
  }

  /** A token quoted for a message, cut to 40 characters. */
  private static String excerpt(String s, int from, int to) {
    return to - from <= 40 ? '"' + s.substring(from, to) + '"' : '"' + s.substring(from, from + 40) + "\"...";
  }
}
