/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;

/** Runs the command line in-process with strings for standard input, output and error, and no terminal. */
final class Cli {

  record Result(int exit, String out, String err) {
  }

  private Cli() {
  }

  static Result input(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Terminal terminal = new Terminal(new BufferedReader(new StringReader(stdin)), new PrintWriter(out, true),
        new PrintWriter(err, true), null);
    int exit = MqttSecCommand.run(terminal, args);
    return new Result(exit, out.toString(), err.toString());
  }

  static Result run(String... args) {
    return input("", args);
  }
}
