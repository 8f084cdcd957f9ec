/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's cost of one cache line read that depends on the one before (a pointer chase), from an array of
 * {@code mib} MiB: the yardstick for {@link AclCheckBenchmark} on a policy larger than the caches, where a check
 * must follow a few such lines. Each call reads one {@code int} in a line chosen by the previous read; the lines
 * form one random cycle, so the prefetchers cannot help. The cycle goes through every line of the array, or
 * through {@code lines} lines picked at random across it: 12,288 is about what {@code AclCheckBenchmark}'s 4,096
 * requests read of a large policy, few enough bytes for the caches but each on its own page.
 *
 * <p>Run it beside the check, in the same session: {@code java -jar benchmarks/target/benchmarks.jar
 * "AclCheckBenchmark|MemoryLatencyBenchmark" -p impl=compiled}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class MemoryLatencyBenchmark {
  private static final int INTS_PER_LINE = 16;

  /** 1 MiB fits this machine's L2; 128 MiB is about the heap of a compiled 1,000,000-rule policy. */
  @Param({"1", "128"})
  public int mib;

  /** How many lines the cycle visits; 0 for every line of the array. */
  @Param({"0", "12288"})
  public int lines;

  private int[] next;
  private int at;

  @Setup(Level.Trial)
  public void setUp() {
    int all = mib * (1 << 20) / (INTS_PER_LINE * Integer.BYTES);
    int visited = lines == 0 ? all : Math.min(lines, all);
    SplittableRandom random = new SplittableRandom(42);
    // A random order of all lines; the cycle is its first `visited` entries, each pointing to the next.
    int[] order = new int[all];
    for (int i = 0; i < all; i++) {
      order[i] = i;
    }
    for (int i = all - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    next = new int[all * INTS_PER_LINE];
    for (int i = 0; i < visited; i++) {
      next[order[i] * INTS_PER_LINE] = order[(i + 1) % visited] * INTS_PER_LINE;
    }
    at = order[0] * INTS_PER_LINE;
  }

  @Benchmark
  public int chase() {
    int n = next[at];
    at = n;
    return n;
  }
}
