/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.Password;
import io.mqttsec.creds.PasswordGenerator;
import io.mqttsec.creds.PasswordHash;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo configuration {@code mqtt-sec broker} creates when given none: a CA, a broker certificate for
 * localhost, a password file with a few devices, the factory ACL, a device certificate, and the extension's
 * {@code mqtt-sec.xml} tying them together.
 *
 * <p><b>Demo only:</b> it keeps the generated passwords in {@code demo-credentials.csv} and the CA passphrase
 * in {@code ca/passphrase} (both owner-only) so that the printed commands work on every run. A real deployment
 * keeps neither.
 */
final class Demo {

  static final List<String> USERS = List.of("press-1", "press-2", "gateway-1", "dashboard", "admin");
  static final String CREDENTIALS = "demo-credentials.csv";
  static final String CRL = "ca.crl";
  /** How long a demo CRL is valid; {@link #refreshCrl} signs the next one when a third of that is left. */
  static final Duration CRL_LIFETIME = Duration.ofDays(30);

  static final String ACL = """
      # mqtt-sec demo ACL (mosquitto acl_file format). Check it with: mqtt-sec acl lint acl.conf --admin admin
      # every device reads and writes its own subtree, and nothing else
      pattern readwrite factory/%u/#

      # the line gateway bridges all of line 1
      user gateway-1
      topic readwrite factory/line-1/#

      # the dashboard reads the whole factory
      user dashboard
      topic read factory/#

      # the admin may do anything, and read the broker's $SYS topics
      user admin
      topic readwrite #
      topic read $SYS/#
      """;

  static final String CONFIG = """
      <?xml version="1.0" encoding="UTF-8"?>
      <!-- mqtt-sec demo configuration; paths are relative to this file -->
      <mqtt-sec>
        <password-file>passwd</password-file>
        <acl-file>acl.conf</acl-file>
        <authentication default="password">
          <!-- the mutual-TLS listener: the certificate's CN is the user name -->
          <listener name="mtls" mode="certificate" identity="cn"/>
        </authentication>
        <trusted-certificates>ca/ca.pem</trusted-certificates>
        <crl>ca.crl</crl>
        <!-- a client id belongs to the device whose session it names: another device is refused (0x85) -->
        <client-id-policy>owned</client-id-policy>
        <reload-interval>PT1S</reload-interval>
        <!-- limits against floods and connection storms: mqtt-sec's defaults, written out. A device may publish
             50 messages a second (burst 100) and 1 MiB each, hold 100 subscriptions, its user 10 connections;
             an address may connect 20 times a second (burst 40). -->
        <limits>
          <clients message-rate="50" message-burst="100" max-message-bytes="1048576" max-subscriptions="100"
                   max-connections="10"/>
          <address connect-rate="20" connect-burst="40"/>
        </limits>
        <!-- the broker's certificate: HiveMQ's key stores follow server.pem and server.key, so a renewed
             certificate is served without a restart; mqtt-sec warns before it expires -->
        <server-tls>
          <certificate>server.pem</certificate>
          <key>server.key</key>
          <keystore>hivemq/conf/broker.p12</keystore>
          <truststore>hivemq/conf/trust.p12</truststore>
          <store-password-file>hivemq/conf/store-password</store-password-file>
        </server-tls>
      </mqtt-sec>
      """;

  private Demo() {
  }

