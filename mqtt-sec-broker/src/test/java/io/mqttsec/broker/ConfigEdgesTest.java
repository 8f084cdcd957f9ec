/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mqtt-sec.xml at the edges: every bound at its value and one past it, every switch read both ways, and a
 * document type refused before anything in it is read. {@link BrokerConfigTest}, {@link AuditConfigTest} and
 * {@link LimitsTest} read whole configurations; this class pins each decision the reader makes on its own.
 */
class ConfigEdgesTest {

  @TempDir
  Path dir;

  @BeforeEach
  void files() throws Exception {
    for (String f : new String[] {"acl.conf", "passwd", "ca.pem", "ca.crl"}) {
      Files.writeString(dir.resolve(f), "");
    }
  }

  private BrokerConfig read(String body) throws Exception {
    return BrokerConfig.read(Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec><acl-file>acl.conf"
        + "</acl-file>" + body + "</mqtt-sec>"));
  }

  private BrokerConfig withPasswords(String body) throws Exception {
    return read("<password-file>passwd</password-file>" + body);
  }

  private List<String> problems(String body) {
    Throwable t = catchThrowable(() -> withPasswords(body));
    assertThat(t).as(body).isInstanceOf(BrokerConfig.InvalidConfigException.class);
    return ((BrokerConfig.InvalidConfigException) t).problems();
  }

  @Test
  void aDocumentType_isRefused_evenWithOnlyAnInternalEntity() throws Exception {
    // an internal entity needs no file and no network: only refusing every DOCTYPE stops entity expansion
    // (and with it a billion laughs)
    Path file = Files.writeString(dir.resolve("mqtt-sec.xml"), "<?xml version=\"1.0\"?>\n<!DOCTYPE mqtt-sec "
        + "[<!ENTITY acl \"acl.conf\">]>\n<mqtt-sec><acl-file>&acl;</acl-file><password-file>passwd"
        + "</password-file></mqtt-sec>\n");
    Throwable t = catchThrowable(() -> BrokerConfig.read(file));
    assertThat(t).isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
        .singleElement().asString().startsWith("line 2:").contains("DOCTYPE"));
  }

  @Test
  void everySwitch_readsBothWays() throws Exception {
    BrokerConfig on = read("""
        <password-file>passwd</password-file>
        <trusted-certificates>ca.pem</trusted-certificates>
        <crl>ca.crl</crl>
        <authentication default="password"><listener name="devices" mode="certificate"/></authentication>
        <anonymous>true</anonymous>
        <brute-force-guard>true</brute-force-guard>
        <credential-cache>false</credential-cache>
        <upgrade-on-login>true</upgrade-on-login>
        """);
    assertThat(on.anonymous()).isTrue();
    assertThat(on.bruteForceGuard()).isTrue();
    assertThat(on.credentialCache()).isFalse();
    assertThat(on.upgradeOnLogin()).isTrue();
    assertThat(on.crl()).contains(dir.resolve("ca.crl"));
    assertThat(on.listenerAuth()).isEqualTo(Map.of("devices", ListenerAuth.certificate(ListenerAuth.Identity.CN)));
    BrokerConfig off = withPasswords("<anonymous>false</anonymous><upgrade-on-login>false</upgrade-on-login>");
    assertThat(off.anonymous()).isFalse();
    assertThat(off.bruteForceGuard()).as("on unless switched off").isTrue();
    assertThat(off.credentialCache()).isTrue();
    assertThat(off.upgradeOnLogin()).isFalse();
    assertThat(off.crl()).isEmpty();
    assertThat(off.listenerAuth()).isEmpty();
    BrokerConfig copy = on.withAudit(AuditOutput.file(AuditFormat.ECS, dir.resolve("a.jsonl")));
    assertThat(copy.listenerAuth()).as("a command line's audit keeps the listeners").isEqualTo(on.listenerAuth());
    assertThat(copy.authFor("devices")).isEqualTo(on.authFor("devices"));
  }

  @Test
  void anElementGivenTwice_isNamed_butAuditMayRepeat() throws Exception {
    assertThat(problems("<anonymous>false</anonymous><anonymous>true</anonymous>")).containsExactly(
        "<anonymous>: given twice");
    assertThat(withPasswords("<audit file=\"a.jsonl\"/><audit file=\"b.jsonl\"/>").auditFiles()).hasSize(2);
  }

  @Test
  void passwords_needAPasswordFile() throws Exception {
    Throwable t = catchThrowable(() -> read(""));
    assertThat(t).isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
        .containsExactly("<password-file> is required by the password authentication mode"));
  }

  @Test
  void reloadInterval_tenMillisecondsAtLeast() throws Exception {
    assertThat(withPasswords("<reload-interval>10ms</reload-interval>").reloadInterval()).isEqualTo(
        Duration.ofMillis(10));
    assertThat(problems("<reload-interval>9ms</reload-interval>")).containsExactly(
        "<reload-interval>: must be at least 10ms, was 9 ms");
  }

  @Test
  void aServerTruststore_needsTheCasItWouldHold() throws Exception {
    for (String f : new String[] {"server.pem", "server.key", "store-password"}) {
      Files.writeString(dir.resolve(f), "");
    }
    String tls = "<server-tls><certificate>server.pem</certificate><key>server.key</key><keystore>b.p12"
        + "</keystore>%s<store-password-file>store-password</store-password-file></server-tls>";
    assertThat(problems(String.format(tls, "<truststore>t.p12</truststore>"))).containsExactly(
        "<server-tls>: <truststore> needs <trusted-certificates>, the CAs it would hold");
    assertThat(withPasswords(String.format(tls, "")).serverTls().orElseThrow().truststore()).isEmpty();
  }

  @Test
  void auditFiles_sizeFrom1024Bytes_keepFrom0To1000() throws Exception {
    BrokerConfig c = withPasswords("<audit file=\"a.jsonl\" max-file-bytes=\"1024\" keep-files=\"0\"/>"
        + "<audit file=\"b.jsonl\" keep-files=\"1000\"/>");
    assertThat(c.auditFiles()).extracting(AuditOutput::maxFileBytes).containsExactly(1024L,
        AuditFile.DEFAULT_MAX_BYTES);
    assertThat(c.auditFiles()).extracting(AuditOutput::keepFiles).containsExactly(0, 1000);
    assertThat(problems("<audit file=\"a.jsonl\" max-file-bytes=\"1023\" keep-files=\"1001\"/>"
        + "<audit file=\"b.jsonl\" keep-files=\"-1\"/>")).containsExactly(
        "<audit max-file-bytes=\"1023\">: must be a whole number of bytes, 1024 at least",
        "<audit keep-files=\"1001\">: must be a whole number from 0 to 1000",
        "<audit keep-files=\"-1\">: must be a whole number from 0 to 1000");
  }

  // -------------------------------------------------------------------------------------------- <limits>

  @Test
  void limits_prefixLengths_atTheirLargest_andOnePast() throws Exception {
    Limits l = withPasswords("<limits><prefix ipv4=\"32\" ipv6=\"128\" max-connections=\"1\"/></limits>")
        .limits();
    assertThat(l.ipv4Prefix()).isEqualTo(32);
    assertThat(l.ipv6Prefix()).isEqualTo(128);
    assertThat(l.prefixMaxConnections()).contains(1);
    assertThat(problems("<limits><prefix ipv4=\"33\" ipv6=\"128\"/></limits>")).containsExactly(
        "<limits><prefix>: ipv4 must be 1-32 and ipv6 1-128, not 33 and 128");
    assertThat(problems("<limits><prefix ipv4=\"32\" ipv6=\"129\"/></limits>")).containsExactly(
        "<limits><prefix>: ipv4 must be 1-32 and ipv6 1-128, not 32 and 129");
    assertThat(problems("<limits><clients max-connections=\"0\"/></limits>")).containsExactly(
        "<limits><clients>: max-connections=\"0\" must be a whole number of at least 1, or none");
  }

  @Test
  void limits_anElementWithoutARate_keepsTheDefaultRate() throws Exception {
    Limits l = withPasswords("<limits><address max-connections=\"5\"/><clients max-topic-bytes=\"64\" "
        + "max-topic-levels=\"4\"/></limits>").limits();
    assertThat(l.addressConnectRate()).isEqualTo(Limits.DEFAULT.addressConnectRate());
    assertThat(l.addressMaxConnections()).contains(5);
    assertThat(l.clients().messageRate()).isEqualTo(ClientLimits.DEVICE.messageRate());
    assertThat(l.clients().maxTopicBytes()).contains(64);
    assertThat(l.clients().maxTopicLevels()).contains(4);
  }

  @Test
  void limits_aBurstAlone_changesTheBurstOfTheRateInForce_orIsRefusedWithoutOne() throws Exception {
    Limits l = withPasswords("<limits><clients byte-rate=\"100\"/><user name=\"u\" byte-burst=\"300\" "
        + "message-burst=\"7\"/></limits>").limits();
    assertThat(l.clients().byteRate()).contains(Rate.of(100, 200));
    assertThat(l.forUser("u").byteRate()).contains(Rate.of(100, 300));
    double deviceRate = ClientLimits.DEVICE.messageRate().orElseThrow().perSecond();
    assertThat(l.forUser("u").messageRate()).contains(Rate.of(deviceRate, 7));
    assertThat(problems("<limits defaults=\"none\"><clients message-burst=\"5\" byte-burst=\"5\"/></limits>"))
        .containsExactly("<limits><clients>: message-burst needs message-rate",
            "<limits><clients>: byte-burst needs byte-rate");
  }

  // ----------------------------------------------------------------------------------------- <detection>

  @Test
  void detection_boundsAtTheirValue_andOnePast() throws Exception {
    assertThat(withPasswords("<detection max-tracked=\"1\"/>").detection().maxTracked()).isEqualTo(1);
    assertThat(withPasswords("<detection max-tracked=\"10000000\"/>").detection().maxTracked())
        .isEqualTo(10_000_000);
    assertThat(withPasswords("<detection><connection-spike factor=\"1\"/></detection>").detection()
        .connectionSpike().orElseThrow().factor()).isEqualTo(1.0);
    assertThat(withPasswords("<detection><connection-spike factor=\"1000\"/></detection>").detection()
        .connectionSpike().orElseThrow().factor()).isEqualTo(1000.0);
    assertThat(problems("<detection max-tracked=\"10000001\" colour=\"red\"><connection-spike "
        + "factor=\"1000.5\"/></detection>")).containsExactly(
        "<detection>: unknown attribute colour (known: enabled, max-tracked)",
        "<detection max-tracked=\"10000001\">: must be a whole number from 1 to 10000000",
        "<detection><connection-spike factor=\"1000.5\">: must be a number from 1 to 1000");
  }
}
