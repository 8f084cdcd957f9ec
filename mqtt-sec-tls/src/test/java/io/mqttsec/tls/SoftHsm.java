/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One SoftHSM2 token for the JVM (the only one in its token folder, so slot 0), under
 * {@code target/softhsm-tokens}, reached through the JDK's own {@code SunPKCS11} provider: keys generated in it are token objects, sensitive and not extractable, so the tests
 * prove a key that never leaves. {@code SOFTHSM2_CONF} (set by the module's surefire configuration) names the
 * configuration file, which must exist before the library is loaded; {@code ./run-tests} installs SoftHSM2.
 */
public final class SoftHsm {

  public static final String LABEL = "mqtt-sec-test";
  public static final char[] PIN = "4711".toCharArray();
  private static Provider provider;

  private SoftHsm() {
  }

  /** The provider, logged in to a fresh token (made on first use). */
  public static synchronized Provider provider() throws Exception {
    if (provider != null) {
      return provider;
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    assertThat(conf).as("SOFTHSM2_CONF (the module's surefire configuration sets it)").isNotNull();
    Path library = Stream.of("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so").map(Path::of).filter(Files::exists).findFirst()
        .orElseThrow(() -> new AssertionError("SoftHSM2 is not installed (./run-tests installs softhsm2)"));
    Path tokens = Path.of(conf).resolveSibling("softhsm-tokens");
    if (Files.exists(tokens)) {
      try (Stream<Path> old = Files.walk(tokens)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(tokens);
    Files.writeString(Path.of(conf), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
        + "log.level = ERROR\n");
    Process init = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", LABEL, "--so-pin",
        "123456", "--pin", new String(PIN)).redirectErrorStream(true).start();
    assertThat(init.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(init.exitValue()).as(new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    Path config = Files.writeString(tokens.resolveSibling("sunpkcs11.cfg"), String.join("\n", List.of(
        "name = SoftHSM", "library = " + library, "slotListIndex = 0",
        "attributes(generate, CKO_PRIVATE_KEY, *) = {", "  CKA_TOKEN = true", "  CKA_SENSITIVE = true",
        "  CKA_EXTRACTABLE = false", "}", "attributes(generate, CKO_PUBLIC_KEY, *) = {", "  CKA_TOKEN = true",
        "}", "")));
    Provider p = Security.getProvider("SunPKCS11").configure(config.toString());
    KeyStore.getInstance("PKCS11", p).load(null, PIN); // logs in
    // installed, as an application does: the JDK finds the provider of a key among the installed ones when it signs
    // (JSSE in a handshake, BouncyCastle's signer, a certificate request)
    Security.addProvider(p);
    provider = p;
    return p;
  }

  /** A new EC P-256 key pair made inside the token. */
  public static KeyPair ecKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider());
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }
}
