/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.AclParseException;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parser's limits at exactly their value and one past it, in a file and in text. */
class AclLimitsEdgesTest {

  @TempDir
  Path dir;

  @Test
  void aFileOfExactlyTheLimit_isRead_oneByteMoreIsRefused() throws Exception {
    String text = "topic readwrite a/#\n";
    AclLimits exact = AclLimits.builder().maxFileBytes(text.length()).build();
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, text);
    // a topic line before any user block is for anonymous clients, as in mosquitto
    assertThat(AclPolicy.parse(file, exact).check(ClientIdentity.of(null, "c"), Action.PUBLISH, "a/b").allowed())
        .isTrue();
    assertThat(AclPolicy.parse(text, "acl.conf", exact)).isNotNull();
    AclLimits under = AclLimits.builder().maxFileBytes(text.length() - 1).build();
    assertThatThrownBy(() -> AclPolicy.parse(file, under)).isInstanceOf(AclParseException.class)
        .hasMessageContaining("over the limit");
    assertThatThrownBy(() -> AclPolicy.parse(text, "acl.conf", under)).isInstanceOf(AclParseException.class);
  }

  @Test
  void aLineOfExactlyTheLimit_isRead_oneCharacterMoreIsRefused() {
    String line = "topic read a/#";
    AclLimits exact = AclLimits.builder().maxLineChars(line.length()).build();
    assertThat(AclPolicy.parse(line + "\r\n", "acl.conf", exact)).as("the CR is not counted").isNotNull();
    assertThatThrownBy(() -> AclPolicy.parse(line + "x\n", "acl.conf", exact)).isInstanceOf(AclParseException.class)
        .hasMessage("acl.conf:1: line is " + (line.length() + 1) + " characters long, over the limit of "
            + line.length() + " characters per line");
  }

  @Test
  void patternsCountTowardsTheRuleLimit() {
    AclLimits two = AclLimits.builder().maxRules(2).build();
    assertThat(AclPolicy.parse("pattern read a/%u\npattern read b/%u\n", "acl.conf", two)).isNotNull();
    assertThatThrownBy(() -> AclPolicy.parse("pattern read a/%u\npattern read b/%u\npattern read c/%u\n",
        "acl.conf", two)).isInstanceOf(AclParseException.class);
  }

  @Test
  void aReloadingAcl_answersAndPrints_withAndWithoutAView() throws Exception {
    Path file = dir.resolve("acl.conf");
    Files.writeString(file, "pattern readwrite factory/%u/#\n");
    try (ReloadingAcl acl = ReloadingAcl.watch(file, io.mqttsec.api.SecurityEventListener.none())) {
      ClientIdentity press = ClientIdentity.of("press-1", "c");
      assertThat(acl.authorize(press, Action.PUBLISH, "factory/press-1/t").allowed()).isTrue();
      assertThat(acl.authorize(press, Action.PUBLISH, "factory/press-2/t").denied()).isTrue();
      assertThat(acl.viewFor(press).authorize(Action.PUBLISH, "factory/press-1/t").allowed()).isTrue();
      assertThat(acl.toString()).contains("acl.conf");
      assertThat(acl.current().viewFor(press).toString()).startsWith("AclView{").contains("rules=1");
      assertThat(AclLimits.builder().maxRules(7).build().toString()).contains("maxRules=7");
    }
  }

  @Test
  void aTokenOfFortyCharacters_isQuotedWhole_aLongerOneIsCut() {
    String forty = "k".repeat(40);
    assertThatThrownBy(() -> AclPolicy.parse(forty + " u\n", "acl.conf")).hasMessage("acl.conf:1:1: unknown "
        + "keyword \"" + forty + "\"; expected user, topic or pattern");
    assertThatThrownBy(() -> AclPolicy.parse(forty + "x u\n", "acl.conf")).hasMessage("acl.conf:1:1: unknown "
        + "keyword \"" + forty + "\"...; expected user, topic or pattern");
  }

  @Test
  void upToSixteenPatterns_aViewListsThem_moreAndItKeepsThePolicysTries() {
    ClientIdentity who = ClientIdentity.of("u", "c");
    String sixteen = java.util.stream.IntStream.rangeClosed(1, 16).mapToObj(i -> "pattern read a/%u/" + i + "\n")
        .collect(java.util.stream.Collectors.joining());
    AclView listed = AclPolicy.parse(sixteen, "acl.conf").viewFor(who);
    assertThat(listed.size()).isEqualTo(16);
    AclView wide = AclPolicy.parse(sixteen + "pattern read a/%u/17\n", "acl.conf").viewFor(who);
    assertThat(wide.size()).isEqualTo(-1);
    assertThat(wide.authorize(Action.RECEIVE, "a/u/17").allowed()).isTrue();
    assertThat(listed.authorize(Action.RECEIVE, "a/u/16").allowed()).isTrue();
  }
}
