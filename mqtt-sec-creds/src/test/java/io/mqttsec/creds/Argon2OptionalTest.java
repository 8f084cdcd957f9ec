/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** BouncyCastle is optional: without it on the class path, only {@code $argon2id$} is refused, and says why. */
class Argon2OptionalTest {

  @Test
  void withoutBouncyCastle_pbkdf2Works_andArgon2IsRefusedWithWhatToAdd() throws Exception {
    String argon2 = PasswordHasher.argon2id(64, 1, 1).hash("secret".getBytes(StandardCharsets.UTF_8)).encoded();
    List<String> path = new ArrayList<>();
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
        if (!entry.isEmpty() && !entry.contains("bcprov") && !entry.contains("bouncycastle")) {
          path.add(entry);
        }
      }
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        String.join(File.pathSeparator, path), WithoutBouncyCastle.class.getName(), argon2)
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).as(out).isEqualTo("""
        pbkdf2 true
        argon2 refused: %1$s
        hasher refused: %1$s
        file refused: passwd:2:9: password hash of user "press-2": %1$s
        """.formatted(Argon2.MISSING));
  }
}
