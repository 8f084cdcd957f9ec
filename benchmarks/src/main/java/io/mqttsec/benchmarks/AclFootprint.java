/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import io.mqttsec.acl.AclView;
import io.mqttsec.api.ClientIdentity;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Retained heap of a compiled policy, per rule: the used heap after a full GC with the policy reachable, minus the
 * used heap after a full GC without it. Not a JMH benchmark (JMH measures time and allocation, not what stays).
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.mqttsec.benchmarks.AclFootprint 1000000} for
 * the gateway-heavy factory shape ({@link FactoryAcl}), or {@code ... AclFootprint fleet 100000} for a device fleet
 * ({@link FleetAcl}: each device three lines of its own), which also reports what the views of every device take
 * ({@link AclPolicy#viewFor}, as a broker with the whole fleet connected holds them).
 */
public final class AclFootprint {

  private AclFootprint() {
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("fleet")) {
      fleet(args.length > 1 ? Integer.parseInt(args[1]) : 100_000);
      return;
    }
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

  private static void fleet(int devices) throws InterruptedException {
    String text = new FleetAcl(devices).text;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    AclPolicy policy = AclPolicy.parse(text, "acl.conf");
    long after = usedAfterGc(memory);
    System.out.printf("fleet of %d devices: rules=%d retained=%d bytes (%.1f bytes/rule) %s%n", devices,
        policy.ruleCount(), after - before, (after - before) / (double) policy.ruleCount(), policy);
    ClientIdentity[] who = new ClientIdentity[devices];
    for (int d = 0; d < devices; d++) {
      String name = FleetAcl.device(d);
      who[d] = ClientIdentity.of(name, name); // a client id of its own, as each device has: no view is shared
    }
    long withIdentities = usedAfterGc(memory);
    AclView[] views = new AclView[devices];
    for (int d = 0; d < devices; d++) {
      views[d] = policy.viewFor(who[d]);
    }
    long withViews = usedAfterGc(memory);
    System.out.printf("views of every device: %d bytes (%.1f bytes a view, the ones remembered for sharing "
        + "included)%n", withViews - withIdentities, (withViews - withIdentities) / (double) devices);
    if (text.isEmpty() || policy.ruleCount() < 0 || views[0] == null) {
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
