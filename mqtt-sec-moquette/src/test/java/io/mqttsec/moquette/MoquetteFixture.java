/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.TlsContexts;
import io.moquette.broker.Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An embedded Moquette on 127.0.0.1 behind mqtt-sec: a CA, a broker certificate, a password file, an ACL and
 * {@code mqtt-sec.xml} in a temporary folder. One per test class.
 */
final class MoquetteFixture implements AutoCloseable {

  static final CertificateAuthority CA = CertificateAuthority.create("CN=Test Factory CA", Duration.ofDays(30));
  /** Cheap hashes: the tests check behaviour, the benchmarks check cost. */
  static final PasswordHasher HASHER = PasswordHasher.pbkdf2Sha512(1000);

  final Path dir;
  final int port;
  final List<String> audit = new CopyOnWriteArrayList<>();
  final MoquetteSecurity security;
  final Server server;

  MoquetteFixture(Path dir, Map<String, String> passwords, String acl, String extraConfig) throws Exception {
    this.dir = dir;
    HeldCertificate server = CA.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
        .issue();
    Files.writeString(dir.resolve("server.pem"), Pem.encode(server.chain()));
    Files.writeString(dir.resolve("server.key"), Pem.encodePrivateKey(server.privateKey()));
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(CA.certificate())));
    Files.writeString(dir.resolve("ca.crl"), Pem.encode(CA.crl(Duration.ofDays(7))));
    Files.writeString(dir.resolve("passwd"), "");
    CredentialFile.builder(dir.resolve("passwd")).hasher(HASHER).build().putAll(passwords.entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
            e -> HASHER.hash(e.getValue().getBytes(StandardCharsets.UTF_8)))), false);
    Files.writeString(dir.resolve("acl.conf"), acl);
    Files.writeString(dir.resolve("mqtt-sec.xml"), """
        <mqtt-sec>
          <password-file>passwd</password-file>
          <acl-file>acl.conf</acl-file>
          <authentication default="password">
            <listener name="mtls" mode="certificate" identity="cn"/>
          </authentication>
          <trusted-certificates>ca.pem</trusted-certificates>
          <crl>ca.crl</crl>
          <reload-interval>50ms</reload-interval>
        """ + extraConfig + "</mqtt-sec>\n");
    port = freePort();
    security = MoquetteSecurity.builder(dir.resolve("mqtt-sec.xml"))
        .serverCertificate(dir.resolve("server.pem"), dir.resolve("server.key")).auditSink(audit::add).build();
    Properties p = new Properties();
    p.setProperty("host", "127.0.0.1");
    p.setProperty("ssl_port", String.valueOf(port));
    this.server = security.start(p);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A client trusting the test CA, with a device certificate when {@code device} is not null. */
  Mqtt3BlockingClient client(String clientId, HeldCertificate device) {
    TlsContexts.ClientBuilder b = TlsContexts.forClient().trustedCertificates(dir.resolve("ca.pem"));
    if (device != null) {
      b.identity(device.privateKey(), device.chain());
    }
    ClientTls tls = b.build();
    var ssl = Mqtt3Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(port).sslConfig()
        .trustManagerFactory(tls.trustManagerFactory());
    if (tls.keyManagerFactory() != null) {
      ssl.keyManagerFactory(tls.keyManagerFactory());
    }
    return ssl.applySslConfig().buildBlocking();
  }

  /** Waits up to 10 s for an audit line containing every one of {@code parts}. */
  String awaitAudit(String... parts) throws InterruptedException {
    return awaitAuditAfter(0, parts);
  }

  /** As {@link #awaitAudit}, among the lines after the first {@code from}. */
  String awaitAuditAfter(int from, String... parts) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : audit.subList(from, audit.size())) {
        if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
          return line;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no audit line with " + List.of(parts) + " in " + audit);
  }

  @Override
  public void close() {
    server.stopServer();
    security.close();
  }
}