  /** Whether {@code dir} already holds a demo. */
  static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve("mqtt-sec.xml"));
  }

  /**
   * Creates the demo in {@code dir} and returns the generated passwords by user.
   *
   * @param iterations the PBKDF2 iterations of the password file: the demo's passwords are generated secrets
   */
  static Map<String, String> create(Path dir, int iterations) throws IOException {
    Files.createDirectories(dir);
    CertificateAuthority ca = CertificateAuthority.create("CN=mqtt-sec demo CA", Duration.ofDays(3650));
    Map<String, String> passwords = new LinkedHashMap<>();
    HeldCertificate server = ca.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
        .validity(Duration.ofDays(397)).issue();
    Files.writeString(dir.resolve("server.pem"), Pem.encode(server.chain()));
    PasswdCommand.writePrivate(dir.resolve("server.key"), Pem.encodePrivateKey(server.privateKey()));
    Path devices = Files.createDirectories(dir.resolve("devices"));
    HeldCertificate press = ca.issue("press-1").clientAuth().validity(Duration.ofDays(397)).issue();
    Files.writeString(devices.resolve("press-1.pem"), Pem.encode(press.chain()));
    PasswdCommand.writePrivate(devices.resolve("press-1.key"), Pem.encodePrivateKey(press.privateKey()));
    CaCommand.writePublic(dir.resolve(CRL), Pem.encode(ca.crl(CRL_LIFETIME)));
    // saved after the first CRL, so the next one the CA signs carries a higher CRL number
    try (Password passphrase = PasswordGenerator.create().generate()) {
      char[] chars = passphrase.reveal().toCharArray();
      ca.save(dir.resolve("ca"), chars);
      PasswdCommand.writePrivate(dir.resolve("ca").resolve("passphrase"), passphrase.reveal() + "\n");
    }

    PasswordHasher hasher = PasswordHasher.pbkdf2Sha512(iterations);
    Map<String, PasswordHash> hashes = new LinkedHashMap<>();
    StringBuilder csv = new StringBuilder("user,password\n");
    PasswordGenerator generator = PasswordGenerator.create();
    List<Password> generated = new ArrayList<>();
    try {
      for (String user : USERS) {
        Password p = generator.generate();
        generated.add(p);
        hashes.put(user, hasher.hash(p.bytes()));
        passwords.put(user, p.reveal());
        csv.append(user).append(',').append(p.reveal()).append('\n');
      }
    } finally {
      generated.forEach(Password::close);
    }
    PasswdCommand.writePrivate(dir.resolve("passwd"), "# mqtt-sec demo devices (mosquitto password_file)\n");
    CredentialFile.builder(dir.resolve("passwd")).hasher(hasher).build().putAll(hashes, false);
    PasswdCommand.writePrivate(dir.resolve(CREDENTIALS), csv.toString());
    Files.writeString(dir.resolve("acl.conf"), ACL);
    Files.writeString(dir.resolve("mqtt-sec.xml"), CONFIG);
    return passwords;
  }

  /**
   * Signs a new demo CRL when the one in {@code dir} has less than a third of its lifetime left (or cannot be
   * read), so that mTLS devices are not refused once it is overdue: a broker refuses certificates when its CRL is
   * past {@code nextUpdate}. The running broker reloads the file as it would any CRL.
   *
   * @return the next update of the new CRL, or empty when the one in place is fresh enough
   */
  static Optional<Instant> refreshCrl(Path dir, Clock clock) throws IOException {
    Path file = dir.resolve(CRL);
    Instant now = clock.instant();
    try {
      X509CRL crl = Pem.readCrls(file).get(0);
      Instant thisUpdate = crl.getThisUpdate().toInstant();
      Instant nextUpdate = crl.getNextUpdate().toInstant();
      Duration lifetime = Duration.between(thisUpdate, nextUpdate);
      if (Duration.between(now, nextUpdate).multipliedBy(3).compareTo(lifetime) > 0) {
        return Optional.empty();
      }
    } catch (RuntimeException e) {
      // unreadable or without a next update: sign a good one
    }
    char[] passphrase = Files.readString(dir.resolve("ca").resolve("passphrase"), StandardCharsets.UTF_8).strip()
        .toCharArray();
    try {
      CertificateAuthority ca = CertificateAuthority.load(dir.resolve("ca"), passphrase, clock);
      X509CRL fresh = ca.crl(CRL_LIFETIME);
      ca.save(dir.resolve("ca"), passphrase); // the CRL number moved on
      CaCommand.writePublic(file, Pem.encode(fresh));
      return Optional.of(fresh.getNextUpdate().toInstant());
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  /** The demo passwords kept in {@link #CREDENTIALS}, by user. */
  static Map<String, String> passwords(Path dir) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve(CREDENTIALS), StandardCharsets.UTF_8)) {
      int comma = line.indexOf(',');
      if (comma > 0 && !line.startsWith("user,")) {
        out.put(line.substring(0, comma), line.substring(comma + 1));
      }
    }
    return out;
  }
}
