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
 */
final class FactoryAcl {
  static final int RULES_PER_GATEWAY = 10_000;

  final String text;
  final List<ClientIdentity> who = new ArrayList<>();
  final List<String> topics = new ArrayList<>();

  FactoryAcl(int rules, int checks, long seed) {
    StringBuilder sb = new StringBuilder(rules * 48);
    sb.append("pattern readwrite factory/%u/#\npattern read factory/config/%c\n");
    int left = rules - 2;
    sb.append("user dashboard\ntopic read factory/#\n");
    left--;
    int gateways = Math.max(1, (left + RULES_PER_GATEWAY - 1) / RULES_PER_GATEWAY);
    int[] perGateway = new int[gateways];
    for (int g = 0; g < gateways && left > 0; g++) {
      sb.append("user gw-").append(g).append('\n');
      int n = Math.min(left, RULES_PER_GATEWAY);
      for (int d = 0; d < n; d++) {
        if (d % 50 == 49) {
          sb.append("topic deny factory/line-").append(g).append("/dev-").append(d).append("/hvac/#\n");
        } else {
          sb.append("topic readwrite factory/line-").append(g).append("/dev-").append(d).append("/#\n");
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
      who.add(ClientIdentity.of("gw-" + g, "gw-" + g + "-main"));
      topics.add("factory/line-" + g + "/dev-" + d + (random.nextInt(10) == 0 ? "/hvac/fan" : "/temp/value"));
    }
  }
}
