/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Argument checks the modules' builders share. Internal to mqtt-sec. */
public final class Checks {

  private Checks() {
  }

  /** What every reader of a text file says about a leading byte order mark, after {@code file:1:1: }. */
  public static final String BYTE_ORDER_MARK =
      "the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one";

  /**
   * What every reader says when a file cannot be read, after {@code file: }: {@code no such file}, {@code is a
   * folder, not a file}, {@code cannot read (permission denied)}, or {@code cannot read (<the system's reason>)}.
   */
  public static String cannotRead(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "cannot read (permission denied)";
    }
    String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    if ("Is a directory".equals(reason)) {
      return "is a folder, not a file";
    }
    return "cannot read (" + reason + ")";
  }

  /** Whether {@code bytes} start with UTF-8's encoding of U+FEFF. */
  public static boolean startsWithByteOrderMark(byte[] bytes) {
    return bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
  }

  /** Throws {@link IllegalStateException} when a builder setting is set twice, naming it and what it held. */
  public static void requireUnset(String what, Object value) {
    if (value != null) {
      throw new IllegalStateException(what + " was already set to " + value);
    }
  }
}
