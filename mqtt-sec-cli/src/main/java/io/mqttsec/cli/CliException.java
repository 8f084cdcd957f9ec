/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

/**
 * Ends a command with a message on standard error and an exit code: 1 when a check failed (a password that
 * does not match, an ACL test case that fails, a certificate about to expire), 2 for bad usage or bad input.
 */
final class CliException extends RuntimeException {

  /** A check the user asked for did not pass. */
  static final int CHECK_FAILED = 1;
  /** The command line or an input file is wrong. */
  static final int BAD_INPUT = 2;

  final int exitCode;

  private CliException(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static CliException input(String message) {
    return new CliException(message, BAD_INPUT);
  }

  static CliException failed(String message) {
    return new CliException(message, CHECK_FAILED);
  }
}
