/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.tls.CertificateIdentity;
import io.mqttsec.tls.CertificateRenewer;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.tls.EstClient;
import io.mqttsec.tls.TlsContexts;
import io.mqttsec.tls.Pem;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import javax.security.auth.x500.X500Principal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mqtt-sec cert}: look at certificates before they bite. */
@Command(name = "cert", mixinStandardHelpOptions = true,
    description = "Inspect certificates; enroll and renew a device's certificate over EST.",
    subcommands = {CertCommand.Check.class, CertCommand.Enroll.class, CertCommand.Renew.class})
final class CertCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The clock expiry is measured against; tests move it. */
  static Clock clock = Clock.systemUTC();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: check, enroll or renew");
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Print subject, issuer, SANs and days to expiry of every certificate in the files; exit 1 "
          + "when one expires within --warn-days or has expired.")
  static final class Check implements Callable<Integer> {
    private final Terminal terminal;

    @Parameters(arity = "1..*", paramLabel = "FILE",
        description = "Certificate files (PEM); every certificate in each is checked.")
    List<Path> files;

    @Option(names = "--warn-days", paramLabel = "DAYS", defaultValue = "30",
        description = "Warn this many days ahead (default ${DEFAULT-VALUE}).")
    int warnDays;

    Check(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      Instant now = clock.instant();
      int expiring = 0;
      int early = 0;
      for (Path file : files) {
        List<X509Certificate> certs = Pem.readCertificates(file);
        for (int i = 0; i < certs.size(); i++) {
          X509Certificate c = certs.get(i);
          CertificateIdentity id = CertificateIdentity.of(c);
          Instant notAfter = c.getNotAfter().toInstant();
          Instant notBefore = c.getNotBefore().toInstant();
          String state;
          if (now.isBefore(notBefore)) {
            state = "NOT YET VALID";
            early++;
          } else if (now.isAfter(notAfter)) {
            state = "EXPIRED";
            expiring++;
          } else if (now.plus(Duration.ofDays(warnDays)).isAfter(notAfter)) {
            state = "EXPIRES SOON";
            expiring++;
          } else {
            state = "ok";
          }
          terminal.out.println(file + (certs.size() > 1 ? " [" + (i + 1) + "/" + certs.size() + "]" : ""));
          terminal.out.println("  subject  " + id.subjectDn());
          terminal.out.println("  issuer   " + c.getIssuerX500Principal().getName(X500Principal.RFC2253));
          List<String> sans = sans(c);
          terminal.out.println("  SANs     " + (sans.isEmpty() ? "(none)" : String.join(", ", sans)));
          if (now.isBefore(notBefore)) {
            terminal.out.println("  valid    from " + notBefore + " (in " + remaining(Duration.between(now,
                notBefore)) + ")");
          }
          terminal.out.println("  expires  " + notAfter + " (" + remaining(Duration.between(now, notAfter)) + ")  "
              + state);
        }
      }
      if (expiring > 0) {
        terminal.err.println("mqtt-sec: " + expiring + " certificate(s) expired or expiring within " + warnDays
            + " days");
      }
      if (early > 0) {
        // a clock set wrong on either side, or a certificate made for later: a TLS peer refuses it today
        terminal.err.println("mqtt-sec: " + early + " certificate(s) not valid yet");
      }
      return expiring > 0 || early > 0 ? CliException.CHECK_FAILED : 0;
    }

    /**
     * Time to expiry as a person reads it: whole days, rounded to the nearest (a 10-day certificate checked a
     * minute after issue has 10 days, not 9), and hours or minutes in the last two days; {@code expired 3 days
     * ago} once past.
     */
    static String remaining(Duration left) {
      if (left.isNegative()) {
        return "expired " + remaining(left.negated()) + " ago";
      }
      long minutes = left.toMinutes();
      if (minutes < 60) {
        return minutes + (minutes == 1 ? " minute" : " minutes");
      }
      if (minutes < 48 * 60) {
        return minutes / 60 + " hours";
      }
      long days = (minutes + 12 * 60) / (24 * 60);
      return days + " days";
    }
  }

  /** DNS, IP, URI and e-mail subject alternative names as {@code DNS:x}, {@code IP:x}, .... */
  static List<String> sans(X509Certificate c) {
    List<String> out = new ArrayList<>();
    Collection<List<?>> names;
    try {
      names = c.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of("(unreadable: " + e.getMessage() + ")");
    }
    if (names == null) {
      return out;
    }
    for (List<?> n : names) {
      int type = (Integer) n.get(0);
      String prefix = switch (type) {
        case 1 -> "email:";
        case 2 -> "DNS:";
        case 6 -> "URI:";
        case 7 -> "IP:";
        default -> null;
      };
      if (prefix != null) {
        out.add(prefix + n.get(1));
      }
    }
    return out;
  }

  /** Where the EST server is and what TLS trusts it. */
  static final class Server {
    @Option(names = "--server", required = true, paramLabel = "URL",
        description = "The EST server, https://host:port (as 'mqtt-sec ca serve' prints it).")
    String url;

    @Option(names = "--ca", required = true, paramLabel = "FILE",
        description = "The CA certificate(s) that the server's certificate must chain to (PEM).")
    Path ca;

    java.net.URI uri() {
      java.net.URI u;
      try {
        u = java.net.URI.create(url);
      } catch (IllegalArgumentException e) {
        throw CliException.input("--server \"" + url + "\" is not a URL (" + e.getMessage() + ")");
      }
      if (!"https".equals(u.getScheme()) || u.getHost() == null) {
        throw CliException.input("--server " + url + ": an EST server is https://host:port");
      }
      return u;
    }
  }

  /** A new EC P-256 key pair. */
  static java.security.KeyPair ecKeys() {
    try {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
      g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
  }

  /** How an EST refusal or an unreachable server reads on the command line. */
  static CliException failed(String what, java.io.IOException e) {
    return CliException.input(what + ": " + (e instanceof EstClient.Refused ? e.getMessage()
        : "the EST server cannot be reached (" + e + ")"));
  }

  @Command(name = "enroll", mixinStandardHelpOptions = true,
      description = {"Enroll a device over EST: make a key (EC P-256) that never leaves this machine, send a "
          + "request for the CN with the one-time password from 'mqtt-sec ca bootstrap', and write OUT.key "
          + "(owner-only) and OUT.pem (the certificate).",
          "With --pkcs11 the key is made in the token and stays there, named --alias (default: the CN) with its "
          + "certificate; only OUT.pem is written.",
          "The password is read from the terminal, or with --password-stdin from standard input."})
  static final class Enroll implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Server server = new Server();

    @Option(names = "--cn", required = true, paramLabel = "NAME", description = "The device's CN.")
    String commonName;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Writes PREFIX.key and "
        + "PREFIX.pem.")
    Path out;

    @Option(names = "--password-stdin", description = "Read the enrollment password from standard input.")
    boolean stdin;

    @CommandLine.Mixin
    Token token = new Token();

    Enroll(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws java.io.IOException {
      java.net.URI uri = server.uri();
      try {
        io.mqttsec.tls.CertificateRequest.checkCommonName(commonName);
      } catch (IllegalArgumentException e) {
        throw CliException.input(e.getMessage());
      }
      boolean inToken = token.used();
      Path pem = Path.of(out + ".pem");
      Path key = inToken ? null : Path.of(out + ".key");
      for (Path p : inToken ? List.of(pem) : List.of(pem, key)) {
        if (java.nio.file.Files.exists(p)) {
          throw CliException.input(p + ": exists; refusing to overwrite");
        }
      }
      ClientTls tls = TlsContexts.forClient().trustedCertificates(server.ca).build();
      String name = inToken ? token.alias(commonName) : null;
      if (inToken && token.open(terminal).holds(name)) {
        throw CliException.input("the token already holds a key \"" + name + "\": renew it with 'cert renew', or "
            + "choose another --alias");
      }
      char[] password = terminal.secret("enrollment password", stdin, false,
          "pass it on standard input with --password-stdin");
      java.security.KeyPair keys = inToken ? token.newKeys() : ecKeys();
      if (!inToken) {
        PasswdCommand.writePrivate(key, Pem.encodePrivateKey(keys.getPrivate())); // kept before it is certified
      }
      List<X509Certificate> chain;
      try {
        chain = EstClient.of(uri, tls).enroll(io.mqttsec.tls.CertificateRequest.der(commonName, keys.getPublic(),
            keys.getPrivate()), commonName, password);
      } catch (java.io.IOException e) {
        if (!inToken) {
          java.nio.file.Files.deleteIfExists(key);
        }
        throw failed("enrollment refused", e);
      } finally {
        java.util.Arrays.fill(password, '\0');
      }
      CaCommand.writePublic(pem, Pem.encode(chain));
      if (inToken) {
        try {
          token.keep(name, keys.getPrivate(), chain);
        } catch (java.io.IOException e) {
          throw CliException.failed(e.getMessage() + "; the certificate is in " + pem);
        }
      }
      X509Certificate leaf = chain.get(0);
      terminal.out.println("enrolled " + commonName + ": serial " + leaf.getSerialNumber().toString(16)
          + ", valid until " + leaf.getNotAfter().toInstant() + ": " + pem + ", " + (inToken
          ? "key in the token as \"" + name + "\"" : key));
      return 0;
    }
  }

  @Command(name = "renew", mixinStandardHelpOptions = true,
      description = {"Renew a device's certificate over EST on the certificate it holds (simplereenroll), with a "
          + "new key unless --keep-key, replacing CERT and KEY.",
          "With --due (30d, P30D), only when the certificate expires within that time (for a daily timer): "
          + "otherwise it says when it will be due and exits 0.",
          "The new key is written beside the old (KEY.new) before the certificate is replaced, then renamed over "
          + "it; a renewal interrupted between the two is completed on the next run.",
          "With --pkcs11 instead of --key, the key and its certificate are the token's entry --alias (default: "
          + "the CN of CERT): the new key is made in the token, the chain copied to CERT, the key kept as "
          + "ALIAS.new with its certificate, the old entry removed, and the new one renamed."})
  static final class Renew implements Callable<Integer> {
    private final Terminal terminal;

    @CommandLine.Mixin
    Server server = new Server();

    @Option(names = "--cert", required = true, paramLabel = "CERT", description = "The certificate (PEM chain).")
    Path cert;

    @Option(names = "--key", paramLabel = "KEY", description = "Its private key (PEM), unless --pkcs11.")
    Path key;

    @CommandLine.Mixin
    Token token = new Token();

    @Option(names = "--keep-key", description = "Renew the same key (default: a new EC P-256 key).")
    boolean keepKey;

    @Option(names = "--due", paramLabel = "DURATION", description = "Renew only within this time of expiry "
        + "(such as 30d or P30D).")
    String due;

    Renew(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws java.io.IOException {
      java.net.URI uri = server.uri();
      Duration window = due == null ? null : Options.positiveDuration("--due", due);
      if (token.used() == (key != null)) {
        throw CliException.input("name the key: --key FILE, or --pkcs11 CONFIG for a key in a token");
      }
      if (token.used()) {
        return renewInToken(uri, window);
      }
      Path pending = Path.of(key + ".new");
      List<X509Certificate> held = Pem.readCertificates(cert);
      if (java.nio.file.Files.exists(pending)) {
        java.security.PrivateKey next = Pem.readPrivateKey(pending, null);
        try {
          io.mqttsec.tls.TlsContexts.forClient().identity(next, held);
          java.nio.file.Files.move(pending, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          terminal.err.println("completed an interrupted renewal: " + key + " is the key of " + cert);
        } catch (io.mqttsec.api.TlsConfigException e) {
          java.nio.file.Files.delete(pending); // the certificate was not replaced: the old key still fits it
        }
      }
      java.security.PrivateKey current = Pem.readPrivateKey(key, null);
      return renew(uri, window, current, held, (newKey, chain) -> keep(newKey, chain, pending), null, key
          .toString());
    }

    /** The token's entry renewed: see the description. */
    private int renewInToken(java.net.URI uri, Duration window) throws java.io.IOException {
      String name = token.alias != null ? token.alias
          : CertificateIdentity.of(Pem.readCertificates(cert).get(0)).commonName().orElseThrow(
              () -> CliException.input(cert + ": the certificate has no CN; name the key with --alias"));
      token.open(terminal);
      String pending = name + ".new";
      if (token.holds(pending)) { // the new key and certificate were kept; the old entry may still be there
        List<X509Certificate> kept = token.chain(pending);
        token.remove(name);
        token.keep(name, token.key(pending), kept);
        CaCommand.writePublic(cert, Pem.encode(kept));
        terminal.err.println("completed an interrupted renewal: \"" + name + "\" is the renewed key in the token");
      }
      return renew(uri, window, token.key(name), token.chain(name), (newKey, chain) -> {
        CaCommand.writePublic(cert, Pem.encode(chain)); // a copy: first, so that failing it changes nothing
        if (!keepKey) {
          token.remove(pending);
          token.keep(pending, newKey, chain);
          token.remove(name);
        }
        token.keep(name, newKey, chain); // a renamed entry, or the same key with its new certificate
      }, token::newKeys, "key in the token as \"" + name + "\"");
    }

    private int renew(java.net.URI uri, Duration window, java.security.PrivateKey current,
        List<X509Certificate> held, CertificateRenewer.Keeper keeper, java.util.function.Supplier<java.security
        .KeyPair> newKeys, String where) throws java.io.IOException {
      ClientTls tls = TlsContexts.forClient().trustedCertificates(server.ca).identity(current, held).build();
      CertificateRenewer.Builder builder = CertificateRenewer.builder(EstClient.of(uri, tls), tls)
          .onRenewed((newKey, chain) -> {
            try {
              keeper.keep(newKey, chain);
            } catch (java.io.IOException e) {
              throw new NotKept(e);
            }
          });
      if (keepKey) {
        java.security.KeyPair same = new java.security.KeyPair(held.get(0).getPublicKey(), current);
        builder.keys(() -> same);
      } else if (newKeys != null) {
        builder.keys(newKeys);
      }
      if (window != null) {
        builder.renewBefore(window);
      }
      CertificateRenewer renewer = builder.build();
      if (window != null && clock.instant().isBefore(renewer.dueAt())) {
        terminal.out.println(cert + " is not due: it expires " + held.get(0).getNotAfter().toInstant()
            + ", due for renewal from " + renewer.dueAt());
        renewer.close();
        return 0;
      }
      List<X509Certificate> chain;
      try {
        chain = renewer.renewNow();
      } catch (NotKept e) {
        throw CliException.failed("renewed, but not kept (" + e.getMessage() + "); the next run completes or "
            + "repeats it");
      } catch (java.io.IOException e) {
        throw failed("renewal refused", e);
      } finally {
        renewer.close();
      }
      X509Certificate leaf = chain.get(0);
      terminal.out.println("renewed " + CertificateIdentity.of(leaf).subjectDn() + ": serial "
          + leaf.getSerialNumber().toString(16) + " (was " + held.get(0).getSerialNumber().toString(16)
          + "), valid until " + leaf.getNotAfter().toInstant() + (keepKey ? ", same key" : ", new key") + ": " + cert
          + ", " + where);
      return 0;
    }

    /** The renewed key and certificate could not be kept: a failure here, not the EST server's. */
    private static final class NotKept extends java.io.IOException {
      private static final long serialVersionUID = 1L;

      NotKept(java.io.IOException cause) {
        super(cause.toString(), cause);
      }
    }

    /** The new key beside the old, the certificate replaced, then the key renamed over: see the description. */
    private void keep(java.security.PrivateKey newKey, List<X509Certificate> chain, Path pending)
        throws java.io.IOException {
      if (!keepKey) {
        java.nio.file.Files.deleteIfExists(pending);
        PasswdCommand.writePrivate(pending, Pem.encodePrivateKey(newKey));
      }
      CaCommand.writePublic(cert, Pem.encode(chain));
      if (!keepKey) {
        java.nio.file.Files.move(pending, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
