/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFileTest {

  @TempDir
  Path dir;

  @Test
  void lines_areAppendedOneALine_andSurviveAReopen() throws Exception {
    Path file = dir.resolve("logs/audit.jsonl");
    try (AuditFile f = AuditFile.open(file)) {
      f.accept("{\"a\":1}");
      f.accept("{\"b\":2}");
    }
    try (AuditFile f = AuditFile.open(file)) {
      f.accept("{\"c\":3}");
    }
    assertThat(Files.readAllLines(file)).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
  }

  @Test
  void aFullFile_isRotated_keepingTheNewestOnes() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    String line = "x".repeat(99); // 100 bytes with its line break
    try (AuditFile f = AuditFile.open(file, 1024, 2)) {
      for (int i = 0; i < 50; i++) {
        f.accept(line.substring(0, 95) + String.format("%04d", i));
      }
      assertThat(f.failures()).isZero();
    }
    assertThat(Files.size(file)).isLessThanOrEqualTo(1024);
    assertThat(Files.readAllLines(file)).last().asString().endsWith("0049");
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl.1"))).hasSize(10).first().asString().endsWith("0030");
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl.2"))).hasSize(10).first().asString().endsWith("0020");
    assertThat(dir.resolve("audit.jsonl.3")).doesNotExist();
  }

  @Test
  void keepZero_emptiesTheFullFile() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditFile f = AuditFile.open(file, 1024, 0)) {
      for (int i = 0; i < 15; i++) {
        f.accept("y".repeat(99));
      }
    }
    assertThat(Files.readAllLines(file)).hasSize(5);
    assertThat(dir.resolve("audit.jsonl.1")).doesNotExist();
  }

  @Test
  void concurrentWriters_neverInterleaveWithinALine() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (AuditFile f = AuditFile.open(file)) {
      for (int t = 0; t < 4; t++) {
        int id = t;
        pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            f.accept("{\"writer\":" + id + ",\"i\":" + i + ",\"pad\":\"" + "z".repeat(200) + "\"}");
          }
        });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2000).allSatisfy(l -> assertThat(JsonTree.object(l)).containsKey("writer"));
  }

  @Test
  void aWriteThatFails_isCounted_andTheNextLineTriesAgain() throws Exception {
    Path folder = dir.resolve("logs");
    Path file = folder.resolve("audit.jsonl");
    String line = "w".repeat(99);
    try (AuditFile f = AuditFile.open(file, 1024, 1)) {
      f.accept(line);
      Files.delete(file);
      Files.delete(folder);
      Files.writeString(folder, "a file where the folder was");
      for (int i = 0; i < 15; i++) {
        f.accept(line); // into the deleted file until it is full; then its rotation and every reopen fail
      }
      assertThat(f.failures()).isGreaterThanOrEqualTo(2);
      long failures = f.failures();
      Files.delete(folder);
      f.accept("{\"n\":\"back\"}");
      assertThat(f.failures()).isEqualTo(failures);
    }
    assertThat(Files.readAllLines(file)).containsExactly("{\"n\":\"back\"}");
  }

  @Test
  void aFileThatCannotBeOpened_isNamed() throws Exception {
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "not a folder");
    assertThatThrownBy(() -> AuditFile.open(blocker.resolve("audit.jsonl")))
        .isInstanceOf(UncheckedIOException.class).hasMessageStartingWith(blocker.resolve("audit.jsonl")
            + ": cannot open the audit file for appending");
    assertThatThrownBy(() -> AuditFile.open(dir.resolve("a"), 100, 1)).hasMessage(
        "an audit file must be allowed 1024 bytes at least, was 100");
  }
}
