/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.api.MqttSecException;
import io.mqttsec.internal.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mqtt-sec}: password files, ACLs, a certificate authority, certificate checks and a secured demo
 * broker. Exit codes: 0 ok, 1 a check failed, 2 bad usage or bad input (the message names the file and line).
 */
@Command(name = "mqtt-sec", mixinStandardHelpOptions = true, version = "mqtt-sec 0.1.0",
    description = "Security for MQTT fleets: passwords, ACLs, certificates and a secured HiveMQ broker.",
    subcommands = {PasswdCommand.class, AclCommand.class, CaCommand.class, CertCommand.class, BrokerCommand.class,
        HivemqCommand.class, StoreCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:a check failed (wrong password, failing ACL case, certificate expiring)",
        "2:bad usage or bad input"})
public final class MqttSecCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a command: passwd, acl, ca, cert, broker or hivemq");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(Terminal.system(), args));
  }

  /** Runs one command on {@code terminal}; the exit code is returned, not used to exit. */
  static int run(Terminal terminal, String... args) {
    CommandLine cli = new CommandLine(new MqttSecCommand(), new Factory(terminal));
    cli.setOut(terminal.out);
    cli.setErr(terminal.err);
    cli.setParameterExceptionHandler((e, line) -> {
      usageError(e, terminal);
      return CliException.BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      terminal.err.println("mqtt-sec: " + message(e));
      return e instanceof CliException c ? c.exitCode : CliException.BAD_INPUT;
    });
    int code = cli.execute(args);
    terminal.out.flush();
    terminal.err.flush();
    return code;
  }

  /**
   * A usage error in three short lines rather than the whole help: what is wrong, the closest names when a name
   * was mistyped (only names within two edits, or that start with what was typed), and where the help is.
   */
  private static void usageError(CommandLine.ParameterException e, Terminal terminal) {
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    String command = spec.qualifiedName();
    String message = e.getMessage();
    List<String> close = List.of();
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String typed = u.getUnmatched().get(0);
      if (typed.startsWith("-")) {
        message = command + " has no option " + typed.split("=", 2)[0];
        close = closest(typed.split("=", 2)[0], spec.options().stream().flatMap(o -> Arrays.stream(o.names()))
            .toList());
      } else if (!spec.subcommands().isEmpty()) {
        message = "'" + typed + "' is not a command of " + command + " (" + String.join(", ",
            spec.subcommands().keySet()) + ")";
        close = closest(typed, List.copyOf(spec.subcommands().keySet())).stream().map(c -> command + " " + c)
            .toList();
      }
    }
    terminal.err.println("mqtt-sec: " + message);
    if (!close.isEmpty()) {
      terminal.err.println("did you mean " + String.join(" or ", close) + "?");
    }
    terminal.err.println("see '" + command + " --help'");
  }

  /** The names within two edits of {@code typed} (ignoring leading dashes), or that start with it. */
  static List<String> closest(String typed, List<String> names) {
    String t = typed.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
    return names.stream().filter(n -> {
      String c = n.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
      return t.length() >= 2 && (c.startsWith(t) || editDistance(t, c) <= Math.min(2, t.length() / 2));
    }).distinct().sorted().toList();
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int swap = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + swap);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  private static String message(Exception e) {
    if (e instanceof CliException || e instanceof MqttSecException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      return e.getMessage();
    }
    Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (cause instanceof FileSystemException f) {
      return f.getFile() + ": " + Checks.cannotRead(f);
    }
    if (cause instanceof IOException io) {
      return io.getMessage();
    }
    return "internal error: " + e; // a bug: say what it was, never a secret (no command handles one here)
  }

  /** Gives each command the terminal through its constructor. */
  private record Factory(Terminal terminal) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        return type.getDeclaredConstructor(Terminal.class).newInstance(terminal);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }
}
