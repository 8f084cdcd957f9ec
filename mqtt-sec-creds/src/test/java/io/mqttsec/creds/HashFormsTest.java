/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.CredentialException;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Every bound of the hash forms and of the hasher policies, at its edge and one past it: a hash line a file may
 * hold, and one it may not, so a truncated or forged line never becomes a weak credential.
 */
class HashFormsTest {

  static String b64(int bytes) {
    return Base64.getEncoder().encodeToString(new byte[bytes]);
  }

  static String b64Bare(int bytes) {
    return Base64.getEncoder().withoutPadding().encodeToString(new byte[bytes]);
  }

  @Test
  void pbkdf2Iterations_fromOneToTheMaximum_asCanonicalDecimals() {
    String tail = "$" + b64(12) + "$" + b64(64);
    assertThat(PasswordHash.parse("$7$1" + tail).iterations()).isEqualTo(1);
    assertThat(PasswordHash.parse("$7$1009" + tail).iterations()).isEqualTo(1009);
    assertThat(PasswordHash.parse("$7$" + PasswordHash.MAX_PBKDF2_ITERATIONS + tail).iterations())
        .isEqualTo(PasswordHash.MAX_PBKDF2_ITERATIONS);
    assertThatThrownBy(() -> PasswordHash.parse("$7$" + (PasswordHash.MAX_PBKDF2_ITERATIONS + 1) + tail))
        .isInstanceOf(CredentialException.class).hasMessage("$7$ hash: iterations is 10000001, outside 1 to "
            + "10000000");
    assertThatThrownBy(() -> PasswordHash.parse("$7$0" + tail)).hasMessageContaining("is 0, outside 1");
    assertThatThrownBy(() -> PasswordHash.parse("$7$1000000000" + tail)).as("ten digits: a number, too big")
        .hasMessageContaining("is 1000000000, outside");
    assertThatThrownBy(() -> PasswordHash.parse("$7$10000000000" + tail)).as("eleven digits")
        .hasMessageContaining("must be a decimal number");
    assertThatThrownBy(() -> PasswordHash.parse("$7$0101" + tail)).hasMessageContaining("must be a decimal number");
  }

