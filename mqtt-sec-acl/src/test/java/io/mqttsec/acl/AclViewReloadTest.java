/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Views across reloads, on {@link AclDifferentialTest}'s random rule sets: its own class, because it rewrites a
 * file twice a try, which the mutation run leaves out as too slow to repeat per mutant (TESTING.md).
 */
class AclViewReloadTest {

  private final AclDifferentialTest shapes = new AclDifferentialTest();

  @Provide
  Arbitrary<String> aclText() {
    return shapes.aclText();
  }

  @Provide
  Arbitrary<ClientIdentity> identities() {
    return shapes.identities();
  }

  @Provide
  Arbitrary<String> requests() {
    return shapes.requests();
  }

  /**
   * A view taken from a {@link ReloadingAcl} before a reload decides by the new rules at its next check: never by
   * the policy that is no longer in force. One reloading ACL serves every try (its file rewritten twice a try).
   */
  @Property(tries = 10_000)
  void aView_followsAReload(
      @ForAll("aclText") String before,
      @ForAll("aclText") String after,
      @ForAll("identities") ClientIdentity who,
      @ForAll("requests") String request) throws Exception {
    java.nio.file.Files.writeString(RELOADED_FILE, before);
    assertThat(RELOADED.reload()).isTrue();
    io.mqttsec.api.Authorizer.View view = RELOADED.viewFor(who);
    ReferenceAcl expectedBefore = ReferenceAcl.parse(before, "acl.conf", false);
    for (Action action : Action.values()) {
      assertThat(view.authorize(action, request)).as("before: %s %s %s with\n%s", who, action, request, before)
          .isEqualTo(expectedBefore.check(who, action, request));
    }
    java.nio.file.Files.writeString(RELOADED_FILE, after);
    assertThat(RELOADED.reload()).isTrue();
    ReferenceAcl expectedAfter = ReferenceAcl.parse(after, "acl.conf", false);
    for (Action action : Action.values()) {
      assertThat(view.authorize(action, request)).as("after: %s %s %s with\n%s", who, action, request, after)
          .isEqualTo(expectedAfter.check(who, action, request));
    }
  }

  private static final java.nio.file.Path RELOADED_FILE;
  private static final ReloadingAcl RELOADED;

  static {
    try {
      RELOADED_FILE = java.nio.file.Files.createTempDirectory("acl-view-reload").resolve("acl.conf");
      java.nio.file.Files.writeString(RELOADED_FILE, "");
      // the watch thread could reload between a write and the test's own reload: it would load the same text
      RELOADED = ReloadingAcl.builder(RELOADED_FILE).pollInterval(java.time.Duration.ofHours(1)).build();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
