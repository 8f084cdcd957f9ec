/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.tls.Pem;
import io.mqttsec.tls.SoftHsm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cert enroll} and {@code cert renew} with the device key in a SoftHSM2 token, run as a process of its own
 * as a device runs it (a token login is per process: in this JVM the test's own inspection is logged in already).
 */
class TokenCommandTest {

  static final String PASSPHRASE = "token test passphrase\n";

  @TempDir
  static Path dir;
  static Path caDir;
  static Path config;
  static Path pin;
  static AutoCloseable est;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    SoftHsm.provider(); // a fresh token, and its SunPKCS11 configuration beside SOFTHSM2_CONF
    config = Path.of(System.getenv("SOFTHSM2_CONF")).resolveSibling("sunpkcs11.cfg");
    pin = Files.writeString(dir.resolve("pin"), new String(SoftHsm.PIN) + "\n");
    caDir = dir.resolve("ca");
    Cli.Result init = Cli.input(PASSPHRASE, "ca", "init", "--dir", caDir.toString(), "--passphrase-stdin");
    assertThat(init.exit()).as(init.err()).isZero();
    java.io.StringWriter out = new java.io.StringWriter();
    CaCommand.Serve serve = new CaCommand.Serve(new Terminal(new java.io.BufferedReader(new java.io.StringReader(
        PASSPHRASE)), new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
        null));
    new CommandLine(serve).parseArgs("--dir", caDir.toString(), "--port", "0", "--passphrase-stdin");
    est = serve.start();
    base = out.toString().substring(out.toString().indexOf("https://"), out.toString().indexOf("; audit lines"));
  }

  @AfterAll
  static void stop() throws Exception {
    est.close();
  }

  /** {@code mqtt-sec ARGS} in a process of its own, {@code stdin} on its standard input. */
  static Cli.Result mqttSec(String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        MqttSecCommand.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
        .redirectError(dir.resolve("err").toFile()).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", args)).isTrue();
    return new Cli.Result(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
  }

  static String bootstrap(String commonName) {
    return Cli.input(PASSPHRASE, "ca", "bootstrap", "--dir", caDir.toString(), "--cn", commonName,
        "--passphrase-stdin").out();
  }

  /** The token as it is now, seen through this JVM's own login. */
  static KeyStore token() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS11", SoftHsm.provider());
    keys.load(null, SoftHsm.PIN);
    return keys;
  }

  /** Whether {@code key} is the private key of {@code certificate}: what it signs, the certificate verifies. */
  static boolean pairs(PrivateKey key, X509Certificate certificate) throws Exception {
    byte[] data = "a challenge".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(data);
    return verifier.verify(signature);
  }

  @Test
  void enrollWithPkcs11_makesTheKeyInTheToken_andRenewReplacesItThere() throws Exception {
    Path prefix = dir.resolve("press-8");
    Path pem = Path.of(prefix + ".pem");
    List<String> enroll = enrollInToken("press-8", prefix);
    Cli.Result enrolled = mqttSec(bootstrap("press-8"), enroll.toArray(new String[0]));
    assertThat(enrolled.exit()).as(enrolled.err()).isZero();
    X509Certificate first = Pem.readCertificates(pem).get(0);
    assertThat(enrolled.out()).isEqualTo("enrolled press-8: serial " + first.getSerialNumber().toString(16)
        + ", valid until " + first.getNotAfter().toInstant() + ": " + pem + ", key in the token as \"press-8\"\n");
    assertThat(Path.of(prefix + ".key")).as("no key file").doesNotExist();
    KeyStore held = token();
    assertThat(held.isKeyEntry("press-8")).isTrue();
    assertThat(held.getCertificateChain("press-8")[0]).isEqualTo(first);
    PrivateKey firstKey = (PrivateKey) held.getKey("press-8", null);
    assertThat(firstKey.getEncoded()).as("sensitive, not extractable").isNull();
    assertThat(pairs(firstKey, first)).isTrue();

    Cli.Result again = mqttSec(bootstrap("press-8"), enroll.toArray(new String[0]));
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).isEqualTo("mqtt-sec: " + pem + ": exists; refusing to overwrite\n");
    enroll.set(enroll.indexOf(prefix.toString()), dir.resolve("press-8-again").toString());
    again = mqttSec(bootstrap("press-8"), enroll.toArray(new String[0]));
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).isEqualTo("mqtt-sec: the token already holds a key \"press-8\": renew it with "
        + "'cert renew', or choose another --alias\n");

    List<String> renew = renewInToken(pem);
    Cli.Result renewed = mqttSec("", renew.toArray(new String[0]));
    assertThat(renewed.exit()).as(renewed.err()).isZero();
    X509Certificate second = Pem.readCertificates(pem).get(0);
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(second.getPublicKey()).as("a new key").isNotEqualTo(first.getPublicKey());
    assertThat(renewed.out()).isEqualTo("renewed CN=press-8: serial " + second.getSerialNumber().toString(16)
        + " (was " + first.getSerialNumber().toString(16) + "), valid until " + second.getNotAfter().toInstant()
        + ", new key: " + pem + ", key in the token as \"press-8\"\n");
    held = token();
    assertThat(held.getCertificateChain("press-8")[0]).isEqualTo(second);
    assertThat(pairs((PrivateKey) held.getKey("press-8", null), second)).isTrue();
    assertThat(java.util.Collections.list(held.aliases())).as("the old entry gone, no pending one left")
        .doesNotContain("press-8.new").filteredOn(a -> a.startsWith("press-8")).containsExactly("press-8");

    Path taken = Files.createDirectories(dir.resolve("taken.pem").resolve("inside"));
    List<String> notKept = new ArrayList<>(renew);
    notKept.set(notKept.indexOf(pem.toString()), taken.getParent().toString());
    notKept.addAll(List.of("--alias", "press-8"));
    Cli.Result refused = mqttSec("", notKept.toArray(new String[0]));
    assertThat(refused.exit()).as("the copy of the chain cannot be written: a folder is in the way").isEqualTo(1);
    assertThat(refused.err()).startsWith("mqtt-sec: renewed, but not kept (java.nio.file.FileSystemException: ")
        .contains(taken.getParent() + ": Is a directory").endsWith("); the next run completes or repeats it\n");
    assertThat(token().getCertificateChain("press-8")[0]).as("the token as it was").isEqualTo(second);

    renew.add("--keep-key");
    Cli.Result kept = mqttSec("", renew.toArray(new String[0]));
    assertThat(kept.exit()).as(kept.err()).isZero();
    X509Certificate third = Pem.readCertificates(pem).get(0);
    assertThat(third.getPublicKey()).isEqualTo(second.getPublicKey());
    assertThat(token().getCertificateChain("press-8")[0]).isEqualTo(third);
  }

  @Test
  void anInterruptedRenewal_isCompletedOnTheNextRun() throws Exception {
    Path prefix = dir.resolve("press-9");
    Path pem = Path.of(prefix + ".pem");
    List<String> enroll = enrollInToken("press-9", prefix);
    assertThat(mqttSec(bootstrap("press-9"), enroll.toArray(new String[0])).exit()).isZero();
    // a renewal that kept its new key and certificate as press-9.new and stopped there: made with the library
    KeyStore held = token();
    java.security.KeyPair next = SoftHsm.ecKeys();
    X509Certificate current = (X509Certificate) held.getCertificateChain("press-9")[0];
    List<X509Certificate> chain = io.mqttsec.tls.EstClient.of(java.net.URI.create(base),
        io.mqttsec.tls.TlsContexts.forClient().trustedCertificates(caDir.resolve("ca.pem")).identity(
            (PrivateKey) held.getKey("press-9", null), List.of(current)).build()).reenroll(
        io.mqttsec.tls.CertificateRequest.der("press-9", next.getPublic(), next.getPrivate()));
    held.setKeyEntry("press-9.new", next.getPrivate(), null, chain.toArray(new java.security.cert.Certificate[0]));

    List<String> renew = renewInToken(pem);
    renew.addAll(List.of("--due", "1d"));
    Cli.Result completed = mqttSec("", renew.toArray(new String[0]));
    assertThat(completed.exit()).as(completed.err()).isZero();
    assertThat(completed.err()).isEqualTo("completed an interrupted renewal: \"press-9\" is the renewed key in the "
        + "token\n");
    assertThat(completed.out()).startsWith(pem + " is not due: it expires ");
    assertThat(Pem.readCertificates(pem).get(0)).isEqualTo(chain.get(0));
    held = token();
    assertThat(held.getCertificateChain("press-9")[0]).isEqualTo(chain.get(0));
    assertThat(held.containsAlias("press-9.new")).isFalse();
    assertThat(pairs((PrivateKey) held.getKey("press-9", null), chain.get(0))).isTrue();
  }

  @Test
  void badTokenInput_isRefusedWithWhatIsWrong() throws Exception {
    String caPem = caDir.resolve("ca.pem").toString();
    String[] enroll = {"cert", "enroll", "--server", base, "--ca", caPem, "--cn", "press-10", "--out",
        dir.resolve("press-10").toString(), "--password-stdin"};
    Path wrongPin = Files.writeString(dir.resolve("wrong-pin"), "0000\n");
    Cli.Result wrong = mqttSec("x\n", concat(enroll, "--pkcs11", config.toString(), "--pin-file",
        wrongPin.toString()));
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err()).startsWith("mqtt-sec: --pkcs11 " + config + ": the token refused the login (")
        .doesNotContain("0000");
    Path missing = dir.resolve("missing.cfg");
    assertThat(mqttSec("x\n", concat(enroll, "--pkcs11", missing.toString())).err()).isEqualTo("mqtt-sec: "
        + "--pkcs11 " + missing + ": no such file (the SunPKCS11 provider's configuration)\n");
    Path noLibrary = Files.writeString(dir.resolve("no-library.cfg"), "name = none\nlibrary = "
        + dir.resolve("libnone.so") + "\n");
    Cli.Result unreachable = mqttSec("x\n", concat(enroll, "--pkcs11", noLibrary.toString(), "--pin-file",
        pin.toString()));
    assertThat(unreachable.exit()).isEqualTo(2);
    assertThat(unreachable.err()).startsWith("mqtt-sec: --pkcs11 " + noLibrary + ": the token cannot be reached (");
    assertThat(Cli.run(concat(enroll, "--pin-file", pin.toString())).err()).isEqualTo("mqtt-sec: --pin-file is "
        + "for a key in a token: name its configuration with --pkcs11\n");
    assertThat(dir.resolve("press-10.key")).as("nothing written").doesNotExist();

    String[] renew = {"cert", "renew", "--server", base, "--ca", caPem, "--cert", dir.resolve("none.pem")
        .toString()};
    assertThat(Cli.run(renew).err()).isEqualTo("mqtt-sec: name the key: --key FILE, or --pkcs11 CONFIG for a key "
        + "in a token\n");
    assertThat(Cli.run(concat(renew, "--key", "k.pem", "--pkcs11", config.toString())).err()).isEqualTo(
        "mqtt-sec: name the key: --key FILE, or --pkcs11 CONFIG for a key in a token\n");
    Cli.Result none = mqttSec("", concat(renew, "--pkcs11", config.toString(), "--pin-file", pin.toString(),
        "--alias", "nothing"));
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).isEqualTo("mqtt-sec: the token holds no key \"nothing\" (--alias names it)\n");
  }

  /** {@code cert enroll} of {@code commonName} into the token, the password on standard input. */
  static List<String> enrollInToken(String commonName, Path prefix) {
    return new ArrayList<>(List.of("cert", "enroll", "--server", base, "--ca", caDir.resolve("ca.pem").toString(),
        "--cn", commonName, "--out", prefix.toString(), "--password-stdin", "--pkcs11", config.toString(),
        "--pin-file", pin.toString()));
  }

  /** {@code cert renew} of the token's entry for the CN of {@code pem}, which gets a copy of the chain. */
  static List<String> renewInToken(Path pem) {
    return new ArrayList<>(List.of("cert", "renew", "--server", base, "--ca", caDir.resolve("ca.pem").toString(),
        "--cert", pem.toString(), "--pkcs11", config.toString(), "--pin-file", pin.toString()));
  }

  static String[] concat(String[] first, String... more) {
    String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
