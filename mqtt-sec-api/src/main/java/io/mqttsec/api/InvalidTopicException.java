/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * A topic name or topic filter given as configuration or API input breaks the MQTT rules (MQTT 5 §4.7).
 * The message quotes the input (shortened when long) and says which rule is broken where:
 * {@code topic filter "a/#/b": '#' at index 2 must be the last level}.
 *
 * <p>Wire input is never reported with this exception: the non-throwing checks in {@link Topics} answer
 * {@code false} instead.
 */
public final class InvalidTopicException extends MqttSecException {
  private static final long serialVersionUID = 1L;

  private final int index;
  private final String problem;

  InvalidTopicException(String what, String input, int index, String problem) {
    super(what + " " + quote(input) + ": " + problem);
    this.index = index;
    this.problem = problem;
  }

  /** The UTF-16 index in the input where the broken rule was detected. */
  public int index() {
    return index;
  }

  /** The broken rule without the quoted input, for callers that report the input themselves. */
  public String problem() {
    return problem;
  }

  /** Quotes a topic for a message, shortened to a bounded excerpt so a 64 KiB topic cannot flood a log. */
  static String quote(String input) {
    if (input == null) {
      return "null";
    }
    int max = 80;
    return input.length() <= max
        ? '"' + input + '"'
        : '"' + input.substring(0, max) + "\"... (" + input.length() + " chars)";
  }
}
