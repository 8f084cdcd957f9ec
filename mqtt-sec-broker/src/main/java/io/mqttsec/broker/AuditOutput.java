/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code <audit>} of {@code mqtt-sec.xml}: the lines of {@code format} go to {@code file} (an {@link AuditFile}
 * rotated at {@code maxFileBytes}, keeping {@code keepFiles}), or, without a file, to the broker's own log.
 */
public record AuditOutput(AuditFormat format, Optional<Path> file, long maxFileBytes, int keepFiles) {

  public AuditOutput {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(file, "file");
  }

  /** Lines of {@code format} in the broker's own log. */
  public static AuditOutput log(AuditFormat format) {
    return new AuditOutput(format, Optional.empty(), AuditFile.DEFAULT_MAX_BYTES, AuditFile.DEFAULT_KEEP);
  }

  /** Lines of {@code format} in {@code file}, with the default rotation. */
  public static AuditOutput file(AuditFormat format, Path file) {
    return new AuditOutput(format, Optional.of(file), AuditFile.DEFAULT_MAX_BYTES, AuditFile.DEFAULT_KEEP);
  }
}
