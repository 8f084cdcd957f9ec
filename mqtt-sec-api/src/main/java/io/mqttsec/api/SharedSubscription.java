/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A shared subscription, {@code $share/GROUP/FILTER} (MQTT 5 §4.8.2): messages matching FILTER are delivered to
 * one subscriber of the group. It is authorized as its FILTER, so {@code $share/g/factory/+/temp} needs the same
 * read grant as {@code factory/+/temp}.
 *
 * <p>The share name is at least one character and contains none of {@code / + #}; the filter is a valid topic
 * filter. A filter that starts with {@code $share/} and breaks these rules is not a plain filter either: it is
 * refused.
 *
 * @param group  the share name
 * @param filter the topic filter the group subscribes to
 */
public record SharedSubscription(String group, String filter) {

  /** The prefix that marks a shared subscription. */
  public static final String PREFIX = "$share/";

  public SharedSubscription {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(filter, "filter");
  }

  /** Whether {@code filter} is meant as a shared subscription (starts with {@code $share/}). */
  public static boolean isShared(String filter) {
    return filter != null && filter.startsWith(PREFIX);
  }

  /**
   * Parses a shared subscription given as configuration or API input.
   *
   * @throws InvalidTopicException when the text is not {@code $share/GROUP/FILTER} with a valid group and filter
   */
  public static SharedSubscription parse(String text) {
    String what = "shared subscription";
    if (!isShared(text)) {
      throw new InvalidTopicException(what, text, 0, "must start with " + PREFIX);
    }
    int slash = groupEnd(text);
    if (slash < 0) {
      int i = text.indexOf('/', PREFIX.length());
      if (i < 0) {
        throw new InvalidTopicException(what, text, text.length(), "has no topic filter after the share name");
      }
      if (i == PREFIX.length()) {
        throw new InvalidTopicException(what, text, i, "the share name must not be empty");
      }
      int bad = PREFIX.length();
      while (text.charAt(bad) != '+' && text.charAt(bad) != '#') {
        bad++;
      }
      throw new InvalidTopicException(what, text, bad,
          "'" + text.charAt(bad) + "' at index " + bad + " is not allowed in a share name");
    }
    String filter = text.substring(slash + 1);
    try {
      Topics.validateFilter(filter);
    } catch (InvalidTopicException e) {
      throw new InvalidTopicException(what, text, slash + 1 + e.index(), "topic filter: " + e.problem());
    }
    return new SharedSubscription(text.substring(PREFIX.length(), slash), filter);
  }

  /** Parses wire input: the subscription, or empty when the text is not a valid shared subscription. */
  public static Optional<SharedSubscription> tryParse(String text) {
    String filter = innerFilter(text);
    return filter == null ? Optional.empty()
        : Optional.of(new SharedSubscription(text.substring(PREFIX.length(), text.length() - filter.length() - 1),
            filter));
  }

  /**
   * For wire input on the hot path: the FILTER of a valid {@code $share/GROUP/FILTER}, or null when the text is
   * not one. Builds no exception.
   */
  public static String innerFilter(String text) {
    if (!isShared(text)) {
      return null;
    }
    int slash = groupEnd(text);
    if (slash < 0) {
      return null;
    }
    String filter = text.substring(slash + 1);
    return Topics.isValidFilter(filter) ? filter : null;
  }

  /** The index of the '/' that ends a valid share name, or -1 when the share name is missing or invalid. */
  private static int groupEnd(String text) {
    for (int i = PREFIX.length(); i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '/') {
        return i == PREFIX.length() ? -1 : i;
      }
      if (c == '+' || c == '#') {
        return -1;
      }
    }
    return -1;
  }

  /** The text form, {@code $share/GROUP/FILTER}. */
  @Override
  public String toString() {
    return PREFIX + group + '/' + filter;
  }
}
