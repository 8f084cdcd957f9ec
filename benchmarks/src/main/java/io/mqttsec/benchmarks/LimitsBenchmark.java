/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Decision;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.BrokerSpi;
import io.mqttsec.broker.ClientLimits;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.ConnectRequest;
import io.mqttsec.broker.DisconnectReason;
import io.mqttsec.broker.Limits;
import io.mqttsec.broker.Rate;
import io.mqttsec.broker.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
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
 * The per-PUBLISH limit check ({@code BrokerSecurity.admit}: size, topic length and depth, message and byte
 * rate) beside the ACL check it sits next to, in the same run: {@code acl} is {@code AclPolicy.check} on a
 * device's PUBLISH to its own subtree ({@code pattern readwrite factory/%u/#}), {@code limits} is {@code admit}
 * with {@link ClientLimits#DEVICE}'s limits (rates set high enough that every PUBLISH passes, so the admitted path
 * is measured), {@code aclLayer} is the broker layer's ACL check ({@code BrokerSecurity.publish}: the session's
 * liveness, the check, its counters), and {@code both} is what a PUBLISH pays in all: {@code admit}, then
 * {@code publish}. {@code both - aclLayer} is what the limits add to a PUBLISH.
 *
 * <p>Each benchmark thread connects {@code clients} sessions of its own to one shared broker layer; each call takes
 * the next of 4,096 spread over them, so with 100,000 their state is read from memory, not cache. {@code -t 2}
 * runs two threads publishing for different clients through the same layer, which must not slow each other
 * down (no lock between clients).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LimitsBenchmark -prof gc} (and {@code -t 2}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class LimitsBenchmark {

  private static final int REQUESTS = 4096;

  /** One broker layer for every benchmark thread, with {@code clients} connected sessions per thread. */
  @State(Scope.Benchmark)
  public static class Broker {
    @Param({"1", "100000"})
    public int clients;

    BrokerSecurity security;
    AclPolicy acl;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      acl = AclPolicy.parse("pattern readwrite factory/%u/#\n", "acl.conf");
      ClientLimits device = ClientLimits.DEVICE.toBuilder().messageRate(Rate.of(1e12, 1_000_000_000L))
          .byteRate(Rate.of(1e15, 1_000_000_000_000L)).build();
      security = BrokerSecurity.builder().acl(acl).broker(new NoBroker())
          .authenticator((who, pw) -> AuthResult.success(who.username().orElseThrow(), "benchmark"))
          .limits(Limits.builder().clients(device).build()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      security.close();
    }
  }

  private BrokerSecurity security;
  private AclPolicy acl;
  private ClientSession[] sessions;
  private String[] topics;
  private int i;

  /** This thread's own clients, so that two threads publish for different clients. */
  @Setup(Level.Trial)
  public void setUp(Broker broker) {
    security = broker.security;
    acl = broker.acl;
    int thread = broker.threads.getAndIncrement();
    ClientSession[] all = new ClientSession[broker.clients];
    for (int c = 0; c < broker.clients; c++) {
      String user = "dev-" + thread + "-" + c;
      all[c] = security.connect(ConnectRequest.builder("tls", user).username(user)
          .password("pw".getBytes(StandardCharsets.UTF_8)).build()).session().orElseThrow();
    }
    sessions = new ClientSession[REQUESTS];
    topics = new String[REQUESTS];
    java.util.Random random = new java.util.Random(42 + thread);
    for (int k = 0; k < REQUESTS; k++) {
      sessions[k] = all[random.nextInt(broker.clients)];
      topics[k] = "factory/" + sessions[k].identity().username().orElseThrow() + "/line-3/temp";
    }
  }

  @Benchmark
  public Decision acl() {
    int k = i++ & (REQUESTS - 1);
    return acl.check(sessions[k].identity(), Action.PUBLISH, topics[k]);
  }

  @Benchmark
  public Decision aclLayer() {
    int k = i++ & (REQUESTS - 1);
    return security.publish(sessions[k], topics[k]);
  }

  @Benchmark
  public Verdict limits() {
    int k = i++ & (REQUESTS - 1);
    return security.admit(sessions[k], topics[k], 64);
  }

  @Benchmark
  public Decision both() {
    int k = i++ & (REQUESTS - 1);
    security.admit(sessions[k], topics[k], 64);
    return security.publish(sessions[k], topics[k]);
  }

  /** A broker with no sessions of its own. */
  static class NoBroker implements BrokerSpi {
    @Override
    public void disconnect(String clientId, DisconnectReason code, String reason) {
    }

    @Override
    public boolean sessionExists(String clientId) {
      return false;
    }

    @Override
    public void forEachSession(BiConsumer<String, Set<String>> consumer) {
    }

    @Override
    public Set<String> subscriptions(String clientId) {
      return Set.of();
    }

    @Override
    public void removeSubscriptions(String clientId, Set<String> filters) {
    }
  }
}
