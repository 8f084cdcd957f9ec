/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.Detection;
import io.mqttsec.broker.Detector;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

/**
 * Retained heap of a {@link Detector} with the default rules at its worst: {@code devices} devices each learned
 * from four prefixes, each failing its login from its own address often enough to fill every ring, each with
 * twenty denials; with {@code logins-only}, the steady state of a fleet that is not attacked (the learned
 * prefixes alone). The used heap after full GCs with the detector reachable, minus without it. Not a JMH benchmark.
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.mqttsec.benchmarks.DetectorFootprint 100000
 * [logins-only]}
 */
public final class DetectorFootprint {

  private DetectorFootprint() {
  }

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    boolean attacked = args.length < 2 || !args[1].equals("logins-only");
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    long[] alerts = new long[1];
    Detector detector = Detector.create(Detection.DEFAULT, e -> alerts[0]++);
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    for (int i = 0; i < devices; i++) {
      String user = "device-" + i;
      for (int p = 0; p < Detection.PREFIXES_PER_DEVICE; p++) {
        detector.on(new SecurityEvent.AuthSucceeded(t, identity(user, address(i, p)), "password"));
      }
      if (!attacked) {
        continue;
      }
      ClientIdentity from = identity(user, address(i, 0));
      for (int f = 0; f < 10; f++) {
        detector.on(new SecurityEvent.AuthFailed(t, from, AuthResult.Outcome.BAD_CREDENTIALS, "bad password"));
      }
      for (int d = 0; d < 20; d++) {
        detector.on(new SecurityEvent.AccessDenied(t, from, Action.PUBLISH, "x", "no rule matched"));
      }
    }
    long after = usedAfterGc(memory);
    System.out.printf("devices=%d tracked=%d alerts=%d retained=%d bytes (%.0f bytes/device)%n", devices,
        detector.tracked(), alerts[0], after - before, (after - before) / (double) devices);
    if (detector.tracked() < 0) {
      System.out.println(detector); // keeps it reachable until here
    }
  }

  /** A distinct address for device {@code i} in a distinct /24 for each {@code prefix}. */
  private static InetAddress address(int i, int prefix) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {10, (byte) (prefix * 64 + (i >> 16)), (byte) (i >> 8), (byte) i});
  }

  private static ClientIdentity identity(String user, InetAddress address) {
    return ClientIdentity.of(user, user).withRemoteAddress(address);
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
