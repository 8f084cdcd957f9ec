/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Retained heap of a compiled policy, per rule: the used heap after a full GC with the policy reachable, minus the
 * used heap after a full GC without it. Not a JMH benchmark (JMH measures time and allocation, not what stays).
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.mqttsec.benchmarks.AclFootprint 1000000}
 */
public final class AclFootprint {

  private AclFootprint() {
  }

  public static void main(String[] args) throws InterruptedException {
    int rules = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String text = new FactoryAcl(rules, 1, 1).text;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    AclPolicy policy = AclPolicy.parse(text, "acl.conf");
    long after = usedAfterGc(memory);
    System.out.printf("rules=%d retained=%d bytes (%.1f bytes/rule) %s%n",
        policy.ruleCount(), after - before, (after - before) / (double) policy.ruleCount(), policy);
    // Keep both reachable until the measurement is done.
    if (text.isEmpty() || policy.ruleCount() < 0) {
      System.out.println();
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
