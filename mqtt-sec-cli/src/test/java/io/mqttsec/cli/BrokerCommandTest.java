/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.mqttsec.broker.JsonTree;
import io.mqttsec.broker.SchemaCheck;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.TlsContexts;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mqtt-sec broker} with its demo configuration, on free loopback ports. */
class BrokerCommandTest {

  @TempDir
  static Path dir;
  static BrokerCommand.Running broker;
  static String output;
  static int port;
  static int mtlsPort;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static BrokerCommand command(StringWriter out, StringWriter err, String... args) {
    Terminal terminal = new Terminal(new BufferedReader(new StringReader("")), new PrintWriter(out, true),
        new PrintWriter(err, true), null);
    BrokerCommand command = new BrokerCommand(terminal);
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @BeforeAll
  static void start() throws Exception {
    port = freePort();
    mtlsPort = freePort();
    StringWriter out = new StringWriter();
    broker = command(out, new StringWriter(), "--demo-dir", dir.resolve("demo").toString(), "--port",
        String.valueOf(port), "--mtls-port", String.valueOf(mtlsPort)).start();
    output = out.toString();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static String password(String user) {
    return output.lines().filter(l -> l.startsWith("  " + user + "  ")).findFirst().orElseThrow()
        .substring(user.length() + 4);
  }

  static Mqtt5BlockingClient client(ClientTls tls, int toPort) {
    var ssl = Mqtt5Client.builder().identifier("broker-test-" + System.nanoTime()).serverHost("127.0.0.1")
        .serverPort(toPort).sslConfig().trustManagerFactory(tls.trustManagerFactory());
    if (tls.keyManagerFactory() != null) {
      ssl.keyManagerFactory(tls.keyManagerFactory());
    }
    return ssl.applySslConfig().buildBlocking();
  }

  static ClientTls trustingTheDemoCa() {
    return TlsContexts.forClient().trustedCertificates(dir.resolve("demo/ca/ca.pem")).build();
  }

  static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String topic) {
    try {
      Mqtt5PublishResult r = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
      if (r.getError().isPresent() && r.getError().get() instanceof Mqtt5PubAckException e) {
        return e.getMqttMessage().getReasonCode();
      }
      Mqtt5PubAckReasonCode code = ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
      return code == Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS ? Mqtt5PubAckReasonCode.SUCCESS : code;
    } catch (Mqtt5PubAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  @Test
  void demo_createsEveryFile_andPrintsTheCommandsToTry() throws IOException {
    Path demo = dir.resolve("demo");
    for (String f : List.of("mqtt-sec.xml", "passwd", "acl.conf", "server.pem", "server.key", "ca.crl",
        "ca/ca.pem", "ca/ca.key", "ca/passphrase", "devices/press-1.pem", "devices/press-1.key",
        Demo.CREDENTIALS)) {
      assertThat(demo.resolve(f)).as(f).isRegularFile();
    }
    assertThat(output).contains("creating a demo configuration in " + demo,
        "HiveMQ CE is listening on 127.0.0.1:" + port, "mosquitto_sub -h 127.0.0.1 -p " + port + " --cafile "
            + demo.resolve("ca/ca.pem") + " -u dashboard -P " + password("dashboard") + " -t 'factory/#' -v");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        demo.resolve("hivemq/conf/config.xml")))).as("it names the key store password").isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        demo.resolve("hivemq/conf/store-password")))).isEqualTo("rw-------");
    assertThat(demo.resolve("mqtt-sec.xml")).content().as("mqtt-sec keeps HiveMQ's key stores")
        .contains("<keystore>hivemq/conf/broker.p12</keystore>");
    assertThat(System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation")).isEqualTo("true");
    assertThat(output).contains("limits: clients: messages 50/s (burst 100), bytes 1048576/s (burst 2097152), "
        + "message size 1048576, subscriptions 100, topic bytes 1024, topic levels 32, connections per user 10; "
        + "per address: connects 20/s (burst 40)");
    assertThat(demo.resolve("hivemq/conf/config.xml")).content().as("HiveMQ refuses a 100 MB packet itself")
        .contains("<max-packet-size>1118207</max-packet-size>");
    // other tests of this class revoke and sign CRLs on the same demo: the state's number is the published CRL's
    byte[] extension = Pem.readCrls(demo.resolve("ca.crl")).get(0).getExtensionValue("2.5.29.20");
    java.math.BigInteger published = new java.math.BigInteger(Arrays.copyOfRange(extension, 4, extension.length));
    assertThat(demo.resolve("ca/ca.state")).content().as("the next CRL gets a higher number than the demo's")
        .contains("crl-number " + published + "\n");
    assertThat(Cli.run("acl", "lint", demo.resolve("acl.conf").toString(), "--admin", "admin").exit())
        .as("the demo ACL is lint-clean").isZero();
  }

  @Test
  void tls_wrongPasswordRefused_demoCredentialAllowed_onlyInItsSubtree() throws Exception {
    ClientTls tls = trustingTheDemoCa();
    assertThatThrownBy(() -> client(tls, port).connectWith().simpleAuth().username("press-1")
        .password("wrong".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
        .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
            .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
    Mqtt5BlockingClient press = client(tls, port);
    press.connectWith().simpleAuth().username("press-1").password(password("press-1")
        .getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    assertThat(publish(press, "factory/press-1/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(publish(press, "factory/press-2/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    // and the demo's audit.jsonl has them as pure JSON lines, mqtt-sec's format
    Map<String, String> failure = awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("connect.failure"));
    assertThat(failure).containsEntry("user", "press-1").containsEntry("address", "127.0.0.1")
        .containsEntry("outcome", "BAD_CREDENTIALS");
    awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("\"acl.denied\"") && l.contains("press-2/temp"));
    assertThat(output).contains("audit lines (mqtt-sec): " + dir.resolve("demo/audit.jsonl").toAbsolutePath(),
        "audit lines (mqtt-sec): this log");
  }

  /** Runs the printed subscriber, then the printed publish, and checks the subscriber got it. */
  static void subscribeThenPublish(List<String> commands) throws Exception {
    Process sub = new ProcessBuilder("bash", "-c", commands.get(0) + " -C 1 -W 15").start();
    // the subscriber's TLS handshake and SUBSCRIBE take a while on a loaded machine: publish again each second
    // until it has its one message (-C 1), rather than guess how long to wait
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    do {
      Thread.sleep(1000);
      Process pub = new ProcessBuilder("bash", "-c", commands.get(1)).start();
      assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(pub.exitValue()).as(new String(pub.getErrorStream().readAllBytes())).isZero();
    } while (!sub.waitFor(1, TimeUnit.SECONDS) && System.nanoTime() < deadline);
    assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("factory/press-1/temp 21.5\n");
  }

  /** Waits for a line of {@code file} that {@code wanted} accepts; every line must be a JSON object. */
  static Map<String, String> awaitLine(Path file, java.util.function.Predicate<String> wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          Map<String, String> fields = JsonTree.flat(line);
          if (wanted.test(line)) {
            return fields;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no such line in " + file);
  }

  @Test
  void auditFormatEcs_writesEcsLines_toAuditJsonl_andABadFormatIsNamed() throws Exception {
    Path copy = dir.resolve("ecs-demo");
    try (var files = Files.walk(dir.resolve("demo"))) {
      for (Path p : files.filter(p -> !p.toString().contains("/hivemq/data")).toList()) {
        Path target = copy.resolve(dir.resolve("demo").relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("audit.jsonl")) {
          Files.copy(p, target);
        }
      }
    }
    Cli.Result bad = Cli.run("broker", "--config", copy.toString(), "--audit-format", "cef");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).isEqualTo("mqtt-sec: --audit-format: \"cef\" is not an audit format (known: mqtt-sec, "
        + "ecs, ocsf)\n");
    int ecsPort = freePort();
    StringWriter out = new StringWriter();
    BrokerCommand.Running ecs = command(out, new StringWriter(), "--config", copy.toString(), "--port",
        String.valueOf(ecsPort), "--mtls-port", "0", "--audit-format", "ecs").start();
    try {
      assertThatThrownBy(() -> client(trustingTheDemoCa(), ecsPort).connectWith().simpleAuth().username("press-1")
          .password("guess".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
          .isInstanceOf(Mqtt5ConnAckException.class);
      Path file = copy.resolve("audit.jsonl");
      awaitLine(file, l -> l.contains("\"connect.failure\""));
      for (String line : Files.readAllLines(file)) {
        assertThat(SchemaCheck.ecs(line)).as(line).isEmpty();
      }
      assertThat(JsonTree.flatten(JsonTree.object(Files.readAllLines(file).stream()
          .filter(l -> l.contains("\"connect.failure\"")).findFirst().orElseThrow())))
          .containsEntry("user.name", "press-1").containsEntry("source.ip", "127.0.0.1")
          .containsEntry("event.outcome", "failure");
      assertThat(out.toString()).contains("audit lines (ecs): " + file.toAbsolutePath());
    } finally {
      ecs.close();
    }
  }

  @Test
  void aSecondBroker_onTheSameFolder_isRefused_beforeItWritesAnything() throws Exception {
    Path demo = dir.resolve("demo");
    List<Path> generated = List.of(demo.resolve("hivemq/conf/config.xml"), demo.resolve("hivemq/conf/broker.p12"),
        demo.resolve("hivemq/conf/trust.p12"), demo.resolve("hivemq/conf/store-password"));
    List<byte[]> before = new java.util.ArrayList<>();
    for (Path p : generated) {
      before.add(Files.readAllBytes(p));
    }
    StringWriter err = new StringWriter();
    assertThatThrownBy(() -> command(new StringWriter(), err, "--demo-dir", demo.toString(), "--port",
        String.valueOf(freePort()), "--mtls-port", String.valueOf(freePort())).start())
        .isInstanceOf(CliException.class).hasMessage(demo + ": another mqtt-sec broker runs on this folder (process "
            + ProcessHandle.current().pid() + "); stop it first, or give this one another folder");
    for (int i = 0; i < generated.size(); i++) {
      assertThat(Files.readAllBytes(generated.get(i))).as(generated.get(i).toString()).isEqualTo(before.get(i));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(demo.resolve("hivemq/data"))))
        .as("HiveMQ's payloads and retained messages").isEqualTo("rwx------");
  }

  @Test
  void badPorts_areNamed_beforeAnythingStarts() throws Exception {
    Cli.Result range = Cli.run("broker", "--demo-dir", dir.resolve("ports").toString(), "--port", "99999");
    assertThat(range.exit()).isEqualTo(2);
    assertThat(range.err()).isEqualTo("mqtt-sec: --port 99999: not a port (1 to 65535)\n");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Cli.Result busy = Cli.run("broker", "--demo-dir", dir.resolve("ports").toString(), "--port",
          String.valueOf(taken.getLocalPort()), "--mtls-port", "0");
      assertThat(busy.exit()).isEqualTo(2);
      assertThat(busy.err()).startsWith("mqtt-sec: --port " + taken.getLocalPort() + ": cannot listen on 127.0.0.1:"
          + taken.getLocalPort() + " (").endsWith("; another broker may hold it)\n");
    }
    assertThat(dir.resolve("ports")).as("nothing written").doesNotExist();
  }

  @Test
  void aRestart_leavesHiveMqsConfigurationAndKeyStoresAsTheyAre() throws Exception {
    Path copy = dir.resolve("restart-demo");
    int restartPort = freePort();
    BrokerCommand.Running first = command(new StringWriter(), new StringWriter(), "--demo-dir", copy.toString(),
        "--port", String.valueOf(restartPort), "--mtls-port", "0").start();
    first.close();
    List<Path> generated = List.of(copy.resolve("hivemq/conf/config.xml"), copy.resolve("hivemq/conf/broker.p12"),
        copy.resolve("hivemq/conf/store-password"));
    List<byte[]> before = new java.util.ArrayList<>();
    for (Path p : generated) {
      before.add(Files.readAllBytes(p));
    }
    ch.qos.logback.classic.Logger builderLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        BrokerCommand.EMBEDDED_BUILDER_LOGGER);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    builderLog.addAppender(seen);
    BrokerCommand.Running second;
    try {
      second = command(new StringWriter(), new StringWriter(), "--demo-dir", copy.toString(),
          "--port", String.valueOf(restartPort), "--mtls-port", "0").start();
    } finally {
      builderLog.detachAppender(seen);
    }
    assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .as("no \"ALLOW ALL\" announcement at a secured start").noneMatch(m -> m.contains("ALLOW ALL"));
    try {
      for (int i = 0; i < generated.size(); i++) {
        assertThat(Files.readAllBytes(generated.get(i))).as(generated.get(i).toString()).isEqualTo(before.get(i));
      }
      assertThat(Files.readString(copy.resolve("hivemq/conf/config.xml"))).contains(
          "<port>" + restartPort + "</port>", "<protocol>TLSv1.3</protocol>");
    } finally {
      second.close();
    }
  }

  @Test
  void anOverdueDemoCrl_isSignedAgainAtStart_soTheDemoDeviceStillGetsIn() throws Exception {
    Path aged = dir.resolve("aged-demo");
    Demo.create(aged, 1000);
    char[] passphrase = Files.readString(aged.resolve("ca/passphrase")).strip().toCharArray();
    java.time.Instant fortyDaysAgo = java.time.Instant.now().minus(java.time.Duration.ofDays(40));
    io.mqttsec.ca.CertificateAuthority ca = io.mqttsec.ca.CertificateAuthority.load(aged.resolve("ca"), passphrase,
        java.time.Clock.fixed(fortyDaysAgo, java.time.ZoneOffset.UTC));
    Files.writeString(aged.resolve("ca.crl"), Pem.encode(ca.crl(Demo.CRL_LIFETIME)));
    StringWriter out = new StringWriter();
    int agedMtls = freePort();
    BrokerCommand.Running running = command(out, new StringWriter(), "--demo-dir", aged.toString(), "--port",
        String.valueOf(freePort()), "--mtls-port", String.valueOf(agedMtls)).start();
    try {
      assertThat(out.toString()).contains("signed a new demo CRL (" + aged.resolve("ca.crl") + "), valid until ");
      assertThat(Pem.readCrls(aged.resolve("ca.crl")).get(0).getNextUpdate().toInstant())
          .isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(29)));
      ClientTls tls = TlsContexts.forClient().trustedCertificates(aged.resolve("ca/ca.pem"))
          .identity(aged.resolve("devices/press-1.pem"), aged.resolve("devices/press-1.key")).build();
      Mqtt5BlockingClient press = client(tls, agedMtls);
      press.connect();
      assertThat(publish(press, "factory/press-1/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      press.disconnect();
    } finally {
      running.close();
    }
  }

  @Test
  void theDemoOnMoquette_printedCommandsWork_passwordsAndTheDeviceCertificateOnOnePort() throws Exception {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, "mosquitto_sub")));
    if (System.getenv("CI") == null && !installed) {
      return; // outside CI without mosquitto-clients there is nothing to run; CI installs them
    }
    Path demo = dir.resolve("moquette-demo");
    StringWriter out = new StringWriter();
    BrokerCommand.Running moquette = command(out, new StringWriter(), "--engine", "moquette", "--demo-dir",
        demo.toString(), "--port", String.valueOf(freePort())).start();
    try {
      String printed = out.toString();
      assertThat(printed).contains("mqtt-sec: Moquette is listening on 127.0.0.1:");
      List<String> commands = printed.lines().map(String::strip).filter(l -> l.startsWith("mosquitto_")).toList();
      assertThat(commands).hasSize(4).allMatch(c -> c.contains(" -p " + commands.get(0).split(" -p ")[1]
          .split(" ")[0] + " "), "one port for passwords and certificates");
      subscribeThenPublish(commands);
      Process outside = new ProcessBuilder("bash", "-c", commands.get(2)).start();
      assertThat(outside.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(awaitLine(demo.resolve("audit.jsonl"), l -> l.contains("\"event\":\"acl.denied\"")
          && l.contains("factory/press-2/temp"))).containsEntry("user", "press-1");
      Process certificate = new ProcessBuilder("bash", "-c", commands.get(3)).start();
      assertThat(certificate.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(certificate.exitValue()).isZero();
      assertThat(awaitLine(demo.resolve("audit.jsonl"), l -> l.contains("\"event\":\"connect.success\"")
          && l.contains("\"listener\":\"mtls\""))).containsEntry("user", "press-1");
    } finally {
      moquette.close();
    }
    assertThat(command(new StringWriter(), new StringWriter(), "--engine", "mosquitto", "--demo-dir",
        demo.toString())).extracting(c -> {
          try {
            c.start();
            return "started";
          } catch (CliException e) {
            return e.getMessage();
          } catch (Exception e) {
            return e.toString();
          }
        }).isEqualTo("--engine mosquitto: hivemq or moquette");
  }

  /** Runs {@code command} with bash in {@code dir}; its exit status and what it wrote, both streams together. */
  static Cli.Result sh(Path in, String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).directory(in.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command).isTrue();
    return new Cli.Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8), "");
  }

  @Test
  void aKeyMadeByOpenssl_signedByCaSign_passesOpensslVerify_andConnectsWithMosquittoPub() throws Exception {
    Path work = Files.createDirectories(dir.resolve("openssl-device"));
    Path ca = dir.resolve("demo/ca");
    Cli.Result req = sh(work, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
        + "press-3.key -subj /CN=press-3/O=Plant -addext subjectAltName=DNS:admin.example -out press-3.csr");
    assertThat(req.exit()).as(req.out()).isZero();

    Cli.Result sign = Cli.input(Files.readString(ca.resolve("passphrase")), "ca", "sign", "--dir", ca.toString(),
        "--csr", work.resolve("press-3.csr").toString(), "--out", work.resolve("press-3").toString(),
        "--passphrase-stdin");
    assertThat(sign.exit()).as(sign.err()).isZero();
    X509Certificate signed = Pem.readCertificates(work.resolve("press-3.pem")).get(0);
    assertThat(sign.out()).isEqualTo("signed client certificate press-3 serial " + signed.getSerialNumber()
        .toString(16) + ": " + work.resolve("press-3.pem") + "\n");
    assertThat(signed.getSubjectX500Principal().getName()).as("the CN alone: the CA names the device")
        .isEqualTo("CN=press-3");
    assertThat(signed.getSubjectAlternativeNames()).as("the SAN the request asked for is ignored").isNull();

    Cli.Result verify = sh(work, "openssl verify -CAfile " + ca.resolve("ca.pem") + " -purpose sslclient "
        + "press-3.pem");
    assertThat(verify.out()).isEqualTo("press-3.pem: OK\n");
    Cli.Result pub = sh(work, "mosquitto_pub -h 127.0.0.1 -p " + mtlsPort + " --cafile " + ca.resolve("ca.pem")
        + " --cert press-3.pem --key press-3.key -i press-3-openssl -q 1 -t factory/press-3/temp -m 20.5");
    assertThat(pub.exit()).as(pub.out()).isZero();
    assertThat(awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("\"event\":\"connect.success\"")
        && l.contains("press-3-openssl"))).containsEntry("user", "press-3").containsEntry("listener", "mtls");

    Cli.Result list = Cli.run("ca", "list", "--dir", ca.toString());
    assertThat(list.out()).contains(signed.getSerialNumber().toString(16) + "  VALID          "
        + signed.getNotAfter().toInstant() + "  press-3\n");
    Cli.Result show = Cli.run("ca", "show", "--dir", ca.toString(), signed.getSerialNumber().toString(16));
    assertThat(show.out()).contains("subject     CN=press-3\n", "status      VALID\n", "usage       clientAuth\n",
        Pem.encode(List.of(signed)));
  }

  /** Starts {@code ca serve} on a free port for the CA in {@code ca}; {@code base[0]} gets its EST URL. */
  static AutoCloseable serve(Path ca, Path audit, String[] base, String... options) throws Exception {
    StringWriter serveOut = new StringWriter();
    Terminal terminal = new Terminal(new BufferedReader(new StringReader(Files.readString(ca.resolve("passphrase")))),
        new PrintWriter(serveOut, true), new PrintWriter(new StringWriter(), true), null);
    CaCommand.Serve serve = new CaCommand.Serve(terminal);
    List<String> args = new java.util.ArrayList<>(List.of("--dir", ca.toString(), "--port", "0",
        "--passphrase-stdin", "--audit", audit.toString()));
    args.addAll(List.of(options));
    new CommandLine(serve).parseArgs(args.toArray(new String[0]));
    AutoCloseable running = serve.start();
    String printed = serveOut.toString();
    base[0] = printed.substring(printed.indexOf("https://"), printed.indexOf("; audit lines"));
    return running;
  }

  @Test
  void aDeviceRunningTheRenewer_renewsOverEst_keepsItsSession_andItsOldCertificateOnceRevokedIsRefused()
      throws Exception {
    Path work = Files.createDirectories(dir.resolve("renewing-device"));
    Path ca = dir.resolve("demo/ca");
    String passphrase = Files.readString(ca.resolve("passphrase"));
    Cli.Result issued = Cli.input(passphrase, "ca", "issue", "press-6", "--days", "20", "--dir", ca.toString(),
        "--out", work.resolve("press-6").toString(), "--passphrase-stdin");
    assertThat(issued.exit()).as(issued.err()).isZero();
    X509Certificate old = Pem.readCertificates(work.resolve("press-6.pem")).get(0);
    ClientTls tls = TlsContexts.forClient().trustedCertificates(ca.resolve("ca.pem"))
        .identity(work.resolve("press-6.pem"), work.resolve("press-6.key")).build();
    Mqtt5BlockingClient device = Mqtt5Client.builder().identifier("press-6").serverHost("127.0.0.1")
        .serverPort(mtlsPort).sslConfig().trustManagerFactory(tls.trustManagerFactory())
        .keyManagerFactory(tls.keyManagerFactory()).applySslConfig().buildBlocking();
    device.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
    device.subscribeWith().topicFilter("factory/press-6/cmd").qos(MqttQos.AT_LEAST_ONCE).send();

    String[] base = new String[1];
    List<java.util.List<X509Certificate>> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<io.mqttsec.api.SecurityEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (AutoCloseable est = serve(ca, work.resolve("enrollments.jsonl"), base);
        io.mqttsec.tls.CertificateRenewer renewer = io.mqttsec.tls.CertificateRenewer.builder(
            io.mqttsec.tls.EstClient.of(java.net.URI.create(base[0]), tls), tls).jitter(java.time.Duration.ZERO)
            .onRenewed((key, chain) -> kept.add(chain)).listener(events::add).start()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      // the keeper is called before the swap, the event after it
      while (events.stream().noneMatch(e -> e instanceof io.mqttsec.api.SecurityEvent.CertificateRenewed)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(kept).as("20 days left: renewed at once; events %s", events).hasSize(1);
    }
    X509Certificate renewed = kept.get(0).get(0);
    assertThat(device.getState().isConnected()).as("the open connection is not touched").isTrue();
    assertThat(publish(device, "factory/press-6/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

    device.disconnect();
    var back = device.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
    assertThat(back.isSessionPresent()).as("the same session, on the new certificate").isTrue();
    String fingerprint = io.mqttsec.tls.CertificateIdentity.of(renewed).sha256Fingerprint();
    try {
      awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("\"event\":\"connect.success\"")
          && l.contains("\"clientId\":\"press-6\"") && l.contains(fingerprint));
    } catch (AssertionError e) {
      throw new AssertionError("no login of press-6 with " + fingerprint + " in " + Files.readAllLines(
          dir.resolve("demo/audit.jsonl")).stream().filter(l -> l.contains("press-6")).toList(), e);
    }
    device.disconnect();

    assertThat(Cli.input(passphrase, "ca", "revoke", "--serial", old.getSerialNumber().toString(16), "--dir",
        ca.toString(), "--passphrase-stdin").exit()).isZero();
    assertThat(Cli.input(passphrase, "ca", "crl", "--dir", ca.toString(), "--out", dir.resolve("demo/ca.crl")
        .toString(), "--days", "30", "--passphrase-stdin").exit()).isZero();
    String oldPub = "mosquitto_pub -h 127.0.0.1 -p " + mtlsPort + " --cafile " + ca.resolve("ca.pem")
        + " --cert press-6.pem --key press-6.key -i press-6-old -q 1 -t factory/press-6/temp -m 1";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Cli.Result refused = sh(work, oldPub);
    while (refused.exit() == 0 && System.nanoTime() < deadline) { // until the broker has read the new CRL
      Thread.sleep(200);
      refused = sh(work, oldPub);
    }
    assertThat(refused.exit()).as("the old certificate, revoked, is refused").isNotZero();
    Mqtt5BlockingClient again = Mqtt5Client.builder().identifier("press-6").serverHost("127.0.0.1")
        .serverPort(mtlsPort).sslConfig().trustManagerFactory(tls.trustManagerFactory())
        .keyManagerFactory(tls.keyManagerFactory()).applySslConfig().buildBlocking();
    assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
        .as("the renewed certificate still gets in, to its session").isTrue();
    again.disconnect();
  }

  @Test
  void aPasswordGuesserWithCurl_isHeldOffByCaServe_afterMaxRefusals() throws Exception {
    Path work = Files.createDirectories(dir.resolve("est-guesser"));
    Path ca = dir.resolve("demo/ca");
    Path audit = work.resolve("enrollments.jsonl");
    String[] started = new String[1];
    try (AutoCloseable running = serve(ca, audit, started, "--max-refusals", "2", "--refusal-window", "5m")) {
      assertThat(sh(work, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout press-5.key "
          + "-subj /CN=press-5 -outform DER 2>/dev/null | base64 > press-5.csr").exit()).isZero();
      String guess = "curl -sS --cacert " + ca.resolve("ca.pem") + " -u press-5:guess -H 'Content-Type: "
          + "application/pkcs10' --data-binary @press-5.csr -D headers.txt -o body.txt -w '%{http_code}' " + started[0]
          + "simpleenroll";
      assertThat(sh(work, guess).out()).isEqualTo("401");
      assertThat(sh(work, guess).out()).isEqualTo("401");
      assertThat(sh(work, guess).out()).as("the third try, after two refusals").isEqualTo("429");
      assertThat(Files.readString(work.resolve("headers.txt"))).containsPattern("(?i)retry-after: (300|299)\r\n");
      assertThat(work.resolve("body.txt")).content().startsWith("too many refused enrollments from 127.0.0.1 "
          + "(2 in 5 minutes); held off for ");
      assertThat(awaitLine(audit, l -> l.contains("too many refused enrollments"))).containsEntry("event",
          "enrollment.refused").containsEntry("address", "127.0.0.1").as("held off before the credential is read")
          .doesNotContainKey("user");
    }
  }

  @Test
  void curlAndOpenssl_enrollOverEst_andTheCertificateConnectsWithMosquittoPub_thenRenews() throws Exception {
    Path work = Files.createDirectories(dir.resolve("est-device"));
    Path ca = dir.resolve("demo/ca");
    String passphrase = Files.readString(ca.resolve("passphrase"));
    String[] started = new String[1];
    try (AutoCloseable running = serve(ca, work.resolve("enrollments.jsonl"), started)) {
      String base = started[0];
      String curl = "curl -sS --cacert " + ca.resolve("ca.pem") + " ";

      Cli.Result cacerts = sh(work, curl + base + "cacerts | base64 -d | openssl pkcs7 -inform DER -print_certs "
          + "-noout");
      assertThat(cacerts.out()).as(cacerts.out()).contains("subject=CN = mqtt-sec demo CA");

      Cli.Result bootstrap = Cli.input(passphrase, "ca", "bootstrap", "--dir", ca.toString(), "--cn", "press-4",
          "--passphrase-stdin");
      assertThat(bootstrap.exit()).as(bootstrap.err()).isZero();
      String password = bootstrap.out().strip();
      assertThat(sh(work, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout press-4.key "
          + "-subj /CN=press-4 -outform DER -out press-4.csr.der && base64 press-4.csr.der > press-4.csr").exit())
          .isZero();
      String enroll = curl + "-u press-4:" + password + " -H 'Content-Type: application/pkcs10' --data-binary "
          + "@press-4.csr -o press-4.p7 -w '%{http_code}' " + base + "simpleenroll";
      assertThat(sh(work, enroll).out()).isEqualTo("200");
      assertThat(sh(work, "base64 -d press-4.p7 | openssl pkcs7 -inform DER -print_certs -out press-4.pem").exit())
          .isZero();
      assertThat(sh(work, "openssl verify -CAfile " + ca.resolve("ca.pem") + " press-4.pem").out())
          .isEqualTo("press-4.pem: OK\n");
      Cli.Result pub = sh(work, "mosquitto_pub -h 127.0.0.1 -p " + mtlsPort + " --cafile " + ca.resolve("ca.pem")
          + " --cert press-4.pem --key press-4.key -i press-4-est -q 1 -t factory/press-4/temp -m 19.5");
      assertThat(pub.exit()).as(pub.out()).isZero();
      assertThat(awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("\"event\":\"connect.success\"")
          && l.contains("press-4-est"))).containsEntry("user", "press-4").containsEntry("listener", "mtls");

      Cli.Result reused = sh(work, enroll.replace("-o press-4.p7", "-o reused.txt"));
      assertThat(reused.out()).as("a bootstrap password enrolls once").isEqualTo("401");
      assertThat(work.resolve("reused.txt")).content().isEqualTo("no enrollment password is outstanding for this "
          + "CN (never issued, or used already)\n");

      Cli.Result renew = sh(work, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
          + "next.key -subj /CN=press-4 -outform DER 2>/dev/null | base64 > next.csr && " + curl
          + "--cert press-4.pem --key press-4.key -H 'Content-Type: application/pkcs10' --data-binary @next.csr -o next.p7 -w '%{http_code}' "
          + base + "simplereenroll && base64 -d next.p7 | openssl pkcs7 -inform DER -print_certs -out next.pem");
      assertThat(renew.out()).isEqualTo("200");
      X509Certificate first = Pem.readCertificates(work.resolve("press-4.pem")).get(0);
      X509Certificate next = Pem.readCertificates(work.resolve("next.pem")).get(0);
      assertThat(next.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
      assertThat(next.getSerialNumber()).isNotEqualTo(first.getSerialNumber());

      List<String> audit = Files.readAllLines(work.resolve("enrollments.jsonl"));
      assertThat(audit).filteredOn(l -> l.contains("\"event\":\"certificate.enrolled\"")).hasSize(2)
          .allMatch(l -> l.contains("\"user\":\"press-4\""));
      assertThat(audit).filteredOn(l -> l.contains("\"event\":\"enrollment.refused\"")).singleElement()
          .satisfies(l -> assertThat(l).contains("used already"));
      assertThat(Cli.run("ca", "list", "--dir", ca.toString()).out()).contains(first.getSerialNumber().toString(16),
          next.getSerialNumber().toString(16));
    }
  }

  @Test
  void clientTlsInEclipsePaho_connectsWithTheDeviceCertificate_andPublishes() throws Exception {
    Path devices = dir.resolve("demo/devices");
    ClientTls tls = TlsContexts.forClient().trustedCertificates(dir.resolve("demo/ca/ca.pem"))
        .identity(devices.resolve("press-1.pem"), devices.resolve("press-1.key")).build();
    org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
        "ssl://127.0.0.1:" + mtlsPort, "press-1-paho", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    options.setSocketFactory(tls.socketFactory());
    options.setCleanSession(true);
    paho.connect(options);
    try {
      paho.publish("factory/press-1/temp", "22.5".getBytes(StandardCharsets.UTF_8), 1, false);
      assertThat(awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("\"event\":\"connect.success\"")
          && l.contains("press-1-paho"))).containsEntry("user", "press-1").containsEntry("listener", "mtls");
    } finally {
      paho.disconnect();
      paho.close();
    }
    ClientTls stranger = TlsContexts.forClient().trustedCertificates(dir.resolve("demo/ca/ca.pem")).build();
    org.eclipse.paho.client.mqttv3.MqttClient anonymous = new org.eclipse.paho.client.mqttv3.MqttClient(
        "ssl://127.0.0.1:" + mtlsPort, "no-cert-paho", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    var noCert = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    noCert.setSocketFactory(stranger.socketFactory());
    assertThatThrownBy(() -> anonymous.connect(noCert)).as("no certificate, no session on the mTLS listener")
        .isInstanceOf(org.eclipse.paho.client.mqttv3.MqttException.class);
    anonymous.close();
  }

  @Test
  void aDeviceKeyInAToken_enrollsOverEst_andConnectsWithIt_neverLeavingTheToken() throws Exception {
    Path ca = dir.resolve("demo/ca");
    String passphrase = Files.readString(ca.resolve("passphrase"));
    java.security.KeyPair keys = io.mqttsec.tls.SoftHsm.ecKeys();
    assertThat(keys.getPrivate().getEncoded()).as("sensitive, not extractable").isNull();
    String password = Cli.input(passphrase, "ca", "bootstrap", "--dir", ca.toString(), "--cn", "press-7",
        "--passphrase-stdin").out().strip();
    String[] base = new String[1];
    List<X509Certificate> chain;
    try (AutoCloseable est = serve(ca, dir.resolve("token-enrollments.jsonl"), base)) {
      ClientTls bootstrap = TlsContexts.forClient().trustedCertificates(ca.resolve("ca.pem")).build();
      chain = io.mqttsec.tls.EstClient.of(java.net.URI.create(base[0]), bootstrap).enroll(
          io.mqttsec.tls.CertificateRequest.der("press-7", keys.getPublic(), keys.getPrivate()), "press-7",
          password.toCharArray());
    }
    ClientTls tls = TlsContexts.forClient().trustedCertificates(ca.resolve("ca.pem"))
        .identity(keys.getPrivate(), chain).build();
    Mqtt5BlockingClient device = client(tls, mtlsPort);
    device.connect();
    assertThat(publish(device, "factory/press-7/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(publish(device, "factory/press-1/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    String fingerprint = io.mqttsec.tls.CertificateIdentity.of(chain.get(0)).sha256Fingerprint();
    assertThat(awaitLine(dir.resolve("demo/audit.jsonl"), l -> l.contains("\"event\":\"connect.success\"")
        && l.contains(fingerprint))).containsEntry("user", "press-7").containsEntry("listener", "mtls");
  }

  @Test
  void mutualTls_theDemoDeviceCertificateIsItsIdentity() {
    Path devices = dir.resolve("demo/devices");
    ClientTls tls = TlsContexts.forClient().trustedCertificates(dir.resolve("demo/ca/ca.pem"))
        .identity(devices.resolve("press-1.pem"), devices.resolve("press-1.key")).build();
    Mqtt5BlockingClient press = client(tls, mtlsPort);
    press.connect();
    assertThat(publish(press, "factory/press-1/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(publish(press, "factory/press-2/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(Pem.readCertificates(devices.resolve("press-1.pem")).get(0).getSubjectX500Principal().getName())
        .isEqualTo("CN=press-1");
  }

  @Test
  void brokenConfiguration_exits2_listingEveryProblem_andTheBrokerStops() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("broken"));
    Files.copy(dir.resolve("demo/server.pem"), conf.resolve("server.pem"));
    Files.copy(dir.resolve("demo/server.key"), conf.resolve("server.key"));
    Files.writeString(conf.resolve("passwd"), "press-1\n");
    Files.writeString(conf.resolve("acl.conf"), "pattern readwrite factory/%u/#\ntopic reed x\n");
    Files.writeString(conf.resolve("mqtt-sec.xml"), "<mqtt-sec><password-file>passwd</password-file>"
        + "<acl-file>acl.conf</acl-file></mqtt-sec>");
    Cli.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(90),
        () -> Cli.run("broker", "--config", conf.toString(), "--port", String.valueOf(freePort()), "--mtls-port",
            "0"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("mqtt-sec refuses to start", conf.resolve("acl.conf") + ":2:7: unknown access",
        conf.resolve("passwd") + ":1:");
    Cli.Result missing = Cli.run("broker", "--config", dir.resolve("nowhere").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).isEqualTo("mqtt-sec: " + dir.resolve("nowhere/mqtt-sec.xml") + ": missing (--config "
        + "needs mqtt-sec.xml, server.pem and server.key)\n");
  }

  @Test
  void thePrintedMosquittoCommands_deliverInside_andRefuseOutside() throws Exception {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, "mosquitto_sub")));
    if (System.getenv("CI") == null && !installed) {
      return; // outside CI without mosquitto-clients there is nothing to run; CI installs them
    }
    List<String> commands = output.lines().map(String::strip).filter(l -> l.startsWith("mosquitto_")).toList();
    assertThat(commands).hasSize(4);
    subscribeThenPublish(commands);
    Process outside = new ProcessBuilder("bash", "-c", commands.get(2)).start();
    assertThat(outside.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(outside.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .containsIgnoringCase("not authorized");
    Process certificate = new ProcessBuilder("bash", "-c", commands.get(3)).start();
    assertThat(certificate.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(certificate.exitValue()).isZero();
  }
}
