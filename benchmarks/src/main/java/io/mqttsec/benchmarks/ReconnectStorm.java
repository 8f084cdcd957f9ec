/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.Password;
import io.mqttsec.creds.PasswordGenerator;
import io.mqttsec.creds.PasswordHash;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.hivemq.MqttSecExtensionMain;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.tls.Pem;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fleet reconnecting at once after a broker restart: N provisioned devices (generated secrets, as {@code passwd
 * provision} makes them) connect concurrently over TLS, each trying again 1 to 2 s after a failure as devices do;
 * the time until the last is in and the p99 latency from a device's first attempt to its CONNACK,
 * on the same HiveMQ CE TLS listener with authentication off (allow-all), with mqtt-sec, with mqtt-sec while 20
 * addresses guess passwords, and on mosquitto (its own TLS and the same password file) when it is installed. Every
 * broker starts cold: no login is cached.
 *
 * <p>Run: {@code python3 benchmarks/storm.py [N]} (it builds the class path and calls this main).
 */
public final class ReconnectStorm {

  private ReconnectStorm() {
  }

  /**
   * How long a TLS handshake may take, on HiveMQ's listener and in the clients (10 s, both one's and the other's
   * default; mosquitto has none). Under a storm, handshakes that time out are tried again, each costing another
   * handshake, so that a broker a little slower to answer can set off a cascade of retries.
   */
  static int handshakeSeconds;

  /** Why attempts failed, for the run under way. */
  static final Map<String, Integer> WHY = new java.util.concurrent.ConcurrentHashMap<>();

