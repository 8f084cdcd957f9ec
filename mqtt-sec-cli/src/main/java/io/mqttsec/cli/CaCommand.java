/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.tls.CertificateIdentity;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mqtt-sec ca}: a small certificate authority for a device fleet, kept in a folder. */
@Command(name = "ca", mixinStandardHelpOptions = true,
    description = "A certificate authority for devices and brokers: ca.pem, ca.key (encrypted), ca.state.",
    subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Revoke.class, CaCommand.Crl.class,
        CaCommand.Show.class})
final class CaCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: init, issue, revoke, crl "
        + "or show");
  }

  /**
   * Replaces {@code file} atomically with {@code text}, readable by everyone (a certificate or CRL is public, and
   * a broker running as another user reads it); a broker watching it never reads half a file.
   */
  static void writePublic(Path file, String text) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    try {
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      Files.move(temp, absolute, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The CA folder and how its key's passphrase is given. */
  static final class Folder {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ca",
        description = "The CA folder (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--passphrase-stdin", description = "Read the CA key's passphrase from standard input "
        + "(default: ask on the terminal).")
    boolean stdin;

    char[] passphrase(Terminal terminal, boolean confirm) {
      return terminal.secret("CA passphrase", stdin, confirm,
          "pass it on standard input with --passphrase-stdin");
    }

    static void requireCa(Path dir) {
      if (!Files.isRegularFile(dir.resolve("ca.pem"))) {
        throw CliException.input(dir + ": no CA here (ca.pem missing); create one with 'mqtt-sec ca init'");
      }
    }

    CertificateAuthority load(Terminal terminal) {
      return change(terminal, null);
    }

    /**
     * Loads the CA, lets {@code change} act on it, and saves it again under the same passphrase (asked once).
     * A null {@code change} only loads.
     */
    CertificateAuthority change(Terminal terminal, java.util.function.Consumer<CertificateAuthority> change) {
      requireCa(dir);
      char[] passphrase = passphrase(terminal, false);
      try {
        CertificateAuthority ca = CertificateAuthority.load(dir, passphrase);
        if (change != null) {
          change.accept(ca);
          ca.save(dir, passphrase);
        }
        return ca;
      } finally {
        Arrays.fill(passphrase, '\0');
      }
    }
  }

  @Command(name = "init", mixinStandardHelpOptions = true, description = "Create a CA (EC P-256).")
  static final class Init implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @Option(names = "--subject", defaultValue = "CN=mqtt-sec CA", paramLabel = "DN",
        description = "The CA's distinguished name (default ${DEFAULT-VALUE}).")
    String subject;

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "3650",
        description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    Init(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      if (Files.exists(folder.dir.resolve("ca.key"))) {
        throw CliException.input(folder.dir + ": a CA exists here; refusing to replace its key");
      }
      if (days < 1) {
        throw CliException.input("--days " + days + ": must be 1 or more");
      }
      CertificateAuthority ca = CertificateAuthority.create(subject, Duration.ofDays(days));
      char[] passphrase = folder.passphrase(terminal, true);
      try {
        ca.save(folder.dir, passphrase);
      } finally {
        Arrays.fill(passphrase, '\0');
      }
      terminal.out.println("created CA " + subject + " in " + folder.dir + " (ca.pem, ca.key encrypted, ca.state)");
      return 0;
    }
  }

  @Command(name = "issue", mixinStandardHelpOptions = true,
      description = "Issue a certificate and key: OUT.pem (the chain) and OUT.key (owner-only, unencrypted).")
  static final class Issue implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @Parameters(index = "0", paramLabel = "CN", description = "The common name: a device's user name, or a "
        + "broker's host name.")
    String commonName;

    @Option(names = "--out", paramLabel = "PREFIX", description = "Output prefix (default: the CN).")
    Path out;

    @Option(names = "--server", description = "A server certificate (default: a client certificate).")
    boolean server;

    @Option(names = "--dns", split = ",", paramLabel = "NAME", description = "DNS names (comma-separated).")
    List<String> dns = List.of();

    @Option(names = "--ip", split = ",", paramLabel = "ADDRESS", description = "IP addresses (comma-separated).")
    List<String> ips = List.of();

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "397",
        description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    Issue(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
      if (days < 1) {
        throw CliException.input("--days " + days + ": must be 1 or more");
      }
      try {
        CertificateAuthority.checkCommonName(commonName); // before any file is looked at or passphrase asked
      } catch (IllegalArgumentException e) {
        throw CliException.input(e.getMessage());
      }
      Path prefix = out != null ? out : Path.of(commonName);
      Path pem = Path.of(prefix + ".pem");
      Path key = Path.of(prefix + ".key");
      for (Path p : List.of(pem, key)) {
        if (Files.exists(p)) {
          throw CliException.input(p + ": exists; refusing to overwrite");
        }
      }
      CertificateAuthority ca = folder.load(terminal);
      CertificateAuthority.Issue request = ca.issue(commonName).validity(Duration.ofDays(days));
      if (!dns.isEmpty()) {
        request.dnsNames(dns.toArray(new String[0]));
      }
      if (!ips.isEmpty()) {
        request.ipAddresses(ips.toArray(new String[0]));
      }
      HeldCertificate held = (server ? request.serverAuth() : request.clientAuth()).issue();
      PasswdCommand.writePrivate(key, Pem.encodePrivateKey(held.privateKey()));
      List<X509Certificate> chain = new java.util.ArrayList<>(held.chain());
      writePublic(pem, Pem.encode(chain));
      terminal.out.println("issued " + (server ? "server" : "client") + " certificate " + commonName + " serial "
          + held.certificate().getSerialNumber().toString(16) + ": " + pem + ", " + key);
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a certificate; publish a new CRL with 'mqtt-sec ca crl' afterwards.")
  static final class Revoke implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
      @Option(names = "--serial", paramLabel = "HEX", description = "The serial number in hex.")
      String serial;

      @Option(names = "--cert", paramLabel = "FILE", description = "The certificate (PEM).")
      Path cert;
    }

    Revoke(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      BigInteger serial;
      String what;
      if (which.cert != null) {
        X509Certificate cert = Pem.readCertificates(which.cert).get(0);
        serial = cert.getSerialNumber();
        what = CertificateIdentity.of(cert).subjectDn();
      } else {
        try {
          serial = new BigInteger(which.serial.replace(":", ""), 16);
        } catch (NumberFormatException e) {
          throw CliException.input("--serial \"" + which.serial + "\" is not a hexadecimal number");
        }
        what = "serial";
      }
      folder.change(terminal, ca -> ca.revoke(serial));
      terminal.out.println("revoked " + what + " " + serial.toString(16) + "; now run 'mqtt-sec ca crl' and "
          + "publish the CRL");
      return 0;
    }
  }

  @Command(name = "crl", mixinStandardHelpOptions = true, description = "Sign a CRL of every revocation.")
  static final class Crl implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the CRL goes (PEM; "
        + "replaced atomically, so a broker watching it never reads half a file).")
    Path out;

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "7", description = "Days until the next CRL is due "
        + "(default ${DEFAULT-VALUE}); brokers refuse clients once it is overdue.")
    int days;

    Crl(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
      if (days < 1) {
        throw CliException.input("--days " + days + ": must be 1 or more");
      }
      String[] pem = new String[1];
      CertificateAuthority ca = folder.change(terminal, // saved again: the CRL number moved on
          authority -> pem[0] = Pem.encode(authority.crl(Duration.ofDays(days))));
      writePublic(out, pem[0]);
      terminal.out.println("wrote CRL #" + ca.crlNumber() + " with " + ca.revocations().size()
          + " revoked serial(s) to " + out + ", next update in " + days + " day(s)");
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show the CA and its revocations (public data: no passphrase needed).")
  static final class Show implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ca",
        description = "The CA folder (default ${DEFAULT-VALUE}).")
    Path dir;

    Show(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      Folder.requireCa(dir);
      CertificateAuthority.Published ca = CertificateAuthority.readPublished(dir);
      X509Certificate c = ca.certificate();
      terminal.out.println("subject     " + CertificateIdentity.of(c).subjectDn());
      terminal.out.println("valid       " + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant());
      terminal.out.println("sha256      " + CertificateIdentity.of(c).sha256Fingerprint());
      terminal.out.println("last CRL    #" + ca.crlNumber());
      terminal.out.println("revoked     " + ca.revocations().size());
      ca.revocations().forEach((serial, at) -> terminal.out.println("  " + serial.toString(16) + "  " + at));
      return 0;
    }
  }
}
