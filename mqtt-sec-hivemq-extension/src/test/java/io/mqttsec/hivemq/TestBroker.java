/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.embedded.EmbeddedHiveMQ;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.Pem;
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
  /** Client certificate required by TLS (0 unless started with mutual TLS listeners). */
  final int mtlsPort;
  /** Client certificate required by TLS; the extension also asks for the password. */
  final int mtlsPasswordPort;
  /** Client certificate optional in TLS: only the extension stands between a client without one and the broker. */
  final int mtlsOptionalPort;
  final List<String> audit = new CopyOnWriteArrayList<>();
  private final Path extensionsFolder;
  private final Path config;
  private EmbeddedHiveMQ hivemq;

  /** What a test class needs beyond the default broker. */
  record Options(boolean mutualTls, boolean filePersistence, HeldCertificate serverCertificate, String store) {
    static final Options DEFAULT = new Options(false, false, null, null);

    /** The mutual TLS listeners of {@link TestBroker#TestBroker(Path, Map, String, String, boolean)}. */
    Options withMutualTls() {
      return new Options(true, filePersistence, serverCertificate, store);
    }

    /** Sessions on disk, so that they survive {@link TestBroker#restart()}. */
    Options withFilePersistence() {
      return new Options(mutualTls, true, serverCertificate, store);
    }

    /**
     * The broker's certificate written as {@code server.pem}/{@code server.key} and kept in HiveMQ's key store by
     * the extension ({@code <server-tls>}), as a HiveMQ install does with mqtt-sec; implies mutual TLS.
     */
    Options withServerTls(HeldCertificate certificate) {
      return new Options(true, filePersistence, certificate, store);
    }

    /** Users and ACL from {@code <store>STORE</store>} instead of the password and ACL files. */
    Options withStore(String storeElement) {
      return new Options(mutualTls, filePersistence, serverCertificate, storeElement);
    }
  }

  TestBroker(Path dir, Map<String, String> passwords, String acl, String extraConfig) throws Exception {
    this(dir, passwords, acl, extraConfig, false);
  }

  /**
   * With {@code mutualTls}, also listeners {@code mtls}, {@code mtls-password} (client certificate required)
   * and {@code mtls-optional} (client certificate optional) trusting {@link #CA}; {@code ca.pem} and an empty
   * {@code ca.crl} are written beside the config for the extension.
   */
  TestBroker(Path dir, Map<String, String> passwords, String acl, String extraConfig, boolean mutualTls)
      throws Exception {
    this(dir, null, passwords, acl, extraConfig, mutualTls ? Options.DEFAULT.withMutualTls() : Options.DEFAULT);
  }

  TestBroker(Path dir, Map<String, String> passwords, String acl, String extraConfig, Options options)
      throws Exception {
    this(dir, null, passwords, acl, extraConfig, options);
  }

  /**
   * A broker that loads its extensions from {@code extensionsFolder}, as an installed HiveMQ does, instead of
   * the embedded mqtt-sec extension; the files of {@code dir} are not written.
   */
  static TestBroker loadingExtensionsFrom(Path dir, Path extensionsFolder) throws Exception {
    return new TestBroker(dir, extensionsFolder, null, null, null, Options.DEFAULT);
  }

  private TestBroker(Path dir, Path extensionsFolder, Map<String, String> passwords, String acl,
                     String extraConfig, Options options) throws Exception {
    this.dir = dir;
    this.extensionsFolder = extensionsFolder;
    boolean mutualTls = options.mutualTls();
    config = dir.resolve("mqtt-sec.xml");
    HeldCertificate server = options.serverCertificate() != null ? options.serverCertificate()
        : CA.issue("broker").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth().issue();
    if (extensionsFolder == null) {
      Files.writeString(dir.resolve("passwd"), passwd(passwords));
      Files.writeString(dir.resolve("acl.conf"), acl);
      String serverTls = "";
      if (options.serverCertificate() != null) {
        Files.writeString(dir.resolve("server.pem"), Pem.encode(server.chain()));
        Files.writeString(dir.resolve("server.key"), Pem.encodePrivateKey(server.privateKey()));
        Files.writeString(dir.resolve("store-password"), new String(STORE_PASSWORD) + "\n");
        serverTls = "  <server-tls><certificate>server.pem</certificate><key>server.key</key>"
            + "<keystore>broker.p12</keystore><truststore>trust.p12</truststore>"
            + "<store-password-file>store-password</store-password-file></server-tls>\n";
      }
      String users = options.store() != null ? "  <store>" + options.store() + "</store>\n"
          : "  <password-file>passwd</password-file>\n  <acl-file>acl.conf</acl-file>\n";
      Files.writeString(config, "<mqtt-sec>\n" + users + "  <reload-interval>PT0.05S</reload-interval>\n"
          + serverTls + extraConfig + "</mqtt-sec>\n");
    }
    try (ServerTls tls = TlsContexts.forServer(server.privateKey(), server.chain()).trustedCertificates(List.of(CA.certificate())).build()) {
      tls.toPkcs12(dir.resolve("broker.p12"), STORE_PASSWORD);
      tls.trustStoreToPkcs12(dir.resolve("trust.p12"), STORE_PASSWORD);
    }
    tlsPort = freePort();
    StringBuilder mutual = new StringBuilder();
    if (mutualTls) {
      Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(CA.certificate())));
      Files.writeString(dir.resolve("ca.crl"), Pem.encode(CA.crl(Duration.ofDays(7))));
      mtlsPort = freePort();
      mtlsPasswordPort = freePort();
      mtlsOptionalPort = freePort();
      mutual.append(listener("mtls", mtlsPort, "REQUIRED")).append(listener("mtls-password", mtlsPasswordPort,
          "REQUIRED")).append(listener("mtls-optional", mtlsOptionalPort, "OPTIONAL"));
    } else {
      mtlsPort = 0;
      mtlsPasswordPort = 0;
      mtlsOptionalPort = 0;
    }
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
        %s  </listeners>
        %s  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
        </hivemq>
        """.formatted(tlsPort, dir.resolve("broker.p12"), new String(STORE_PASSWORD), new String(STORE_PASSWORD),
            mutual, options.filePersistence() ? "" : "  <persistence><mode>in-memory</mode></persistence>\n"));
    start();
  }

  private void start() throws Exception {
    var builder = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(dir.resolve("hivemq-conf"))
        .withDataFolder(Files.createDirectories(dir.resolve("hivemq-data")));
    if (extensionsFolder != null) {
      builder.withExtensionsFolder(extensionsFolder);
    } else {
      builder.withExtensionsFolder(Files.createDirectories(dir.resolve("hivemq-extensions")))
          .withEmbeddedExtension(EmbeddedMqttSec.extension(config, audit::add));
    }
    hivemq = builder.build();
    if (extensionsFolder != null) {
      // building an embedded broker switches HiveMQ to "allow unauthenticated" JVM-wide; an installed HiveMQ CE
      // refuses every client while no security extension runs, which is what a refused start must lead to
      InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(true);
    }
    hivemq.start().get(60, TimeUnit.SECONDS);
  }

  /** Stops the broker and starts it again on the same folders and ports, as an operator's restart does. */
  void restart() throws Exception {
    hivemq.stop().get(60, TimeUnit.SECONDS);
    hivemq.close();
    start();
  }

  private String listener(String name, int port, String clientAuthentication) {
    return """
          <tls-tcp-listener>
            <port>%d</port>
            <bind-address>127.0.0.1</bind-address>
            <name>%s</name>
            <tls>
              <keystore>
                <path>%s</path>
                <password>%s</password>
                <private-key-password>%s</private-key-password>
              </keystore>
              <truststore>
                <path>%s</path>
                <password>%s</password>
              </truststore>
              <client-authentication-mode>%s</client-authentication-mode>
            </tls>
          </tls-tcp-listener>
        """.formatted(port, name, dir.resolve("broker.p12"), new String(STORE_PASSWORD), new String(STORE_PASSWORD),
        dir.resolve("trust.p12"), new String(STORE_PASSWORD), clientAuthentication);
  }

  /** A HiveMQ MQTT 5 client for the TLS listener, trusting {@link #CA}; not connected. */
  Mqtt5BlockingClient client(String clientId) {
    return client(clientId, context -> { });
  }

  /** As {@link #client(String)}, telling {@code disconnected} how its connection ended. */
  Mqtt5BlockingClient client(String clientId, MqttClientDisconnectedListener disconnected) {
    return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(tlsPort).sslConfig()
        .trustManagerFactory(TlsContexts.forClient().trustedCertificates(List.of(CA.certificate())).build()
            .trustManagerFactory()).applySslConfig().addDisconnectedListener(disconnected).buildBlocking();
  }

  /** As {@link #client(String)}, connecting from {@code localAddress} (any of 127.0.0.0/8 on Linux). */
  Mqtt5BlockingClient clientFrom(String localAddress, String clientId) {
    return Mqtt5Client.builder().identifier(clientId).transportConfig().serverHost("127.0.0.1").serverPort(tlsPort)
        .localAddress(localAddress).sslConfig().trustManagerFactory(TlsContexts.forClient()
            .trustedCertificates(List.of(CA.certificate())).build().trustManagerFactory()).applySslConfig()
        .applyTransportConfig().buildBlocking();
  }

  /** The broker's metric registry, where the extension registers its metrics. */
  MetricRegistry metrics() {
    return hivemq.getMetricRegistry();
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
    InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(false);
  }
}
