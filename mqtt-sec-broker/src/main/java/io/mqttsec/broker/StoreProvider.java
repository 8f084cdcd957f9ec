/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.SecurityEventListener;
import java.util.Map;

/**
 * Opens the {@link SharedStore} that {@code <store>} in mqtt-sec.xml names, such as
 * {@code <store><postgres url="jdbc:postgresql://db:5432/mqtt" .../></store>}. Found with {@link
 * java.util.ServiceLoader} (a module that {@code provides} it, or a {@code META-INF/services} entry), so the broker
 * layer needs no database driver: {@code mqtt-sec-postgres} provides {@code postgres}.
 */
public interface StoreProvider {

  /** The element under {@code <store>} this provider reads, such as {@code postgres}. */
  String kind();

  /**
   * Opens the store. {@code settings} holds the element's attributes ({@code password-file} already made absolute
   * against the configuration's folder).
   *
   * @param events where the store reports loads, refused rows and outages
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  SharedStore open(Map<String, String> settings, BrokerConfig config, SecurityEventListener events);
}
