/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.api.MqttSecException;
import io.mqttsec.creds.Credential;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.Password;
import io.mqttsec.creds.PasswordGenerator;
import io.mqttsec.creds.PasswordHash;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.postgres.StoreAdmin;
import io.mqttsec.postgres.StoreSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mqtt-sec passwd}: a mosquitto-compatible password file, one credential per device. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
    description = "Manage a password file (mosquitto password_file format, PBKDF2-SHA512).",
    subcommands = {PasswdCommand.Add.class, PasswdCommand.Delete.class, PasswdCommand.Verify.class,
        PasswdCommand.Rotate.class, PasswdCommand.ListUsers.class, PasswdCommand.Provision.class})
final class PasswdCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a subcommand: add, delete, verify, rotate, list or provision");
  }

  /** Where a new password comes from. */
  static final class Source {
    @Option(names = "--stdin", description = "Read the password from the first line of standard input.")
    boolean stdin;

    @Option(names = "--generate", description = "Generate a random password (192 bits) and print it once.")
    boolean generate;
  }

  /** A fleet store in PostgreSQL in place of a password file. */
  static final class Store {
    @Option(names = "--store", paramLabel = "URL", description = "Edit the users of a fleet store "
        + "(jdbc:postgresql://HOST:PORT/DB) instead of a file; every broker following it applies the change at "
        + "once. The role comes from PGUSER or the URL, its password from PGPASSWORD or --store-password-file.")
    String url;

    @Option(names = "--store-schema", paramLabel = "NAME", defaultValue = StoreSchema.DEFAULT_NAME,
        description = "The schema the store is in (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--store-password-file", paramLabel = "FILE",
        description = "Read the database role's password from the first line of FILE.")
    Path passwordFile;

    StoreAdmin connect() {
      return StoreCommand.connect(url, null, passwordFile, schema);
    }

    String where() {
      return "the store (schema " + schema + ")";
    }
  }

  /** A password file (or a store) and a user in it. */
  static final class Target {
    @Parameters(arity = "1..2", paramLabel = "FILE USER",
        description = "The password file and the user (device) name; the user alone with --store.")
    List<String> names;

    @CommandLine.Mixin
    Store store = new Store();

    Path file;
    String user;

    /** Reads the positional names: FILE USER, or USER with --store. */
    Target resolve() {
      if (store.url != null) {
        if (names.size() != 1) {
          throw CliException.input("with --store, name the user alone (no FILE)");
        }
        user = names.get(0);
      } else {
        if (names.size() != 2) {
          throw CliException.input("name the password file and the user: FILE USER (or --store URL USER)");
        }
        file = Path.of(names.get(0));
        user = names.get(1);
      }
      return this;
    }

    String where() {
      return store.url != null ? store.where() : file.toString();
    }
  }

  /** Runs {@code work} on the store, turning its errors into the CLI's. */
  static <T> T onStore(Store store, StoreWork<T> work) {
    try (StoreAdmin admin = store.connect()) {
      return work.run(admin);
    } catch (SQLException e) {
      throw CliException.failed(store.where() + ": " + e.getMessage());
    } catch (IllegalArgumentException | MqttSecException e) {
      throw CliException.input(store.where() + ": " + e.getMessage());
    }
  }

  interface StoreWork<T> {
    T run(StoreAdmin admin) throws SQLException;
  }

  /** The hash cost. */
  static final class Cost {
    @Option(names = "--iterations", paramLabel = "N",
        description = "PBKDF2 iterations. Default: 210000 (OWASP's figure for SHA-512) for a typed password; "
            + "100 for a secret mqtt-sec generates (--generate, provision), whose 192 random bits need no key "
            + "stretching and so cost a reconnecting fleet nothing.")
    Integer iterations;

    @Option(names = "--mosquitto-2.0", description = "Use a 12-byte salt, so that a mosquitto 2.0 broker can read "
        + "the file too (it silently refuses the default 64-byte salt).")
    boolean mosquitto20;

    /** The policy for a typed password ({@code generated} false) or a secret mqtt-sec generates. */
    PasswordHasher hasher(Terminal terminal, boolean generated) {
      PasswordHasher hasher = iterations != null ? PasswordHasher.pbkdf2Sha512(iterations)
          : generated ? PasswordHasher.forGeneratedSecrets() : PasswordHasher.pbkdf2Sha512();
      if (mosquitto20) {
        hasher = hasher.withSaltBytes(12);
      }
      if (!generated && hasher.iterations() < PasswordHasher.DEFAULT_PBKDF2_ITERATIONS) {
        terminal.err.println("mqtt-sec: warning: " + hasher.iterations() + " iterations is below the "
            + PasswordHasher.DEFAULT_PBKDF2_ITERATIONS + " OWASP recommends; guessing a stolen hash gets cheaper");
      }
      return hasher;
    }
  }

  /** Opens {@code file}, creating an empty owner-only one first when {@code create} and it is missing. */
  static CredentialFile open(Path file, PasswordHasher hasher, boolean create) {
    if (create && !Files.exists(file)) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException raced) {
        // someone else created it: use theirs
      } catch (IOException e) {
        throw CliException.input(file + ": cannot create: " + e.getMessage());
      }
    }
    CredentialFile.Builder b = CredentialFile.builder(file);
    if (hasher != null) {
      b.hasher(hasher);
    }
    return b.build();
  }

  /** The new password's bytes: generated (and printed), read from stdin, or asked for twice. */
  static byte[] newPassword(Terminal terminal, Source source, String user) {
    if (source.stdin && source.generate) {
      throw CliException.input("--stdin and --generate exclude each other");
    }
    if (source.generate) {
      try (Password password = PasswordGenerator.create().generate()) {
        terminal.out.println("generated password for " + user + ": " + password.reveal());
        terminal.out.println("(shown once; hand it to the device now. Stored as a generated secret: 192 random bits "
            + "need no key stretching, so it is hashed cheaply and a reconnecting fleet pays nothing for it)");
        return password.bytes();
      }
    }
    return Terminal.utf8AndWipe(terminal.secret("password", source.stdin, true,
        "pass it on standard input with --stdin, or use --generate"));
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Add a user (the file is created, owner-only, if missing).")
  static final class Add implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Target target = new Target();

    @CommandLine.Mixin
    Source source = new Source();

    @CommandLine.Mixin
    Cost cost = new Cost();

    @Option(names = "--replace", description = "Replace the password of an existing user (ends any rotation; "
        + "connected clients of the user are disconnected by the HiveMQ extension).")
    boolean replace;

    Add(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      target.resolve();
      if (target.store.url != null) {
        PasswordHasher hasher = cost.hasher(terminal, source.generate);
        onStore(target.store, admin -> {
          if (admin.lookup(target.user).isPresent() && !replace) {
            throw CliException.input(target.where() + ": user " + target.user + " exists; use --replace to reset "
                + "the password or 'passwd rotate' to give devices a grace period");
          }
          byte[] password = newPassword(terminal, source, target.user);
          try {
            return admin.put(target.user, hasher.hash(password), replace);
          } finally {
            Arrays.fill(password, (byte) 0);
          }
        });
        terminal.out.println((replace ? "set password of " : "added ") + target.user + " to " + target.where());
        return 0;
      }
      boolean creating = !Files.exists(target.file);
      CredentialFile store = open(target.file, cost.hasher(terminal, source.generate), true);
      if (store.lookup(target.user).isPresent() && !replace) {
        throw CliException.input(target.file + ": user " + target.user + " exists; use --replace to reset the "
            + "password or 'passwd rotate' to give devices a grace period");
      }
      byte[] password;
      try {
        password = newPassword(terminal, source, target.user);
      } catch (RuntimeException e) {
        if (creating) { // no password, no user: leave no empty file behind
          try {
            if (Files.size(target.file) == 0) {
              Files.delete(target.file);
            }
          } catch (IOException ignored) {
            // the error in hand is the one to report
          }
        }
        throw e;
      }
      try {
        store.put(target.user, password);
      } finally {
        Arrays.fill(password, (byte) 0);
      }
      terminal.out.println((replace ? "set password of " : "added ") + target.user + " to " + target.file);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a user.")
  static final class Delete implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Target target = new Target();

    Delete(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      target.resolve();
      boolean removed = target.store.url != null ? onStore(target.store, admin -> admin.remove(target.user))
          : open(target.file, null, false).remove(target.user);
      if (!removed) {
        throw CliException.failed(target.where() + ": no user " + target.user);
      }
      terminal.out.println("deleted " + target.user + " from " + target.where());
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check a password against the file; exit 1 when it does not match.")
  static final class Verify implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Target target = new Target();

    @Option(names = "--stdin", description = "Read the password from the first line of standard input.")
    boolean stdin;

    Verify(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      target.resolve();
      Credential entry = (target.store.url != null ? onStore(target.store, admin -> admin.lookup(target.user))
          : open(target.file, null, false).lookup(target.user)).orElseThrow(() ->
          CliException.failed(target.where() + ": no user " + target.user));
      byte[] password = Terminal.utf8AndWipe(terminal.secret("password", stdin, false,
          "pass it on standard input with --stdin"));
      try {
        if (entry.hash().verify(password)) {
          terminal.out.println("password ok for " + target.user);
          return 0;
        }
        if (entry.previous().isPresent() && entry.previous().get().verify(password)) {
          if (entry.acceptsPrevious(Instant.now())) {
            terminal.out.println("password ok for " + target.user + " (the previous one, valid until "
                + entry.previousUntil().orElseThrow() + ")");
            return 0;
          }
          throw CliException.failed("that is the previous password of " + target.user + ", which expired at "
              + entry.previousUntil().orElseThrow());
        }
        throw CliException.failed("wrong password for " + target.user);
      } finally {
        Arrays.fill(password, (byte) 0);
      }
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Give a user a new password; the old one stays valid for the grace period.")
  static final class Rotate implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Target target = new Target();

    @CommandLine.Mixin
    Source source = new Source();

    @CommandLine.Mixin
    Cost cost = new Cost();

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "7d",
        description = "How long the old password stays valid: 7d, 12h, 90m, or ISO-8601 such as P7D (default "
            + "${DEFAULT-VALUE}).")
    String graceText;

    @Option(names = "--force",
        description = "Rotate even while a rotation is under way: the password before the current one stops "
            + "working at once.")
    boolean force;

    Rotate(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      Duration grace = Options.positiveDuration("--grace", graceText);
      target.resolve();
      PasswordHasher hasher = cost.hasher(terminal, source.generate);
      boolean inStore = target.store.url != null;
      CredentialFile store = inStore ? null : open(target.file, hasher, false);
      Credential current = (inStore ? onStore(target.store, admin -> admin.lookup(target.user))
          : store.lookup(target.user)).orElseThrow(() -> CliException.input(target.where() + ": no user "
          + target.user + " to rotate; use 'passwd add'"));
      Instant now = Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS);
      Instant running = current.acceptsPrevious(now) ? current.previousUntil().orElseThrow() : null;
      if (running != null && !force) {
        throw CliException.input(target.where() + ": " + target.user + " is already rotating: its old password works "
            + "until " + running + ", and a second rotation would end it now, cutting off devices that have not "
            + "moved yet. Rotate again after " + running + ", or add --force");
      }
      byte[] password = newPassword(terminal, source, target.user);
      Instant until = now.plus(grace);
      try {
        if (inStore) {
          PasswordHash hash = hasher.hash(password);
          onStore(target.store, admin -> {
            admin.rotate(target.user, hash, until);
            return null;
          });
        } else {
          store.rotate(target.user, password, until);
        }
      } finally {
        Arrays.fill(password, (byte) 0);
      }
      terminal.out.println("rotated " + target.user + " in " + target.where() + "; the old password works until "
          + until);
      if (running != null) {
        terminal.out.println("the password before it (valid until " + running + ") no longer works");
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List users and their hash settings.")
  static final class ListUsers implements Callable<Integer> {
    private final Terminal terminal;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The password file (none with "
        + "--store).")
    Path file;

    @CommandLine.Mixin
    Store store = new Store();

    ListUsers(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      if ((file == null) == (store.url == null)) {
        throw CliException.input("name a password file, or --store URL (not both)");
      }
      Map<String, Credential> entries = new java.util.TreeMap<>();
      if (store.url != null) {
        onStore(store, admin -> admin.users()).forEach(c -> entries.put(c.username(), c));
      } else {
        CredentialFile passwd = open(file, null, false);
        passwd.users().forEach(u -> entries.put(u, passwd.lookup(u).orElseThrow()));
      }
      Instant now = Instant.now();
      entries.forEach((user, c) -> {
        StringBuilder line = new StringBuilder(String.format("%-24s %s", user, describe(c.hash())));
        c.previousUntil().ifPresent(until -> line.append(c.acceptsPrevious(now)
            ? "  rotating: old password valid until " + until : "  rotation ended at " + until));
        terminal.out.println(line);
      });
      terminal.out.println(entries.size() + " user(s)");
      return 0;
    }

    private static String describe(PasswordHash hash) {
      return switch (hash.algorithm()) {
        case PBKDF2_SHA512 -> "pbkdf2-sha512, " + hash.iterations() + " iterations, " + kind(hash);
        case ARGON2ID -> "argon2id, " + hash.memoryKib() + " KiB, " + hash.iterations() + " passes, typed";
        default -> hash.algorithm().toString().toLowerCase(java.util.Locale.ROOT) + " (legacy: rehash it)";
      };
    }

    /**
     * Which kind of secret the cost is for: {@code generated} (cheap on purpose), {@code typed} (OWASP's cost), or
     * {@code weak} (a typed password below it, as mosquitto 2.0 writes them).
     */
    private static String kind(PasswordHash hash) {
      if (hash.isGeneratedSecretCost()) {
        return "generated";
      }
      return hash.iterations() >= PasswordHasher.DEFAULT_PBKDF2_ITERATIONS ? "typed" : "weak for a typed password";
    }
  }

  @Command(name = "provision", mixinStandardHelpOptions = true,
      description = "Create credentials for a fleet: generated passwords, hashed on every core, the password "
          + "file written once (atomically), the passwords in an owner-only CSV.")
  static final class Provision implements Callable<Integer> {
    private final Terminal terminal;

    @Parameters(index = "0", paramLabel = "FILE", description = "The password file.")
    Path file;

    @Option(names = "--count", required = true, paramLabel = "N", description = "How many devices.")
    int count;

    @Option(names = "--prefix", required = true, paramLabel = "PREFIX", description = "User name prefix, "
        + "followed by a zero-padded number (sensor_001).")
    String prefix;

    @Option(names = "--start", defaultValue = "1", paramLabel = "N", description = "First number (default 1).")
    int start;

    @Option(names = "--out", required = true, paramLabel = "CSV", description = "Where the passwords go (user,"
        + "password; created owner-only; never overwritten).")
    Path out;

    @CommandLine.Mixin
    Cost cost = new Cost();

    Provision(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
      if (count < 1 || count > 1_000_000) {
        throw CliException.input("--count must be from 1 to 1000000, not " + count);
      }
      if (start < 0) {
        throw CliException.input("--start must not be negative");
      }
      if (Files.exists(out)) {
        throw CliException.input(out + ": exists; refusing to overwrite a file of passwords");
      }
      PasswordHasher hasher = cost.hasher(terminal, true);
      CredentialFile store = open(file, hasher, true);
      int width = String.valueOf(start + count - 1).length();
      List<String> users = new ArrayList<>(count);
      for (int i = start; i < start + count; i++) {
        users.add(prefix + String.format("%0" + width + "d", i));
      }
      for (String user : users) {
        if (store.lookup(user).isPresent()) {
          throw CliException.input(file + ": user " + user + " exists; choose another --prefix or --start");
        }
      }
      List<Password> passwords = new ArrayList<>(count);
      PasswordGenerator generator = PasswordGenerator.create();
      for (int i = 0; i < count; i++) {
        passwords.add(generator.generate());
      }
      try {
        Map<String, PasswordHash> hashes = hashAll(users, passwords, hasher);
        StringBuilder csv = new StringBuilder("user,password\n");
        for (int i = 0; i < count; i++) {
          csv.append(users.get(i)).append(',').append(passwords.get(i).reveal()).append('\n');
        }
        writePrivate(out, csv.toString());
        try {
          store.putAll(hashes, false);
        } catch (RuntimeException e) {
          Files.deleteIfExists(out); // passwords not in force are no use to anyone
          throw e;
        }
      } finally {
        passwords.forEach(Password::close);
      }
      terminal.out.println("added " + count + " users (" + users.get(0) + " .. " + users.get(count - 1) + ") to "
          + file + "; passwords in " + out + " (owner-only: move them to the devices, then delete it)");
      return 0;
    }

    private Map<String, PasswordHash> hashAll(List<String> users, List<Password> passwords, PasswordHasher hasher)
        throws InterruptedException, ExecutionException {
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "mqtt-sec-hash");
        t.setDaemon(true);
        return t;
      });
      AtomicInteger done = new AtomicInteger();
      Progress progress = new Progress(terminal, "hashing", users.size());
      try {
        List<Future<PasswordHash>> futures = new ArrayList<>();
        for (Password p : passwords) {
          futures.add(pool.submit(() -> {
            byte[] bytes = p.bytes();
            try {
              return hasher.hash(bytes);
            } finally {
              Arrays.fill(bytes, (byte) 0);
              progress.show(done.incrementAndGet());
            }
          }));
        }
        Map<String, PasswordHash> hashes = new LinkedHashMap<>();
        for (int i = 0; i < users.size(); i++) {
          hashes.put(users.get(i), futures.get(i).get());
        }
        progress.finish();
        return hashes;
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Writes {@code text} to a new owner-only file (created with 0600, never widened afterwards). */
  static void writePrivate(Path file, String text) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** A one-line progress bar on standard error: {@code hashing [#####.....] 250/500}. */
  static final class Progress {
    private static final int WIDTH = 30;
    private final Terminal terminal;
    private final String label;
    private final int total;
    private int shownCells = -1;

    Progress(Terminal terminal, String label, int total) {
      this.terminal = terminal;
      this.label = label;
      this.total = total;
    }

    private int shownDone = -1;

    synchronized void show(int done) {
      int cells = (int) ((long) done * WIDTH / total);
      if (done <= shownDone || cells == shownCells && done != total) {
        return; // redraw only when the bar moves forward (counts from several threads arrive out of order)
      }
      shownCells = cells;
      shownDone = done;
      terminal.err.print("\r" + label + " [" + "#".repeat(cells) + ".".repeat(WIDTH - cells) + "] " + done + "/"
          + total);
      terminal.err.flush();
    }

    synchronized void finish() {
      terminal.err.println();
    }
  }
}
