/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.tls.CertificateIdentity;
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
@Command(name = "cert", mixinStandardHelpOptions = true, description = "Inspect certificates.",
    subcommands = {CertCommand.Check.class})
final class CertCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The clock expiry is measured against; tests move it. */
  static Clock clock = Clock.systemUTC();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: check");
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
}
