/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.AuditFormat;
import io.mqttsec.broker.Detection;
import io.mqttsec.broker.Detector;
import java.net.InetAddress;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one audit line costs to write, in each format, for the two events a broker writes most: a refused login
 * ({@code connect.failure}) and a refused PUBLISH ({@code acl.denied}); mqtt-sec's own format is the baseline of
 * the same run. {@code detect} is what the {@link Detector} adds to a refused login with the default rules (its
 * sliding counts for the address and the user, and the connection-rate interval).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AuditFormatBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class AuditFormatBenchmark {

  @Param({"mqtt-sec", "ecs", "ocsf"})
  public String format;

  private AuditFormat audit;
  private SecurityEvent.AuthFailed failure;
  private SecurityEvent.AccessDenied denial;
  private Detector detector;
  private long n;

  @Setup
  public void setUp() throws Exception {
    audit = AuditFormat.named(format);
    ClientIdentity who = ClientIdentity.of("press-42", "press-42-a")
        .withRemoteAddress(InetAddress.getByName("10.0.3.17"));
    Instant t = Instant.parse("2026-12-01T10:15:30.123Z");
    failure = new SecurityEvent.AuthFailed(t, who, AuthResult.Outcome.BAD_CREDENTIALS, "bad user name or password");
    denial = new SecurityEvent.AccessDenied(t, who, Action.PUBLISH, "factory/press-43/temp", "no rule matched");
    detector = Detector.create(Detection.DEFAULT, e -> { });
  }

  @Benchmark
  public String connectFailure() {
    return audit.encode(failure, "tls");
  }

  @Benchmark
  public String aclDenied() {
    return audit.encode(denial, "tls");
  }

  /** The detector on a refused login, a new millisecond each call (the counts slide, as under a spray). */
  @Benchmark
  public void detect() {
    detector.on(new SecurityEvent.AuthFailed(failure.time().plusMillis(n++), failure.who(), failure.outcome(),
        failure.reason()));
  }
}
