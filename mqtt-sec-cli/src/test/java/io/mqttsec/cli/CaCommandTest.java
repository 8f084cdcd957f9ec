/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ca} and {@code cert}: a CA's life from init to a CRL, and certificate checks. */
class CaCommandTest {

  static final String PASSPHRASE = "correct horse battery staple\n";

  @TempDir
  Path dir;

  @AfterEach
  void resetClock() {
    CertCommand.clock = Clock.systemUTC();
  }

  Cli.Result ca(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "ca";
    all[1] = args[0];
    all[2] = "--dir";
    all[3] = dir.resolve("ca").toString();
    System.arraycopy(args, 1, all, 4, args.length - 1);
    String[] withStdin = new String[all.length + 1];
    System.arraycopy(all, 0, withStdin, 0, all.length);
    withStdin[all.length] = "--passphrase-stdin";
    return Cli.input(PASSPHRASE, withStdin);
  }

  @Test
  void init_issue_revoke_crl_show() throws Exception {
    Path caDir = dir.resolve("ca");
    assertThat(ca("init", "--subject", "CN=Factory CA", "--days", "365")).isEqualTo(new Cli.Result(0,
        "created CA CN=Factory CA in " + caDir + " (ca.pem, ca.key encrypted, ca.state)\n", ""));
    assertThat(Files.readString(caDir.resolve("ca.key"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(ca("init").exit()).as("never replace a CA key").isEqualTo(2);

    Path press = dir.resolve("press-42");
    Cli.Result issue = ca("issue", "press-42", "--out", press.toString());
    assertThat(issue.exit()).as(issue.err()).isZero();
    assertThat(issue.out()).startsWith("issued client certificate press-42 serial ");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(press + ".key"))))
        .isEqualTo("rw-------");
    X509Certificate cert = Pem.readCertificates(Path.of(press + ".pem")).get(0);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=press-42");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(ca("issue", "press-42", "--out", press.toString()).exit()).as("never overwrite").isEqualTo(2);

    Cli.Result broker = ca("issue", "broker", "--server", "--dns", "broker.local,localhost", "--ip", "127.0.0.1",
        "--out", dir.resolve("broker").toString());
    assertThat(broker.exit()).isZero();
    Cli.Result check = Cli.run("cert", "check", dir.resolve("broker.pem").toString());
    assertThat(check.exit()).isZero();
    assertThat(check.out()).contains("  subject  CN=broker\n", "  issuer   CN=Factory CA\n",
        "  SANs     DNS:broker.local, DNS:localhost, IP:127.0.0.1\n", " ok\n");

    assertThat(ca("revoke", "--cert", press + ".pem").out()).isEqualTo("revoked CN=press-42 "
        + cert.getSerialNumber().toString(16) + "; now run 'mqtt-sec ca crl' and publish the CRL\n");
    Path crlFile = dir.resolve("ca.crl");
    assertThat(ca("crl", "--out", crlFile.toString()).out()).isEqualTo("wrote CRL #1 with 1 revoked serial(s) to "
        + crlFile + ", next update in 7 day(s)\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(crlFile))).as("public, for the broker")
        .isEqualTo("rw-r--r--");
    X509CRL crl = Pem.readCrls(crlFile).get(0);
    assertThat(crl.isRevoked(cert)).isTrue();
    Cli.Result show = Cli.input("", "ca", "show", "--dir", caDir.toString());
    assertThat(show.exit()).as("public data: no passphrase asked").isZero();
    assertThat(show.out()).contains("subject     CN=Factory CA\n", "last CRL    #1\n", "revoked     1\n",
        "  " + cert.getSerialNumber().toString(16) + "  ");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve("ca.pem"))))
        .as("the CA certificate is public").isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(press + ".pem"))))
        .isEqualTo("rw-r--r--");
    for (String secret : new String[] {"ca.key", "ca.state"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve(secret)))).as(secret)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void wrongPassphrase_orMissingCa_exits2WithTheFile() {
    ca("init");
    Cli.Result wrong = Cli.input("not it\n", "ca", "revoke", "--serial", "1f", "--dir", dir.resolve("ca").toString(),
        "--passphrase-stdin");
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err()).isEqualTo("mqtt-sec: " + dir.resolve("ca").resolve("ca.key") + ":1: cannot decrypt the "
        + "private key: wrong passphrase or unsupported encryption\n");
    Cli.Result none = Cli.input(PASSPHRASE, "ca", "show", "--dir", dir.resolve("nowhere").toString());
    assertThat(none.err()).isEqualTo("mqtt-sec: " + dir.resolve("nowhere") + ": no CA here (ca.pem missing); "
        + "create one with 'mqtt-sec ca init'\n");
    assertThat(ca("revoke", "--serial", "xyz").err()).isEqualTo("mqtt-sec: --serial \"xyz\" is not a serial "
        + "number (positive, hexadecimal)\n");
    assertThat(Cli.input("", "ca", "issue", "press-1", "--dir", dir.resolve("ca").toString())).isEqualTo(
        new Cli.Result(2, "", "mqtt-sec: no terminal to ask for the CA passphrase; pass it on standard input with "
            + "--passphrase-stdin\n"));
    assertThat(ca("issue", "press-1", "--days", "0")).isEqualTo(new Cli.Result(2, "",
        "mqtt-sec: --days 0: must be 1 or more\n"));
    assertThat(ca("crl", "--days", "-3", "--out", dir.resolve("ca.crl").toString()).err())
        .isEqualTo("mqtt-sec: --days -3: must be 1 or more\n");
    assertThat(Files.exists(dir.resolve("press-1.pem"))).isFalse();
  }

  @Test
  void issue_aCnThatIsNotPlainText_isRefusedBeforeThePassphrase() throws Exception {
    ca("init");
    for (String[] bad : new String[][] {{"#0c0561646d696e", "a CN must not start with '#': a distinguished name "
        + "reads that as hex-encoded DER, which can name another CN"}, {"#", "a CN must not start with '#'"},
        {"", "a CN must not be empty"}}) {
      Cli.Result r = Cli.run("ca", "issue", bad[0], "--dir", dir.resolve("ca").toString(), "--out",
          dir.resolve("x").toString());
      assertThat(r.exit()).as(bad[0]).isEqualTo(2);
      assertThat(r.err()).startsWith("mqtt-sec: " + bad[1]);
      assertThat(r.out()).as("no passphrase asked").isEmpty();
    }
    assertThat(Files.exists(dir.resolve("x.pem"))).isFalse();
  }

  @Test
  void certCheck_exit1WhenExpiringWithinWarnDays_exit2OnABadFile() throws Exception {
    ca("init");
    ca("issue", "press-7", "--days", "20", "--out", dir.resolve("press-7").toString());
    Path pem = dir.resolve("press-7.pem");
    Cli.Result soon = Cli.run("cert", "check", pem.toString());
    assertThat(soon.exit()).isEqualTo(1);
    assertThat(soon.out()).as("20 days from issue, not rounded down to 19").contains(" (20 days)  EXPIRES SOON\n");
    assertThat(soon.err()).isEqualTo("mqtt-sec: 1 certificate(s) expired or expiring within 30 days\n");
    assertThat(Cli.run("cert", "check", pem.toString(), "--warn-days", "10").exit()).isZero();
    CertCommand.clock = Clock.fixed(Instant.now().plus(Duration.ofDays(40)), ZoneOffset.UTC);
    assertThat(Cli.run("cert", "check", pem.toString()).out()).contains(" (expired 20 days ago)  EXPIRED\n");
    CertCommand.clock = Clock.fixed(Instant.now().minus(Duration.ofDays(3)), ZoneOffset.UTC);
    Cli.Result early = Cli.run("cert", "check", pem.toString());
    assertThat(early.exit()).as("not valid yet is not ok").isEqualTo(1);
    assertThat(early.out()).contains("  valid    from ").contains(" (in 3 days)\n").contains("  NOT YET VALID\n");
    assertThat(early.err()).isEqualTo("mqtt-sec: 1 certificate(s) not valid yet\n");
    assertThat(CertCommand.Check.remaining(Duration.ofDays(10).minusSeconds(5))).isEqualTo("10 days");
    assertThat(CertCommand.Check.remaining(Duration.ofHours(47))).isEqualTo("47 hours");
    assertThat(CertCommand.Check.remaining(Duration.ofMinutes(59))).isEqualTo("59 minutes");
    assertThat(CertCommand.Check.remaining(Duration.ofSeconds(30))).isEqualTo("0 minutes");

    Path bad = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n");
    Cli.Result r = Cli.run("cert", "check", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("mqtt-sec: " + bad + ":1: ");
  }

  /** A PKCS#10 request for {@code subject}, made with BouncyCastle as a device's firmware would. */
  static String request(String subject, java.security.KeyPair keys) throws Exception {
    var builder = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
        new javax.security.auth.x500.X500Principal(subject), keys.getPublic());
    var csr = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
        .build(keys.getPrivate()));
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(csr.getEncoded()) + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  static java.security.KeyPair ecKeys() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  @Test
  void sign_refusesBadRequestsWithTheReason_andIssuesNothing() throws Exception {
    ca("init");
    java.security.KeyPair keys = ecKeys();
    String good = request("CN=press-5", keys);
    byte[] der = java.util.Base64.getMimeDecoder().decode(good.replaceAll("-----[A-Z ]+-----", ""));
    der[der.length - 3] ^= 1; // inside the signature
    String forged = "-----BEGIN CERTIFICATE REQUEST-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
    String[][] cases = {
        {"forged.csr", forged, "the request's signature does not verify with the key it carries"},
        {"hex.csr", request("CN=\\#0c0561646d696e", keys), "the request's CN is refused: a CN must not start with '#'"},
        {"anon.csr", request("O=Plant", keys), "has no single usable CN"},
        {"cert.csr", Files.readString(dir.resolve("ca/ca.pem")), ":1: holds a CERTIFICATE, not a certificate request"},
        {"junk.csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
            ":1: malformed CERTIFICATE REQUEST block"},
        {"big.csr", good + "#".repeat(CertificateAuthority.MAX_REQUEST_BYTES), " bytes; a certificate request is at "
            + "most " + CertificateAuthority.MAX_REQUEST_BYTES},
    };
    for (String[] c : cases) {
      Path csr = Files.writeString(dir.resolve(c[0]), c[1]);
      Cli.Result r = ca("sign", "--csr", csr.toString(), "--out", dir.resolve("out").toString());
      assertThat(r.exit()).as(c[0]).isEqualTo(2);
      assertThat(r.err()).as(c[0]).startsWith("mqtt-sec: " + csr).contains(c[2]);
    }
    assertThat(ca("sign", "--csr", dir.resolve("missing.csr").toString(), "--out", dir.resolve("out").toString())
        .err()).isEqualTo("mqtt-sec: " + dir.resolve("missing.csr") + ": no such file\n");
    assertThat(Files.exists(dir.resolve("out.pem"))).isFalse();
    assertThat(Cli.run("ca", "list", "--dir", dir.resolve("ca").toString()).err())
        .isEqualTo("0 of 0 issued certificate(s)\n");

    Path csr = Files.writeString(dir.resolve("good.csr"), good);
    Cli.Result r = ca("sign", "--csr", csr.toString(), "--out", dir.resolve("broker").toString(), "--server", "--dns",
        "broker.local", "--days", "30");
    assertThat(r.exit()).as(r.err()).isZero();
    X509Certificate cert = Pem.readCertificates(dir.resolve("broker.pem")).get(0);
    assertThat(cert.getPublicKey()).as("the requester's key, kept").isEqualTo(keys.getPublic());
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(CaCommandTest.dnsNames(cert)).containsExactly("broker.local");
    assertThat(ca("sign", "--csr", csr.toString(), "--out", dir.resolve("broker").toString()).err())
        .isEqualTo("mqtt-sec: " + dir.resolve("broker.pem") + ": exists; refusing to overwrite\n");
  }

  static List<String> dnsNames(X509Certificate c) throws Exception {
    return c.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == 2)
        .map(n -> (String) n.get(1)).toList();
  }

  @Test
  void list_expiring_andShow_readTheInventoryWithoutThePassphrase() throws Exception {
    ca("init");
    ca("issue", "press-soon", "--days", "20", "--out", dir.resolve("soon").toString());
    ca("issue", "press-later", "--days", "90", "--out", dir.resolve("later").toString());
    ca("issue", "press-revoked", "--days", "10", "--out", dir.resolve("revoked").toString());
    X509Certificate soon = Pem.readCertificates(dir.resolve("soon.pem")).get(0);
    X509Certificate revoked = Pem.readCertificates(dir.resolve("revoked.pem")).get(0);
    ca("revoke", "--cert", dir.resolve("revoked.pem").toString());
    String caDir = dir.resolve("ca").toString();

    Cli.Result all = Cli.input("", "ca", "list", "--dir", caDir);
    assertThat(all.exit()).isZero();
    assertThat(all.out().lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList())
        .containsExactly("press-revoked", "press-soon", "press-later");
    assertThat(all.out()).contains(revoked.getSerialNumber().toString(16) + "  REVOKED        ");
    assertThat(all.err()).isEqualTo("3 of 3 issued certificate(s)\n");
    Cli.Result expiring = Cli.run("ca", "list", "--dir", caDir, "--expiring", "P30D");
    assertThat(expiring.out()).isEqualTo(soon.getSerialNumber().toString(16) + "  VALID          "
        + soon.getNotAfter().toInstant() + "  press-soon\n");
    assertThat(expiring.err()).isEqualTo("1 of 3 issued certificate(s) expire within P30D\n");
    assertThat(Cli.run("ca", "list", "--dir", caDir, "--expiring", "30 days").err())
        .isEqualTo("mqtt-sec: --expiring \"30 days\" is not a duration (such as 30d, 12h, 90m, 45s, 500ms, 1h30m, "
            + "or ISO-8601 P1D, PT2S)\n");
    assertThat(Cli.run("ca", "list", "--dir", caDir, "--expiring", "30d").out()).as("as every duration is written")
        .isEqualTo(expiring.out());

    Cli.Result show = Cli.run("ca", "show", "--dir", caDir, revoked.getSerialNumber().toString(16));
    assertThat(show.out()).contains("subject     CN=press-revoked\n", "status      REVOKED since ");
    assertThat(Cli.run("ca", "show", "--dir", caDir, "1f").err()).isEqualTo("mqtt-sec: " + caDir
        + ": this CA issued no certificate with serial 1f\n");
    assertThat(Cli.run("ca", "show", "--dir", caDir, "zz").err()).isEqualTo("mqtt-sec: \"zz\" is not a serial "
        + "number (positive, hexadecimal)\n");
  }

  @Test
  void bootstrap_printsThePasswordAlone_andRefusesCnsThatCannotEnroll_serveRefusesBadSettings() throws Exception {
    ca("init");
    Cli.Result ok = ca("bootstrap", "--cn", "press-8", "--days", "2");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).matches("[A-Za-z0-9_-]{24}\n");
    assertThat(ok.err()).startsWith("one-time enrollment password for press-8, valid until ");
    assertThat(Files.list(dir.resolve("ca/bootstrap"))).singleElement().satisfies(f -> {
      assertThat(Files.readString(f)).as("only its hash is kept").doesNotContain(ok.out().strip());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    });
    assertThat(ca("bootstrap", "--cn", "a:b").err()).isEqualTo("mqtt-sec: a CN that enrolls with a password must "
        + "not hold ':' (HTTP basic authentication ends the user name there)\n");
    assertThat(ca("bootstrap", "--cn", "").err()).startsWith("mqtt-sec: a CN must not be empty");
    assertThat(ca("bootstrap", "--cn", "press-9", "--days", "0").err()).isEqualTo("mqtt-sec: --days 0: must be "
        + "1 or more\n");
    Cli.Result wrong = Cli.input("not it\n", "ca", "bootstrap", "--cn", "press-9", "--dir",
        dir.resolve("ca").toString(), "--passphrase-stdin");
    assertThat(wrong.exit()).as("only the CA's holder hands out passwords").isEqualTo(2);
    assertThat(Files.list(dir.resolve("ca/bootstrap"))).hasSize(1);

    assertThat(ca("serve", "--port", "70000").err()).isEqualTo("mqtt-sec: --port 70000: must be 0 to 65535\n");
    assertThat(ca("serve", "--port", "0", "--audit-format", "cef").err()).startsWith("mqtt-sec: --audit-format: ");
    assertThat(ca("serve", "--port", "0", "--bind", "est.example").err()).isEqualTo("mqtt-sec: --bind "
        + "est.example: not an IP address (a name, not an IP address)\n");
    assertThat(ca("serve", "--port", "0", "--bind", "1.2.3.4.5").err()).startsWith("mqtt-sec: --bind 1.2.3.4.5: "
        + "not an IP address");
    assertThat(ca("serve", "--port", "0", "--max-refusals", "0").err()).isEqualTo("mqtt-sec: --max-refusals 0: "
        + "must be 1 or more\n");
    assertThat(ca("serve", "--port", "0", "--refusal-window", "0s").err()).isEqualTo("mqtt-sec: --refusal-window "
        + "0s: must be longer than zero\n");
  }

  @Test
  void certEnrollAndRenew_againstCaServe_onTheCommandLine() throws Exception {
    ca("init");
    Path caDir = dir.resolve("ca");
    java.io.StringWriter serveOut = new java.io.StringWriter();
    CaCommand.Serve serve = new CaCommand.Serve(new Terminal(new java.io.BufferedReader(new java.io.StringReader(
        PASSPHRASE)), new java.io.PrintWriter(serveOut, true), new java.io.PrintWriter(new java.io.StringWriter(),
        true), null));
    new picocli.CommandLine(serve).parseArgs("--dir", caDir.toString(), "--port", "0", "--passphrase-stdin");
    try (AutoCloseable running = serve.start()) {
      String base = serveOut.toString().substring(serveOut.toString().indexOf("https://"),
          serveOut.toString().indexOf("; audit lines"));
      String caPem = caDir.resolve("ca.pem").toString();
      String password = ca("bootstrap", "--cn", "press-41").out().strip();
      Path prefix = dir.resolve("press-41");
      Cli.Result enroll = Cli.input(password + "\n", "cert", "enroll", "--server", base, "--ca", caPem, "--cn",
          "press-41", "--out", prefix.toString(), "--password-stdin");
      assertThat(enroll.exit()).as(enroll.err()).isZero();
      Path pem = Path.of(prefix + ".pem");
      Path key = Path.of(prefix + ".key");
      X509Certificate first = Pem.readCertificates(pem).get(0);
      assertThat(enroll.out()).isEqualTo("enrolled press-41: serial " + first.getSerialNumber().toString(16)
          + ", valid until " + first.getNotAfter().toInstant() + ": " + pem + ", " + key + "\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
      assertThat(first.getPublicKey()).isEqualTo(publicKeyOf(key, first));

      Cli.Result reused = Cli.input(password + "\n", "cert", "enroll", "--server", base, "--ca", caPem, "--cn",
          "press-41", "--out", dir.resolve("again").toString(), "--password-stdin");
      assertThat(reused.exit()).isEqualTo(2);
      assertThat(reused.err()).isEqualTo("mqtt-sec: enrollment refused: the EST server refused (401): no enrollment "
          + "password is outstanding for this CN (never issued, or used already)\n");
      assertThat(dir.resolve("again.key")).as("the unused key is not left behind").doesNotExist();

      String[] renew = {"cert", "renew", "--server", base, "--ca", caPem, "--cert", pem.toString(), "--key",
          key.toString()};
      assertThat(Cli.run(concat(renew, "--due", "PT0S")).err()).isEqualTo("mqtt-sec: --due PT0S: must be longer than "
          + "zero\n");
      assertThat(Cli.run(concat(renew, "--due", "30 days")).err()).isEqualTo("mqtt-sec: --due \"30 days\" is not a "
          + "duration (such as 30d, 12h, 90m, 45s, 500ms, 1h30m, or ISO-8601 P1D, PT2S)\n");
      Cli.Result notDue = Cli.run(concat(renew, "--due", "P30D"));
      assertThat(notDue.exit()).isZero();
      assertThat(notDue.out()).startsWith(pem + " is not due: it expires ");
      assertThat(Pem.readCertificates(pem)).containsExactly(first);

      String oldKey = Files.readString(key);
      Cli.Result renewed = Cli.run(renew);
      assertThat(renewed.exit()).as(renewed.err()).isZero();
      X509Certificate second = Pem.readCertificates(pem).get(0);
      assertThat(renewed.out()).startsWith("renewed CN=press-41: serial " + second.getSerialNumber().toString(16)
          + " (was " + first.getSerialNumber().toString(16) + "), valid until ").contains(", new key: ");
      assertThat(Files.readString(key)).isNotEqualTo(oldKey);
      assertThat(second.getPublicKey()).isEqualTo(publicKeyOf(key, second));
      assertThat(Path.of(key + ".new")).doesNotExist();

      String keyBefore = Files.readString(key);
      assertThat(Cli.run(concat(renew, "--keep-key")).out()).contains(", same key: ");
      assertThat(Files.readString(key)).isEqualTo(keyBefore);

      // a renewal cut off between the certificate and the key: the next run completes it
      Files.move(key, Path.of(key + ".new"));
      Files.writeString(key, Pem.encodePrivateKey(ecKeys().getPrivate()));
      Cli.Result completed = Cli.run(concat(renew, "--due", "P1D"));
      assertThat(completed.err()).isEqualTo("completed an interrupted renewal: " + key + " is the key of " + pem
          + "\n");
      assertThat(Files.readString(key)).isEqualTo(keyBefore);

      X509Certificate third = Pem.readCertificates(pem).get(0);
      ca("revoke", "--serial", third.getSerialNumber().toString(16));
      Cli.Result revoked = Cli.run(renew);
      assertThat(revoked.exit()).isEqualTo(2);
      assertThat(revoked.err()).startsWith("mqtt-sec: renewal refused: the EST server refused (403): the "
          + "certificate " + third.getSerialNumber().toString(16) + " was revoked at ");
      assertThat(Pem.readCertificates(pem)).containsExactly(third);
      assertThat(Cli.run("cert", "renew", "--server", "http://127.0.0.1:1", "--ca", caPem, "--cert", pem.toString(),
          "--key", key.toString()).err()).isEqualTo("mqtt-sec: --server http://127.0.0.1:1: an EST server is "
          + "https://host:port\n");
    }
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The public key of the certificate if {@code keyFile} holds its private key (else a test failure). */
  static java.security.PublicKey publicKeyOf(Path keyFile, X509Certificate cert) {
    io.mqttsec.tls.TlsContexts.forClient().identity(Pem.readPrivateKey(keyFile, null), List.of(cert));
    return cert.getPublicKey();
  }
}
