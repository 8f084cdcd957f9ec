/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.postgres.PostgresStore;
import io.mqttsec.postgres.StoreAdmin;
import io.mqttsec.postgres.StoreSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mqtt-sec store}: a fleet's store in PostgreSQL, made, filled from files and written back to files. */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = {"A fleet's users and ACL in PostgreSQL, which every broker follows (mqtt-sec-postgres).",
        "The database password comes from PGPASSWORD or --password-file, never the command line."},
    subcommands = {StoreCommand.Init.class, StoreCommand.Import.class, StoreCommand.Export.class})
final class StoreCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: init, import or export");
  }

  /** Where the store is: the options every store command takes. */
  static final class Where {
    @Option(names = "--url", required = true, paramLabel = "URL",
        description = "The database, as a JDBC URL: jdbc:postgresql://HOST:PORT/DATABASE.")
    String url;

    @Option(names = "--user", paramLabel = "ROLE", description = "The database role (default: PGUSER, or the "
        + "URL's user=).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the role's password from the "
        + "first line of FILE (default: PGPASSWORD, or none).")
    Path passwordFile;

    @Option(names = "--schema", paramLabel = "NAME", defaultValue = StoreSchema.DEFAULT_NAME,
        description = "The schema the store is in (default: ${DEFAULT-VALUE}).")
    String schema;

    StoreAdmin connect() {
      return StoreCommand.connect(url, user, passwordFile, schema);
    }
  }

  /**
   * Connects to the store at {@code url}: the role is {@code user}, else PGUSER, else the URL's; the password the
   * first line of {@code passwordFile}, else PGPASSWORD, else none.
   */
  static StoreAdmin connect(String url, String user, Path passwordFile, String schema) {
    refusePasswordIn(url);
    char[] password = password(passwordFile);
    try {
      StoreSchema.checkName(schema);
      return StoreAdmin.connect(url, user != null ? user : System.getenv("PGUSER"), password, schema);
    } catch (IllegalArgumentException e) {
      throw CliException.input(e.getMessage());
    } catch (SQLException e) {
      throw CliException.failed("cannot connect to " + PostgresStore.describe(url) + ": " + e.getMessage());
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** A URL on the command line must not carry the password: {@code ps} and shell history would show it. */
  static void refusePasswordIn(String url) {
    if (PostgresStore.carriesPassword(url)) {
      throw CliException.input("the URL carries a password; the database password comes from PGPASSWORD or a "
          + "password file, never the command line");
    }
  }

  private static char[] password(Path passwordFile) {
    if (passwordFile != null) {
      return Options.firstLine(passwordFile, "database password");
    }
    String env = System.getenv("PGPASSWORD");
    return env == null ? new char[0] : env.toCharArray();
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create the store's tables, or bring them up to this mqtt-sec's version.")
  static final class Init implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Where where = new Where();

    Init(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws SQLException {
      try (StoreAdmin admin = where.connect()) {
        int before = admin.init();
        terminal.out.println(before == StoreSchema.VERSION
            ? "the store in schema " + where.schema + " is at version " + before + " already"
            : (before == 0 ? "created the store in schema " : "migrated the store in schema ") + where.schema
                + " to version " + StoreSchema.VERSION);
      }
      return 0;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Fill the store from a mosquitto password file and ACL file, in one transaction.",
          "The file's users are added or replaced (users only in the store stay); the ACL file's rules replace "
              + "every rule. Both files are checked whole first: a broken file imports nothing."})
  static final class Import implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Where where = new Where();

    @Option(names = "--passwd", paramLabel = "FILE", description = "A mosquitto password_file.")
    Path passwd;

    @Option(names = "--acl", paramLabel = "FILE", description = "A mosquitto acl_file.")
    Path acl;

    Import(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws SQLException {
      if (passwd == null && acl == null) {
        throw CliException.input("name what to import: --passwd FILE, --acl FILE or both");
      }
      try (StoreAdmin admin = where.connect()) {
        int[] n = admin.importFiles(passwd, acl);
        terminal.out.println("imported " + n[0] + (n[0] == 1 ? " user" : " users")
            + (acl == null ? "" : " and " + n[1] + (n[1] == 1 ? " rule" : " rules")) + " into schema "
            + where.schema);
      } catch (RuntimeException e) {
        if (e instanceof CliException) {
          throw e;
        }
        throw CliException.input(e.getMessage());
      }
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Write the store back to a mosquitto password file and ACL file, each replaced atomically.",
          "The password file is owner-only (0600)."})
  static final class Export implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Where where = new Where();

    @Option(names = "--passwd", paramLabel = "FILE", description = "The password file to write.")
    Path passwd;

    @Option(names = "--acl", paramLabel = "FILE", description = "The ACL file to write.")
    Path acl;

    Export(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws SQLException, IOException {
      if (passwd == null && acl == null) {
        throw CliException.input("name what to export: --passwd FILE, --acl FILE or both");
      }
      try (StoreAdmin admin = where.connect()) {
        int[] n = admin.exportFiles(passwd, acl);
        terminal.out.println("exported " + (passwd == null ? "" : n[0] + (n[0] == 1 ? " user" : " users"))
            + (passwd != null && acl != null ? " and " : "") + (acl == null ? "" : n[1] + (n[1] == 1 ? " rule"
            : " rules")) + " from schema " + where.schema);
      } catch (RuntimeException e) {
        if (e instanceof CliException) {
          throw e;
        }
        throw CliException.failed(e.getMessage());
      }
      return 0;
    }
  }
}
