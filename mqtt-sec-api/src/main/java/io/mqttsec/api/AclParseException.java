/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * An ACL file (or ACL text) could not be parsed. The message starts with the location in the
 * {@code source:line:column} form editors and CI logs link to, then says what is wrong:
 * {@code acl.conf:12:15: topic filter "a/#/b": '#' at index 2 must be the last level}.
 *
 * <p>Lines and columns count from 1; columns count UTF-16 characters. A problem with the file as a whole
 * (too large, unreadable) has line 0 and column 0 and no line number in its message.
 */
public final class AclParseException extends MqttSecException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final int column;

  public AclParseException(String source, int line, int column, String detail) {
    super(location(source, line, column) + detail);
    this.source = source;
    this.line = line;
    this.column = column;
  }

  public AclParseException(String source, String detail, Throwable cause) {
    super(source + ": " + detail, cause);
    this.source = source;
    this.line = 0;
    this.column = 0;
  }

  private static String location(String source, int line, int column) {
    if (line <= 0) {
      return source + ": ";
    }
    return column <= 0 ? source + ":" + line + ": " : source + ":" + line + ":" + column + ": ";
  }

  /** The name of the parsed input, usually the file name. */
  public String source() {
    return source;
  }

  /** The 1-based line of the problem, or 0 when the problem concerns the whole input. */
  public int line() {
    return line;
  }

  /** The 1-based column of the problem, or 0 when it concerns a whole line or the whole input. */
  public int column() {
    return column;
  }
}
