/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.acl.SubscribeMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {

  @TempDir
  Path dir;

  private Path write(String xml) throws Exception {
    return Files.writeString(dir.resolve("mqtt-sec.xml"), xml);
  }

  @Test
  void read_fullConfig_givesEverySetting() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("ca.pem"), "");
    BrokerConfig c = BrokerConfig.read(write("""
        <mqtt-sec>
          <password-file>passwd</password-file>
          <acl-file>acl.conf</acl-file>
          <subscribe-mode>filter-on-delivery</subscribe-mode>
          <authentication default="password">
            <listener name="tls" mode="password"/>
          </authentication>
          <anonymous>false</anonymous>
          <brute-force-guard>false</brute-force-guard>
          <reload-interval>5s</reload-interval>
        </mqtt-sec>
        """));
    assertThat(c.passwordFile()).contains(dir.resolve("passwd"));
    assertThat(c.aclFile()).isEqualTo(dir.resolve("acl.conf"));
    assertThat(c.subscribeMode()).isEqualTo(SubscribeMode.FILTER_ON_DELIVERY);
    assertThat(c.authFor("tls")).isEqualTo(ListenerAuth.password());
    assertThat(c.authFor("tcp").mode()).isEqualTo(ListenerAuth.Mode.PASSWORD);
    assertThat(c.bruteForceGuard()).isFalse();
    assertThat(c.credentialCache()).isTrue();
    assertThat(c.reloadInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void read_everyProblemIsListed() throws Exception {
    Path file = write("""
        <mqtt-sec>
          <password-file>missing-passwd</password-file>
          <subscribe-mode>lenient</subscribe-mode>
          <anonymous>yes</anonymous>
          <colour>blue</colour>
          <reload-interval>2 seconds</reload-interval>
        </mqtt-sec>
        """);
    assertThatThrownBy(() -> BrokerConfig.read(file))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly(
                "<password-file>: " + dir.resolve("missing-passwd") + " does not exist or is not a file",
                "<subscribe-mode>: \"lenient\" is not strict or filter-on-delivery",
                "<anonymous>: \"yes\" is not true or false",
                "<colour>: unknown element (known: acl-file, anonymous, audit, authentication, "
                    + "brute-force-guard, client-id-policy, credential-cache, crl, crl-grace-period, detection, "
                    + "limits, password-file, "
                    + "reload-interval, server-tls, session-owners, store, subscribe-mode, trusted-certificates, "
                    + "upgrade-on-login)",
                "<reload-interval>: \"2 seconds\" is not a duration (such as 30d, 12h, 90m, 45s, 500ms, 1h30m, "
                    + "or ISO-8601 P1D, PT2S)",
                "<acl-file> is required: without an ACL every publish and subscription would be refused"));
  }

  @Test
  void read_certificateModes_needTrustedCertificates_andACrlNeedsACertificateMode() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("ca.crl"), "");
    Path noCas = write("<mqtt-sec><acl-file>acl.conf</acl-file><authentication default=\"certificate\"/>"
        + "</mqtt-sec>");
    assertThatThrownBy(() -> BrokerConfig.read(noCas))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<trusted-certificates> is required by the certificate authentication modes"));
    Path crlUnused = write("<mqtt-sec><acl-file>acl.conf</acl-file><password-file>acl.conf</password-file>"
        + "<crl>ca.crl</crl></mqtt-sec>");
    assertThatThrownBy(() -> BrokerConfig.read(crlUnused))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<crl> is set but no listener uses a certificate mode, so it would never be checked"));
  }

  @Test
  void read_certificateOnlyListeners_needNoPasswordFile() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("ca.pem"), "");
    Path file = write("<mqtt-sec><acl-file>acl.conf</acl-file><trusted-certificates>ca.pem</trusted-certificates>"
        + "<authentication default=\"certificate\" identity=\"subject\"><listener name=\"ops\" "
        + "mode=\"certificate-and-password\"/></authentication><password-file>acl.conf</password-file>"
        + "</mqtt-sec>");
    BrokerConfig config = BrokerConfig.read(file);
    assertThat(config.usesCertificates()).isTrue();
    assertThat(config.authFor("any")).isEqualTo(ListenerAuth.certificate(ListenerAuth.Identity.SUBJECT));
    assertThat(config.authFor("ops").mode()).isEqualTo(ListenerAuth.Mode.CERTIFICATE_AND_PASSWORD);
    Path noPasswd = write("<mqtt-sec><acl-file>acl.conf</acl-file><trusted-certificates>ca.pem"
        + "</trusted-certificates><authentication default=\"certificate\"/></mqtt-sec>");
    assertThat(BrokerConfig.read(noPasswd).passwordFile()).isEmpty();
  }

  @Test
  void read_externalEntity_isRefused() throws Exception {
    Files.writeString(dir.resolve("secret"), "top secret");
    Path file = write("<?xml version=\"1.0\"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM \"file://" + dir.resolve("secret")
        + "\">]>\n<mqtt-sec><acl-file>&x;</acl-file></mqtt-sec>\n");
    assertThatThrownBy(() -> BrokerConfig.read(file))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> {
          assertThat(e.problems()).singleElement().asString().startsWith("line 2:").contains("DOCTYPE");
          assertThat(e.getMessage()).doesNotContain("top secret");
        });
  }

  @Test
  void read_defaults_ownedClientIds_andTheOwnersJournalBesideTheFile() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    Files.writeString(dir.resolve("acl.conf"), "");
    BrokerConfig c = BrokerConfig.read(write("<mqtt-sec><password-file>passwd</password-file>"
        + "<acl-file>acl.conf</acl-file></mqtt-sec>"));
    assertThat(c.clientIdPolicy()).isEqualTo(ClientIdPolicy.OWNED);
    assertThat(c.sessionOwners()).isEqualTo(dir.resolve("session-owners.log"));
    assertThat(c.upgradeOnLogin()).isFalse();
    assertThat(c.serverTls()).isEmpty();
  }

  @Test
  void read_clientIdPolicies() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    Files.writeString(dir.resolve("acl.conf"), "");
    String head = "<mqtt-sec><password-file>passwd</password-file><acl-file>acl.conf</acl-file>";
    assertThat(BrokerConfig.read(write(head + "<client-id-policy>any</client-id-policy></mqtt-sec>"))
        .clientIdPolicy()).isEqualTo(ClientIdPolicy.ANY);
    assertThat(BrokerConfig.read(write(head + "<client-id-policy>username</client-id-policy></mqtt-sec>"))
        .clientIdPolicy()).isEqualTo(ClientIdPolicy.USERNAME);
    assertThat(BrokerConfig.read(write(head + "<client-id-policy separator=\"-\">username</client-id-policy>"
        + "</mqtt-sec>")).clientIdPolicy()).isEqualTo(ClientIdPolicy.usernamePrefix("-"));
    Path bad = write(head + "<client-id-policy separator=\"-\">owned</client-id-policy>"
        + "<session-owners>nowhere/owners.log</session-owners></mqtt-sec>");
    assertThatThrownBy(() -> BrokerConfig.read(bad))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<client-id-policy>: separator=\"...\" belongs to the username policy, not owned",
                "<session-owners>: the folder of " + dir.resolve("nowhere/owners.log") + " does not exist"));
    Path unknown = write(head + "<client-id-policy>mine</client-id-policy></mqtt-sec>");
    assertThatThrownBy(() -> BrokerConfig.read(unknown))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<client-id-policy>: \"mine\" is not owned, username or any"));
  }

  @Test
  void read_certificateIdentities_andServerTls() throws Exception {
    for (String f : new String[] {"acl.conf", "ca.pem", "server.pem", "server.key", "store-password"}) {
      Files.writeString(dir.resolve(f), "");
    }
    BrokerConfig c = BrokerConfig.read(write("""
        <mqtt-sec>
          <acl-file>acl.conf</acl-file>
          <trusted-certificates>ca.pem</trusted-certificates>
          <authentication default="certificate" identity="san-uri">
            <listener name="pinned" mode="certificate" identity="sha256"/>
          </authentication>
          <server-tls>
            <certificate>server.pem</certificate>
            <key>server.key</key>
            <keystore>broker.p12</keystore>
            <truststore>trust.p12</truststore>
            <store-password-file>store-password</store-password-file>
          </server-tls>
        </mqtt-sec>
        """));
    assertThat(c.defaultAuth()).isEqualTo(ListenerAuth.certificate(ListenerAuth.Identity.SAN_URI));
    assertThat(c.authFor("pinned")).isEqualTo(ListenerAuth.certificate(ListenerAuth.Identity.SHA256));
    assertThat(c.serverTls()).contains(new BrokerConfig.ServerTlsFiles(dir.resolve("server.pem"),
        dir.resolve("server.key"), dir.resolve("broker.p12"), Optional.of(dir.resolve("trust.p12")),
        dir.resolve("store-password")));

    Path incomplete = write("<mqtt-sec><acl-file>acl.conf</acl-file><password-file>acl.conf</password-file>"
        + "<upgrade-on-login>true</upgrade-on-login><server-tls><certificate>server.pem</certificate>"
        + "<colour/></server-tls></mqtt-sec>");
    assertThatThrownBy(() -> BrokerConfig.read(incomplete))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<server-tls>: unknown element <colour> (known: certificate, key, keystore, "
                    + "store-password-file, truststore)",
                "<server-tls>: needs <key>, <keystore>, <store-password-file>"));
    Path noPasswords = write("<mqtt-sec><acl-file>acl.conf</acl-file><trusted-certificates>ca.pem"
        + "</trusted-certificates><authentication default=\"certificate\" identity=\"dns\"/>"
        + "<upgrade-on-login>true</upgrade-on-login></mqtt-sec>");
    assertThatThrownBy(() -> BrokerConfig.read(noPasswords))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<authentication>: identity \"dns\" is not cn, subject, san-dns, san-uri, san-email "
                    + "or sha256",
                "<upgrade-on-login> is set but no listener checks passwords"));
  }
}
