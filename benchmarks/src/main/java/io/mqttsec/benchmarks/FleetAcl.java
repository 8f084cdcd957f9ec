/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * A device fleet's ACL, for one engine and another to be given the same rules: N devices, each with the pattern
 * rules every device gets and three lines of its own; a gateway; a dashboard that reads everything; and a wide
 * client with {@value #WIDE_RULES} rules of its own.
 *
 * <pre>
 * pattern readwrite factory/%u/#            every device: its own subtree
 * pattern read factory/config/%c            and its configuration, by client id
 * user dev-00017                            a device's own lines (client id = user name)
 * topic deny factory/dev-00017/secret/#
 * topic write alarms/dev-00017
 * topic read fleet/firmware/#
 * user gateway
 * topic readwrite factory/+/cmd/#
 * user dashboard
 * topic read factory/#
 * user wide                                 1,000 areas of a plant, every 10th denied
 * topic readwrite plant/area-0000/#
 * topic deny plant/area-0009/#
 * </pre>
 */
final class FleetAcl {
  static final int WIDE_RULES = 1_000;

  /** One rule of a client's own, as an engine without patterns is given it. */
  record Grant(String filter, boolean deny, boolean publish, boolean subscribe) {
  }

  final String text;
  final int devices;

  FleetAcl(int devices) {
    this.devices = devices;
    StringBuilder sb = new StringBuilder(devices * 110 + WIDE_RULES * 40);
    sb.append("pattern readwrite factory/%u/#\npattern read factory/config/%c\n");
    for (int d = 0; d < devices; d++) {
      String dev = device(d);
      sb.append("user ").append(dev).append('\n')
          .append("topic deny factory/").append(dev).append("/secret/#\n")
          .append("topic write alarms/").append(dev).append('\n')
          .append("topic read fleet/firmware/#\n");
    }
    sb.append("user gateway\ntopic readwrite factory/+/cmd/#\n");
    sb.append("user dashboard\ntopic read factory/#\n");
    sb.append("user wide\n");
    for (int a = 0; a < WIDE_RULES; a++) {
      sb.append(a % 10 == 9 ? "topic deny " : "topic readwrite ").append(area(a)).append("/#\n");
    }
    text = sb.toString();
  }

  static String device(int d) {
    return String.format("dev-%05d", d);
  }

  static String area(int a) {
    return String.format("plant/area-%04d", a);
  }

  /**
   * Device {@code d}'s rules with its name put in, as HiveMQ's file-RBAC extension gives a client its permissions
   * at CONNECT; denies first, since such a list is decided by its first match, where mosquitto's semantics test
   * a list's denies first.
   */
  static List<Grant> deviceGrants(int d) {
    String dev = device(d);
    return List.of(new Grant("factory/" + dev + "/secret/#", true, true, true),
        new Grant("factory/" + dev + "/#", false, true, true),
        new Grant("factory/config/" + dev, false, false, true),
        new Grant("alarms/" + dev, false, true, false),
        new Grant("fleet/firmware/#", false, false, true));
  }

  static List<Grant> dashboardGrants() {
    return List.of(new Grant("factory/#", false, false, true));
  }

  /** The wide client's rules: the denies first, as {@link #deviceGrants} says why. */
  static List<Grant> wideGrants() {
    List<Grant> grants = new ArrayList<>();
    for (boolean deny : new boolean[] {true, false}) {
      for (int a = 0; a < WIDE_RULES; a++) {
        if ((a % 10 == 9) == deny) {
          grants.add(new Grant(area(a) + "/#", deny, true, true));
        }
      }
    }
    return grants;
  }
}
