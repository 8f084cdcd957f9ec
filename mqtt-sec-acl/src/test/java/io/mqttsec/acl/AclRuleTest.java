/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.AclParseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule lines of a file, for tools, as the strict parser reads them. */
class AclRuleTest {

  @TempDir
  Path dir;

  @Test
  void readAll_listsRulesInFileOrder_withTheirBlock() throws Exception {
    Path file = Files.writeString(dir.resolve("acl.conf"), """
        # anonymous block
        topic read public/#
        user gw-01
        topic write factory/line-1/#
        pattern readwrite factory/%u/#
        user admin
        topic #
        """);
    assertThat(AclRule.readAll(file)).containsExactly(
        new AclRule(2, false, Optional.empty(), Access.READ, "public/#"),
        new AclRule(4, false, Optional.of("gw-01"), Access.WRITE, "factory/line-1/#"),
        new AclRule(5, true, Optional.empty(), Access.READWRITE, "factory/%u/#"),
        new AclRule(7, false, Optional.of("admin"), Access.READWRITE, "#"));
    assertThat(AclRule.readAll(file).get(2)).hasToString("pattern readwrite factory/%u/#");
  }

  @Test
  void readAll_brokenFile_failsLikeParse() throws Exception {
    Path file = Files.writeString(dir.resolve("acl.conf"), "topic read a/#\ntopic reed b\n");
    assertThatThrownBy(() -> AclRule.readAll(file)).isInstanceOf(AclParseException.class)
        .hasMessageStartingWith(file + ":2:7: unknown access \"reed\"");
  }
}
