/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.MqttSecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.attribute.PosixFilePermissions;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionOwnersTest {

  @TempDir
  Path dir;

  @Test
  void owners_surviveReopening_includingForgottenOnes() throws Exception {
    Path file = dir.resolve("owners.log");
    try (SessionOwners owners = SessionOwners.file(file)) {
      owners.record("press-1", "press-1");
      owners.record("board main", "dashboard\nwith a line break");
      owners.record("anon", "");
      owners.record("gone", "press-9");
      owners.forget("gone");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    try (SessionOwners owners = SessionOwners.file(file)) {
      assertThat(owners.owner("press-1")).contains("press-1");
      assertThat(owners.owner("board main")).contains("dashboard\nwith a line break");
      assertThat(owners.owner("anon")).contains("");
      assertThat(owners.owner("gone")).isEmpty();
      assertThat(owners.size()).isEqualTo(3);
    }
  }

  @Test
  void aLastLineCutShortByACrash_isDropped_aMalformedLineRefusesToOpen() throws Exception {
    Path file = dir.resolve("owners.log");
    Files.writeString(file, OwnerJournal.HEADER + "\n+ a alice\n+ b bo");
    try (SessionOwners owners = SessionOwners.file(file)) {
      assertThat(owners.owner("a")).contains("alice");
      assertThat(owners.owner("b")).isEmpty();
    }
    Files.writeString(file, OwnerJournal.HEADER + "\n+ a alice\n* b bob\n");
    assertThatThrownBy(() -> SessionOwners.file(file)).isInstanceOf(MqttSecException.class)
        .hasMessage(file + ":3: expected \"+ CLIENT-ID OWNER\" or \"- CLIENT-ID\"; refusing to guess who owns "
            + "which session (repair or remove the line)");
    Files.writeString(file, OwnerJournal.HEADER + "\n+ a%zz alice\n");
    assertThatThrownBy(() -> SessionOwners.file(file)).isInstanceOf(MqttSecException.class)
        .hasMessageStartingWith(file + ":2: a '%' at column 2 is not followed by two hex digits");
    Files.writeString(file, "user:hash\n");
    assertThatThrownBy(() -> SessionOwners.file(file)).isInstanceOf(MqttSecException.class)
        .hasMessage(file + ":1: not a session owners journal (the first line must be \"" + OwnerJournal.HEADER
            + "\")");
  }

  @Test
  void theJournal_isCompacted_whenItOutgrowsItsRecords() throws Exception {
    Path file = dir.resolve("owners.log");
    try (SessionOwners owners = SessionOwners.file(file)) {
      owners.record("stable", "carol");
      owners.recordUntilDisconnect("passing", "dave");
      for (int i = 0; i < 3000; i++) {
        owners.record("hot", i % 2 == 0 ? "alice" : "bob");
      }
      assertThat(Files.readAllLines(file).size()).isLessThan(1100);
      assertThat(owners.owner("hot")).contains("bob");
      assertThat(owners.owner("passing")).contains("dave");
    }
    try (SessionOwners owners = SessionOwners.file(file)) {
      assertThat(owners.owner("hot")).contains("bob");
      assertThat(owners.owner("stable")).as("written once, before every compaction").contains("carol");
      assertThat(owners.owner("passing")).as("a session that ended with its connection").isEmpty();
    }
  }

  @Test
  void aReopenedJournal_takesNewRecords() throws Exception {
    Path file = dir.resolve("owners.log");
    try (SessionOwners owners = SessionOwners.file(file)) {
      owners.record("a", "alice");
    }
    try (SessionOwners owners = SessionOwners.file(file)) {
      owners.record("b", "bob");
      owners.forget("a");
    }
    try (SessionOwners owners = SessionOwners.file(file)) {
      assertThat(owners.owner("a")).isEmpty();
      assertThat(owners.owner("b")).contains("bob");
      assertThat(owners.size()).isEqualTo(1);
    }
  }

  @Test
  void anEscapeCutShortAtTheEndOfALine_refusesToOpen_namingTheLine() throws Exception {
    Path file = dir.resolve("owners.log");
    for (String id : List.of("a%4", "a%", "%4")) {
      Files.writeString(file, OwnerJournal.HEADER + "\n+ b bob\n+ " + id + " alice\n");
      assertThatThrownBy(() -> SessionOwners.file(file)).as(id).isInstanceOf(MqttSecException.class)
          .hasMessageStartingWith(file + ":3: a '%' at column");
    }
    assertThat(OwnerJournal.unescape("%41%42")).isEqualTo("AB");
    assertThat(OwnerJournal.unescape("x%41")).isEqualTo("xA");
  }

  @Test
  void recordingTheSameOwner_writesNothing() throws Exception {
    Path file = dir.resolve("owners.log");
    try (SessionOwners owners = SessionOwners.file(file)) {
      owners.record("a", "alice");
      long size = Files.size(file);
      owners.record("a", "alice");
      assertThat(Files.size(file)).isEqualTo(size);
    }
  }

  @Test
  void aSessionThatEndsWithItsConnection_isOwnedInMemoryOnly() throws Exception {
    Path file = dir.resolve("owners.log");
    try (SessionOwners owners = SessionOwners.file(file)) {
      owners.record("kept", "alice");
      long size = Files.size(file);
      owners.recordUntilDisconnect("sensor-1", "sensor-1");
      assertThat(owners.owner("sensor-1")).contains("sensor-1");
      assertThat(Files.size(file)).as("no disk write for a clean session").isEqualTo(size);
      owners.forget("sensor-1");
      assertThat(owners.owner("sensor-1")).isEmpty();
      assertThat(Files.size(file)).as("nor for its end").isEqualTo(size);
      owners.recordUntilDisconnect("kept", "bob");
      assertThat(Files.size(file)).as("the file named alice: bob's claim is written over it").isGreaterThan(size);
      owners.recordUntilDisconnect("sensor-2", "sensor-2");
    }
    try (SessionOwners reopened = SessionOwners.file(file)) {
      assertThat(reopened.owner("kept")).contains("bob");
      assertThat(reopened.owner("sensor-2")).as("its session could not outlive the process").isEmpty();
    }
  }

  @Property(tries = 500)
  void escaping_roundTrips_andLeavesNoSpaceOrLineBreak(@ForAll String text) {
    String escaped = OwnerJournal.escape(text);
    assertThat(escaped).doesNotContain(" ").doesNotContain("\n").doesNotContain("\r");
    assertThat(OwnerJournal.unescape(escaped)).isEqualTo(text);
  }

  @org.junit.jupiter.api.Test
  void aByteOrderMark_isRefused() throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("owners-bom.log"), "\uFEFF");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SessionOwners.file(file))
        .hasMessage(file + ":1:1: " + "the file starts with a byte order mark (U+FEFF); save it as UTF-8 without one");
  }
}
