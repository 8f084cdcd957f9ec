/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.api.ClientIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A factory-shaped ACL of a given size, and the checks a broker would make against it.
 *
 * <ul>
 *   <li>Devices get their subtree from two patterns: {@code pattern readwrite factory/%u/#} and
 *       {@code pattern read factory/config/%c}.
 *   <li>Gateways hold the bulk: one {@code user gw-N} block per production line, up to 10,000 rules each
 *       ({@code topic readwrite factory/line-N/dev-M/#}, every 50th device also a deny on its {@code hvac}
 *       subtree).
 *   <li>Dashboards read widely: {@code topic read factory/#}.
 * </ul>
 *
 * Checks are PUBLISHes by gateways to 5-level topics of their own line ({@code factory/line-3/dev-17/temp/value}),
 * half of them on devices the gateway has a rule for.
 *
 * <p>Numbers are written as they come ({@code dev-17}) or, with {@code padded}, zero-padded to a fixed width as
 * serial-numbered fleets name things ({@code gw-003}, {@code line-003}, {@code dev-00017}): the same levels at
 * every size, and a device level too long for {@code Node}'s 8-char pack.
 */
final class FactoryAcl {
  static final int RULES_PER_GATEWAY = 10_000;

  final String text;
  final List<ClientIdentity> who = new ArrayList<>();
  final List<String> topics = new ArrayList<>();

  FactoryAcl(int rules, int checks, long seed) {
    this(rules, checks, seed, false);
  }

  FactoryAcl(int rules, int checks, long seed, boolean padded) {
    StringBuilder sb = new StringBuilder(rules * 48);
    sb.append("pattern readwrite factory/%u/#\npattern read factory/config/%c\n");
    int left = rules - 2;
    sb.append("user dashboard\ntopic read factory/#\n");
    left--;
    int gateways = Math.max(1, (left + RULES_PER_GATEWAY - 1) / RULES_PER_GATEWAY);
    int[] perGateway = new int[gateways];
    for (int g = 0; g < gateways && left > 0; g++) {
      sb.append("user gw-").append(number(g, 3, padded)).append('\n');
      int n = Math.min(left, RULES_PER_GATEWAY);
      for (int d = 0; d < n; d++) {
        if (d % 50 == 49) {
          sb.append("topic deny factory/line-").append(number(g, 3, padded)).append("/dev-")
              .append(number(d, 5, padded)).append("/hvac/#\n");
        } else {
          sb.append("topic readwrite factory/line-").append(number(g, 3, padded)).append("/dev-")
              .append(number(d, 5, padded)).append("/#\n");
        }
      }
      perGateway[g] = n;
      left -= n;
    }
    text = sb.toString();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < checks; i++) {
      int g = random.nextInt(gateways);
      int devices = Math.max(1, perGateway[g]);
      // Half the checks name a device the gateway has a rule for, half one it has not.
      int d = random.nextBoolean() ? random.nextInt(devices) : devices + random.nextInt(devices);
      String gw = number(g, 3, padded);
      who.add(ClientIdentity.of("gw-" + gw, "gw-" + gw + "-main"));
      String device = "factory/line-" + gw + "/dev-" + number(d, 5, padded);
      topics.add(device + (random.nextInt(10) == 0 ? "/hvac/fan" : "/temp/value"));
    }
  }

  /** {@code n} in decimal, zero-padded to {@code width} digits if {@code padded}. */
  private static String number(int n, int width, boolean padded) {
    String digits = Integer.toString(n);
    return padded && digits.length() < width ? "0".repeat(width - digits.length()) + digits : digits;
  }
}
