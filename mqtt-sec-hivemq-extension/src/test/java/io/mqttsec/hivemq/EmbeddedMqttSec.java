/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.embedded.EmbeddedExtension;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The mqtt-sec extension as an embedded extension. Kept out of {@link TestBroker} so that a broker loading the
 * packaged zip ({@link ExtensionZipIT}) runs without the extension's classes on the test class path: HiveMQ
 * refuses an extension whose {@code ExtensionMain} it finds twice.
 */
final class EmbeddedMqttSec {

  private EmbeddedMqttSec() {
  }

  static EmbeddedExtension extension(Path config, Consumer<String> audit) {
    return EmbeddedExtension.builder().withId("mqtt-sec").withName("mqtt-sec").withVersion("test")
        .withPriority(1000).withStartPriority(1000).withExtensionMain(new MqttSecExtensionMain(config, audit))
        .build();
  }
}
