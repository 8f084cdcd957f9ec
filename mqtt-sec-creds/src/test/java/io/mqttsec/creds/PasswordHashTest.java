/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.CredentialException;
import io.mqttsec.creds.internal.Pbkdf2Sha512;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordHashTest {

  // Written by mosquitto_passwd 2.0.11 (Debian 12): -H sha512-pbkdf2 (default), -H sha512, -I 1000.
  static final String MOSQUITTO_PBKDF2 = "$7$101$0I5n56V6wz6n9K/b$Xxv3sECb452jNLHj4Eta8lcDma/xTUCXwS2eKSXdB1bTPRx"
      + "+qClkOLzQQUV+XrTa0OxFaoL6l4u9Gz+E+5cPCg==";
  static final String MOSQUITTO_SHA512 = "$6$ZPPvkAQBqHjnDGht$034eRRkXP1g9qQwYihdtrVzu2CJ9bSo2Oyo/SxR9wK81uK+kkUhh"
      + "q0uAldzqgRFj3jYKVVa8Zw8sGbj/HoB+kQ==";
  static final String MOSQUITTO_PBKDF2_1000 = "$7$1000$NrdLzKyZ32g7ScOY$9UyPhgQWoWDWvWB2i7nKIo0PU4zoAbS9PzBD/4taZfw2"
      + "VNKwYZoLw1rh+7mkilSX4Wn/NkagfXz8lEdvP+32RA==";
  // libargon2's own test vectors (src/test.c), password "password", salt "somesalt".
  static final String ARGON2_64M = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  static final String ARGON2_256K = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

  @Test
  void verify_mosquittoPbkdf2Vector_matchesOnlyThePassword() {
    PasswordHash h = PasswordHash.parse(MOSQUITTO_PBKDF2);
    assertThat(h.algorithm()).isEqualTo(PasswordHash.Algorithm.PBKDF2_SHA512);
    assertThat(h.iterations()).isEqualTo(101);
    assertThat(h.saltBytes()).isEqualTo(12);
    assertThat(h.verify("sec:ret é".getBytes(UTF_8))).isTrue();
    assertThat(h.verify("sec:ret e".getBytes(UTF_8))).isFalse();
    assertThat(h.verify("sec:ret é ".getBytes(UTF_8))).isFalse();
  }

  @Test
  void verify_mosquittoSha512Vector_matchesOnlyThePassword() {
    PasswordHash h = PasswordHash.parse(MOSQUITTO_SHA512);
    assertThat(h.algorithm()).isEqualTo(PasswordHash.Algorithm.SHA512);
    assertThat(h.cost()).isEqualTo("1 round");
    assertThat(h.verify("pass".getBytes(UTF_8))).isTrue();
    assertThat(h.verify("Pass".getBytes(UTF_8))).isFalse();
  }

  @Test
  void verify_mosquittoPbkdf2With1000Iterations_matches() {
    PasswordHash h = PasswordHash.parse(MOSQUITTO_PBKDF2_1000);
    assertThat(h.iterations()).isEqualTo(1000);
    assertThat(h.verify("pass".getBytes(UTF_8))).isTrue();
    assertThat(h.verify("pas".getBytes(UTF_8))).isFalse();
  }

  @Test
  void verify_libargon2Vectors_match() {
    for (String encoded : new String[] {ARGON2_256K, ARGON2_64M}) {
      PasswordHash h = PasswordHash.parse(encoded);
      assertThat(h.algorithm()).isEqualTo(PasswordHash.Algorithm.ARGON2ID);
      assertThat(h.verify("password".getBytes(UTF_8))).as(encoded).isTrue();
      assertThat(h.verify("passwore".getBytes(UTF_8))).as(encoded).isFalse();
    }
    assertThat(PasswordHash.parse(ARGON2_64M).cost()).isEqualTo("m=65536 KiB, t=2, p=1");
  }

  @Test
  void verify_emptyOrNullPassword_neverMatches() {
    PasswordHash h = PasswordHasher.pbkdf2Sha512(10).hash("x".getBytes(UTF_8));
    assertThat(h.verify(new byte[0])).isFalse();
    assertThat(h.verify(null)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
      // password, salt, iterations, PBKDF2-HMAC-SHA512 from Python's hashlib (OpenSSL)
      "password, salt, 1, 867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce",
      "password, salt, 2, e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e",
      "passwordPASSWORDpassword, saltSALTsaltSALTsaltSALTsaltSALTsalt, 4096, 8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd9532fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b8",
  })
  void pbkdf2_knownVectors_match(String password, String salt, int iterations, String hex) {
    assertThat(Pbkdf2Sha512.derive(password.getBytes(UTF_8), salt.getBytes(UTF_8), iterations))
        .isEqualTo(HexFormat.of().parseHex(hex));
  }

  @Test
  void pbkdf2_passwordLongerThanABlock_isHashedFirst() {
    byte[] password = "x".repeat(200).getBytes(UTF_8);
    assertThat(Pbkdf2Sha512.derive(password, "saltsalt".getBytes(UTF_8), 3)).isEqualTo(HexFormat.of().parseHex(
        "9ca8f24218f8c4c0a76633d378b9ca06719e92fb5ce3fa1ee8fc50dfe2d6ab7fc0405730142943a4fe4fa407ca01d7a020e5db9fbba231e21bf1137e9b3e7d95"));
  }

  @Property(tries = 200)
  void pbkdf2_agreesWithTheJdk(@ForAll("ascii") String password, @ForAll @net.jqwik.api.constraints.Size(min = 1, max = 200) byte[] salt,
                               @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 50) int iterations) {
    byte[] pw = password.getBytes(UTF_8);
    assertThat(Pbkdf2Sha512.derive(pw, salt, iterations)).isEqualTo(Pbkdf2Sha512.deriveWithJdk(pw, salt, iterations));
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> ascii() {
    return net.jqwik.api.Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(300);
  }

  @Test
  void hasher_defaultPolicy_writes210000IterationsAnd64ByteSalt() {
    PasswordHash h = PasswordHasher.pbkdf2Sha512().hash("pw".getBytes(UTF_8));
    assertThat(h.encoded()).startsWith("$7$210000$");
    assertThat(h.saltBytes()).isEqualTo(64);
    PasswordHash parsed = PasswordHash.parse(h.encoded());
    assertThat(parsed).isEqualTo(h);
    assertThat(parsed.verify("pw".getBytes(UTF_8))).isTrue();
  }

  @Test
  void hasher_sameTwice_drawsNewSalt() {
    PasswordHasher hasher = PasswordHasher.pbkdf2Sha512(10);
    assertThat(hasher.hash("a".getBytes(UTF_8))).isNotEqualTo(hasher.hash("a".getBytes(UTF_8)));
  }

  @Test
  void hasher_argon2id_roundTripsInLibargon2Form() {
    PasswordHash h = PasswordHasher.argon2id(1024, 2, 1).hash("pw".getBytes(UTF_8));
    assertThat(h.encoded()).startsWith("$argon2id$v=19$m=1024,t=2,p=1$").doesNotContain("=$").doesNotEndWith("=");
    assertThat(PasswordHash.parse(h.encoded()).verify("pw".getBytes(UTF_8))).isTrue();
    assertThat(PasswordHash.parse(h.encoded()).verify("pv".getBytes(UTF_8))).isFalse();
  }

  @Test
  void hasher_mosquitto20Salt_writes12Bytes() {
    PasswordHash h = PasswordHasher.pbkdf2Sha512(1000).withSaltBytes(12).hash("pw".getBytes(UTF_8));
    assertThat(h.saltBytes()).isEqualTo(12);
    assertThat(h.encoded().split("\\$")[3]).hasSize(16);
  }

  @Test
  void hasher_emptyPassword_isRefused() {
    assertThatThrownBy(() -> PasswordHasher.pbkdf2Sha512(10).hash(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an empty password cannot be stored: it never matches");
  }

  @Test
  void isWeakerThan_followsAlgorithmAndCost() {
    PasswordHasher policy = PasswordHasher.pbkdf2Sha512();
    assertThat(PasswordHash.parse(MOSQUITTO_SHA512).isWeakerThan(policy)).isTrue();
    assertThat(PasswordHash.parse(MOSQUITTO_PBKDF2).isWeakerThan(policy)).isTrue();
    assertThat(PasswordHash.parse(MOSQUITTO_PBKDF2).isWeakerThan(PasswordHasher.pbkdf2Sha512(101))).isFalse();
    assertThat(PasswordHash.parse(ARGON2_64M).isWeakerThan(policy)).isFalse();
    assertThat(PasswordHash.parse(ARGON2_256K).isWeakerThan(policy)).isTrue();
    assertThat(PasswordHash.parse(ARGON2_64M).isWeakerThan(PasswordHasher.argon2id(65536, 3, 1))).isTrue();
    assertThat(PasswordHash.parse(MOSQUITTO_PBKDF2_1000).isWeakerThan(PasswordHasher.argon2id(65536, 2, 1))).isTrue();
  }

  @Test
  void toString_namesAlgorithmAndCostButNotTheHash() {
    PasswordHash h = PasswordHash.parse(MOSQUITTO_PBKDF2);
    assertThat(h).hasToString("PasswordHash{PBKDF2_SHA512, 101 iterations}");
    assertThat(PasswordHasher.pbkdf2Sha512()).hasToString("PasswordHasher{PBKDF2_SHA512, 210000 iterations, 64-byte salt}");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "secret                           | password hash is not in a known form (expected $6$, $7$ or $argon2id$)",
      "$5$abc$def                       | password hash is not in a known form (expected $6$, $7$ or $argon2id$)",
      "$7$101$AAAAAAAAAAAAAAAA          | $7$ hash: expected the form $7$ITERATIONS$SALT$HASH with 4 '$'-separated fields, found 3",
      "$7$0$AAAAAAAAAAAAAAAA$AAAA       | $7$ hash: iterations is 0, outside 1 to 10000000",
      "$7$10000001$AAAAAAAAAAAAAAAA$AAAA| $7$ hash: iterations is 10000001, outside 1 to 10000000",
      "$7$1e3$AAAAAAAAAAAAAAAA$AAAA     | $7$ hash: iterations must be a decimal number from 1 to 10000000",
      "$7$0101$AAAAAAAAAAAAAAAA$AAAA    | $7$ hash: iterations must be a decimal number from 1 to 10000000",
      "$7$101$!!!!$AAAA                 | $7$ hash: salt is not valid base64",
      "$7$101$AAAB$AAAA                 | $7$ hash: salt is 3 bytes, outside 8 to 64",
      "$7$101$AAAAAAAAAAAAAAAA$AAAA     | $7$ hash: hash is 3 bytes, expected 64",
      "$7$101$AAAAAAAAAAAAAAB$AAAA      | $7$ hash: salt is not canonical base64",
      "$6$AAAAAAAAAAAAAAAA$AAAA         | $6$ hash: hash is 3 bytes, expected 64",
      "$6$AAAAAAAAAAAAAAAA              | $6$ hash: expected the form $6$SALT$HASH with 3 '$'-separated fields, found 2",
      "$argon2id$v=16$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA | $argon2id$ hash: version must be v=19 (Argon2 1.3)",
      "$argon2id$v=19$t=1,m=8,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA | $argon2id$ hash: parameters must read m=KIB,t=PASSES,p=LANES",
      "$argon2id$v=19$m=4,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA | $argon2id$ hash: m is 4, outside 8 to 1048576",
      "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA | $argon2id$ hash: salt is not canonical base64 (argon2 encodes without '=' padding)",
  })
  void parse_malformed_saysWhatIsWrongWithoutEchoingIt(String encoded, String message) {
    assertThatThrownBy(() -> PasswordHash.parse(encoded))
        .isInstanceOf(CredentialException.class)
        .hasMessage(message);
  }

  @Property(tries = 2000)
  void parse_arbitraryText_throwsOnlyCredentialException(@ForAll String text) {
    for (String candidate : new String[] {text, "$7$" + text, "$6$" + text, "$argon2id$" + text}) {
      try {
        PasswordHash.parse(candidate);
      } catch (CredentialException expected) {
        // the documented failure
      }
    }
  }
}
