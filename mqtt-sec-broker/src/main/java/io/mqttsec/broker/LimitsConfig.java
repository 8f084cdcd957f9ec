/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * {@code <limits>} of {@code mqtt-sec.xml}. It starts from {@link Limits#DEFAULT} (or from nothing, with
 * {@code defaults="none"}) and each attribute replaces one value; {@code "none"} removes that limit.
 *
 * <pre>{@code
 * <limits defaults="mqtt-sec">
 *   <clients message-rate="50" message-burst="100" byte-rate="1048576" byte-burst="2097152"
 *            max-message-bytes="1048576" max-subscriptions="100" max-topic-bytes="1024" max-topic-levels="32"
 *            max-connections="10"/>                   <!-- every client; max-connections is per user -->
 *   <user name="gateway-*" message-rate="500" message-burst="1000"/>   <!-- a name or a glob, in order -->
 *   <address connect-rate="20" connect-burst="40" max-connections="1000"/>
 *   <prefix ipv4="24" ipv6="64" connect-rate="100" connect-burst="200" max-connections="10000"/>
 *   <broker connect-rate="500" connect-burst="1000"/>
 *   <excess disconnect-after="PT30S"/>
 * </limits>
 * }</pre>
 *
 * <p>A rate without its burst gets a burst of twice the rate (at least 1). A user override starts from
 * {@code <clients>}. A value that is zero, negative or not a number is an error naming the element and the
 * attribute.
 */
final class LimitsConfig {

  private static final Set<String> CLIENT = Set.of("message-rate", "message-burst", "byte-rate", "byte-burst",
      "max-message-bytes", "max-subscriptions", "max-topic-bytes", "max-topic-levels", "max-connections");
  private static final Map<String, Set<String>> ELEMENTS = Map.of(
      "clients", CLIENT,
      "user", union(CLIENT, Set.of("name")),
      "address", Set.of("connect-rate", "connect-burst", "max-connections"),
      "prefix", Set.of("ipv4", "ipv6", "connect-rate", "connect-burst", "max-connections"),
      "broker", Set.of("connect-rate", "connect-burst"),
      "excess", Set.of("disconnect-after"));

  private final List<String> errors;

  private LimitsConfig(List<String> errors) {
    this.errors = errors;
  }

  static Limits read(Element limits, List<String> errors) {
    return new LimitsConfig(errors).limits(limits);
  }

