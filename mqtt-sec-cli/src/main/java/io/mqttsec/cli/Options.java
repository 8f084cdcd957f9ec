/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.internal.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Option values every command reads the same way. */
final class Options {

  private Options() {
  }

  /**
   * The duration an option gives, as mqtt-sec reads one everywhere ({@code 30d}, {@code 12h}, {@code P30D}, ...),
   * longer than zero.
   *
   * @throws CliException naming the option and what is wrong
   */
  static Duration positiveDuration(String option, String text) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw CliException.input(option + " " + e.getMessage());
    }
    if (d.isNegative() || d.isZero()) {
      throw CliException.input(option + " " + text + ": must be longer than zero");
    }
    return d;
  }

  /**
   * The secret on the first line of {@code file} (a database password, a token PIN), so that it is on no command
   * line.
   *
   * @throws CliException naming the file and what it should hold
   */
  static char[] firstLine(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").toCharArray();
    } catch (IOException e) {
      throw CliException.input(file + ": cannot read the " + what + " (" + e.getMessage() + ")");
    }
  }
}
