/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.api.CredentialException;
import io.mqttsec.internal.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Strict reader of the password-file format; every error names {@code file:line:column}. */
final class CredentialParser {

  /** A line of the file: its text without the line break, and the entry it holds (null for comments). */
  static final class Line {
    final String text;
    final Credential credential;

    Line(String text, Credential credential) {
      this.text = text;
      this.credential = credential;
    }
  }

  /** A parsed file: every line in order, and the entries by user name. */
  static final class Parsed {
    final List<Line> lines;
    final Map<String, Credential> users;

    Parsed(List<Line> lines, Map<String, Credential> users) {
      this.lines = Collections.unmodifiableList(lines);
      this.users = Collections.unmodifiableMap(users);
    }
  }

  private CredentialParser() {
  }

  /** Reads and parses {@code file}; a missing file is an error unless {@code missingIsEmpty}. */
  static Parsed read(Path file, boolean missingIsEmpty) {
    String source = file.toString();
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > CredentialFile.MAX_FILE_BYTES) {
        throw tooLarge(source, size);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      if (missingIsEmpty) {
        return new Parsed(new ArrayList<>(), new LinkedHashMap<>());
      }
      throw new CredentialException(source + ": " + Checks.cannotRead(e), e);
    } catch (IOException e) {
      throw new CredentialException(source + ": " + Checks.cannotRead(e), e);
    }
    if (bytes.length > CredentialFile.MAX_FILE_BYTES) {
      throw tooLarge(source, bytes.length);
    }
    return parse(bytes, source);
  }

  private static CredentialException tooLarge(String source, long size) {
    return new CredentialException(source + ": file is " + size + " bytes, over the limit of "
        + CredentialFile.MAX_FILE_BYTES + " bytes for a password file");
  }

  static Parsed parse(byte[] bytes, String source) {
    if (Checks.startsWithByteOrderMark(bytes)) {
      throw error(source, 1, 1, Checks.BYTE_ORDER_MARK);
    }
    List<Line> lines = new ArrayList<>();
    Map<String, Credential> users = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    int start = 0;
    int number = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      number++;
      int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
      String text = decodeLine(bytes, start, stop, source, number);
      Line line = parseLine(text, source, number);
      if (line.credential != null) {
        String user = line.credential.username();
        Integer first = firstLine.putIfAbsent(user, number);
        if (first != null) {
          throw error(source, number, 1, "duplicate user " + quote(user) + " (first defined on line " + first
              + ")");
        }
        users.put(user, line.credential);
      }
      lines.add(line);
      start = end + 1;
    }
    return new Parsed(lines, users);
  }

  private static String decodeLine(byte[] bytes, int start, int stop, String source, int number) {
    if (stop - start > CredentialFile.MAX_LINE_CHARS * 4L) {
      throw lineTooLong(source, number, stop - start);
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, start, stop - start))
          .toString();
      if (text.length() > CredentialFile.MAX_LINE_CHARS) {
        throw lineTooLong(source, number, text.length());
      }
      return text;
    } catch (CharacterCodingException e) {
      // Find the column without echoing the bytes: the line may hold a password typed in by mistake.
      CharBuffer out = CharBuffer.allocate(stop - start);
      ByteBuffer in = ByteBuffer.wrap(bytes, start, stop - start);
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
      throw error(source, number, out.position() + 1, "invalid UTF-8");
    }
  }

  private static CredentialException lineTooLong(String source, int number, long length) {
    return error(source, number, 1, "line is " + length + " characters long, over the limit of "
        + CredentialFile.MAX_LINE_CHARS + " characters per line");
  }

  static Line parseLine(String text, String source, int number) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
      end--;
    }
    int first = 0;
    while (first < end && (text.charAt(first) == ' ' || text.charAt(first) == '\t')) {
      first++;
    }
    if (first == end || text.charAt(first) == '#') {
      return new Line(text, null);
    }
    if (first > 0) {
      throw error(source, number, 1, "user name starts with whitespace");
    }
    int colon = text.indexOf(':');
    if (colon < 0 || colon >= end) {
      throw error(source, number, 1, "expected user:hash, found no ':' after the user name");
    }
    if (colon == 0) {
      throw error(source, number, 1, "empty user name");
    }
    String user = text.substring(0, colon);
    checkUsername(user, source, number);
    String rest = text.substring(colon + 1, end);
    int hashColumn = colon + 2;
    if (rest.isEmpty()) {
      throw error(source, number, hashColumn, "user " + quote(user)
          + " has no password hash (an empty hash is never an empty password: CVE-2018-12551)");
    }
    String[] fields = rest.split(":", 3);
    PasswordHash current = hash(fields[0], user, source, number, hashColumn);
    if (fields.length == 1) {
      return new Line(text, new Credential(user, current, null, null));
    }
    int previousColumn = hashColumn + fields[0].length() + 1;
    if (fields.length == 2) {
      throw error(source, number, previousColumn, "rotation for user " + quote(user)
          + " needs an expiry: user:HASH:PREVIOUS_HASH:UNTIL, UNTIL like 2026-12-01T00:00:00Z");
    }
    PasswordHash previous = hash(fields[1], user, source, number, previousColumn);
    int untilColumn = previousColumn + fields[1].length() + 1;
    Instant until;
    try {
      until = Instant.parse(fields[2]);
    } catch (DateTimeParseException e) {
      throw error(source, number, untilColumn, "rotation expiry " + quote(fields[2])
          + " for user " + quote(user) + " is not an ISO-8601 instant like 2026-12-01T00:00:00Z");
    }
    return new Line(text, new Credential(user, current, previous, until));
  }

  private static PasswordHash hash(String field, String user, String source, int number, int column) {
    try {
      return PasswordHash.parse(field);
    } catch (CredentialException e) {
      throw error(source, number, column, "password hash of user " + quote(user) + ": " + e.getMessage());
    }
  }

  /** Names may hold anything MQTT allows but ':' (the separator) and control characters (C0, DEL, C1). */
  static int badUsernameChar(String user) {
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == ':') {
        return i;
      }
    }
    return -1;
  }

  private static void checkUsername(String user, String source, int number) {
    int bad = badUsernameChar(user);
    if (bad >= 0) {
      throw error(source, number, bad + 1, String.format("user name contains the control character U+%04X",
          (int) user.charAt(bad)));
    }
  }

  static String quote(String text) {
    return '"' + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + '"';
  }

  private static CredentialException error(String source, int line, int column, String detail) {
    return new CredentialException(source + ':' + line + ':' + column + ": " + detail);
  }
}