  @Test
  void salts_fromEightTo64Bytes_inEveryForm() {
    String hash512 = b64(64);
    assertThat(PasswordHash.parse("$6$" + b64(8) + "$" + hash512).saltBytes()).isEqualTo(8);
    assertThat(PasswordHash.parse("$6$" + b64(64) + "$" + hash512).saltBytes()).isEqualTo(64);
    assertThatThrownBy(() -> PasswordHash.parse("$6$" + b64(7) + "$" + hash512)).isInstanceOf(
        CredentialException.class).hasMessage("$6$ hash: salt is 7 bytes, outside 8 to 64");
    assertThatThrownBy(() -> PasswordHash.parse("$6$" + b64(65) + "$" + hash512))
        .hasMessage("$6$ hash: salt is 65 bytes, outside 8 to 64");

    String params = "$argon2id$v=19$m=19456,t=2,p=1$";
    assertThat(PasswordHash.parse(params + b64Bare(16) + "$" + b64Bare(32)).memoryKib()).isEqualTo(19456);
    assertThat(PasswordHash.parse(params + b64Bare(16) + "$" + b64Bare(32)).parallelism()).isEqualTo(1);
    assertThatThrownBy(() -> PasswordHash.parse(params + b64Bare(7) + "$" + b64Bare(32)))
        .hasMessage("$argon2id$ hash: salt is 7 bytes, outside 8 to 64");
    assertThatThrownBy(() -> PasswordHash.parse(params + b64Bare(16) + "$" + b64Bare(15)))
        .hasMessageContaining("$argon2id$ hash:");
    assertThatThrownBy(() -> PasswordHash.parse(params + b64Bare(16) + "$" + b64Bare(65)))
        .hasMessageContaining("$argon2id$ hash:");
    assertThat(PasswordHash.parse(params + b64Bare(16) + "$" + b64Bare(16))).isNotNull();
    assertThat(PasswordHash.parse(params + b64Bare(16) + "$" + b64Bare(64))).isNotNull();
    assertThat(PasswordHash.parse("$argon2id$v=19$m=16,t=1,p=2$" + b64Bare(16) + "$" + b64Bare(32)).memoryKib())
        .as("8 KiB a lane, the least").isEqualTo(16);
    assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=15,t=1,p=2$" + b64Bare(16) + "$"
        + b64Bare(32))).hasMessageContaining("m is 15, outside 16");
  }

  @Test
  void hasherPolicies_acceptTheirBounds_andRefuseOnePast() {
    assertThat(PasswordHasher.pbkdf2Sha512(1)).isNotNull();
    assertThat(PasswordHasher.pbkdf2Sha512(PasswordHash.MAX_PBKDF2_ITERATIONS)).isNotNull();
    assertThatThrownBy(() -> PasswordHasher.pbkdf2Sha512(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PasswordHasher.pbkdf2Sha512(PasswordHash.MAX_PBKDF2_ITERATIONS + 1))
        .isInstanceOf(IllegalArgumentException.class);
    PasswordHasher fast = PasswordHasher.pbkdf2Sha512(1000);
    assertThat(fast.withSaltBytes(8).saltBytes()).isEqualTo(8);
    assertThat(fast.withSaltBytes(64).saltBytes()).isEqualTo(64);
    assertThatThrownBy(() -> fast.withSaltBytes(7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fast.withSaltBytes(65)).isInstanceOf(IllegalArgumentException.class);
    if (Argon2.available()) {
      assertThat(PasswordHasher.argon2id(8, 1, 1).memoryKib()).isEqualTo(8);
      assertThat(PasswordHasher.argon2id(16, 1, 2).parallelism()).isEqualTo(2);
      assertThat(PasswordHasher.argon2id(16, PasswordHash.MAX_ARGON2_ITERATIONS, 16 / 8)).isNotNull();
      assertThatThrownBy(() -> PasswordHasher.argon2id(15, 1, 2)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("memory must be from 16 to 1048576 KiB, not 15");
      assertThat(PasswordHasher.argon2id(PasswordHash.MAX_ARGON2_MEMORY_KIB, 1, 1)).isNotNull();
      assertThatThrownBy(() -> PasswordHasher.argon2id(PasswordHash.MAX_ARGON2_MEMORY_KIB + 1, 1, 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> PasswordHasher.argon2id(8, 0, 1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> PasswordHasher.argon2id(8, PasswordHash.MAX_ARGON2_ITERATIONS + 1, 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> PasswordHasher.argon2id(8 * 17, 1, 17)).isInstanceOf(IllegalArgumentException.class);
      assertThat(PasswordHasher.argon2id(8 * 16, 1, 16).parallelism()).isEqualTo(16);
      assertThatThrownBy(() -> PasswordHasher.argon2id(8, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void valuesHashAndPrintWithoutTheirSecrets() {
    PasswordHash a = PasswordHasher.pbkdf2Sha512(1000).hash("pass".getBytes(UTF_8));
    PasswordHash b = PasswordHash.parse(a.encoded());
    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.hashCode()).isNotEqualTo(PasswordHasher.pbkdf2Sha512(1000).hash("pass".getBytes(UTF_8))
        .hashCode());
    Credential c = new Credential("alice", a, null, null);
    Credential same = new Credential("alice", b, null, null);
    assertThat(c).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(c.toString()).contains("alice").doesNotContain(a.encoded());
    Credential rotating = new Credential("alice", a, b, java.time.Instant.parse("2026-12-09T00:00:00Z"));
    assertThat(rotating.toString()).contains("2026-12-09T00:00:00Z").doesNotContain(b.encoded());
    assertThat(PasswordHasher.pbkdf2Sha512(1000).parallelism()).isZero();
    assertThat(a.memoryKib()).isZero();
    assertThat(PasswordGenerator.withEntropyBytes(16).entropyBytes()).isEqualTo(16);
    assertThatThrownBy(() -> PasswordGenerator.withEntropyBytes(15)).isInstanceOf(IllegalArgumentException.class);
    assertThat(BruteForceGuard.builder().accountFailureLimit(5).addressBlock(Duration.ofMinutes(1))
        .maxTrackedEntries(10).build()).isNotNull();
    assertThat(BruteForceGuard.withDefaults().toString()).startsWith("BruteForceGuard{");
  }
}
