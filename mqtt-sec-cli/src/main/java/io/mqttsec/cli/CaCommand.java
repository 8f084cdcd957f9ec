/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.broker.AuditFile;
import io.mqttsec.broker.AuditFormat;
import io.mqttsec.broker.AuditLog;
import io.mqttsec.ca.BootstrapPasswords;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.EstServer;
import io.mqttsec.tls.CertificateIdentity;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.ca.Inventory;
import io.mqttsec.tls.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mqtt-sec ca}: a small certificate authority for a device fleet, kept in a folder. */
@Command(name = "ca", mixinStandardHelpOptions = true,
    description = "A certificate authority for devices and brokers: ca.pem, ca.key (encrypted), ca.state.",
    subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Sign.class, CaCommand.Revoke.class,
        CaCommand.Crl.class, CaCommand.Listing.class, CaCommand.Show.class, CaCommand.Bootstrap.class,
        CaCommand.Serve.class})
final class CaCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: init, issue, sign, revoke, "
        + "crl, list, show, bootstrap or serve");
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

    @CommandLine.Mixin
    Usage usage = new Usage();

    Issue(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
      usage.check();
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
      HeldCertificate held = usage.apply(ca.issue(commonName)).issue();
      PasswdCommand.writePrivate(key, Pem.encodePrivateKey(held.privateKey()));
      writePublic(pem, Pem.encode(held.chain()));
      terminal.out.println("issued " + usage.kind() + " certificate " + commonName + " serial "
          + held.certificate().getSerialNumber().toString(16) + ": " + pem + ", " + key);
      return 0;
    }
  }

  /** What a certificate is for, its names and validity: the options {@code issue} and {@code sign} share. */
  static final class Usage {
    @Option(names = "--server", description = "A server certificate (default: a client certificate).")
    boolean server;

    @Option(names = "--dns", split = ",", paramLabel = "NAME", description = "DNS names (comma-separated).")
    List<String> dns = List.of();

    @Option(names = "--ip", split = ",", paramLabel = "ADDRESS", description = "IP addresses (comma-separated).")
    List<String> ips = List.of();

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "397",
        description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    void check() {
      if (days < 1) {
        throw CliException.input("--days " + days + ": must be 1 or more");
      }
    }

    String kind() {
      return server ? "server" : "client";
    }

    CertificateAuthority.Issue apply(CertificateAuthority.Issue request) {
      request.validity(Duration.ofDays(days));
      if (!dns.isEmpty()) {
        request.dnsNames(dns.toArray(new String[0]));
      }
      if (!ips.isEmpty()) {
        request.ipAddresses(ips.toArray(new String[0]));
      }
      return server ? request.serverAuth() : request.clientAuth();
    }
  }

  @Command(name = "sign", mixinStandardHelpOptions = true,
      description = {"Sign a device's certificate request (PKCS#10, as 'openssl req -new' writes it): OUT.pem "
          + "(the chain). The key stays with the device.",
          "The request's signature must verify, its CN follows the same rules as 'ca issue', and the extensions it "
          + "asks for are ignored: names and usages are only what these options say."})
  static final class Sign implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @Option(names = "--csr", required = true, paramLabel = "FILE", description = "The certificate request (PEM).")
    Path csr;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Writes PREFIX.pem.")
    Path out;

    @CommandLine.Mixin
    Usage usage = new Usage();

    Sign(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
      usage.check();
      Path pem = Path.of(out + ".pem");
      if (Files.exists(pem)) {
        throw CliException.input(pem + ": exists; refusing to overwrite");
      }
      String request = readRequest(csr);
      CertificateAuthority ca = folder.load(terminal);
      List<X509Certificate> chain;
      try {
        chain = usage.apply(ca.request(request, csr.toString())).sign();
      } catch (io.mqttsec.api.TlsConfigException e) {
        throw CliException.input(e.getMessage());
      }
      writePublic(pem, Pem.encode(chain));
      terminal.out.println("signed " + usage.kind() + " certificate " + CertificateIdentity.of(chain.get(0))
          .commonName().orElse("") + " serial " + chain.get(0).getSerialNumber().toString(16) + ": " + pem);
      return 0;
    }

    /** The request's text, refused before the passphrase is asked when it is missing or oversized. */
    static String readRequest(Path file) throws IOException {
      if (!Files.isRegularFile(file)) {
        throw CliException.input(file + ": no such file");
      }
      long size = Files.size(file);
      if (size > CertificateAuthority.MAX_REQUEST_BYTES) {
        throw CliException.input(file + ": " + size + " bytes; a certificate request is at most "
            + CertificateAuthority.MAX_REQUEST_BYTES);
      }
      return Files.readString(file, StandardCharsets.ISO_8859_1); // any byte: the parser says what is wrong
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
        serial = serial(which.serial, "--serial ");
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

  /** A serial number as a user writes it: hex, with or without colons. */
  static BigInteger serial(String text, String option) {
    try {
      BigInteger serial = new BigInteger(text.replace(":", ""), 16);
      if (serial.signum() <= 0) {
        throw new NumberFormatException();
      }
      return serial;
    } catch (NumberFormatException e) {
      throw CliException.input(option + "\"" + text + "\" is not a serial number (positive, hexadecimal)");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"List the certificates this CA issued (public data: no passphrase needed), soonest to expire "
          + "first: serial, status, not-after, CN.",
          "With --expiring (30d, P30D), only the valid ones that expire within that time: the devices to renew."})
  static final class Listing implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ca",
        description = "The CA folder (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--expiring", paramLabel = "DURATION", description = "Such as 30d or P30D.")
    String expiring;

    Listing(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      Duration window = expiring == null ? null : Options.positiveDuration("--expiring", expiring);
      Folder.requireCa(dir);
      Instant now = Instant.now();
      Inventory inventory = Inventory.read(dir);
      List<Inventory.Entry> entries = window == null ? inventory.entries()
          : inventory.expiringWithin(window, now);
      for (Inventory.Entry e : entries) {
        terminal.out.println(e.serial().toString(16) + "  " + String.format("%-13s", e.status(now)) + "  "
            + e.notAfter() + "  " + e.commonName());
      }
      terminal.err.println(entries.size() + " of " + inventory.entries().size() + " issued certificate(s)"
          + (window == null ? "" : " expire within " + expiring));
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show the CA and its revocations, or with SERIAL one certificate it issued (public data: no "
          + "passphrase needed).")
  static final class Show implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ca",
        description = "The CA folder (default ${DEFAULT-VALUE}).")
    Path dir;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERIAL", description = "A serial number in hex.")
    String serial;

    Show(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      BigInteger wanted = serial == null ? null : serial(serial, "");
      Folder.requireCa(dir);
      if (wanted != null) {
        Inventory.Entry e = Inventory.lookup(dir, wanted).orElseThrow(() -> CliException.input(dir
            + ": this CA issued no certificate with serial " + wanted.toString(16)));
        X509Certificate c = e.certificate();
        CertificateIdentity id = CertificateIdentity.of(c);
        terminal.out.println("subject     " + id.subjectDn());
        terminal.out.println("serial      " + e.serial().toString(16));
        terminal.out.println("status      " + e.status(Instant.now()) + e.revokedAt().map(at -> " since " + at)
            .orElse(""));
        terminal.out.println("valid       " + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant());
        terminal.out.println("usage       " + usages(c));
        terminal.out.println("sha256      " + id.sha256Fingerprint());
        terminal.out.print(Pem.encode(List.of(c)));
        return 0;
      }
      CertificateAuthority.Published ca = CertificateAuthority.readPublished(dir);
      X509Certificate c = ca.certificate();
      terminal.out.println("subject     " + CertificateIdentity.of(c).subjectDn());
      terminal.out.println("valid       " + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant());
      terminal.out.println("sha256      " + CertificateIdentity.of(c).sha256Fingerprint());
      terminal.out.println("last CRL    #" + ca.crlNumber());
      terminal.out.println("revoked     " + ca.revocations().size());
      ca.revocations().forEach((s, at) -> terminal.out.println("  " + s.toString(16) + "  " + at));
      return 0;
    }

    private static String usages(X509Certificate c) {
      try {
        List<String> ekus = c.getExtendedKeyUsage();
        if (ekus == null) {
          return "(none)";
        }
        return String.join(", ", ekus.stream().map(o -> switch (o) {
          case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
          case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
          default -> o;
        }).toList());
      } catch (java.security.cert.CertificateParsingException e) {
        return "(unreadable: " + e.getMessage() + ")";
      }
    }
  }

  @Command(name = "bootstrap", mixinStandardHelpOptions = true,
      description = {"Print a one-time enrollment password for a device: with it, 'ca serve' issues that device its "
          + "first certificate over EST (simpleenroll, HTTP basic authentication with the CN as the user name).",
          "The password alone goes to standard output; it is stored only as its SHA-256, used up by the "
          + "enrollment, and replaced by the next 'ca bootstrap' for the same CN."})
  static final class Bootstrap implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @Option(names = "--cn", required = true, paramLabel = "NAME", description = "The device's CN.")
    String commonName;

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "7",
        description = "Days the password stays valid (default ${DEFAULT-VALUE}).")
    int days;

    Bootstrap(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      if (days < 1) {
        throw CliException.input("--days " + days + ": must be 1 or more");
      }
      try {
        CertificateAuthority.checkCommonName(commonName);
      } catch (IllegalArgumentException e) {
        throw CliException.input(e.getMessage());
      }
      if (commonName.indexOf(':') >= 0) {
        throw CliException.input("a CN that enrolls with a password must not hold ':' (HTTP basic authentication "
            + "ends the user name there)");
      }
      folder.load(terminal); // only the CA's holder hands out enrollment passwords
      Instant until = Instant.now().plus(Duration.ofDays(days));
      String password = new BootstrapPasswords(folder.dir).issue(commonName, until);
      terminal.out.println(password);
      terminal.err.println("one-time enrollment password for " + commonName + ", valid until " + until);
      return 0;
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Enroll devices over EST (RFC 7030) on HTTPS until stopped: GET /.well-known/est/cacerts, "
          + "POST .../simpleenroll (a first certificate, on a one-time password from 'ca bootstrap' or a certificate "
          + "the CA issued the device), POST "
          + ".../simplereenroll (a renewal, on the device's current certificate, for the same CN).",
          "Requests are base64 PKCS#10, answers base64 PKCS#7 certs-only. The server's own certificate is issued "
          + "by the CA at each start (localhost, 127.0.0.1, the --bind address and --dns names), valid 30 days. "
          + "Every enrollment, issued or refused, is an audit line."})
  static final class Serve implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Folder folder = new Folder();

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "The HTTPS port (0: a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
        description = "The IP address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--dns", split = ",", paramLabel = "NAME", description = "Host names devices reach it by.")
    List<String> dns = List.of();

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "397",
        description = "Validity of the certificates it issues, in days (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--audit", paramLabel = "FILE", description = "The audit file (default: DIR/enrollments.jsonl).")
    Path audit;

    @Option(names = "--max-refusals", paramLabel = "N", defaultValue = "" + EstServer.DEFAULT_MAX_REFUSALS,
        description = "Refused enrollments an address may have within --refusal-window before its enrollments are "
            + "answered 429 for that long, unread (default ${DEFAULT-VALUE}).")
    int maxRefusals;

    @Option(names = "--refusal-window", paramLabel = "DURATION", defaultValue = "10m",
        description = "The window refusals are counted in, and how long an address is held off (default "
            + "${DEFAULT-VALUE}; 30s, 10m, 1h or ISO-8601).")
    String refusalWindow;

    @Option(names = "--audit-format", paramLabel = "FORMAT", defaultValue = "mqtt-sec",
        description = "mqtt-sec (default), ecs or ocsf.")
    String auditFormat;

    Serve(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
      CountDownLatch stopped = new CountDownLatch(1);
      AutoCloseable running = start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          running.close();
        } catch (Exception e) {
          // stopping is best effort: the process is ending
        }
        stopped.countDown();
      }, "mqtt-sec-est-stop"));
      terminal.out.println("Ctrl-C stops the EST server.");
      terminal.out.flush();
      stopped.await();
      return 0;
    }

    /** Starts the server and prints where it is; closing the result stops it. */
    AutoCloseable start() throws IOException {
      if (days < 1) {
        throw CliException.input("--days " + days + ": must be 1 or more");
      }
      if (port < 0 || port > 65_535) {
        throw CliException.input("--port " + port + ": must be 0 to 65535");
      }
      if (maxRefusals < 1) {
        throw CliException.input("--max-refusals " + maxRefusals + ": must be 1 or more");
      }
      Duration window = Options.positiveDuration("--refusal-window", refusalWindow);
      AuditFormat format;
      try {
        format = AuditFormat.named(auditFormat);
      } catch (IllegalArgumentException e) {
        throw CliException.input("--audit-format: " + e.getMessage());
      }
      InetAddress address;
      try {
        // literals only: a name would be looked up, and a listener's address should not depend on a resolver
        boolean v4 = bind.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]"
            + "|[1-9]?[0-9])){3}");
        if (!v4 && !bind.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
          throw new java.net.UnknownHostException("a name, not an IP address");
        }
        address = InetAddress.getByName(bind);
      } catch (java.net.UnknownHostException e) {
        throw CliException.input("--bind " + bind + ": not an IP address (" + e.getMessage() + ")");
      }
      CertificateAuthority ca = folder.load(terminal);
      java.util.Set<String> ips = new java.util.LinkedHashSet<>(List.of("127.0.0.1", address.getHostAddress()));
      ips.remove("0.0.0.0");
      java.util.Set<String> names = new java.util.LinkedHashSet<>(List.of("localhost"));
      names.addAll(dns);
      HeldCertificate own = ca.issue("localhost").dnsNames(names.toArray(new String[0])).ipAddresses(
          ips.toArray(new String[0])).serverAuth().validity(Duration.ofDays(30)).issue();
      Path auditFile = audit != null ? audit : folder.dir.resolve("enrollments.jsonl");
      AuditFile file = AuditFile.open(auditFile);
      AuditLog log = AuditLog.of(format, line -> {
        file.accept(line);
        terminal.out.println(line);
        terminal.out.flush();
      });
      EstServer est;
      try {
        est = EstServer.builder(ca, folder.dir).address(address).port(port).validity(Duration.ofDays(days))
            .refusalLimit(maxRefusals, window).identity(own.privateKey(), own.chain()).listener(log).start();
      } catch (IOException e) {
        file.close();
        throw CliException.input("--port " + port + ": cannot listen on " + bind + " (" + e.getMessage() + ")");
      }
      terminal.out.println("EST for " + ca.certificate().getSubjectX500Principal().getName() + " on https://"
          + (address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress())
          + ":" + est.port() + EstServer.PATH + "; audit lines (" + format.configName() + "): " + auditFile);
      terminal.out.flush();
      return () -> {
        est.close();
        file.close();
      };
    }
  }
}
