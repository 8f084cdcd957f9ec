/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code topic} or {@code pattern} line of an ACL file, as written, for tools that reason about the file
 * itself (a linter, a listing). A compiled {@link AclPolicy} does not keep these: it holds tries, not lines.
 *
 * @param line    the line number, from 1
 * @param pattern whether the line is a {@code pattern} (with {@code %u}/{@code %c}) rather than a {@code topic}
 * @param user    the {@code user} block a {@code topic} line belongs to; empty for the anonymous block and for
 *                patterns (which apply to every client)
 * @param access  the access granted or denied
 * @param filter  the topic filter as written
 */
public record AclRule(int line, boolean pattern, Optional<String> user, Access access, String filter) {

  /** Checks the fields. */
  public AclRule {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(filter, "filter");
  }

  /**
   * Reads every rule line of {@code file}, in file order, with the same strict parser (and the default limits)
   * as {@link AclPolicy#parse(Path)}.
   *
   * @throws io.mqttsec.api.AclParseException as {@link AclPolicy#parse(Path)} does
   */
  public static List<AclRule> readAll(Path file) {
    return AclParser.rules(Objects.requireNonNull(file, "file"), AclLimits.DEFAULT);
  }

  /** The line as an ACL file would hold it: {@code topic read factory/#}. */
  @Override
  public String toString() {
    return (pattern ? "pattern " : "topic ") + access.word() + " " + filter;
  }
}
