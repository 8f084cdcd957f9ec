/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.mqttsec.tls.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged zip, unpacked into a broker's extensions folder and loaded the way an installed HiveMQ CE loads
 * it (its own class loader, the SDK from the broker), not as an embedded extension. Runs after {@code package}.
 */
class ExtensionZipIT {

  @TempDir
  Path dir;

  static Path unzip(Path into) throws IOException {
    Path zip = Path.of(System.getProperty("mqttsec.extension.zip"));
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry outside the folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target);
        }
      }
    }
    return into.resolve("mqtt-sec");
  }

  static Mqtt5BlockingClient client(TestBroker broker) {
    TrustManagerFactory trust = TlsContexts.forClient().trustedCertificates(List.of(TestBroker.CA.certificate()))
        .build().trustManagerFactory();
    return Mqtt5Client.builder().identifier("zip-test").serverHost("127.0.0.1").serverPort(broker.tlsPort)
        .sslConfig().trustManagerFactory(trust).applySslConfig().buildBlocking();
  }

  static Mqtt5ConnAckReasonCode connect(Mqtt5BlockingClient c, String user, String password) {
    return ExtensionTest.connAck(() -> c.connectWith().simpleAuth().username(user)
        .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
  }

  @Test
  void installedZip_withItsExampleConfig_securesTheBroker() throws Exception {
    Path extensions = Files.createDirectories(dir.resolve("extensions"));
    Path home = unzip(extensions);
    assertThat(home.resolve("hivemq-extension.xml")).isRegularFile();
    assertThat(home.resolve("conf/mqtt-sec.xml")).isRegularFile();
    // the example config names passwd and acl.conf beside it; press-44's hash is mosquitto 2.1's Argon2id, which
    // the zip's own (relocated) BouncyCastle computes
    String argon2 = io.mqttsec.creds.PasswordHasher.argon2id(19_456, 2, 1)
        .hash("press-44-secret".getBytes(StandardCharsets.UTF_8)).encoded();
    Files.writeString(home.resolve("conf/passwd"), TestBroker.passwd(Map.of("press-42", "press-42-secret"))
        + "press-44:" + argon2 + "\n");
    try (var jars = Files.list(home)) {
      Path jar = jars.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          assertThat(e.getName()).as("BouncyCastle is relocated").doesNotStartWith("org/bouncycastle/");
        }
      }
    }
    Files.writeString(home.resolve("conf/acl.conf"), "pattern readwrite factory/%u/#\n");
    try (TestBroker broker = TestBroker.loadingExtensionsFrom(dir, extensions)) {
      assertThat(connect(client(broker), "press-42", "wrong"))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
      Mqtt5BlockingClient press = client(broker);
      assertThat(connect(press, "press-42", "press-42-secret")).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
      assertThat(ExtensionTest.publish(press, "factory/press-42/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(ExtensionTest.publish(press, "factory/press-43/temp"))
          .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      assertThat(connect(client(broker), "press-44", "press-44-secret")).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
      assertThat(connect(client(broker), "press-44", "guess")).isEqualTo(
          Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }
  }

  @Test
  void installedZip_withBrokenFiles_refusesToStart_listingEveryProblem_andNoClientGetsIn() throws Exception {
    Path extensions = Files.createDirectories(dir.resolve("extensions"));
    Path home = unzip(extensions);
    Files.writeString(home.resolve("conf/passwd"), "press-42\n");
    Files.writeString(home.resolve("conf/acl.conf"), "pattern readwrite factory/%u/#\nfrobnicate x\n");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream console = System.out;
    System.setOut(new PrintStream(new Tee(console, log), true, StandardCharsets.UTF_8));
    try (TestBroker broker = TestBroker.loadingExtensionsFrom(dir, extensions)) {
      assertThat(connect(client(broker), "press-42", "anything")).isNotEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    } finally {
      System.setOut(console);
    }
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("mqtt-sec refuses to start, so the broker does not run unprotected")
        .contains("acl.conf:2:1")
        .contains("passwd:1:");
  }

  /** Writes to the console and to a buffer. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
