/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watched password file replaced the way Kubernetes replaces a mounted secret: by swapping a symbolic link.
 * Apart from {@link CredentialFileTest} because it waits on the file watcher's thread, which the mutation run
 * leaves out (TESTING.md).
 */
class CredentialFileWatchTest {

  @TempDir
  Path dir;

  @Test
  void watch_symlinkSwap_isPickedUp() throws Exception {
    Path v1 = dir.resolve("v1");
    Path v2 = dir.resolve("v2");
    Files.writeString(v1, "alice:" + CredentialFileTest.H1 + "\n");
    Files.writeString(v2, "bob:" + CredentialFileTest.H6 + "\n");
    Path link = dir.resolve("passwd");
    Files.createSymbolicLink(link, v1);
    List<Set<String>> changes = new CopyOnWriteArrayList<>();
    try (CredentialFile store = CredentialFile.builder(link).reloadOnChange().pollInterval(Duration.ofMillis(50))
        .build()) {
      store.onUsersChanged(changes::add);
      Path tmp = dir.resolve("passwd.tmp");
      Files.createSymbolicLink(tmp, v2);
      Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!store.users().contains("bob") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(store.users()).containsExactly("bob");
      assertThat(changes).contains(Set.of("alice", "bob"));
    }
  }

}
