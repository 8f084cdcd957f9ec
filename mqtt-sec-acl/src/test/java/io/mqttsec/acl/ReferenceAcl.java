/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SharedSubscription;
import io.mqttsec.api.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference evaluator: a linear scan written straight from DESIGN.md ("ACL file"), with its own naive parser
 * for well-formed input and {@link Topics}' relations. The compiled trie must agree with it on every decision and
 * every reason. Also the baseline that {@code AclCheckBenchmark} measures against.
 */
public final class ReferenceAcl {

  /** One rule line. {@code access} is the access word; a missing word is readwrite. */
  record Line(int number, String access, String filter) {
    boolean isDeny() {
      return access.equals("deny");
    }

    boolean grants(Action action) {
      return switch (action) {
        case PUBLISH -> access.equals("write") || access.equals("readwrite");
        case SUBSCRIBE, RECEIVE -> access.equals("read") || access.equals("readwrite");
      };
    }
  }

  private final String source;
  private final List<Line> anonymous = new ArrayList<>();
  private final Map<String, List<Line>> users = new HashMap<>();
  private final List<Line> patterns = new ArrayList<>();
  private final boolean filterOnDelivery;

  private ReferenceAcl(String source, boolean filterOnDelivery) {
    this.source = source;
    this.filterOnDelivery = filterOnDelivery;
  }

  /** Parses well-formed ACL text; no validation. */
  public static ReferenceAcl parse(String text, String source, boolean filterOnDelivery) {
    ReferenceAcl acl = new ReferenceAcl(source, filterOnDelivery);
    List<Line> current = acl.anonymous;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("[ \t]+", 3);
      switch (parts[0]) {
        case "user" -> current = acl.users.computeIfAbsent(line.substring(4).strip(), k -> new ArrayList<>());
        case "topic", "pattern" -> {
          Line rule = parts.length == 2
              ? new Line(i + 1, "readwrite", parts[1])
              : new Line(i + 1, parts[1], parts[2]);
          (parts[0].equals("topic") ? current : acl.patterns).add(rule);
        }
        default -> throw new IllegalArgumentException(line);
      }
    }
    return acl;
  }

  public Decision check(ClientIdentity who, Action action, String request) {
    String topic = request;
    if (action != Action.SUBSCRIBE) {
      if (!Topics.isValidName(topic)) {
        return Decision.deny("invalid topic name");
      }
      if (topic.startsWith("$share")) {
        return Decision.deny("topics starting with $share are never published");
      }
      if (action == Action.PUBLISH && topic.startsWith("$SYS")
          && !Topics.matches("$SYS/broker/connection/+/state", topic)) {
        return Decision.deny("$SYS topics are published by the broker only");
      }
    } else {
      if (SharedSubscription.isShared(topic)) {
        var shared = SharedSubscription.tryParse(topic);
        if (shared.isEmpty()) {
          return Decision.deny("malformed shared subscription");
        }
        topic = shared.get().filter();
      }
      if (!Topics.isValidFilter(topic)) {
        return Decision.deny("invalid topic filter");
      }
    }
    String user = who.username().orElse(null);
    List<Line> own = user == null ? anonymous : users.get(user);
    if (own != null) {
      Decision d = scan(own, action, topic, null, null, false);
      if (d != null) {
        return d;
      }
    }
    if (patterns.isEmpty()) {
      return Decision.deny("no rule matched");
    }
    String id = who.clientId();
    if (id.contains("+") || id.contains("#") || (user != null && (user.contains("+") || user.contains("#")))) {
      return Decision.deny("no rule matched; patterns do not apply to a username or client id containing '+' or '#'");
    }
    Decision d = scan(patterns, action, topic, user, id, true);
    return d != null ? d : Decision.deny("no rule matched");
  }

  private Decision scan(List<Line> list, Action action, String topic, String user, String id, boolean pattern) {
    for (Line rule : list) {
      String filter = pattern ? substitute(rule.filter(), user, id) : rule.filter();
      if (rule.isDeny() && filter != null && denyApplies(action, filter, topic)) {
        return Decision.deny(reason(rule));
      }
    }
    for (Line rule : list) {
      String filter = pattern ? substitute(rule.filter(), user, id) : rule.filter();
      if (!rule.isDeny() && filter != null && rule.grants(action) && allowApplies(action, filter, topic)) {
        return Decision.allow(reason(rule));
      }
    }
    return null;
  }

  private boolean denyApplies(Action action, String filter, String request) {
    if (action != Action.SUBSCRIBE) {
      return Topics.matches(filter, request);
    }
    return filterOnDelivery ? Topics.covers(filter, request) : Topics.intersects(filter, request);
  }

  private boolean allowApplies(Action action, String filter, String request) {
    if (action != Action.SUBSCRIBE) {
      return Topics.matches(filter, request);
    }
    return filterOnDelivery ? Topics.intersects(filter, request) : Topics.covers(filter, request);
  }

  /**
   * Replaces whole {@code %u}/{@code %c} levels by the value, which must then equal one level literally: a value
   * that is absent, empty or contains '/' can match no level, so the rule matches nothing (null).
   */
  static String substitute(String filter, String user, String id) {
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String value = levels[i].equals("%u") ? user : levels[i].equals("%c") ? id : levels[i];
      if (value == null || value.isEmpty() && !levels[i].isEmpty() || value.contains("/")) {
        return null;
      }
      levels[i] = value;
    }
    return String.join("/", levels);
  }

  private String reason(Line rule) {
    return source + ":" + rule.number() + " " + rule.access() + " " + rule.filter();
  }
}
