/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.AclParseException;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict parser: every malformed line is an error with {@code source:line:column} and what is wrong. */
class AclParserTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "usr alice                     | acl.conf:2:1: unknown keyword \"usr\"; expected user, topic or pattern",
      "user                          | acl.conf:2:5: user line has no user name",
      "user   \t                     | acl.conf:2:5: user line has no user name",
      "topic                         | acl.conf:2:6: topic line has no topic filter",
      "pattern read                  | acl.conf:2:13: pattern line has the access word \"read\" but no topic filter",
      "topic reed a/b                | acl.conf:2:7: unknown access \"reed\"; expected read, write, readwrite or deny (a filter with spaces needs the access word first)",
      "topic my topic                | acl.conf:2:7: unknown access \"my\"; expected read, write, readwrite or deny (a filter with spaces needs the access word first)",
      "topic read a/#/b              | acl.conf:2:14: topic filter \"a/#/b\": '#' at index 2 must be the last level",
      "  topic  read  sport/tennis#  | acl.conf:2:26: topic filter \"sport/tennis#\": '#' at index 12 must occupy a whole level",
      "pattern write a/b+            | acl.conf:2:18: topic filter \"a/b+\": '+' at index 3 must occupy a whole level",
      "Topic read a                  | acl.conf:2:1: unknown keyword \"Topic\"; expected user, topic or pattern",
  })
  void parse_malformedLine_reportsLocationAndRule(String line, String message) {
    String text = "# header\n" + line.stripTrailing() + "\ntopic read ok\n";
    assertThatThrownBy(() -> AclPolicy.parse(text, "acl.conf"))
        .isInstanceOf(AclParseException.class)
        .hasMessage(message);
  }

  @Test
  void parse_errorCarriesLineAndColumn() {
    AclParseException e = (AclParseException) org.assertj.core.api.Assertions.catchThrowable(
        () -> AclPolicy.parse("user a\n\ntopic read a/#/b", "acl.conf"));
    assertThat(e.source()).isEqualTo("acl.conf");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(14);
  }

  @Test
  void parse_tabsCrLfIndentationAndFilterWithSpaces_accepted() {
    AclPolicy p = AclPolicy.parse("user\tline 7 gw\r\n\ttopic\treadwrite\tplant floor/+/state  \r\n  # note\r\n", "a");
    ClientIdentity gw = ClientIdentity.of("line 7 gw", "c");
    assertThat(p.check(gw, Action.PUBLISH, "plant floor/x/state").reason()).isEqualTo("a:2 readwrite plant floor/+/state");
  }

  @Test
  void parse_missingAccessWord_meansReadwrite() {
    AclPolicy p = AclPolicy.parse("user u\ntopic a/b", "a");
    assertThat(p.check(ClientIdentity.of("u", "c"), Action.PUBLISH, "a/b").reason()).isEqualTo("a:2 readwrite a/b");
    assertThat(p.check(ClientIdentity.of("u", "c"), Action.RECEIVE, "a/b").allowed()).isTrue();
  }

  @Test
  void parse_invalidUtf8_reportsLineAndColumn() throws Exception {
    Path file = dir.resolve("acl.conf");
    byte[] head = "user a\ntopic read fá".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[head.length + 3];
    System.arraycopy(head, 0, bytes, 0, head.length);
    bytes[head.length] = (byte) 0xC3; // a lead byte followed by ASCII: malformed
    bytes[head.length + 1] = 'x';
    bytes[head.length + 2] = '\n';
    Files.write(file, bytes);
    assertThatThrownBy(() -> AclPolicy.parse(file))
        .hasMessage(file + ":2:14: invalid UTF-8: byte 0xC3 does not form a valid character");
  }

  @Test
  void parse_byteOrderMark_refusedWithAdvice() {
    assertThatThrownBy(() -> AclPolicy.parse("\uFEFFuser a", "acl.conf"))
        .hasMessage("acl.conf:1:1: the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one");
  }

  @Test
  void parse_limits_nameValueLimitAndSetting() throws Exception {
    AclLimits small = AclLimits.builder().maxLineChars(20).maxRules(2).maxLevels(3).maxFileBytes(100).build();
    assertThatThrownBy(() -> AclPolicy.parse("user a\ntopic read " + "x".repeat(30), "acl.conf", small))
        .hasMessage("acl.conf:2: line is 41 characters long, over the limit of 20 characters per line");
    assertThatThrownBy(() -> AclPolicy.parse("topic a\ntopic b\ntopic c", "acl.conf", small))
        .hasMessage("acl.conf:3: more than 2 rules, over the limit for an ACL file");
    assertThatThrownBy(() -> AclPolicy.parse("topic a/b/c/d", "acl.conf", small))
        .hasMessage("acl.conf:1:12: topic filter \"a/b/c/d\": has more than 3 levels (the level limit, maxLevels, is 3)");
    Path big = dir.resolve("big.conf");
    Files.writeString(big, "# " + "x".repeat(200));
    assertThatThrownBy(() -> AclPolicy.parse(big, small))
        .hasMessage(big + ": file is 202 bytes, over the limit of 100 bytes for an ACL file");
    // The level limit also applies to checked topics.
    AclPolicy p = AclPolicy.parse("topic #", "acl.conf", small);
    assertThat(p.check(ClientIdentity.of(null, "c"), Action.RECEIVE, "a/b/c").allowed()).isTrue();
    assertThat(p.check(ClientIdentity.of(null, "c"), Action.RECEIVE, "a/b/c/d").reason()).isEqualTo("invalid topic name");
  }

  @Test
  void limits_builderFailsFast() {
    AclLimits.Builder b = AclLimits.builder().maxRules(5000);
    assertThatThrownBy(() -> b.maxRules(10)).isInstanceOf(IllegalStateException.class)
        .hasMessage("maximum rules was already set to 5000");
    assertThatThrownBy(() -> b.maxLevels(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLevels must be at least 1, was 0");
    AclLimits.Builder each = AclLimits.builder().maxFileBytes(1).maxLineChars(1).maxLevels(1);
    assertThatThrownBy(() -> each.maxFileBytes(2)).hasMessage("maximum file bytes was already set to 1");
    assertThatThrownBy(() -> each.maxLineChars(2)).hasMessage("maximum line characters was already set to 1");
    assertThatThrownBy(() -> each.maxLevels(2)).hasMessage("maximum levels was already set to 1");
    AclLimits ones = each.maxRules(1).build();
    assertThat(List.of(ones.maxFileBytes(), (long) ones.maxLineChars(), (long) ones.maxRules(),
        (long) ones.maxLevels())).containsOnly(1L);
  }

  @Test
  void parse_missingFile_namesPath() {
    Path missing = dir.resolve("nope.conf");
    assertThatThrownBy(() -> AclPolicy.parse(missing)).hasMessage(missing + ": no such file");
  }

  @Test
  void parse_file_usesFileNameInReasons() throws Exception {
    Path file = dir.resolve("factory.acl");
    Files.writeString(file, "user u\ntopic read a/#\n");
    AclPolicy p = AclPolicy.parse(file);
    assertThat(p.check(ClientIdentity.of("u", "c"), Action.RECEIVE, "a/b").reason()).isEqualTo("factory.acl:2 read a/#");
    assertThat(p.source()).isEqualTo("factory.acl");
  }

  @Provide
  Arbitrary<String> noise() {
    Arbitrary<String> words = Arbitraries.of("user", "topic", "pattern", "read", "write", "readwrite", "deny", "a/#",
        "+", "#", "a/#/b", "%u", " ", "\t", "\n", "\r\n", "\u0000", "\uD800", "é", "$SYS/#");
    return Arbitraries.oneOf(words, Arbitraries.strings().ofMaxLength(5)).list().ofMaxSize(20)
        .map(parts -> String.join("", parts));
  }

  @Property(tries = 3000)
  void parse_arbitraryText_throwsOnlyAclParseException(@ForAll("noise") String text) {
    assertThatCode(() -> {
      try {
        AclPolicy.parse(text, "fuzz");
      } catch (AclParseException expected) {
        assertThat(expected.getMessage()).startsWith("fuzz:");
      }
    }).doesNotThrowAnyException();
  }
}
