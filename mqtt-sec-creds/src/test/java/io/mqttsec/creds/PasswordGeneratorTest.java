/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {

  @Test
  void generate_default_is32UrlSafeCharactersFrom24Bytes() {
    try (Password pw = PasswordGenerator.create().generate()) {
      assertThat(pw.reveal()).hasSize(32).matches("[A-Za-z0-9_-]{32}");
      assertThat(pw.bytes()).hasSize(32);
    }
  }

  @Test
  void generate_manyTimes_neverRepeats() {
    PasswordGenerator generator = PasswordGenerator.create();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(generator.generate().reveal())).isTrue();
    }
  }

  @Test
  void generate_hashesAndVerifies() {
    try (Password pw = PasswordGenerator.withEntropyBytes(16).generate()) {
      assertThat(pw.length()).isEqualTo(22);
      assertThat(PasswordHasher.pbkdf2Sha512(10).hash(pw.bytes()).verify(pw.bytes())).isTrue();
    }
  }

  @Test
  void password_toStringIsRedacted_andCloseWipes() {
    Password pw = PasswordGenerator.create().generate();
    String text = pw.reveal();
    assertThat(pw.toString()).isEqualTo("Password[redacted, 32 bytes]").doesNotContain(text);
    pw.close();
    assertThatThrownBy(pw::reveal).isInstanceOf(IllegalStateException.class)
        .hasMessage("this password was wiped by close()");
  }

  @Test
  void close_overwritesTheBytesThemselves() {
    byte[] held = "192 random bits".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Password pw = new Password(held);
    assertThat(pw.bytes()).isEqualTo(held).isNotSameAs(held);
    pw.close();
    assertThat(held).containsOnly((byte) 0);
    assertThat(pw.length()).isEqualTo(15);
  }

  @Test
  void withEntropyBytes_belowTheFloor_isRefused() {
    assertThatThrownBy(() -> PasswordGenerator.withEntropyBytes(15))
        .hasMessage("entropy must be from 16 to 1024 bytes, not 15");
    assertThat(PasswordGenerator.create()).hasToString("PasswordGenerator{24 bytes of entropy, 32 characters}");
  }
}
