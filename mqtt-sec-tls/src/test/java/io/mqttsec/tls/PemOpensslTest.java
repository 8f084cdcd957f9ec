/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Pem} against the files the {@code openssl} command writes, in every key format and encryption it offers,
 * and OpenSSL reading the keys {@link Pem} writes. CI installs openssl; elsewhere the class is skipped without it.
 */
class PemOpensslTest {

  static final String PASS = "correct horse";

  @TempDir
  static Path dir;

  @BeforeAll
  static void openssl() {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, "openssl")));
    if (System.getenv("CI") != null) {
      assertThat(installed).as("openssl on the PATH (.ci/run installs it)").isTrue();
    }
    assumeTrue(installed, "openssl is not installed");
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  static PrivateKey read(String file, String passphrase) {
    return Pem.readPrivateKey(dir.resolve(file), passphrase == null ? null : passphrase.toCharArray());
  }

  /** The modulus openssl prints for an RSA key, in hex. */
  static String modulus(String file, String... passin) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl", "rsa", "-in", file, "-noout", "-modulus"));
    command.addAll(List.of(passin));
    return run(command.toArray(String[]::new)).strip().replace("Modulus=", "");
  }

  @Test
  void rsa_traditionalAndPkcs8_plainAndEncrypted() throws Exception {
    run("openssl", "genrsa", "-traditional", "-out", "rsa1.pem", "2048");
    assertThat(Files.readString(dir.resolve("rsa1.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    String modulus = modulus("rsa1.pem");
    for (String cipher : List.of("-aes256", "-aes128", "-des3")) {
      run("openssl", "rsa", "-in", "rsa1.pem", "-traditional", cipher, "-passout", "pass:" + PASS, "-out",
          "legacy" + cipher + ".pem");
      assertThat(Files.readString(dir.resolve("legacy" + cipher + ".pem"))).contains("Proc-Type: 4,ENCRYPTED");
      assertThat(((RSAPrivateCrtKey) read("legacy" + cipher + ".pem", PASS)).getModulus().toString(16))
          .isEqualToIgnoringCase(modulus);
    }
    run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "rsa1.pem", "-out", "rsa8.pem");
    assertThat(((RSAPrivateCrtKey) read("rsa8.pem", null)).getModulus().toString(16)).isEqualToIgnoringCase(modulus);
    assertThat(((RSAPrivateCrtKey) read("rsa1.pem", null)).getModulus().toString(16)).isEqualToIgnoringCase(modulus);
  }

  @Test
  void encryptedPkcs8_everyPbes2CipherAndPrf() throws Exception {
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
    PrivateKey plain = read("ec.pem", null);
    for (String[] v : new String[][] {{"aes-256-cbc", "hmacWithSHA256"}, {"aes-128-cbc", "hmacWithSHA1"},
        {"aes-192-cbc", "hmacWithSHA512"}, {"des3", "hmacWithSHA384"}, {"aes-256-cbc", "hmacWithSHA224"}}) {
      String out = "ec-" + v[0] + "-" + v[1] + ".pem";
      run("openssl", "pkcs8", "-topk8", "-in", "ec.pem", "-v2", v[0], "-v2prf", v[1], "-passout", "pass:" + PASS,
          "-out", out);
      assertThat(((ECPrivateKey) read(out, PASS)).getS()).as(out).isEqualTo(((ECPrivateKey) plain).getS());
    }
  }

  @Test
  void ec_sec1WithParameters_andEd25519() throws Exception {
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.pem");
    assertThat(Files.readString(dir.resolve("sec1.pem"))).startsWith("-----BEGIN EC PARAMETERS-----")
        .contains("-----BEGIN EC PRIVATE KEY-----");
    PrivateKey sec1 = read("sec1.pem", null);
    run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "sec1-8.pem");
    assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) read("sec1-8.pem", null)).getS());
    run("openssl", "genpkey", "-algorithm", "ED25519", "-out", "ed.pem");
    assertThat(read("ed.pem", null).getAlgorithm()).isIn("Ed25519", "EdDSA");
  }

  @Test
  void opensslReads_theKeysPemWrites() throws Exception {
    run("openssl", "genrsa", "-out", "rsa.pem", "2048");
    PrivateKey key = read("rsa.pem", null);
    Files.writeString(dir.resolve("ours.pem"), Pem.encodePrivateKey(key, PASS.toCharArray()));
    assertThat(modulus("ours.pem", "-passin", "pass:" + PASS)).isEqualTo(modulus("rsa.pem"));
    Files.writeString(dir.resolve("plain.pem"), Pem.encodePrivateKey(key));
    assertThat(modulus("plain.pem")).isEqualTo(modulus("rsa.pem"));
    Process wrong = new ProcessBuilder("openssl", "rsa", "-in", "ours.pem", "-noout", "-passin", "pass:wrong")
        .directory(dir.toFile()).redirectErrorStream(true).start();
    assertThat(wrong.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(wrong.exitValue()).as("the key is really encrypted").isNotZero();
  }

  @Test
  void certificatesAndCrls_openssLWrote_areRead() throws Exception {
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=OpenSSL CA/O=Factory");
    assertThat(Pem.readCertificates(dir.resolve("ca.pem"))).singleElement().satisfies(c -> assertThat(
        CertificateIdentity.of(c).commonName()).contains("OpenSSL CA"));
    Files.writeString(dir.resolve("index.txt"), "");
    Files.writeString(dir.resolve("ca.cnf"), """
        [ca]
        default_ca = d
        [d]
        database = index.txt
        crlnumber = crlnumber
        default_md = sha256
        default_crl_days = 7
        """);
    Files.writeString(dir.resolve("crlnumber"), "1000\n");
    run("openssl", "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "ca.crl");
    assertThat(Pem.readCrls(dir.resolve("ca.crl"))).singleElement().satisfies(crl -> assertThat(
        crl.getIssuerX500Principal().getName()).isEqualTo("O=Factory,CN=OpenSSL CA"));
  }
}
