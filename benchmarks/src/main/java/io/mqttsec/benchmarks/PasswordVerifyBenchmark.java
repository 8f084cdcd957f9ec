/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.creds.PasswordHasher;
import io.mqttsec.creds.internal.Pbkdf2Sha512;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one password check costs.
 *
 * <ul>
 *   <li>{@code derive}: one PBKDF2-HMAC-SHA512 derivation (64-byte salt, 64-byte key) at 101 (mosquitto 2.0's
 *       default), 1,000 and 210,000 (ours) iterations, by the JDK's {@code PBKDF2WithHmacSHA512} ({@code jdk})
 *       and by {@code Pbkdf2Sha512}, which keeps the HMAC key states ({@code ours}).</li>
 *   <li>{@code cacheHit}: {@code PasswordAuthenticator.authenticate} for a login verified before (cache on,
 *       brute-force guard on), the reconnect-storm case.</li>
 *   <li>{@code wrongPassword} / {@code unknownUser}: a full failed check at 210,000 iterations, cache off and
 *       guard off; their medians must stay within 10% of each other (no user enumeration by timing).</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PasswordVerifyBenchmark}. OpenSSL's figure for the
 * same derivation comes from Python's {@code hashlib.pbkdf2_hmac} (see {@code benchmarks/README.md}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class PasswordVerifyBenchmark {

  /** Inputs for one derivation. */
  @State(Scope.Thread)
  public static class Derive {
    @Param({"jdk", "ours"})
    public String impl;

    @Param({"101", "1000", "210000"})
    public int iterations;

    byte[] password = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);
    byte[] salt = new byte[64];

    @Setup
    public void setUp() {
      new java.security.SecureRandom().nextBytes(salt);
      if (!java.util.Arrays.equals(Pbkdf2Sha512.derive(password, salt, 10),
          Pbkdf2Sha512.deriveWithJdk(password, salt, 10))) {
        throw new IllegalStateException("the two PBKDF2 implementations disagree");
      }
    }
  }

  /** A password file with one device at the default policy, and authenticators over it. */
  @State(Scope.Thread)
  public static class Login {
    Path dir;
    PasswordAuthenticator cached;
    PasswordAuthenticator uncached;
    ClientIdentity known;
    ClientIdentity unknown;
    byte[] right = "device-password-0042".getBytes(StandardCharsets.UTF_8);
    byte[] wrong = "device-password-0043".getBytes(StandardCharsets.UTF_8);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("mqtt-sec-bench");
      Path file = dir.resolve("passwd");
      Files.writeString(file, "");
      CredentialFile store = CredentialFile.builder(file).hasher(PasswordHasher.pbkdf2Sha512()).build();
      for (int i = 0; i < 20; i++) {
        store.put(String.format("sensor-%04d", i), ("pw-" + i).getBytes(StandardCharsets.UTF_8));
      }
      store.put("sensor-0042", right);
      InetAddress address = InetAddress.getLoopbackAddress();
      known = ClientIdentity.of("sensor-0042", "s42").withRemoteAddress(address);
      unknown = ClientIdentity.of("sensor-9999", "s9999").withRemoteAddress(address);
      cached = PasswordAuthenticator.builder(store).build();
      uncached = PasswordAuthenticator.builder(store).noCache().noBruteForceGuard().build();
      if (!cached.authenticate(known, right).succeeded()) {
        throw new IllegalStateException("the device does not log in");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  @Benchmark
  public byte[] derive(Derive s) {
    return s.impl.equals("jdk")
        ? Pbkdf2Sha512.deriveWithJdk(s.password, s.salt, s.iterations)
        : Pbkdf2Sha512.derive(s.password, s.salt, s.iterations);
  }

  @Benchmark
  public AuthResult cacheHit(Login s) {
    return s.cached.authenticate(s.known, s.right);
  }

  @Benchmark
  public AuthResult wrongPassword(Login s) {
    return s.uncached.authenticate(s.known, s.wrong);
  }

  @Benchmark
  public AuthResult unknownUser(Login s) {
    return s.uncached.authenticate(s.unknown, s.wrong);
  }
}
