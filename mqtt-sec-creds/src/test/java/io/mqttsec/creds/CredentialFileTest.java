/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.CredentialException;
import io.mqttsec.api.SecurityEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CredentialFileTest {

  static final String H1 = PasswordHashTest.MOSQUITTO_PBKDF2_1000; // "pass"
  static final String H6 = PasswordHashTest.MOSQUITTO_SHA512;      // "pass"
  static final PasswordHasher FAST = PasswordHasher.pbkdf2Sha512(1000);

  @TempDir
  Path dir;

  private Path write(String text) throws IOException {
    Path file = dir.resolve("passwd");
    Files.writeString(file, text, UTF_8);
    return file;
  }

  @Test
  void load_mosquittoFile_readsUsersCommentsAndBlankLines() throws IOException {
    Path file = write("# devices\n\nalice:" + H1 + "\r\nbob:" + H6 + "  \n");
    CredentialFile store = CredentialFile.load(file);
    assertThat(store.users()).containsExactly("alice", "bob");
    assertThat(store.lookup("alice").orElseThrow().hash().verify("pass".getBytes(UTF_8))).isTrue();
    assertThat(store.lookup("bob").orElseThrow().hash().algorithm()).isEqualTo(PasswordHash.Algorithm.SHA512);
    assertThat(store.lookup("carol")).isEmpty();
    assertThat(store).hasToString("CredentialFile{" + file + ", 2 users}");
  }

  @Test
  void load_rotationLine_readsPreviousHashAndExpiry() throws IOException {
    Path file = write("gw:" + H1 + ":" + H6 + ":2026-12-01T00:00:00Z\n");
    Credential c = CredentialFile.load(file).lookup("gw").orElseThrow();
    assertThat(c.previous()).contains(PasswordHash.parse(H6));
    assertThat(c.previousUntil()).contains(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(c.acceptsPrevious(Instant.parse("2026-11-30T23:59:59Z"))).isTrue();
    assertThat(c.acceptsPrevious(Instant.parse("2026-12-01T00:00:00Z"))).isFalse();
    assertThat(c.toString()).doesNotContain(H1.substring(8)).doesNotContain(H6.substring(4));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no colon           | alice             | 2:1: expected user:hash, found no ':' after the user name",
      "leading space      | ' alice:HASH'     | 2:1: user name starts with whitespace",
      "empty user         | :HASH             | 2:1: empty user name",
      "empty hash         | alice:            | 2:7: user \"alice\" has no password hash (an empty hash is never an empty password: CVE-2018-12551)",
      "empty hash, spaces | 'alice:   '       | 2:7: user \"alice\" has no password hash (an empty hash is never an empty password: CVE-2018-12551)",
      "plain text         | alice:secret      | 2:7: password hash of user \"alice\": password hash is not in a known form (expected $6$, $7$ or $argon2id$)",
      "control character  | 'al\tice:HASH'    | 2:3: user name contains the control character U+0009",
      "duplicate          | first:HASH        | 2:1: duplicate user \"first\" (first defined on line 1)",
      "rotation no expiry | alice:HASH:HASH   | 2:7: rotation for user \"alice\" needs an expiry: user:HASH:PREVIOUS_HASH:UNTIL, UNTIL like 2026-12-01T00:00:00Z",
      "bad expiry         | alice:HASH:HASH:tomorrow | 2:7: rotation expiry \"tomorrow\" for user \"alice\" is not an ISO-8601 instant like 2026-12-01T00:00:00Z",
      "bad previous       | alice:HASH:$7$x:2026-12-01T00:00:00Z | 2:7: password hash of user \"alice\": $7$ hash: expected the form $7$ITERATIONS$SALT$HASH with 4 '$'-separated fields, found 2",
  })
  void load_malformedLine_namesFileLineAndColumn(String kind, String line, String message) throws IOException {
    String text = "first:" + H1 + "\n" + line.replace("HASH", H1) + "\n";
    Path file = write(text);
    String expected = message;
    if (kind.equals("bad expiry")) {
      expected = "2:" + ("alice:" + H1 + ":" + H1 + ":").length() + 1 + message.substring(3);
      expected = "2:" + (("alice:" + H1 + ":" + H1 + ":").length() + 1) + message.substring(3);
    } else if (kind.equals("bad previous") || kind.equals("rotation no expiry")) {
      expected = "2:" + (("alice:" + H1 + ":").length() + 1) + message.substring(3);
    }
    String full = file + ":" + expected;
    assertThatThrownBy(() -> CredentialFile.load(file))
        .isInstanceOf(CredentialException.class)
        .hasMessage(full);
  }

  @Test
  void load_plainTextPassword_isNeverEchoed() throws IOException {
    Path file = write("alice:hunter2-top-secret\n");
    assertThatThrownBy(() -> CredentialFile.load(file))
        .isInstanceOf(CredentialException.class)
        .message().doesNotContain("hunter2");
  }

  @Test
  void load_invalidUtf8_namesLineAndColumn() throws IOException {
    Path file = dir.resolve("passwd");
    Files.write(file, ("ok:" + H1 + "\nal").getBytes(UTF_8));
    Files.write(file, new byte[] {(byte) 0xC3, 0x28, ':', 'x', '\n'}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> CredentialFile.load(file))
        .isInstanceOf(CredentialException.class)
        .hasMessage(file + ":2:3: invalid UTF-8");
  }

  @Test
  void load_missingFile_isAnError() {
    Path file = dir.resolve("nope");
    assertThatThrownBy(() -> CredentialFile.load(file))
        .isInstanceOf(CredentialException.class)
        .hasMessage(file + ": no such file");
  }

  @Test
  void load_lineOverLimit_saysTheLimit() throws IOException {
    Path file = write("a:" + "x".repeat(CredentialFile.MAX_LINE_CHARS) + "\n");
    assertThatThrownBy(() -> CredentialFile.load(file))
        .hasMessage(file + ":1:1: line is 16386 characters long, over the limit of 16384 characters per line");
  }

  @Property(tries = 1000)
  void parse_arbitraryBytes_throwsOnlyCredentialException(@ForAll byte[] bytes) {
    try {
      CredentialParser.parse(bytes, "fuzz");
    } catch (CredentialException expected) {
      assertThat(expected.getMessage()).startsWith("fuzz:");
    }
  }

  @Property(tries = 300)
  void parse_arbitraryUserAndHashText_throwsOnlyCredentialException(@ForAll String user, @ForAll String rest) {
    try {
      CredentialParser.parse((user + ":" + rest + "\n" + user + ":$7$" + rest).getBytes(UTF_8), "fuzz");
    } catch (CredentialException expected) {
      assertThat(expected.getMessage()).startsWith("fuzz:");
    }
  }

  @Test
  void putAll_addsEveryoneInOneWrite_orNobodyWhenAUserExists() throws IOException {
    Path file = write("# fleet\nalice:" + H1 + "\n");
    CredentialFile store = CredentialFile.builder(file).hasher(FAST).build();
    java.util.Map<String, PasswordHash> fleet = new java.util.LinkedHashMap<>();
    fleet.put("sensor_1", FAST.hash("s1".getBytes(UTF_8)));
    fleet.put("sensor_2", FAST.hash("s2".getBytes(UTF_8)));
    store.putAll(fleet, false);
    String[] lines = Files.readString(file).split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).isEqualTo("# fleet");
    assertThat(lines[1]).isEqualTo("alice:" + H1);
    assertThat(lines[2]).startsWith("sensor_1:$7$1000$");
    assertThat(lines[3]).startsWith("sensor_2:$7$1000$");
    assertThat(store.lookup("sensor_2").orElseThrow().hash().verify("s2".getBytes(UTF_8))).isTrue();

    String before = Files.readString(file);
    fleet.put("sensor_3", FAST.hash("s3".getBytes(UTF_8)));
    assertThatThrownBy(() -> store.putAll(fleet, false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": 2 user(s) already in the file, first \"sensor_1\"; nothing was written");
    assertThat(Files.readString(file)).isEqualTo(before);
    store.putAll(java.util.Map.of("sensor_1", FAST.hash("new".getBytes(UTF_8))), true);
    assertThat(store.lookup("sensor_1").orElseThrow().hash().verify("new".getBytes(UTF_8))).isTrue();
    assertThat(store.users()).containsExactlyInAnyOrder("alice", "sensor_1", "sensor_2");
  }

  @Test
  void put_keepsCommentsAndOtherLinesByteForByte() throws IOException {
    String before = "# factory hall 3\n\nalice:" + H1 + "\n  # indented note\nbob:" + H6 + "\n";
    Path file = write(before);
    CredentialFile store = CredentialFile.builder(file).hasher(FAST).build();
    store.put("carol", "c-pass".getBytes(UTF_8));
    store.put("alice", "new-pass".getBytes(UTF_8));
    String after = Files.readString(file);
    String[] lines = after.split("\n", -1);
    assertThat(lines[0]).isEqualTo("# factory hall 3");
    assertThat(lines[1]).isEmpty();
    assertThat(lines[2]).startsWith("alice:$7$1000$").isNotEqualTo("alice:" + H1);
    assertThat(lines[3]).isEqualTo("  # indented note");
    assertThat(lines[4]).isEqualTo("bob:" + H6);
    assertThat(lines[5]).startsWith("carol:$7$1000$");
    assertThat(lines).hasSize(7);
    assertThat(store.lookup("alice").orElseThrow().hash().verify("new-pass".getBytes(UTF_8))).isTrue();
    assertThat(CredentialFile.load(file).lookup("carol").orElseThrow().hash().verify("c-pass".getBytes(UTF_8)))
        .isTrue();
  }

  @Test
  void put_writesOwnerOnlyFileAndLeavesNoTemporaryFile() throws IOException {
    Path file = write("alice:" + H1 + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    CredentialFile.builder(file).hasher(FAST).build().put("bob", "b".getBytes(UTF_8));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("passwd");
    }
  }

  @Test
  void put_intoSymlinkedFile_writesTheTargetAndKeepsTheLink() throws IOException {
    Path real = dir.resolve("real-passwd");
    Files.writeString(real, "alice:" + H1 + "\n");
    Path link = Files.createSymbolicLink(dir.resolve("passwd"), real);
    CredentialFile.builder(link).hasher(FAST).build().put("bob", "b".getBytes(UTF_8));
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).contains("bob:$7$1000$");
  }

  @Test
  void put_badNames_areRefused() throws IOException {
    CredentialFile store = CredentialFile.builder(write("")).hasher(FAST).build();
    byte[] pw = "p".getBytes(UTF_8);
    assertThatThrownBy(() -> store.put("", pw)).hasMessage("a user name cannot be empty (an empty user name is anonymous)");
    assertThatThrownBy(() -> store.put("a:b", pw)).hasMessage("a user name cannot contain ':' (U+003A at index 1)");
    assertThatThrownBy(() -> store.put("a\nb", pw))
        .hasMessage("a user name cannot contain a control character (U+000A at index 1)");
    assertThatThrownBy(() -> store.put("#x", pw)).hasMessage("a user name cannot start with '#': the line would be a comment");
    assertThatThrownBy(() -> store.put(" x", pw)).hasMessage("a user name cannot start with a space");
    assertThat(store.size()).isZero();
  }

  @Test
  void put_whileTheFileIsBroken_refusesAndDoesNotOverwrite() throws IOException {
    Path file = write("alice:" + H1 + "\n");
    CredentialFile store = CredentialFile.builder(file).hasher(FAST).build();
    Files.writeString(file, "alice:" + H1 + "\nbroken line\n");
    assertThatThrownBy(() -> store.put("bob", "b".getBytes(UTF_8)))
        .isInstanceOf(CredentialException.class)
        .hasMessage(file + ":2:1: expected user:hash, found no ':' after the user name");
    assertThat(Files.readString(file)).endsWith("broken line\n");
  }

  @Test
  void put_missingFile_createsIt() {
    Path file = dir.resolve("new-passwd");
    assertThatThrownBy(() -> CredentialFile.load(file)).isInstanceOf(CredentialException.class);
    // A store needs a file to start from; creating one is the first write of provisioning.
    CredentialException e = org.junit.jupiter.api.Assertions.assertThrows(CredentialException.class,
        () -> CredentialFile.builder(file).build());
    assertThat(e).hasMessage(file + ": no such file");
  }

  @Test
  void remove_dropsTheUserAndReportsWhetherItWasThere() throws IOException {
    Path file = write("alice:" + H1 + "\nbob:" + H6 + "\n");
    CredentialFile store = CredentialFile.load(file);
    List<Set<String>> changes = new CopyOnWriteArrayList<>();
    store.onUsersChanged(changes::add);
    assertThat(store.remove("alice")).isTrue();
    assertThat(store.remove("alice")).isFalse();
    assertThat(Files.readString(file)).isEqualTo("bob:" + H6 + "\n");
    assertThat(store.users()).containsExactly("bob");
    assertThat(changes).containsExactly(Set.of("alice"));
  }

  @Test
  void rotate_keepsTheOldHashUntilTheDeadlineInOneWrite() throws IOException {
    TestClock clock = new TestClock();
    Path file = write("gw:" + H1 + "\n");
    CredentialFile store = CredentialFile.builder(file).hasher(FAST).clock(clock).build();
    Instant until = clock.instant().plus(Duration.ofDays(7));
    store.rotate("gw", "fresh".getBytes(UTF_8), until);
    String line = Files.readString(file).trim();
    assertThat(line).startsWith("gw:$7$1000$").endsWith(":" + H1 + ":" + until);
    Credential c = store.lookup("gw").orElseThrow();
    assertThat(c.hash().verify("fresh".getBytes(UTF_8))).isTrue();
    assertThat(c.previous().orElseThrow().verify("pass".getBytes(UTF_8))).isTrue();
    assertThatThrownBy(() -> store.rotate("nobody", "x".getBytes(UTF_8), until))
        .hasMessage(file + ": no user \"nobody\" to rotate");
    assertThatThrownBy(() -> store.rotate("gw", "x".getBytes(UTF_8), clock.instant()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reload_brokenFile_keepsLastGoodAndReportsIt() throws IOException {
    Path file = write("alice:" + H1 + "\n");
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    CredentialFile store = CredentialFile.builder(file).listener(events::add).build();
    Files.writeString(file, "alice:" + H1 + "\nmallory:\n");
    assertThat(store.reload()).isFalse();
    assertThat(store.users()).containsExactly("alice");
    assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(SecurityEvent.PolicyReloadFailed.class,
        e -> assertThat(e.error()).isEqualTo(file + ":2:9: user \"mallory\" has no password hash (an empty hash is"
            + " never an empty password: CVE-2018-12551)"));
    Files.writeString(file, "bob:" + H6 + "\n");
    assertThat(store.reload()).isTrue();
    assertThat(store.users()).containsExactly("bob");
    assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(SecurityEvent.PolicyReloaded.class,
        e -> assertThat(e.summary()).isEqualTo("1 user"));
  }

  @org.junit.jupiter.api.Test
  void aByteOrderMark_isRefused_notMadePartOfTheFirstUserName() throws Exception {
    Path file = dir.resolve("passwd-bom");
    java.nio.file.Files.writeString(file, "\uFEFFpress-1:" + PasswordHasher.pbkdf2Sha512(1000).hash(
        "secret".getBytes(java.nio.charset.StandardCharsets.UTF_8)).encoded() + "\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CredentialFile.load(file))
        .isInstanceOf(io.mqttsec.api.CredentialException.class).hasMessage(file + ":1:1: " + "the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one");
  }
}
