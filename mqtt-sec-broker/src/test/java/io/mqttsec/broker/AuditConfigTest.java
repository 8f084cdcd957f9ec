/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code <audit>} and {@code <detection>} of mqtt-sec.xml. */
class AuditConfigTest {

  @TempDir
  Path dir;

  @BeforeEach
  void acl() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("passwd"), "");
  }

  private BrokerConfig read(String body) throws Exception {
    return BrokerConfig.read(Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec><acl-file>acl.conf"
        + "</acl-file><password-file>passwd</password-file>" + body + "</mqtt-sec>"));
  }

  private List<String> problems(String body) {
    try {
      read(body);
    } catch (BrokerConfig.InvalidConfigException e) {
      return e.problems();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no problem found in " + body);
  }

  @Test
  void withoutAudit_linesGoToTheLogInMqttSecFormat_andEveryRuleIsOn() throws Exception {
    BrokerConfig c = read("");
    assertThat(c.audits()).containsExactly(AuditOutput.log(AuditFormat.MQTT_SEC));
    assertThat(c.logAuditFormat()).contains(AuditFormat.MQTT_SEC);
    assertThat(c.auditFiles()).isEmpty();
    assertThat(c.detection()).isSameAs(Detection.DEFAULT);
  }

  @Test
  void audits_inSeveralFormats() throws Exception {
    BrokerConfig c = read("""
        <audit format="ecs" file="audit/ecs.jsonl" max-file-bytes="1048576" keep-files="2"/>
        <audit format="ocsf" file="ocsf.jsonl"/>
        <audit format="OCSF"/>
        """.replace("audit/ecs", "ecs"));
    assertThat(c.audits()).containsExactly(
        new AuditOutput(AuditFormat.ECS, Optional.of(dir.resolve("ecs.jsonl")), 1_048_576, 2),
        AuditOutput.file(AuditFormat.OCSF, dir.resolve("ocsf.jsonl")),
        AuditOutput.log(AuditFormat.OCSF));
    assertThat(c.logAuditFormat()).contains(AuditFormat.OCSF);
    assertThat(c.auditFiles()).hasSize(2);
  }

  @Test
  void onlyFiles_leaveTheLogWithoutAuditLines() throws Exception {
    assertThat(read("<audit format=\"ecs\" file=\"a.jsonl\"/>").logAuditFormat()).isEmpty();
  }

  @Test
  void badAudits_areEachNamed() {
    assertThat(problems("""
        <audit format="cef"/>
        <audit colour="red" file="a.jsonl"/>
        <audit file="a.jsonl"/>
        <audit file="no-such-folder/a.jsonl"/>
        <audit file="b.jsonl" max-file-bytes="10" keep-files="many"/>
        <audit max-file-bytes="2048"/>
        <audit/>
        """)).containsExactly(
        "<audit format=\"cef\">: not mqtt-sec, ecs or ocsf",
        "<audit>: unknown attribute colour (known: file, format, keep-files, max-file-bytes)",
        "<audit file=\"a.jsonl\">: given twice",
        "<audit>: the folder of " + dir.resolve("no-such-folder/a.jsonl") + " does not exist",
        "<audit max-file-bytes=\"10\">: must be a whole number of bytes, 1024 at least",
        "<audit keep-files=\"many\">: must be a whole number from 0 to 1000",
        "<audit>: max-file-bytes and keep-files need file=",
        "<audit>: only one <audit> may go to the broker's log (the others need file=)");
  }

  @Test
  void detection_overridesEachRule() throws Exception {
    Detection d = read("""
        <detection max-tracked="5000">
          <brute-force window="PT5M"/>
          <new-address ipv4-prefix="16" ipv6-prefix="48"/>
          <connection-spike interval="PT5S" factor="3.5" minimum="20" warm-up="PT0S"/>
          <denial-burst enabled="false"/>
        </detection>
        """).detection();
    assertThat(d.bruteForce()).contains(new Detection.BruteForce(10, Duration.ofMinutes(5)));
    assertThat(d.newAddress()).contains(new Detection.NewAddress(16, 48));
    assertThat(d.connectionSpike()).contains(new Detection.ConnectionSpike(Duration.ofSeconds(5), 3.5, 20,
        Duration.ZERO));
    assertThat(d.denialBurst()).isEmpty();
    assertThat(d.maxTracked()).isEqualTo(5000);
    assertThat(read("<detection enabled=\"false\"/>").detection()).isSameAs(Detection.NONE);
  }

  @Test
  void badDetection_isNamed() {
    assertThat(problems("""
        <detection max-tracked="0">
          <brute-force failures="ten" window="1 minute"/>
          <new-address ipv4-prefix="33"/>
          <connection-spike factor="0.5" interval="PT0S"/>
          <denial-burst enabled="maybe" limit="3"/>
          <denial-burst/>
          <honeypot/>
        </detection>
        """)).containsExactly(
        "<detection max-tracked=\"0\">: must be a whole number from 1 to 10000000",
        "<detection><brute-force failures=\"ten\">: must be a whole number from 1 to 10000",
        "<detection><brute-force window=\"1 minute\">: not a duration (such as 30d, 12h, 90m, 45s, 500ms, 1h30m, "
            + "or ISO-8601 P1D, PT2S)",
        "<detection><new-address ipv4-prefix=\"33\">: must be a whole number from 1 to 32",
        "<detection><connection-spike interval=\"PT0S\">: must be longer than zero",
        "<detection><connection-spike factor=\"0.5\">: must be a number from 1 to 1000",
        "<detection><denial-burst>: unknown attribute limit (known: denials, enabled, window)",
        "<detection><denial-burst enabled=\"maybe\">: not true or false",
        "<detection><denial-burst>: given twice",
        "<detection>: unknown element <honeypot> (known: brute-force, connection-spike, denial-burst, "
            + "new-address)");
  }

  @Test
  void aCommandLine_addsAFile_keepingTheRest() throws Exception {
    BrokerConfig c = read("<audit format=\"ocsf\" file=\"ocsf.jsonl\"/><detection enabled=\"false\"/>");
    BrokerConfig more = c.withAudit(AuditOutput.file(AuditFormat.ECS, dir.resolve("audit.jsonl")));
    assertThat(more.audits()).containsExactly(AuditOutput.file(AuditFormat.OCSF, dir.resolve("ocsf.jsonl")),
        AuditOutput.file(AuditFormat.ECS, dir.resolve("audit.jsonl")));
    assertThat(more.detection()).isSameAs(Detection.NONE);
    assertThat(more.aclFile()).isEqualTo(c.aclFile());
    assertThat(more.passwordFile()).isEqualTo(c.passwordFile());
    assertThat(c.audits()).hasSize(1);
    assertThat(read("").withAudit(AuditOutput.file(AuditFormat.ECS, dir.resolve("a.jsonl"))).logAuditFormat())
        .as("the default log output stays").contains(AuditFormat.MQTT_SEC);
    assertThatThrownBy(() -> c.withAudit(AuditOutput.file(AuditFormat.ECS, dir.resolve("ocsf.jsonl"))))
        .hasMessageEndingWith("<audit file=\"" + dir.resolve("ocsf.jsonl") + "\"> is there already");
  }
}
