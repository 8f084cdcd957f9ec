/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistyped commands and unreadable files: one short wording everywhere, and only suggestions that are close. */
class UsageErrorsTest {

  @TempDir
  Path dir;

  @Test
  void aMistypedCommand_namesTheCommands_andSuggestsOnlyCloseOnes() {
    assertThat(Cli.run("brocker")).isEqualTo(new Cli.Result(2, "", """
        mqtt-sec: 'brocker' is not a command of mqtt-sec (passwd, acl, ca, cert, broker, hivemq, store)
        did you mean mqtt-sec broker?
        see 'mqtt-sec --help'
        """));
    assertThat(Cli.run("passwd", "ad", "f", "u").err()).isEqualTo("""
        mqtt-sec: 'ad' is not a command of mqtt-sec passwd (add, delete, verify, rotate, list, provision)
        did you mean mqtt-sec passwd add?
        see 'mqtt-sec passwd --help'
        """);
    assertThat(Cli.run("xyz").err()).isEqualTo("""
        mqtt-sec: 'xyz' is not a command of mqtt-sec (passwd, acl, ca, cert, broker, hivemq, store)
        see 'mqtt-sec --help'
        """);
  }

  @Test
  void aMistypedOption_isNamedWithTheCommand_andTheCloseOption() {
    assertThat(Cli.run("broker", "--prot", "1")).isEqualTo(new Cli.Result(2, "", """
        mqtt-sec: mqtt-sec broker has no option --prot
        did you mean --port?
        see 'mqtt-sec broker --help'
        """));
    assertThat(Cli.run("passwd", "add", "f", "u", "--gen").err()).isEqualTo("""
        mqtt-sec: mqtt-sec passwd add has no option --gen
        did you mean --generate?
        see 'mqtt-sec passwd add --help'
        """);
    assertThat(Cli.run("passwd", "add").err()).isEqualTo("""
        mqtt-sec: Missing required parameter: 'FILE USER'
        see 'mqtt-sec passwd add --help'
        """);
  }

  @Test
  void closest_keepsNamesWithinTwoEdits_orStartingWithWhatWasTyped() {
    List<String> commands = List.of("passwd", "acl", "ca", "cert", "broker", "hivemq");
    assertThat(MqttSecCommand.closest("brocker", commands)).containsExactly("broker");
    assertThat(MqttSecCommand.closest("cer", commands)).containsExactly("cert");
    assertThat(MqttSecCommand.closest("pass", commands)).containsExactly("passwd");
    assertThat(MqttSecCommand.closest("x", commands)).isEmpty();
    assertThat(MqttSecCommand.closest("--warndays", List.of("--warn-days", "--help"))).containsExactly("--warn-days");
  }

  @Test
  void aMissingFile_andAFolder_areWordedTheSameByEveryCommand() throws Exception {
    Path missing = dir.resolve("missing");
    Path folder = Files.createDirectories(dir.resolve("folder"));
    for (Path p : List.of(missing, folder)) {
      String expected = "mqtt-sec: " + p + ": " + (p == missing ? "no such file" : "is a folder, not a file") + "\n";
      assertThat(Cli.run("passwd", "list", p.toString())).isEqualTo(new Cli.Result(2, "", expected));
      assertThat(Cli.run("acl", "check", p.toString(), "--user", "a", "--publish", "t").err()).isEqualTo(expected);
      assertThat(Cli.run("acl", "lint", p.toString()).err()).isEqualTo(expected);
      assertThat(Cli.run("cert", "check", p.toString()).err()).isEqualTo(expected);
      assertThat(Cli.run("hivemq", "keystore", "--cert", p.toString(), "--key", p.toString(), "--out",
          dir.toString()).err()).isEqualTo(expected);
    }
  }
}
