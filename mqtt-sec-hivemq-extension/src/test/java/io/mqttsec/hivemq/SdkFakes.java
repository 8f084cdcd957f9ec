/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stand-ins for the broker's side of the extension SDK, for tests of a callback without a broker: an input answers
 * the getters it is given, an output records every call made on it in {@link #calls}.
 */
final class SdkFakes {

  /** Every call on an {@link #output}, in order, as {@code name(arg, ...)}. */
  final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** An input answering the named getters, any other {@code Optional} getter with empty, and nothing else. */
  static <T> T input(Class<T> type, Map<String, Object> answers) {
    return type.cast(Proxy.newProxyInstance(SdkFakes.class.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      if (answers.containsKey(m.getName())) {
        return answers.get(m.getName());
      }
      if (m.getReturnType() == Optional.class) {
        return Optional.empty();
      }
      throw new UnsupportedOperationException(type.getSimpleName() + "." + m.getName() + " is not faked");
    }));
  }

  /** An output that records each call; a call named in {@code answers} returns that answer, any other null. */
  <T> T output(Class<T> type, Map<String, Object> answers) {
    return type.cast(Proxy.newProxyInstance(SdkFakes.class.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      calls.add(m.getName() + "(" + (args == null ? "" : String.join(", ",
          Arrays.stream(args).map(String::valueOf).toList())) + ")");
      return answers.get(m.getName());
    }));
  }

  <T> T output(Class<T> type) {
    return output(type, Map.of());
  }

  /**
   * A connection's attribute store holding {@code values} as text; {@code putAsString} calls are recorded in
   * {@link #calls} and stored.
   */
  com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore attributes(Map<String, String> values) {
    Map<String, String> stored = new java.util.HashMap<>(values);
    return (com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore) Proxy.newProxyInstance(
        SdkFakes.class.getClassLoader(), new Class<?>[] {
            com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore.class}, (p, m, args) -> {
          switch (m.getName()) {
            case "getAsString" -> {
              return Optional.ofNullable(stored.get((String) args[0]));
            }
            case "putAsString" -> {
              calls.add("putAsString(" + args[0] + ", " + args[1] + ")");
              stored.put((String) args[0], (String) args[1]);
              return null;
            }
            default -> throw new UnsupportedOperationException("ConnectionAttributeStore." + m.getName()
                + " is not faked");
          }
        });
  }
}
