/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import io.mqttsec.broker.AuditFormat;
import io.mqttsec.broker.AuditOutput;
import io.mqttsec.broker.BrokerConfig;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.hivemq.MqttSecExtensionMain;
import io.mqttsec.moquette.MoquetteSecurity;
import io.mqttsec.postgres.PostgresStore;
import io.mqttsec.postgres.StoreAdmin;
import io.mqttsec.postgres.StoreSchema;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mqtt-sec broker}: HiveMQ CE in this process with the mqtt-sec extension, a TLS listener for passwords
 * and a mutual-TLS listener for device certificates, on loopback unless told otherwise. With no configuration it
 * creates a demo one and prints the commands to try it.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {"Run HiveMQ CE secured by mqtt-sec until Ctrl-C.",
        "Without --config, creates (or reuses) a demo setup in ./mqtt-sec-demo: a CA, a broker certificate for "
            + "localhost, devices with generated passwords, the factory ACL."})
final class BrokerCommand implements Callable<Integer> {

  private final Terminal terminal;

  @Option(names = "--config", paramLabel = "DIR", description = "A folder with mqtt-sec.xml (and the files it "
      + "names), server.pem and server.key. Default: the demo folder.")
  Path config;

  @Option(names = "--demo-dir", paramLabel = "DIR", defaultValue = "mqtt-sec-demo",
      description = "Where the demo lives (default ${DEFAULT-VALUE}).")
  Path demoDir;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "The address to listen on (default ${DEFAULT-VALUE}, loopback only).")
  String bind;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8883",
      description = "TLS listener, passwords (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--mtls-port", paramLabel = "PORT", defaultValue = "8884",
      description = "Mutual-TLS listener, certificates (default ${DEFAULT-VALUE}; 0 turns it off).")
  int mtlsPort;

  @Option(names = "--store", paramLabel = "URL", description = "Take users, ACL and revocations from a fleet store "
      + "in PostgreSQL (jdbc:postgresql://HOST:PORT/DB) instead of the demo's files: the store is made if missing "
      + "and, when it has no users, filled with the demo's. The role comes from PGUSER or the URL, its password "
      + "from PGPASSWORD.")
  String store;

  @Option(names = "--store-schema", paramLabel = "NAME", defaultValue = StoreSchema.DEFAULT_NAME,
      description = "The store's schema (default ${DEFAULT-VALUE}).")
  String storeSchema;

  /** The demo's configuration on a store, beside its own: the same, with a {@code <store>} for the two files. */
  static final String STORE_CONFIG = "mqtt-sec-store.xml";

  @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "hivemq",
      description = "The broker: hivemq (HiveMQ CE, default) or moquette (one TLS port on --port, where a client "
          + "certificate, when presented, is the identity; MQTT 3.1.1).")
  String engine;

  @Option(names = "--audit-format", paramLabel = "FORMAT", description = "Also write the audit lines, in this "
      + "format (mqtt-sec, ecs or ocsf), to audit.jsonl in the demo (or --config) folder: pure JSON lines for a "
      + "SIEM's shipper. Default for the demo: mqtt-sec; with --config, only when given.")
  String auditFormat;

  /** The audit file the demo always writes, and {@code --audit-format} asks for. */
  static final String AUDIT_FILE = "audit.jsonl";

  /** The demo's password hash cost: its passwords are generated secrets. */
  int demoIterations = PasswordHasher.GENERATED_SECRET_ITERATIONS;

  BrokerCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    Running broker = start();
    Thread hook = new Thread(() -> {
      terminal.out.println("stopping the broker");
      broker.close();
      stopped.countDown();
    }, "mqtt-sec-broker-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    terminal.out.println("Ctrl-C stops the broker.");
    terminal.out.flush();
    stopped.await();
    return 0;
  }

  /** A started broker; {@link #close()} stops it. */
  static final class Running implements AutoCloseable {
    private final AutoCloseable broker;
    private final FolderLock lock;
    private ScheduledExecutorService chores;

    /** {@code broker} stops the broker (and mqtt-sec with it) when closed. */
    Running(AutoCloseable broker, FolderLock lock) {
      this.broker = broker;
      this.lock = lock;
    }

    /** Runs {@code chore} every {@code period} while the broker runs. */
    synchronized void every(Duration period, Runnable chore) {
      if (chores == null) {
        chores = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "mqtt-sec-broker-chores");
          t.setDaemon(true);
          return t;
        });
      }
      chores.scheduleWithFixedDelay(chore, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
      if (chores != null) {
        chores.shutdownNow();
      }
      try {
        broker.close();
      } catch (Exception e) {
        // stopping is best effort: the process is ending
      } finally {
        lock.close();
      }
    }
  }

  /** Creates the demo if needed, starts the broker and prints how to use it. */
  Running start() throws Exception {
    if (!engine.equals("hivemq") && !engine.equals("moquette")) {
      throw CliException.input("--engine " + engine + ": hivemq or moquette");
    }
    checkPort("--port", port, false);
    if (engine.equals("hivemq")) {
      checkPort("--mtls-port", mtlsPort, true);
    }
    // before HiveMQ's first handshake, when the JDK reads it
    TlsContexts.refuseClientInitiatedRenegotiation();
    Path dir;
    Map<String, String> demoPasswords = null;
    if (config != null) {
      dir = config;
      for (String f : List.of("mqtt-sec.xml", "server.pem", "server.key")) {
        if (!Files.isRegularFile(dir.resolve(f))) {
          throw CliException.input(dir.resolve(f) + ": missing (--config needs mqtt-sec.xml, server.pem and "
              + "server.key)");
        }
      }
    }
    // a second broker on the same folder would rewrite the running one's configuration and key stores
    FolderLock lock = FolderLock.acquire(config != null ? config : demoDir);
    try {
      return start(lock);
    } catch (Exception | Error e) {
      lock.close();
      throw e;
    }
  }

  private Running start(FolderLock lock) throws Exception {
    Path dir;
    Map<String, String> demoPasswords = null;
    if (config != null) {
      dir = config;
    } else {
      dir = demoDir;
      if (Demo.exists(dir)) {
        terminal.out.println("using the demo in " + dir + " (delete the folder for a fresh one)");
      } else {
        terminal.out.println("creating a demo configuration in " + dir);
        Demo.create(dir, demoIterations);
      }
      demoPasswords = Demo.passwords(dir);
      refreshDemoCrl(dir);
    }
    Path configFile = dir.resolve("mqtt-sec.xml");
    if (store != null) {
      if (config != null) {
        throw CliException.input("--store runs the demo on a store; with --config, name the store in its "
            + "mqtt-sec.xml (<store><postgres url=.../></store>)");
      }
      configFile = onStore(dir);
    }
    Path hivemqDir = privateFolder(dir.resolve("hivemq"));
    Path conf = privateFolder(hivemqDir.resolve("conf"));
    // owner-only, made once and kept: the demo's <server-tls> names it, so mqtt-sec rewrites HiveMQ's key stores
    // with it when server.pem or server.key change, and the stores and config.xml stay as they are otherwise
    char[] storePassword = HivemqCommand.storePassword(conf.resolve("store-password"));
    BrokerConfig extensionConfig;
    try {
      extensionConfig = BrokerConfig.read(configFile);
    } catch (BrokerConfig.InvalidConfigException e) {
      Path named = configFile;
      throw CliException.input(String.join("\n  ", e.problems().stream().map(p -> named + ": " + p).toList()));
    }
    List<AuditOutput> addedAudits = new ArrayList<>();
    if (auditFormat != null || config == null) {
      AuditFormat format;
      try {
        format = auditFormat == null ? AuditFormat.MQTT_SEC : AuditFormat.named(auditFormat);
      } catch (IllegalArgumentException e) {
        throw CliException.input("--audit-format: " + e.getMessage());
      }
      AuditOutput file = AuditOutput.file(format, dir.toAbsolutePath().resolve(AUDIT_FILE));
      try {
        extensionConfig = extensionConfig.withAudit(file);
      } catch (IllegalArgumentException e) {
        throw CliException.input(e.getMessage() + " (leave out --audit-format)");
      }
      addedAudits.add(file);
    }
    Path trusted = extensionConfig.trustedCertificates().orElse(null);
    if (engine.equals("moquette")) {
      return startMoquette(lock, dir, configFile, demoPasswords, extensionConfig, addedAudits, trusted != null);
    }
    boolean mtls = mtlsPort > 0 && trusted != null;

    TlsContexts.ServerBuilder tlsBuilder = TlsContexts.forServer(dir.resolve("server.pem"),
        dir.resolve("server.key"));
    if (trusted != null) {
      tlsBuilder.trustedCertificates(trusted);
    }
    try (ServerTls tls = tlsBuilder.build()) {
      tls.toPkcs12(conf.resolve("broker.p12"), storePassword);
      if (trusted != null) {
        tls.trustStoreToPkcs12(conf.resolve("trust.p12"), storePassword);
      }
    }
    // owner-only (it names the key store's password), and written only when what it says changes
    writeIfChanged(conf.resolve("config.xml"), hivemqConfig(conf, new String(storePassword), mtls,
        extensionConfig.limits().maxPacketBytes()));
    AtomicReference<String> refused = new AtomicReference<>();
    // building the broker logs "Setting default authentication behavior to ALLOW ALL", untrue here: the line after
    // build() switches it back before anything listens, so the alarming line is not shown
    if (LoggerFactory.getLogger(EMBEDDED_BUILDER_LOGGER) instanceof ch.qos.logback.classic.Logger builderLog) {
      builderLog.setLevel(ch.qos.logback.classic.Level.WARN);
    }
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(conf)
        .withDataFolder(privateFolder(hivemqDir.resolve("data")))
        .withExtensionsFolder(privateFolder(hivemqDir.resolve("extensions")))
        .withEmbeddedExtension(EmbeddedExtension.builder().withId("mqtt-sec").withName("mqtt-sec")
            .withVersion("0.1.0").withPriority(1000).withStartPriority(1000)
            .withExtensionMain(new Watched(new MqttSecExtensionMain(configFile,
                LoggerFactory.getLogger(MqttSecExtensionMain.AUDIT_LOGGER)::info, addedAudits), refused)).build())
        .build();
    // building an embedded broker lets unauthenticated clients in while no security extension runs; an
    // installed HiveMQ refuses them, and so must we if mqtt-sec refuses to start
    InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(true);
    Running running = new Running(() -> {
      hivemq.stop().get(60, TimeUnit.SECONDS);
      hivemq.close();
    }, lock);
    try {
      hivemq.start().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      running.close();
      throw CliException.input("the broker did not start: " + rootCause(e));
    }
    if (refused.get() != null) {
      running.close();
      throw CliException.input(refused.get());
    }
    if (config == null) {
      running.every(CRL_CHECK_INTERVAL, () -> refreshDemoCrl(dir));
    }
    printUsage(dir, demoPasswords, mtls, extensionConfig);
    return running;
  }

  /**
   * Makes the store (if missing), fills it with the demo's users and ACL when it has no users, and writes
   * {@value #STORE_CONFIG}: the demo's configuration with a {@code <store>} for its password and ACL files.
   */
  private Path onStore(Path dir) throws IOException {
    try (StoreAdmin admin = StoreCommand.connect(store, null, null, storeSchema)) {
      admin.init();
      if (admin.users().isEmpty()) {
        int[] n = admin.importFiles(dir.resolve("passwd"), dir.resolve("acl.conf"));
        terminal.out.println("filled the store (schema " + storeSchema + ") with the demo's " + n[0] + " users and "
            + n[1] + " rules");
      } else {
        terminal.out.println("using the store's " + admin.users().size() + " users (schema " + storeSchema
            + ")");
      }
    } catch (java.sql.SQLException e) {
      throw CliException.failed("cannot prepare the store at " + PostgresStore.describe(store) + ": "
          + e.getMessage());
    }
    String demo = Files.readString(dir.resolve("mqtt-sec.xml"));
    String files = "<password-file>passwd</password-file>";
    if (!demo.contains(files) || !demo.contains("<acl-file>acl.conf</acl-file>")) {
      throw CliException.input(dir.resolve("mqtt-sec.xml") + ": not the demo's configuration; --store needs it");
    }
    String storeElement = "<store><postgres url=\"" + xmlAttribute(store) + "\" schema=\"" + storeSchema
        + "\"/></store>";
    Path file = dir.resolve(STORE_CONFIG);
    writeIfChanged(file, demo.replace(files, storeElement).replaceAll("\\s*<acl-file>acl\\.conf</acl-file>", ""));
    return file;
  }

  private static String xmlAttribute(String value) {
    return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
  }

  /** The logger of HiveMQ's embedded broker, which announces "ALLOW ALL" when built. */
  static final String EMBEDDED_BUILDER_LOGGER = "com.hivemq.embedded.internal.EmbeddedHiveMQImpl";

  /**
   * Moquette behind mqtt-sec ({@code --engine moquette}): one TLS port, where a client certificate, when one is
   * presented, is the identity (the demo's {@code mtls} listener) and a password otherwise ({@code tls}).
   */
  private Running startMoquette(FolderLock lock, Path dir, Path configFile, Map<String, String> demoPasswords,
                                BrokerConfig extensionConfig, List<AuditOutput> addedAudits, boolean certificates)
      throws IOException {
    MoquetteSecurity.Builder b = MoquetteSecurity.builder(configFile)
        .serverCertificate(dir.resolve("server.pem"), dir.resolve("server.key"))
        .auditSink(LoggerFactory.getLogger(MqttSecExtensionMain.AUDIT_LOGGER)::info);
    addedAudits.forEach(b::audit);
    MoquetteSecurity security;
    try {
      security = b.build();
    } catch (BrokerConfig.InvalidConfigException e) {
      throw CliException.input(String.join("\n  ", e.problems().stream()
          .map(p -> configFile + ": " + p).toList()));
    }
    Properties properties = new Properties();
    properties.setProperty("host", bind);
    properties.setProperty("ssl_port", String.valueOf(port));
    io.moquette.broker.Server server;
    try {
      server = security.start(properties);
    } catch (IOException | RuntimeException e) {
      security.close();
      throw CliException.input("the broker did not start: " + rootCause(e));
    }
    Running running = new Running(() -> {
      server.stopServer();
      security.close();
    }, lock);
    if (config == null) {
      running.every(CRL_CHECK_INTERVAL, () -> refreshDemoCrl(dir));
    }
    printUsage(dir, demoPasswords, certificates, extensionConfig);
    return running;
  }

  /** How often a running demo broker checks whether its CRL needs signing again. */
  static final Duration CRL_CHECK_INTERVAL = Duration.ofHours(1);

  /** Signs the demo's next CRL when a third of the current one's lifetime is left; says so when it did. */
  private void refreshDemoCrl(Path dir) {
    try {
      Demo.refreshCrl(dir, Clock.systemUTC()).ifPresent(next -> terminal.out.println(
          "signed a new demo CRL (" + dir.resolve(Demo.CRL) + "), valid until " + next));
    } catch (IOException | RuntimeException e) {
      terminal.err.println("mqtt-sec: cannot refresh the demo CRL " + dir.resolve(Demo.CRL) + ": " + e.getMessage()
          + " (mTLS devices are refused once it is overdue)");
    }
  }

  /** HiveMQ's {@code config.xml}: the TLS listener (and the mTLS one), written with an XML writer. */
  private String hivemqConfig(Path conf, String storePassword, boolean mtls, long maxPacketSize) {
    try {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
      Element hivemq = doc.createElement("hivemq");
      doc.appendChild(doc.createComment(" written by mqtt-sec broker; rewritten only when its settings change "));
      doc.appendChild(hivemq);
      Element listeners = child(doc, hivemq, "listeners", null);
      protocols(doc, listener(doc, listeners, port, "tls", conf, storePassword));
      if (mtls) {
        Element m = listener(doc, listeners, mtlsPort, "mtls", conf, storePassword);
        Element truststore = child(doc, m, "truststore", null);
        child(doc, truststore, "path", conf.resolve("trust.p12").toAbsolutePath().toString());
        child(doc, truststore, "password", storePassword);
        child(doc, m, "client-authentication-mode", "REQUIRED");
        protocols(doc, m);
      }
      if (maxPacketSize > 0) {
        child(doc, child(doc, child(doc, hivemq, "mqtt", null), "packets", null), "max-packet-size",
            String.valueOf(maxPacketSize));
      }
      child(doc, child(doc, hivemq, "anonymous-usage-statistics", null), "enabled", "false");
      Transformer t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.INDENT, "yes");
      t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      StringWriter out = new StringWriter();
      t.transform(new DOMSource(doc), new StreamResult(out));
      return out.toString();
    } catch (ParserConfigurationException | TransformerException e) {
      throw new IllegalStateException("cannot write HiveMQ's configuration", e);
    }
  }

  /** A TLS listener with mqtt-sec's key store; returns its {@code <tls>} element. */
  private Element listener(Document doc, Element listeners, int listenerPort, String name, Path conf,
                           String storePassword) {
    Element listener = child(doc, listeners, "tls-tcp-listener", null);
    child(doc, listener, "port", String.valueOf(listenerPort));
    child(doc, listener, "bind-address", bind);
    child(doc, listener, "name", name);
    Element tls = child(doc, listener, "tls", null);
    Element keystore = child(doc, tls, "keystore", null);
    child(doc, keystore, "path", conf.resolve("broker.p12").toAbsolutePath().toString());
    child(doc, keystore, "password", storePassword);
    child(doc, keystore, "private-key-password", storePassword);
    return tls;
  }

  private static void protocols(Document doc, Element tls) {
    Element protocols = child(doc, tls, "protocols", null);
    child(doc, protocols, "protocol", "TLSv1.3");
    child(doc, protocols, "protocol", "TLSv1.2");
  }

  private static Element child(Document doc, Element parent, String name, String text) {
    Element e = doc.createElement(name);
    if (text != null) {
      e.setTextContent(text);
    }
    parent.appendChild(e);
    return e;
  }

  /** Refuses a port outside 1 to 65535 (0 too, unless {@code zeroTurnsOff}) and one another program holds. */
  private void checkPort(String option, int value, boolean zeroTurnsOff) {
    if (zeroTurnsOff && value == 0) {
      return;
    }
    if (value < 1 || value > 65_535) {
      throw CliException.input(option + " " + value + ": not a port (1 to 65535" + (zeroTurnsOff ? ", or 0 for none"
          : "") + ")");
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(InetAddress.getByName(bind), value));
    } catch (IOException e) {
      throw CliException.input(option + " " + value + ": cannot listen on " + bind + ":" + value + " ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "; another broker may hold it)");
    }
  }

  /** The first message in the chain of causes, for a one-line reason. */
  static String rootCause(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getClass().getSimpleName() + ": " + t.getMessage();
      } else if (message == null) {
        message = t.getClass().getSimpleName();
      }
    }
    return message;
  }

  /** A folder only its owner may enter (0700): HiveMQ keeps payloads and retained messages there. */
  private static Path privateFolder(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // no POSIX modes here: the platform's defaults apply
    }
    return dir;
  }

  /** Writes {@code text} (owner-only) unless the file holds exactly that already. */
  private static void writeIfChanged(Path file, String text) throws IOException {
    if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
      return;
    }
    Files.deleteIfExists(file);
    PasswdCommand.writePrivate(file, text);
  }

  private void printUsage(Path dir, Map<String, String> passwords, boolean mtls, BrokerConfig extensionConfig) {
    String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    boolean moquette = engine.equals("moquette");
    int certificatePort = moquette ? port : mtlsPort;
    if (moquette) {
      terminal.out.println("mqtt-sec: Moquette is listening on " + bind + ":" + port + " (TLS, MQTT 3.1.1: user "
          + "name and password, or a client certificate whose CN is the user)");
    } else {
      terminal.out.println("mqtt-sec: HiveMQ CE is listening on " + bind + ":" + port + " (TLS, user name and "
          + "password)" + (mtls ? " and " + bind + ":" + mtlsPort + " (mutual TLS, the certificate's CN is the "
          + "user)" : ""));
    }
    terminal.out.println("limits: " + extensionConfig.limits());
    for (AuditOutput audit : extensionConfig.audits()) {
      terminal.out.println("audit lines (" + audit.format().configName() + "): " + audit.file().map(Path::toString)
          .orElse("this log") + "; look for acl.denied, connect.failure and alert.*");
    }
    if (passwords == null) {
      return;
    }
    Path ca = dir.resolve("ca").resolve("ca.pem");
    String base = "-h " + host + " -p " + port + " --cafile " + ca + (moquette ? " -V mqttv311" : "");
    terminal.out.println();
    terminal.out.println("demo users and passwords (also in " + dir.resolve(Demo.CREDENTIALS) + ", demo only):");
    passwords.forEach((user, password) -> terminal.out.println("  " + user + "  " + password));
    terminal.out.println();
    terminal.out.println("Try it with mosquitto's clients (apt-get install mosquitto-clients):");
    terminal.out.println("  # the dashboard reads the factory:");
    terminal.out.println("  mosquitto_sub " + base + " -u dashboard -P " + passwords.get("dashboard")
        + " -t 'factory/#' -v");
    terminal.out.println("  # press-1 publishes in its own subtree (delivered):");
    terminal.out.println("  mosquitto_pub " + base + " -u press-1 -P " + passwords.get("press-1")
        + " -t factory/press-1/temp -m 21.5");
    terminal.out.println("  # press-1 publishes outside it (refused, and an acl.denied audit line):");
    terminal.out.println("  mosquitto_pub " + base + (moquette ? "" : " -V mqttv5") + " -q 1 -u press-1 -P "
        + passwords.get("press-1") + " -t factory/press-2/temp -m 99");
    if (mtls) {
      Path devices = dir.resolve("devices");
      terminal.out.println("  # press-1 again, by certificate instead of password:");
      terminal.out.println("  mosquitto_pub -h " + host + " -p " + certificatePort + " --cafile " + ca + " --cert "
          + devices.resolve("press-1.pem") + " --key " + devices.resolve("press-1.key")
          + " -t factory/press-1/temp -m 22.0");
    }
    terminal.out.println();
  }


  /** Passes everything to the extension and remembers whether it refused to start, and why. */
  private record Watched(ExtensionMain delegate, AtomicReference<String> refused) implements ExtensionMain {
    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
      delegate.extensionStart(input, reason -> {
        refused.set(reason);
        output.preventExtensionStartup(reason);
      });
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
      delegate.extensionStop(input, output);
    }
  }


}
