/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Where a command reads and writes: the process's streams and terminal, or, in tests, strings. Passwords are
 * read from the terminal without echo, or from the first line of standard input when asked to.
 */
final class Terminal {

  final BufferedReader in;
  final PrintWriter out;
  final PrintWriter err;
  /** The interactive terminal, or null when there is none (a pipe, a test, CI). */
  private final Console console;

  Terminal(BufferedReader in, PrintWriter out, PrintWriter err, Console console) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.console = console;
  }

  static Terminal system() {
    return new Terminal(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8), System.console());
  }

  /**
   * Reads a secret: the first line of standard input with {@code fromStdin}, otherwise from the terminal
   * without echo (twice when {@code confirm}). The caller wipes the returned characters.
   *
   * @param alternatives what to say when there is no terminal: the command's own options, such as {@code "pass
   *                     it on standard input with --stdin"}
   *
   * @throws CliException (exit 2) when there is no terminal, the input is empty, or the two entries differ
   */
  char[] secret(String what, boolean fromStdin, boolean confirm, String alternatives) {
    if (fromStdin) {
      String line;
      try {
        line = in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null || line.isEmpty()) {
        throw CliException.input("standard input holds no " + what + " (expected it on the first line)");
      }
      return line.toCharArray();
    }
    if (console == null) {
      throw CliException.input("no terminal to ask for the " + what + "; " + alternatives);
    }
    char[] first = console.readPassword("%s: ", capitalized(what));
    if (first == null || first.length == 0) {
      throw CliException.input("no " + what + " entered");
    }
    if (confirm) {
      char[] second = console.readPassword("%s again: ", capitalized(what));
      if (second == null || !java.util.Arrays.equals(first, second)) {
        java.util.Arrays.fill(first, '\0');
        throw CliException.input("the two entries differ");
      }
      java.util.Arrays.fill(second, '\0');
    }
    return first;
  }

  /**
   * The UTF-8 bytes of a secret read by {@link #secret}, and the characters wiped. A secret typed at the terminal
   * never exists as a {@code String}; one read with {@code --stdin} was a line ({@code String}) first, which this
   * cannot wipe: the heap keeps it until the collector reuses the memory.
   */
  static byte[] utf8AndWipe(char[] chars) {
    java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    java.util.Arrays.fill(encoded.array(), (byte) 0);
    java.util.Arrays.fill(chars, '\0');
    return bytes;
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