  record Result(String name, int connected, int retries, double seconds, double p50Millis, double p99Millis) {
    @Override
    public String toString() {
      return String.format("%-30s %6d in %6.2f s  (%d retries)  CONNACK p50 %7.1f ms  p99 %7.1f ms", name,
          connected, seconds, retries, p50Millis, p99Millis);
    }
  }

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    handshakeSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    Path dir = Files.createTempDirectory("storm");
    CertificateAuthority ca = CertificateAuthority.create("CN=Storm CA", Duration.ofDays(2));
    HeldCertificate server = ca.issue("localhost").ipAddresses("127.0.0.1").serverAuth().issue();
    Files.writeString(dir.resolve("server.pem"), Pem.encode(server.chain()));
    Files.writeString(dir.resolve("server.key"), Pem.encodePrivateKey(server.privateKey()));
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(List.of(ca.certificate())));
    Map<String, String> fleet = provision(dir, devices);
    Files.writeString(dir.resolve("acl.conf"), "pattern readwrite factory/%u/#\n");
    Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec><password-file>passwd</password-file>"
        + "<acl-file>acl.conf</acl-file><limits defaults=\"none\"/></mqtt-sec>");
    ClientTls trust = TlsContexts.forClient().trustedCertificates(dir.resolve("ca.pem")).build();

    List<String> runs = new ArrayList<>(List.of(ALLOW_ALL, MQTT_SEC, ATTACK));
    if (mosquitto() != null) {
      runs.add(MOSQUITTO);
    } else {
      System.out.println("mosquitto is not installed: its run is left out");
    }
    run(dir, "warm-up (not counted)", fleet, trust); // the JIT, for every run after
    Map<String, List<Result>> results = new LinkedHashMap<>();
    runs.forEach(name -> results.put(name, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      // each round starts one run later, so no broker always runs first (coldest) or last (warmest)
      for (int i = 0; i < runs.size(); i++) {
        String name = runs.get((i + round) % runs.size());
        results.get(name).add(run(dir, name, fleet, trust));
      }
    }
    System.out.println();
    System.out.println(fleet.size() + " devices, TLS (handshake timeout " + handshakeSeconds + " s), one JVM for "
        + "clients and HiveMQ, 2 cores, " + rounds + " rounds (median of each):");
    Result base = median(results.get(ALLOW_ALL));
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      Result m = median(e.getValue());
      System.out.printf("%s%s%n", m, e.getKey().equals(ALLOW_ALL) ? "" : String.format(
          "  time to all %.2fx, p99 %.2fx allow-all", m.seconds() / base.seconds(), m.p99Millis() / base.p99Millis()));
    }
  }

  static final String ALLOW_ALL = "HiveMQ CE, allow-all";
  static final String MQTT_SEC = "HiveMQ CE + mqtt-sec";
  static final String ATTACK = "HiveMQ CE + mqtt-sec, attack";
  static final String MOSQUITTO = "mosquitto 2.0 (its TLS)";

  static Result run(Path dir, String name, Map<String, String> fleet, ClientTls trust) throws Exception {
    switch (name) {
      case MQTT_SEC:
      case ATTACK:
        return onHiveMq(dir, name, new MqttSecExtensionMain(dir.resolve("mqtt-sec.xml"), line -> { }), fleet, trust,
            name.equals(ATTACK));
      case MOSQUITTO:
        return onMosquitto(dir, fleet, trust);
      default:
        return onHiveMq(dir, name, new AllowAll(), fleet, trust, false);
    }
  }

  /** The run with the median time to all; its p50 and p99 are the medians of the rounds' too. */
  static Result median(List<Result> rs) {
    List<Result> byTime = new ArrayList<>(rs);
    byTime.sort(java.util.Comparator.comparingDouble(Result::seconds));
    double[] p50 = rs.stream().mapToDouble(Result::p50Millis).sorted().toArray();
    double[] p99 = rs.stream().mapToDouble(Result::p99Millis).sorted().toArray();
    int[] retries = rs.stream().mapToInt(Result::retries).sorted().toArray();
    Result m = byTime.get(byTime.size() / 2);
    return new Result(m.name(), byTime.get(0).connected(), retries[retries.length / 2], m.seconds(),
        p50[p50.length / 2], p99[p99.length / 2]);
  }

  /** N devices with generated secrets, as {@code passwd provision} stores them (12-byte salt: mosquitto 2.0 too). */
  static Map<String, String> provision(Path dir, int devices) throws Exception {
    PasswordHasher hasher = PasswordHasher.forGeneratedSecrets().withSaltBytes(12);
    Map<String, String> fleet = new LinkedHashMap<>();
    Map<String, PasswordHash> hashes = new LinkedHashMap<>();
    PasswordGenerator generator = PasswordGenerator.create();
    for (int i = 1; i <= devices; i++) {
      try (Password p = generator.generate()) {
        String user = String.format("sensor_%05d", i);
        fleet.put(user, p.reveal());
        hashes.put(user, hasher.hash(p.bytes()));
      }
    }
    Files.writeString(dir.resolve("passwd"), "");
    CredentialFile.builder(dir.resolve("passwd")).hasher(hasher).build().putAll(hashes, false);
    return fleet;
  }

  static Result onHiveMq(Path dir, String name, ExtensionMain extension, Map<String, String> fleet, ClientTls trust,
                         boolean attack) throws Exception {
    Path home = Files.createTempDirectory(dir, "hivemq");
    Path conf = Files.createDirectories(home.resolve("conf"));
    char[] storePassword = "storm-store".toCharArray();
    try (ServerTls tls = TlsContexts.forServer(dir.resolve("server.pem"), dir.resolve("server.key")).build()) {
      tls.toPkcs12(conf.resolve("broker.p12"), storePassword);
    }
    int port = freePort();
    Files.writeString(conf.resolve("config.xml"), "<hivemq><listeners><tls-tcp-listener><port>" + port
        + "</port><bind-address>127.0.0.1</bind-address><name>tls</name><tls><keystore><path>"
        + conf.resolve("broker.p12") + "</path><password>storm-store</password><private-key-password>storm-store"
        + "</private-key-password></keystore><handshake-timeout>" + handshakeSeconds * 1000
        + "</handshake-timeout></tls></tls-tcp-listener></listeners>"
        + "<restrictions><no-connect-idle-timeout>300000</no-connect-idle-timeout></restrictions>"
        + "<anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics></hivemq>");
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
        .withDataFolder(Files.createDirectories(home.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
        .withEmbeddedExtension(EmbeddedExtension.builder().withId("storm").withName("storm").withVersion("1")
            .withPriority(1000).withStartPriority(1000).withExtensionMain(extension).build())
        .build();
    InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(true);
    hivemq.start().get(120, TimeUnit.SECONDS);
    try {
      return storm(name, port, fleet, trust, attack);
    } finally {
      hivemq.stop().get(120, TimeUnit.SECONDS);
      hivemq.close();
    }
  }

  static String mosquitto() {
    return List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto").stream()
        .filter(p -> new File(p).canExecute()).findFirst().orElse(null);
  }

  static Result onMosquitto(Path dir, Map<String, String> fleet, ClientTls trust) throws Exception {
    String broker = mosquitto();
    int port = freePort();
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1",
        "cafile " + dir.resolve("ca.pem"), "certfile " + dir.resolve("server.pem"),
        "keyfile " + dir.resolve("server.key"), "allow_anonymous false", "password_file " + dir.resolve("passwd"),
        "max_connections -1", "persistence false", "user " + System.getProperty("user.name"), ""));
    Process mosquitto = new ProcessBuilder(broker, "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try (java.net.Socket s = new java.net.Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          break;
        } catch (java.io.IOException notYet) {
          if (System.nanoTime() > deadline || !mosquitto.isAlive()) {
            throw new IllegalStateException("mosquitto did not start: " + Files.readString(dir.resolve(
                "mosquitto.log")));
          }
          Thread.sleep(50);
        }
      }
      return storm(MOSQUITTO, port, fleet, trust, false);
    } finally {
      mosquitto.destroy();
      mosquitto.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Every device connects at once; returns when all are in or failed. */
  static Result storm(String name, int port, Map<String, String> fleet, ClientTls trust, boolean attack)
      throws Exception {
    AtomicBoolean attacking = new AtomicBoolean(attack);
    List<Thread> attackers = new ArrayList<>();
    AtomicInteger guesses = new AtomicInteger();
    for (int a = 0; a < (attack ? 20 : 0); a++) {
      String from = "127.0.0." + (100 + a);
      Thread t = new Thread(() -> {
        int n = 0;
        while (attacking.get()) {
          Mqtt5AsyncClient c = client(port, "guess-" + from + "-" + n, trust, from, "admin" + (n % 50),
              "guess" + n);
          try {
            c.connect().get(30, TimeUnit.SECONDS);
            c.disconnect();
          } catch (Exception refused) {
            guesses.incrementAndGet();
          }
          n++;
        }
      }, "attacker-" + a);
      t.setDaemon(true);
      attackers.add(t);
      t.start();
    }
    if (attack) {
      Thread.sleep(2_000); // the attack is under way before the fleet comes back
    }
    List<Mqtt5AsyncClient> clients = new ArrayList<>();
    for (Map.Entry<String, String> d : fleet.entrySet()) {
      clients.add(client(port, d.getKey(), trust, null, d.getKey(), d.getValue()));
    }
    long[] latency = new long[clients.size()];
    AtomicInteger retries = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    java.util.concurrent.ScheduledExecutorService backoff = java.util.concurrent.Executors
        .newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    for (int i = 0; i < clients.size(); i++) {
      int k = i;
      long t0 = System.nanoTime();
      CompletableFuture<Void> connected = new CompletableFuture<>();
      done.add(connected.whenComplete((v, e) -> latency[k] = System.nanoTime() - t0));
      attempt(clients.get(i), connected, backoff, retries, failed, 1);
    }
    CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).handle((v, e) -> null).get(30, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    backoff.shutdownNow();
    attacking.set(false);
    for (Mqtt5AsyncClient c : clients) {
      c.disconnect();
    }
    Arrays.sort(latency);
    Result r = new Result(name, clients.size() - failed.get(), retries.get(), seconds,
        latency[latency.length / 2] / 1e6, latency[(int) (latency.length * 0.99)] / 1e6);
    System.out.println(r + (attack ? "  (" + guesses.get() + " guesses refused meanwhile)" : ""));
    WHY.forEach((why, n) -> System.out.println("    " + n + " x " + why));
    WHY.clear();
    Thread.sleep(1_000);
    return r;
  }

  /** One CONNECT of a device; after a failure it tries again 1 to 2 s later, as devices do, up to 20 times. */
  static void attempt(Mqtt5AsyncClient client, CompletableFuture<Void> connected,
                      java.util.concurrent.ScheduledExecutorService backoff, AtomicInteger retries,
                      AtomicInteger failed, int n) {
    client.connect().whenComplete((ack, error) -> {
      if (error == null) {
        connected.complete(null);
      } else if (n >= 20) {
        failed.incrementAndGet();
        connected.complete(null);
      } else {
        retries.incrementAndGet();
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        WHY.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1, Integer::sum);
        backoff.schedule(() -> attempt(client, connected, backoff, retries, failed, n + 1),
            1_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000), TimeUnit.MILLISECONDS);
      }
    });
  }

  static Mqtt5AsyncClient client(int port, String id, ClientTls trust, String from, String user, String password) {
    var b = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port).transportConfig()
        .socketConnectTimeout(120, TimeUnit.SECONDS).mqttConnectTimeout(300, TimeUnit.SECONDS);
    if (from != null) {
      b = b.localAddress(new InetSocketAddress(from, 0));
    }
    return b.sslConfig().trustManagerFactory(trust.trustManagerFactory())
        .handshakeTimeout(handshakeSeconds, TimeUnit.SECONDS).applySslConfig().applyTransportConfig()
        .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .buildAsync();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The baseline: HiveMQ with an authenticator that lets everyone in, and nothing else. */
  static final class AllowAll implements ExtensionMain {
    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
      Services.securityRegistry().setAuthenticatorProvider(i -> (SimpleAuthenticator) (in, out) ->
          out.authenticateSuccessfully());
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    }
  }
}
