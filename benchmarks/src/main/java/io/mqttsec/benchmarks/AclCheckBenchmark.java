/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import io.mqttsec.acl.ReferenceAcl;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
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
 * One PUBLISH check against a factory-shaped ACL ({@link FactoryAcl}) of 10 to 1,000,000 rules: the compiled trie
 * ({@code compiled}) against the linear reference evaluator of the tests ({@code linear}), in the same run. The
 * gateway being checked holds min(rules, 10,000) rules of its own, so the linear scan's cost grows with it and the
 * trie's should not.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AclCheckBenchmark -prof gc} (after
 * {@code mvn -B -DskipTests package}). Inputs (policy, identities, topics) are built in {@code @Setup}; each call
 * checks the next of {@code requests} precomputed requests (4,096 by default, spread over the whole policy, so a
 * large policy is read from memory, not cache). {@code -p requests=64} keeps the nodes a check reads in cache,
 * which separates the walk's own cost from the memory latency of a policy larger than the caches.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class AclCheckBenchmark {

  @Param({"10", "1000", "100000", "1000000"})
  public int rules;

  @Param({"compiled", "linear"})
  public String impl;

  /** Numbers in names as they come ({@code dev-17}), or zero-padded ({@code dev-00017}): see {@link FactoryAcl}. */
  @Param({"natural", "padded"})
  public String ids;

  /** How many distinct requests are cycled through; a power of two. */
  @Param({"4096"})
  public int requests;

  private int mask;
  private ClientIdentity[] who;
  private String[] topics;
  private AclPolicy compiled;
  private ReferenceAcl linear;
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    if (Integer.bitCount(requests) != 1) {
      throw new IllegalArgumentException("requests must be a power of two, was " + requests);
    }
    mask = requests - 1;
    FactoryAcl acl = new FactoryAcl(rules, requests, 42, ids.equals("padded"));
    who = acl.who.toArray(new ClientIdentity[0]);
    topics = acl.topics.toArray(new String[0]);
    if (impl.equals("compiled")) {
      compiled = AclPolicy.parse(acl.text, "acl.conf");
    } else {
      linear = ReferenceAcl.parse(acl.text, "acl.conf", false);
    }
  }

  @Benchmark
  public Decision publish() {
    int k = i++ & mask;
    return compiled != null
        ? compiled.check(who[k], Action.PUBLISH, topics[k])
        : linear.check(who[k], Action.PUBLISH, topics[k]);
  }
}
