/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.hivemq.MqttSecExtensionMain;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.TlsContexts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mqtt-sec hivemq keystore}, and the extension README's TLS section as written: its command makes the
 * stores, and HiveMQ started with its {@code config.xml} serves TLS and mutual TLS, and nothing in clear.
 */
class HivemqCommandTest {

  static final Path README = Path.of("..", "mqtt-sec-hivemq-extension", "README.md");

  @TempDir
  static Path home;
  static Path conf;
  static EmbeddedHiveMQ hivemq;
  static int tlsPort;
  static int mtlsPort;

  @BeforeAll
  static void installAsTheReadmeSays() throws Exception {
    conf = Files.createDirectories(home.resolve("conf"));
    CertificateAuthority ca = CertificateAuthority.create("CN=Factory CA", Duration.ofDays(365));
    HeldCertificate server = ca.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
        .issue();
    Files.writeString(home.resolve("server.pem"), Pem.encode(server.chain()));
    PasswdCommand.writePrivate(home.resolve("server.key"), Pem.encodePrivateKey(server.privateKey()));
    Files.writeString(home.resolve("ca.pem"), Pem.encode(List.of(ca.certificate())));
    Files.writeString(conf.resolve("ca.pem"), Pem.encode(List.of(ca.certificate())));
    Files.writeString(conf.resolve("ca.crl"), Pem.encode(ca.crl(Duration.ofDays(7))));
    HeldCertificate press = ca.issue("press-1").clientAuth().issue();
    Files.writeString(home.resolve("press-1.pem"), Pem.encode(press.chain()));
    PasswdCommand.writePrivate(home.resolve("press-1.key"), Pem.encodePrivateKey(press.privateKey()));

    List<String> section = readmeSection();
    // the README's command, its relative files taken from home and /opt/hivemq as home
    List<String> args = new ArrayList<>();
    for (String word : section.get(0).lines().findFirst().orElseThrow().split(" ")) {
      args.add(word.startsWith("/opt/hivemq") ? word.replace("/opt/hivemq", home.toString())
          : word.endsWith(".pem") || word.endsWith(".key") ? home.resolve(word).toString() : word);
    }
    assertThat(args.remove(0)).isEqualTo("mqtt-sec");
    Cli.Result keystore = Cli.run(args.toArray(new String[0]));
    assertThat(keystore.exit()).as(keystore.err()).isZero();

    tlsPort = BrokerCommandTest.freePort();
    mtlsPort = BrokerCommandTest.freePort();
    String configXml = section.get(1).replace("/opt/hivemq", home.toString())
        .replace("<port>8883</port>", "<port>" + tlsPort + "</port>")
        .replace("<port>8884</port>", "<port>" + mtlsPort + "</port>");
    Files.writeString(conf.resolve("config.xml"), configXml);
    Cli.input("dashboard-pw\n", "passwd", "add", home.resolve("passwd").toString(), "dashboard", "--stdin",
        "--iterations", "1000");
    Files.writeString(home.resolve("acl.conf"), "pattern readwrite factory/%u/#\n");
    Files.writeString(home.resolve("mqtt-sec.xml"), "<mqtt-sec>\n  <password-file>passwd</password-file>\n"
        + "  <acl-file>acl.conf</acl-file>\n" + section.get(2).replace("/opt/hivemq", home.toString())
        + "</mqtt-sec>\n");

    // HiveMQ reads ${ENV:NAME} from a system property of that name before the environment
    System.setProperty(HivemqCommand.PASSWORD_VARIABLE, Files.readString(conf.resolve("store-password")).strip());
    hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
        .withDataFolder(Files.createDirectories(home.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
        .withEmbeddedExtension(EmbeddedExtension.builder().withId("mqtt-sec").withName("mqtt-sec")
            .withVersion("0.1.0").withPriority(1000).withStartPriority(1000)
            .withExtensionMain(new MqttSecExtensionMain(home.resolve("mqtt-sec.xml"))).build())
        .build();
    InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(true);
    hivemq.start().get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty(HivemqCommand.PASSWORD_VARIABLE);
    if (hivemq != null) {
      hivemq.stop().get(60, TimeUnit.SECONDS);
      hivemq.close();
    }
  }

  /** The command line, the {@code config.xml} and the {@code mqtt-sec.xml} lines of the README's TLS section. */
  static List<String> readmeSection() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int start = readme.indexOf("## TLS listeners for a HiveMQ CE download");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```[a-z]*\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).hasSize(3);
    assertThat(blocks.get(1)).doesNotContain("<tcp-listener>", "<websocket-listener>");
    return blocks;
  }

  static ClientTls trusting(boolean withCertificate) {
    TlsContexts.ClientBuilder b = TlsContexts.forClient().trustedCertificates(home.resolve("ca.pem"));
    if (withCertificate) {
      b.identity(home.resolve("press-1.pem"), home.resolve("press-1.key"));
    }
    return b.build();
  }

  @Test
  void theTlsListener_takesAPasswordOverTls_only() throws Exception {
    Mqtt5BlockingClient dashboard = BrokerCommandTest.client(trusting(false), tlsPort);
    dashboard.connectWith().simpleAuth().username("dashboard").password("dashboard-pw".getBytes()).applySimpleAuth()
        .send();
    assertThat(BrokerCommandTest.publish(dashboard, "factory/dashboard/x")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    dashboard.disconnect();
    Mqtt5BlockingClient wrong = BrokerCommandTest.client(trusting(false), tlsPort);
    assertThatThrownBy(() -> wrong.connectWith().simpleAuth().username("dashboard").password("guess".getBytes())
        .applySimpleAuth().send()).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(
        e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));

    // an MQTT 3.1.1 CONNECT in clear gets no CONNACK: the listener speaks TLS only
    try (Socket raw = new Socket("127.0.0.1", tlsPort)) {
      raw.setSoTimeout(5_000);
      OutputStream out = raw.getOutputStream();
      byte[] user = "dashboard".getBytes(StandardCharsets.US_ASCII);
      byte[] pass = "dashboard-pw".getBytes(StandardCharsets.US_ASCII);
      int length = 10 + 2 + 1 + 2 + user.length + 2 + pass.length;
      java.io.ByteArrayOutputStream connect = new java.io.ByteArrayOutputStream();
      connect.write(new byte[] {0x10, (byte) length, 0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60, 0, 1, 'x'});
      connect.write(0);
      connect.write(user.length);
      connect.write(user);
      connect.write(0);
      connect.write(pass.length);
      connect.write(pass);
      out.write(connect.toByteArray());
      out.flush();
      InputStream in = raw.getInputStream();
      int first;
      try {
        first = in.read();
      } catch (java.io.IOException e) {
        first = -1;
      }
      assertThat(first).as("no CONNACK (0x20) in clear").isNotEqualTo(0x20);
    }
  }

  @Test
  void theMtlsListener_takesTheDeviceCertificate_andRefusesAHandshakeWithout() {
    Mqtt5BlockingClient press = BrokerCommandTest.client(trusting(true), mtlsPort);
    press.connect();
    assertThat(BrokerCommandTest.publish(press, "factory/press-1/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(BrokerCommandTest.publish(press, "factory/press-2/temp")).isEqualTo(
        Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    Mqtt5BlockingClient anonymous = BrokerCommandTest.client(trusting(false), mtlsPort);
    assertThatThrownBy(anonymous::connect).as("no client certificate, no handshake").isNotNull();
  }

  @Test
  void keystore_writesOwnerOnlyStores_keepsItsPassword_andNamesBadInput() throws Exception {
    Path out = Files.createDirectories(home.resolve("again"));
    String[] args = {"hivemq", "keystore", "--cert", home.resolve("server.pem").toString(), "--key",
        home.resolve("server.key").toString(), "--ca", home.resolve("ca.pem").toString(), "--out", out.toString()};
    Cli.Result first = Cli.run(args);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).startsWith(out.resolve("broker.p12") + ": the key and chain of CN=localhost (expires ")
        .contains("\n" + out.resolve("trust.p12") + ": CN=Factory CA\n" + out.resolve("store-password")
            + ": the stores' password (owner-only); HiveMQ's config.xml reads it as ${ENV:MQTT_SEC_STORE_PASSWORD}:\n"
            + "  MQTT_SEC_STORE_PASSWORD=\"$(cat " + out.resolve("store-password").toAbsolutePath() + ")\" "
            + "$HIVEMQ_HOME/bin/run.sh\n");
    for (String f : new String[] {"broker.p12", "trust.p12", "store-password"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f)))).as(f)
          .isEqualTo("rw-------");
    }
    String password = Files.readString(out.resolve("store-password")).strip();
    assertThat(password).hasSizeGreaterThanOrEqualTo(24);
    assertThat(first.out()).doesNotContain(password);
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(out.resolve("broker.p12"))) {
      store.load(in, password.toCharArray());
    }
    assertThat(store.getKey("mqtt-sec", password.toCharArray())).isNotNull();

    byte[] stores = Files.readAllBytes(out.resolve("broker.p12"));
    assertThat(Cli.run(args).exit()).isZero();
    assertThat(Files.readString(out.resolve("store-password")).strip()).as("kept").isEqualTo(password);
    assertThat(Files.readAllBytes(out.resolve("broker.p12"))).as("unchanged: HiveMQ sees no change").isEqualTo(stores);

    assertThat(Cli.run("hivemq", "keystore", "--cert", home.resolve("server.pem").toString(), "--key",
        home.resolve("press-1.key").toString(), "--out", out.toString()).err())
        .startsWith("mqtt-sec: " + home.resolve("press-1.key")).contains("does not match");
    assertThat(Cli.run("hivemq", "keystore", "--cert", home.resolve("server.pem").toString(), "--key",
        home.resolve("server.key").toString(), "--out", home.resolve("nowhere").toString())).isEqualTo(
        new Cli.Result(2, "", "mqtt-sec: " + home.resolve("nowhere") + ": no such folder\n"));
  }
}
