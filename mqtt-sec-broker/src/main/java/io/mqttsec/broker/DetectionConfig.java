/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.internal.Durations;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * {@code <detection>} of {@code mqtt-sec.xml}. It starts from {@link Detection#DEFAULT}; each attribute replaces
 * one value, {@code enabled="false"} turns a rule (or, on {@code <detection>}, every rule) off.
 *
 * <pre>{@code
 * <detection max-tracked="100000">
 *   <brute-force failures="10" window="PT1M"/>          <!-- per address and per user; PT5M for 10 in 5 minutes -->
 *   <new-address ipv4-prefix="24" ipv6-prefix="64"/>
 *   <connection-spike interval="PT10S" factor="5" minimum="50" warm-up="PT1M"/>
 *   <denial-burst denials="20" window="PT1M"/>
 * </detection>
 * }</pre>
 */
final class DetectionConfig {

  private static final Map<String, Set<String>> ELEMENTS = Map.of(
      "brute-force", Set.of("enabled", "failures", "window"),
      "new-address", Set.of("enabled", "ipv4-prefix", "ipv6-prefix"),
      "connection-spike", Set.of("enabled", "interval", "factor", "minimum", "warm-up"),
      "denial-burst", Set.of("enabled", "denials", "window"));

  private final List<String> errors;

  private DetectionConfig(List<String> errors) {
    this.errors = errors;
  }

  static Detection read(Element root, List<String> errors) {
    return new DetectionConfig(errors).detection(root);
  }

  private Detection detection(Element root) {
    attributes(root, "detection", Set.of("enabled", "max-tracked"));
    if (!enabled(root, "detection")) {
      return Detection.NONE;
    }
    Detection d = Detection.DEFAULT;
    if (root.hasAttribute("max-tracked")) {
      Integer max = integer(root, "detection", "max-tracked", 1, 10_000_000);
      if (max != null) {
        d = d.withMaxTracked(max);
      }
    }
    Set<String> seen = new HashSet<>();
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element e)) {
        continue;
      }
      String name = e.getTagName();
      String where = "detection><" + name;
      if (!ELEMENTS.containsKey(name)) {
        errors.add("<detection>: unknown element <" + name + "> (known: " + String.join(", ", ELEMENTS.keySet()
            .stream().sorted().toList()) + ")");
        continue;
      }
      if (!seen.add(name)) {
        errors.add("<" + where + ">: given twice");
        continue;
      }
      attributes(e, where, ELEMENTS.get(name));
      boolean on = enabled(e, where);
      try {
        d = switch (name) {
          case "brute-force" -> {
            Detection.BruteForce base = Detection.DEFAULT.bruteForce().orElseThrow();
            yield d.withBruteForce(on ? new Detection.BruteForce(
                or(integer(e, where, "failures", 1, 10_000), base.failures()),
                or(duration(e, where, "window"), base.window())) : null);
          }
          case "new-address" -> {
            Detection.NewAddress base = Detection.DEFAULT.newAddress().orElseThrow();
            yield d.withNewAddress(on ? new Detection.NewAddress(
                or(integer(e, where, "ipv4-prefix", 1, 32), base.ipv4Prefix()),
                or(integer(e, where, "ipv6-prefix", 1, 64), base.ipv6Prefix())) : null);
          }
          case "connection-spike" -> {
            Detection.ConnectionSpike base = Detection.DEFAULT.connectionSpike().orElseThrow();
            yield d.withConnectionSpike(on ? new Detection.ConnectionSpike(
                or(duration(e, where, "interval"), base.interval()),
                or(factor(e, where), base.factor()),
                or(integer(e, where, "minimum", 1, Integer.MAX_VALUE), base.minimum()),
                or(duration(e, where, "warm-up"), base.warmUp())) : null);
          }
          case "denial-burst" -> {
            Detection.DenialBurst base = Detection.DEFAULT.denialBurst().orElseThrow();
            yield d.withDenialBurst(on ? new Detection.DenialBurst(
                or(integer(e, where, "denials", 1, 10_000), base.denials()),
                or(duration(e, where, "window"), base.window())) : null);
          }
          default -> throw new IllegalStateException(name);
        };
      } catch (IllegalArgumentException ex) {
        errors.add("<" + where + ">: " + ex.getMessage());
      }
    }
    return d;
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private void attributes(Element e, String where, Set<String> known) {
    NamedNodeMap attributes = e.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      String name = ((Attr) attributes.item(i)).getName();
      if (!known.contains(name)) {
        errors.add("<" + where + ">: unknown attribute " + name + " (known: " + String.join(", ", known.stream()
            .sorted().toList()) + ")");
      }
    }
  }

  private boolean enabled(Element e, String where) {
    String v = e.getAttribute("enabled");
    return switch (v) {
      case "", "true" -> true;
      case "false" -> false;
      default -> {
        errors.add("<" + where + " enabled=\"" + v + "\">: not true or false");
        yield true;
      }
    };
  }

  private Integer integer(Element e, String where, String attribute, int min, int max) {
    if (!e.hasAttribute(attribute)) {
      return null;
    }
    String v = e.getAttribute(attribute).strip();
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ex) {
      // reported below
    }
    errors.add("<" + where + " " + attribute + "=\"" + v + "\">: must be a whole number from " + min + " to " + max);
    return null;
  }

  private Double factor(Element e, String where) {
    if (!e.hasAttribute("factor")) {
      return null;
    }
    String v = e.getAttribute("factor").strip();
    try {
      double f = Double.parseDouble(v);
      if (f >= 1.0 && f <= 1000.0) {
        return f;
      }
    } catch (NumberFormatException ex) {
      // reported below
    }
    errors.add("<" + where + " factor=\"" + v + "\">: must be a number from 1 to 1000");
    return null;
  }

  private Duration duration(Element e, String where, String attribute) {
    if (!e.hasAttribute(attribute)) {
      return null;
    }
    String v = e.getAttribute(attribute).strip();
    try {
      Duration d = Durations.parse(v);
      if (!d.isNegative() && (!d.isZero() || attribute.equals("warm-up"))) {
        return d;
      }
      errors.add("<" + where + " " + attribute + "=\"" + v + "\">: must be longer than zero");
    } catch (IllegalArgumentException ex) {
      errors.add("<" + where + " " + attribute + "=\"" + v + "\">: not a duration (" + Durations.FORMS + ")");
    }
    return null;
  }
}
