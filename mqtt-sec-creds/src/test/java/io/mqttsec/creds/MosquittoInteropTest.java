/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with Debian's mosquitto 2.0 tools, which {@code .ci/run} installs: files written by
 * {@code mosquitto_passwd} verify here, and a file written here is accepted by a real mosquitto broker on a
 * free loopback port. Skipped, with the reason, only where the binaries are absent.
 */
class MosquittoInteropTest {

  // Passwords with ':', spaces and non-ASCII: mosquitto_passwd stores them as given, byte for byte.
  static final String[][] USERS = {
      {"plain", "s3cret"},
      {"colon", "pa:ss:word"},
      {"spaces", "correct horse battery staple"},
      {"unicode", "Grüße-Ωμέγα-密码"},
  };

  @TempDir
  Path dir;

  static Optional<Path> binary(String name) {
    List<String> folders = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    folders.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"));
    return folders.stream().filter(f -> !f.isEmpty()).map(f -> Path.of(f, name)).filter(Files::isExecutable)
        .findFirst();
  }

  static Path require(String name) {
    Optional<Path> path = binary(name);
    assumeTrue(path.isPresent(), name + " is not installed (apt-get install mosquitto mosquitto-clients; .ci/run"
        + " does it): interop test skipped");
    return path.get();
  }

  static int run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command.get(0));
    }
    return p.exitValue();
  }

  @Test
  void mosquittoPasswdFiles_verifyHere() throws Exception {
    Path tool = require("mosquitto_passwd");
    for (String algorithm : new String[] {"sha512", "sha512-pbkdf2"}) {
      Path file = dir.resolve("passwd-" + algorithm);
      for (int i = 0; i < USERS.length; i++) {
        List<String> cmd = new ArrayList<>(List.of(tool.toString(), "-H", algorithm));
        if (i == 0) {
          cmd.add("-c");
        }
        cmd.addAll(List.of("-b", file.toString(), USERS[i][0], USERS[i][1]));
        assertThat(run(cmd)).as(String.join(" ", cmd.subList(0, 3))).isZero();
      }
      CredentialFile store = CredentialFile.load(file);
      PasswordHash.Algorithm expected = algorithm.equals("sha512")
          ? PasswordHash.Algorithm.SHA512 : PasswordHash.Algorithm.PBKDF2_SHA512;
      for (String[] user : USERS) {
        PasswordHash hash = store.lookup(user[0]).orElseThrow().hash();
        assertThat(hash.algorithm()).isEqualTo(expected);
        assertThat(hash.verify(user[1].getBytes(UTF_8))).as(algorithm + " " + user[0]).isTrue();
        assertThat(hash.verify((user[1] + "x").getBytes(UTF_8))).isFalse();
      }
    }
  }

  @Test
  void ourFile_isAcceptedByAMosquittoBroker() throws Exception {
    Path broker = require("mosquitto");
    Path pub = require("mosquitto_pub");
    Path file = dir.resolve("passwd");
    Files.writeString(file, "# written by mqtt-sec\n");
    // mosquitto 2.0 reads $7$ only with a 12-byte salt; 2.1 also reads the default 64 bytes.
    PasswordHasher policy = PasswordHasher.pbkdf2Sha512().withSaltBytes(12);
    CredentialFile store = CredentialFile.builder(file).hasher(policy).build();
    for (String[] user : USERS) {
      store.put(user[0], user[1].getBytes(UTF_8));
    }
    store.put("rotating", "old-one".getBytes(UTF_8));
    store.rotate("rotating", "new-one".getBytes(UTF_8), Instant.now().plus(Duration.ofDays(1)));
    // a generated secret, stored at its cheap cost: mosquitto reads that $7$ form too
    String secret;
    try (Password generated = PasswordGenerator.create().generate()) {
      secret = generated.reveal();
      CredentialFile.builder(file).hasher(PasswordHasher.forGeneratedSecrets().withSaltBytes(12)).build()
          .put("sensor", generated.bytes());
    }
    assertThat(Files.readString(file)).contains("\nsensor:$7$100$");

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, String.join("\n",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous false",
        "password_file " + file,
        // Stay the current user: dropping to "mosquitto" would make the 0600 file unreadable.
        "user " + System.getProperty("user.name"),
        "persistence false", ""));
    Process mosquitto = new ProcessBuilder(broker.toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    try {
      awaitPort(port, mosquitto);
      for (String[] user : USERS) {
        assertThat(publish(pub, port, user[0], user[1])).as(user[0]).isZero();
        assertThat(publish(pub, port, user[0], user[1] + "!")).as(user[0] + " wrong").isNotZero();
      }
      // mosquitto reads the first two fields of a rotation line: the new password.
      assertThat(publish(pub, port, "rotating", "new-one")).isZero();
      assertThat(publish(pub, port, "sensor", secret)).as("a generated secret at 100 iterations").isZero();
      assertThat(publish(pub, port, "sensor", secret + "!")).isNotZero();
      assertThat(publish(pub, port, "nobody", "x")).isNotZero();
    } finally {
      mosquitto.destroy();
      if (!mosquitto.waitFor(5, TimeUnit.SECONDS)) {
        mosquitto.destroyForcibly();
      }
    }
  }

  private static int publish(Path pub, int port, String user, String password) throws Exception {
    return run(List.of(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-u", user, "-P", password,
        "-t", "mqtt-sec/interop", "-m", "hello", "-q", "1"));
  }

  private void awaitPort(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("mosquitto did not open port " + port);
  }
}
