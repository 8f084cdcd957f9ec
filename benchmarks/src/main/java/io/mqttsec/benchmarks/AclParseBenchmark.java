/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import java.io.IOException;
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
 * Parse and compile of a factory-shaped ACL file ({@link FactoryAcl}) of 1,000,000 lines: read, UTF-8 decode,
 * validate every filter, build the tries. Single shot, as a broker start or reload would see it.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AclParseBenchmark}. The file is written to a temp
 * folder in {@code @Setup}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class AclParseBenchmark {

  @Param({"1000000"})
  public int rules;

  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = Files.createTempFile("acl-bench", ".conf");
    Files.writeString(file, new FactoryAcl(rules, 1, 1).text);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.deleteIfExists(file);
  }

  @Benchmark
  public AclPolicy parseFile() {
    return AclPolicy.parse(file);
  }
}
