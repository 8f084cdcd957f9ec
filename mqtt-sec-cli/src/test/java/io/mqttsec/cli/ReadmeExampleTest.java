/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first program, compiled from the README itself and run on a fresh demo folder: it must compile with
 * the imports it shows and print exactly what the README says it prints.
 */
class ReadmeExampleTest {

  @TempDir
  Path dir;

  /** The fenced block of {@code language} that follows {@code after} in {@code text}. */
  static String block(String text, String after, String language) {
    int from = text.indexOf(after);
    assertThat(from).as("README has " + after).isNotNegative();
    int open = text.indexOf("```" + language + "\n", from);
    int close = text.indexOf("\n```", open + 4 + language.length());
    return text.substring(open + 4 + language.length(), close + 1);
  }

  @Test
  void theFirstTaste_compilesAndPrintsWhatTheReadmeSays() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String program = block(readme, "## A first taste", "java");
    String expected = block(readme, "It prints:", "text");
    Path source = Files.createDirectories(dir.resolve("src")).resolve("FirstTaste.java");
    Files.writeString(source, program);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int compiled = javac.run(null, null, null, "-d", classes.toString(), "-cp", classPath, source.toString());
    assertThat(compiled).as("the README's program compiles").isZero();

    Path demo = dir.resolve("mqtt-sec-demo");
    Demo.create(demo, 1000);
    Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        classes + File.pathSeparator + classPath, "FirstTaste", demo.toString()).redirectErrorStream(true).start();
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String printed = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(printed).isEqualTo(expected);
    assertThat(List.of(run.exitValue())).containsExactly(0);
  }
}
