/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.api.MqttSecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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
        HivemqCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:a check failed (wrong password, failing ACL case, certificate expiring)",
        "2:bad usage or bad input"})
public final class MqttSecCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: passwd, acl, ca, cert, broker or hivemq");
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
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      terminal.err.println("mqtt-sec: " + message(e));
      return e instanceof CliException c ? c.exitCode : CliException.BAD_INPUT;
    });
    int code = cli.execute(args);
    terminal.out.flush();
    terminal.err.flush();
    return code;
  }

  private static String message(Exception e) {
    if (e instanceof CliException || e instanceof MqttSecException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      return e.getMessage();
    }
    Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (cause instanceof NoSuchFileException n) {
      return n.getFile() + ": file not found";
    }
    if (cause instanceof FileSystemException f) {
      return f.getFile() + ": " + f.getReason();
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
