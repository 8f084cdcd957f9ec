/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.tls.CertificateIdentity;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mqtt-sec hivemq}: what a HiveMQ CE installation needs from mqtt-sec's PEM files. */
@Command(name = "hivemq", mixinStandardHelpOptions = true,
    description = "Prepare a HiveMQ CE installation for TLS.",
    subcommands = {HivemqCommand.Keystore.class})
final class HivemqCommand implements Runnable {

  /** The environment variable the extension README's {@code config.xml} reads the stores' password from. */
  static final String PASSWORD_VARIABLE = "MQTT_SEC_STORE_PASSWORD";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: keystore");
  }

  @Command(name = "keystore", mixinStandardHelpOptions = true,
      description = "Write HiveMQ's PKCS#12 key store (and trust store, for mutual TLS) from PEM files, with a "
          + "generated password kept owner-only. Run it again after renewing the certificate: HiveMQ picks up "
          + "the new store within 10 seconds, without a restart.")
  static final class Keystore implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--cert", required = true, paramLabel = "FILE",
        description = "The broker's certificate chain (PEM), leaf first.")
    Path cert;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "The broker's private key (PEM).")
    Path key;

    @Option(names = "--ca", paramLabel = "FILE",
        description = "The CAs whose client certificates the mTLS listener accepts (PEM); writes trust.p12.")
    Path ca;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".",
        description = "Where broker.p12, trust.p12 and store-password go, such as $HIVEMQ_HOME/conf "
            + "(default: the current folder).")
    Path out;

    Keystore(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
      if (!Files.isDirectory(out)) {
        throw CliException.input(out + ": no such folder");
      }
      TlsContexts.ServerBuilder builder = TlsContexts.forServer(cert, key);
      if (ca != null) {
        builder.trustedCertificates(ca);
      }
      Path passwordFile = out.resolve("store-password");
      try (ServerTls tls = builder.build()) {
        char[] password = storePassword(passwordFile);
        try {
          tls.toPkcs12(out.resolve("broker.p12"), password);
          X509Certificate leaf = tls.certificateChain().get(0);
          terminal.out.println(out.resolve("broker.p12") + ": the key and chain of "
              + CertificateIdentity.of(leaf).subjectDn() + " (expires " + leaf.getNotAfter().toInstant() + ")");
          if (ca != null) {
            tls.trustStoreToPkcs12(out.resolve("trust.p12"), password);
            terminal.out.println(out.resolve("trust.p12") + ": " + tls.trustedCertificates().stream()
                .map(c -> CertificateIdentity.of(c).subjectDn()).collect(Collectors.joining("; ")));
          }
        } finally {
          Arrays.fill(password, '\0');
        }
      }
      terminal.out.println(passwordFile + ": the stores' password (owner-only); HiveMQ's config.xml reads it as "
          + "${ENV:" + PASSWORD_VARIABLE + "}:");
      terminal.out.println("  " + PASSWORD_VARIABLE + "=\"$(cat " + passwordFile.toAbsolutePath() + ")\" "
          + "$HIVEMQ_HOME/bin/run.sh");
      return 0;
    }
  }

  /**
   * The key stores' password: read when {@code file} is there (so stores rewritten later keep the password
   * HiveMQ's configuration names), made once and written owner-only when it is not.
   */
  static char[] storePassword(Path file) throws IOException {
    if (Files.isRegularFile(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!text.isEmpty()) {
        return text.toCharArray();
      }
      Files.delete(file);
    }
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    PasswdCommand.writePrivate(file, new String(password) + "\n");
    return password;
  }
}