  private Limits limits(Element root) {
    String defaults = root.getAttribute("defaults");
    boolean none = defaults.equals("none");
    if (!defaults.isEmpty() && !none && !defaults.equals("mqtt-sec")) {
      errors.add("<limits>: defaults=\"" + defaults + "\" is not mqtt-sec or none");
    }
    Limits base = none ? Limits.NONE : Limits.DEFAULT;
    ClientLimits clients = base.clients();
    List<Element> users = new ArrayList<>();
    Element address = null;
    Element prefix = null;
    Element broker = null;
    Element excess = null;
    Set<String> seen = new HashSet<>();
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element e)) {
        continue;
      }
      String name = e.getTagName();
      if (!ELEMENTS.containsKey(name)) {
        errors.add("<limits>: unknown element <" + name + "> (known: " + String.join(", ", ELEMENTS.keySet()
            .stream().sorted().toList()) + ")");
        continue;
      }
      checkAttributes(e);
      if (!name.equals("user") && !seen.add(name)) {
        errors.add("<limits><" + name + ">: given twice");
        continue;
      }
      switch (name) {
        case "clients" -> clients = client(e, clients);
        case "user" -> users.add(e);
        case "address" -> address = e;
        case "prefix" -> prefix = e;
        case "broker" -> broker = e;
        case "excess" -> excess = e;
        default -> throw new IllegalStateException(name);
      }
    }
    Limits.Builder b = Limits.builder().clients(clients);
    Set<String> names = new HashSet<>();
    for (Element u : users) {
      String name = u.getAttribute("name");
      if (name.isEmpty()) {
        errors.add("<limits><user>: needs name=\"a user name or a glob such as sensor_*\"");
      } else if (!names.add(name)) {
        errors.add("<limits><user name=\"" + name + "\">: given twice");
      } else {
        b.user(name, client(u, clients));
      }
    }
    Rate addressRate = rate(address, "address", "connect", base.addressConnectRate().orElse(null));
    if (addressRate != null) {
      b.addressConnectRate(addressRate);
    }
    Integer addressMax = count(address, "address", "max-connections", base.addressMaxConnections().orElse(null));
    if (addressMax != null) {
      b.addressMaxConnections(addressMax);
    }
    if (prefix != null) {
      Integer v4 = count(prefix, "prefix", "ipv4", 24);
      Integer v6 = count(prefix, "prefix", "ipv6", 64);
      if (v4 != null && v6 != null) {
        if (v4 > 32 || v6 > 128) {
          errors.add("<limits><prefix>: ipv4 must be 1-32 and ipv6 1-128, not " + v4 + " and " + v6);
        } else {
          b.prefixes(v4, v6);
        }
      }
    }
    Rate prefixRate = rate(prefix, "prefix", "connect", base.prefixConnectRate().orElse(null));
    if (prefixRate != null) {
      b.prefixConnectRate(prefixRate);
    }
    Integer prefixMax = count(prefix, "prefix", "max-connections", base.prefixMaxConnections().orElse(null));
    if (prefixMax != null) {
      b.prefixMaxConnections(prefixMax);
    }
    Rate brokerRate = rate(broker, "broker", "connect", base.brokerConnectRate().orElse(null));
    if (brokerRate != null) {
      b.brokerConnectRate(brokerRate);
    }
    if (excess != null && excess.hasAttribute("disconnect-after")) {
      String text = excess.getAttribute("disconnect-after");
      try {
        Duration d = Durations.parse(text);
        if (d.isNegative() || d.isZero()) {
          errors.add("<limits><excess>: disconnect-after=\"" + text + "\" must be longer than zero");
        } else {
          b.excessDisconnectAfter(d);
        }
      } catch (IllegalArgumentException e) {
        errors.add("<limits><excess>: disconnect-after=" + e.getMessage());
      }
    }
    return b.build();
  }

  private ClientLimits client(Element e, ClientLimits from) {
    String where = e.getTagName().equals("user") ? "user name=\"" + e.getAttribute("name") + "\"" : "clients";
    ClientLimits.Builder b = from.toBuilder();
    if (e.hasAttribute("message-rate") || e.hasAttribute("message-burst")) {
      b.messageRate(rate(e, where, "message", from.messageRate().orElse(null)));
    }
    if (e.hasAttribute("byte-rate") || e.hasAttribute("byte-burst")) {
      b.byteRate(rate(e, where, "byte", from.byteRate().orElse(null)));
    }
    if (e.hasAttribute("max-message-bytes")) {
      b.maxMessageBytes(count(e, where, "max-message-bytes", null));
    }
    if (e.hasAttribute("max-subscriptions")) {
      b.maxSubscriptions(count(e, where, "max-subscriptions", null));
    }
    if (e.hasAttribute("max-topic-bytes")) {
      b.maxTopicBytes(count(e, where, "max-topic-bytes", null));
    }
    if (e.hasAttribute("max-topic-levels")) {
      b.maxTopicLevels(count(e, where, "max-topic-levels", null));
    }
    if (e.hasAttribute("max-connections")) {
      b.maxConnections(count(e, where, "max-connections", null));
    }
    return b.build();
  }

  /**
   * The rate {@code <prefix>-rate} / {@code <prefix>-burst} of {@code e}: {@code current} when neither is given,
   * null for {@code "none"}.
   */
  private Rate rate(Element e, String where, String prefix, Rate current) {
    if (e == null || !e.hasAttribute(prefix + "-rate") && !e.hasAttribute(prefix + "-burst")) {
      return current;
    }
    String rateText = e.getAttribute(prefix + "-rate");
    if (rateText.equals("none")) {
      return null;
    }
    double rate;
    if (rateText.isEmpty()) {
      if (current == null) {
        errors.add("<limits><" + where + ">: " + prefix + "-burst needs " + prefix + "-rate");
        return null;
      }
      rate = current.perSecond();
    } else {
      try {
        rate = Double.parseDouble(rateText);
      } catch (NumberFormatException ex) {
        rate = Double.NaN;
      }
      if (!(rate > 0) || Double.isInfinite(rate)) {
        errors.add("<limits><" + where + ">: " + prefix + "-rate=\"" + rateText + "\" must be a positive number "
            + "(per second), or none");
        return null;
      }
    }
    long burst = Math.max(1, (long) Math.ceil(2 * rate));
    if (e.hasAttribute(prefix + "-burst")) {
      Integer given = count(e, where, prefix + "-burst", null);
      if (given == null) {
        return null;
      }
      burst = given;
    }
    return Rate.of(rate, burst);
  }

  /** A positive whole number, {@code otherwise} when absent, null for {@code "none"} or (reported) a bad value. */
  private Integer count(Element e, String where, String attribute, Integer otherwise) {
    if (e == null || !e.hasAttribute(attribute)) {
      return otherwise;
    }
    String text = e.getAttribute(attribute);
    if (text.equals("none") && !attribute.equals("ipv4") && !attribute.equals("ipv6")
        && !attribute.endsWith("-burst")) {
      return null;
    }
    try {
      int value = Integer.parseInt(text);
      if (value >= 1) {
        return value;
      }
    } catch (NumberFormatException ex) {
      // reported below
    }
    errors.add("<limits><" + where + ">: " + attribute + "=\"" + text + "\" must be a whole number of at least 1"
        + (attribute.endsWith("-burst") || attribute.startsWith("ipv") ? "" : ", or none"));
    return null;
  }

  private void checkAttributes(Element e) {
    Set<String> known = ELEMENTS.get(e.getTagName());
    NamedNodeMap attributes = e.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      String name = ((Attr) attributes.item(i)).getName();
      if (!known.contains(name)) {
        errors.add("<limits><" + e.getTagName() + ">: unknown attribute " + name + " (known: " + String.join(", ",
            known.stream().sorted().toList()) + ")");
      }
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
