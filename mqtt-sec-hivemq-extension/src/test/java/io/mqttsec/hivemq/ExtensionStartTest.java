/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that cannot be made safe is refused, with every problem listed, before HiveMQ's services are touched. */
class ExtensionStartTest {

  @TempDir
  Path dir;

  @Test
  void extensionStart_brokenFiles_preventStartupListingEveryProblem() throws Exception {
    Files.writeString(dir.resolve("passwd"), "alice\n");
    Files.writeString(dir.resolve("acl.conf"), "topic read a/#\nfrobnicate b\n");
    Path file = Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec><password-file>passwd</password-file>"
        + "<acl-file>acl.conf</acl-file></mqtt-sec>");
    AtomicReference<String> prevented = new AtomicReference<>();
    new MqttSecExtensionMain(file, line -> { }).extensionStart(null, prevented::set);
    assertThat(prevented.get()).startsWith("mqtt-sec refuses to start, so the broker does not run unprotected:")
        .contains(dir.resolve("acl.conf") + ":2:1: ")
        .contains(dir.resolve("passwd") + ":1:")
        .doesNotContain("alice:");
  }

  @Test
  void extensionStart_badConfig_namesTheFileAndElement() throws Exception {
    Path file = Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec><acl-file>acl.conf</acl-file>"
        + "<client-id-policy>mine</client-id-policy></mqtt-sec>");
    AtomicReference<String> prevented = new AtomicReference<>();
    new MqttSecExtensionMain(file, line -> { }).extensionStart(null, prevented::set);
    assertThat(prevented.get()).contains(file + ": <client-id-policy>: \"mine\" is not owned, username or any")
        .contains(file + ": <acl-file>: " + dir.resolve("acl.conf") + " does not exist or is not a file");
  }
}
