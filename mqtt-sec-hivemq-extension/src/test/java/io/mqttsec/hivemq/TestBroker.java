package io.mqttsec.hivemq;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.tls.CertificateAuthority;
import io.mqttsec.tls.HeldCertificate;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An embedded HiveMQ CE on 127.0.0.1 with a TLS listener (certificates from the library's CA) and the mqtt-sec
 * extension, configured from files in a temporary folder. One per test class: start ~2 s, stop ~4 s.
 */
final class TestBroker implements AutoCloseable {

  static final CertificateAuthority CA = CertificateAuthority.create("CN=Test Factory CA", Duration.ofDays(30));
  static final char[] STORE_PASSWORD = "store-password".toCharArray();
  /** Cheap hashes: the tests check behaviour, the benchmarks check cost. */
  static final PasswordHasher HASHER = PasswordHasher.pbkdf2Sha512(1000);

  final Path dir;
  final int tlsPort;
  final List<String> audit = new CopyOnWriteArrayList<>();
  private final EmbeddedHiveMQ hivemq;

  TestBroker(Path dir, Map<String, String> passwords, String acl, String extraConfig) throws Exception {
    this.dir = dir;
    Files.writeString(dir.resolve("passwd"), passwd(passwords));
    Files.writeString(dir.resolve("acl.conf"), acl);
    Path config = dir.resolve("mqtt-sec.xml");
    Files.writeString(config, "<mqtt-sec>\n  <password-file>passwd</password-file>\n  <acl-file>acl.conf</acl-file>\n"
        + "  <reload-interval>PT0.05S</reload-interval>\n" + extraConfig + "</mqtt-sec>\n");
    HeldCertificate server = CA.issue("broker").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
        .issue();
    try (ServerTls tls = TlsContexts.forServer(server).trustedCertificates(List.of(CA.certificate())).build()) {
      tls.toPkcs12(dir.resolve("broker.p12"), STORE_PASSWORD);
    }
    tlsPort = freePort();
    Path conf = Files.createDirectories(dir.resolve("hivemq-conf"));
    Files.writeString(conf.resolve("config.xml"), """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tls-tcp-listener>
              <port>%d</port>
              <bind-address>127.0.0.1</bind-address>
              <name>tls</name>
              <tls>
                <keystore>
                  <path>%s</path>
                  <password>%s</password>
                  <private-key-password>%s</private-key-password>
                </keystore>
                <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>
              </tls>
            </tls-tcp-listener>
          </listeners>
          <persistence><mode>in-memory</mode></persistence>
          <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
        </hivemq>
        """.formatted(tlsPort, dir.resolve("broker.p12"), new String(STORE_PASSWORD), new String(STORE_PASSWORD)));
    hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(conf)
        .withDataFolder(Files.createDirectories(dir.resolve("hivemq-data")))
        .withExtensionsFolder(Files.createDirectories(dir.resolve("hivemq-extensions")))
        .withEmbeddedExtension(EmbeddedExtension.builder().withId("mqtt-sec").withName("mqtt-sec")
            .withVersion("test").withPriority(1000).withStartPriority(1000)
            .withExtensionMain(new MqttSecExtensionMain(config, audit::add)).build())
        .build();
    hivemq.start().get(60, TimeUnit.SECONDS);
  }

  static String passwd(Map<String, String> passwords) {
    StringBuilder out = new StringBuilder();
    passwords.forEach((user, password) -> out.append(user).append(':')
        .append(HASHER.hash(password.getBytes(StandardCharsets.UTF_8)).encoded()).append('\n'));
    return out.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    hivemq.stop().get(60, TimeUnit.SECONDS);
    hivemq.close();
  }
}
