/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclCommandTest {

  @TempDir
  Path dir;
  Path acl;

  @BeforeEach
  void write() throws Exception {
    acl = Files.writeString(dir.resolve("acl.conf"), Demo.ACL);
  }

  @Test
  void check_printsTheDecidingRule_exit0OnAllow_1OnDeny() {
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "press-1", "--publish", "factory/press-1/temp"))
        .isEqualTo(new Cli.Result(0, "allow acl.conf:3 readwrite factory/%u/#\n", ""));
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "press-1", "--publish", "factory/press-2/temp"))
        .isEqualTo(new Cli.Result(1, "deny  no rule matched\n", ""));
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "dashboard", "--subscribe", "factory/#"))
        .isEqualTo(new Cli.Result(0, "allow acl.conf:11 read factory/#\n", ""));
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "press-1", "--client", "other", "--receive",
        "factory/press-1/cmd").exit()).as("%u is the user, not the client id").isZero();
  }

  @Test
  void check_subscribeModes_strictByDefault_filterOnDeliveryOnRequest() {
    // the dashboard may read factory/#, not the whole broker: strict refuses '#', filter-on-delivery grants it
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "dashboard", "--subscribe", "#").exit())
        .isEqualTo(1);
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "dashboard", "--subscribe", "#",
        "--filter-on-delivery")).isEqualTo(new Cli.Result(0, "allow acl.conf:11 read factory/#\n", ""));
  }

  @Test
  void check_badInput_exits2() throws Exception {
    Cli.Result topic = Cli.run("acl", "check", acl.toString(), "--user", "u", "--publish", "factory/+/temp");
    assertThat(topic.exit()).isEqualTo(2);
    assertThat(topic.err()).startsWith("mqtt-sec: invalid topic name \"factory/+/temp\": ");
    assertThat(Cli.run("acl", "check", acl.toString(), "--user", "u", "factory/x").exit())
        .as("no action").isEqualTo(2);
    Path broken = Files.writeString(dir.resolve("broken.conf"), "topic read a/#\n\nfrobnicate b\n");
    Cli.Result r = Cli.run("acl", "check", broken.toString(), "--user", "u", "--publish", "a/b");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("mqtt-sec: " + broken + ":3:1: unknown keyword \"frobnicate\"; expected user, "
        + "topic or pattern\n");
  }

  @Test
  void test_runsTheTable_failsOnAMismatch() throws Exception {
    Path good = Files.writeString(dir.resolve("cases.tsv"), """
        # user\tclient\taction\ttopic\texpected
        press-1\tpress-1\tpublish\tfactory/press-1/temp\tallow
        press-1\tpress-1\tpublish\tfactory/press-2/temp\tdeny
        dashboard\t-\tsubscribe\tfactory/#\tallow
        -\t-\tsubscribe\tfactory/#\tdeny
        """);
    assertThat(Cli.run("acl", "test", acl.toString(), good.toString()))
        .isEqualTo(new Cli.Result(0, "4 case(s), 4 passed, 0 failed\n", ""));
    Path bad = Files.writeString(dir.resolve("bad.tsv"), """
        press-1\tpress-1\tpublish\tfactory/press-1/temp\tallow
        dashboard\tdashboard\tpublish\tfactory/press-1/temp\tallow
        """);
    assertThat(Cli.run("acl", "test", acl.toString(), bad.toString())).isEqualTo(new Cli.Result(1,
        bad + ":2: FAIL dashboard publish factory/press-1/temp: expected allow, got deny  no rule matched\n"
            + "2 case(s), 1 passed, 1 failed\n", ""));
  }

  @Test
  void test_malformedTable_exits2NamingTheLine() throws Exception {
    Path fields = Files.writeString(dir.resolve("c1.tsv"), "press-1\tpress-1\tpublish\ta/b\tallow\npress-1 "
        + "publish a/b allow\n");
    assertThat(Cli.run("acl", "test", acl.toString(), fields.toString())).isEqualTo(new Cli.Result(2, "",
        "mqtt-sec: " + fields + ":2: expected 5 tab-separated fields (user, client, action, topic, allow|deny), "
            + "found 1\n"));
    Path action = Files.writeString(dir.resolve("c2.tsv"), "u\tc\tpub\ta/b\tallow\n");
    assertThat(Cli.run("acl", "test", acl.toString(), action.toString()).err()).isEqualTo("mqtt-sec: " + action
        + ":1: field 3: action \"pub\" is not publish, subscribe or receive\n");
    Path topic = Files.writeString(dir.resolve("c3.tsv"), "u\tc\tpublish\ta/#\tallow\n");
    assertThat(Cli.run("acl", "test", acl.toString(), topic.toString()).err()).startsWith("mqtt-sec: " + topic
        + ":1: field 4: invalid topic name \"a/#\"");
    Path verdict = Files.writeString(dir.resolve("c4.tsv"), "u\tc\tpublish\ta/b\tmaybe\n");
    assertThat(Cli.run("acl", "test", acl.toString(), verdict.toString()).exit()).isEqualTo(2);
    Path bom = Files.writeString(dir.resolve("c5.tsv"), "\uFEFFu\tc\tpublish\ta/b\tdeny\n");
    assertThat(Cli.run("acl", "test", acl.toString(), bom.toString()).err()).isEqualTo("mqtt-sec: " + bom
        + ":1:1: the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one\n");
  }

  @Test
  void lint_warnsAboutEachRisk_andPassesTheDemoAclWithItsAdmin() throws Exception {
    Path risky = Files.writeString(dir.resolve("risky.conf"), """
        pattern readwrite factory/%u/#
        pattern read status/all
        pattern write factory/dev-%u/cmd
        user ops
        topic readwrite #
        user gw-01
        topic write $SYS/broker/uptime
        topic readwrite line-1/#
        topic read line-1/press/temp
        topic deny line-1/press/#
        topic read line-1/press/temp/raw
        """);
    Cli.Result r = Cli.run("acl", "lint", risky.toString());
    assertThat(r.exit()).isEqualTo(1);
    String at = risky + ":";
    assertThat(r.out()).isEqualTo(String.join("\n",
        at + "2: warning: pattern without %u or %c applies to every client alike; write it as a topic line if that "
            + "is meant",
        at + "3: warning: \"dev-%u\" is not a whole level: the identity should fill a level on its own "
            + "(factory/%u/#), or one device's name can be a prefix of another's",
        at + "5: warning: grants '#' (every topic) to user ops; only an admin should have it (--admin names admins)",
        at + "7: warning: write access to $SYS lets user gw-01 forge the broker's own status topics",
        at + "9: warning: never decides: line 8 (topic readwrite line-1/#) grants everything it matches first",
        at + "11: warning: never decides: line 8 (topic readwrite line-1/#) grants everything it matches first",
        "6 warning(s)", ""));
    assertThat(Cli.run("acl", "lint", acl.toString(), "--admin", "admin"))
        .isEqualTo(new Cli.Result(0, "no warnings\n", ""));
  }
}
