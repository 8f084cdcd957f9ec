/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Writes files that hold secrets (keys, password hashes): owner-only (0600) from the first byte, whole or not at
 * all, and durable once this returns. Internal to mqtt-sec.
 */
public final class SecureFiles {

  private static final SecureRandom RANDOM = new SecureRandom();

  private SecureFiles() {
  }

  /**
   * Writes {@code bytes} to a 0600 temporary file beside {@code file}, forces it to disk and renames it over
   * {@code file}, then forces the folder so the rename survives a power cut: a reader sees the old file or the new
   * one, never half, and never a readable secret.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    write(file, bytes, "rw-------");
  }

  /**
   * As {@link #writeAtomically}, for a file that holds nothing secret (a certificate, a CRL): readable by everyone
   * (0644), so a broker running as another user can read it.
   */
  public static void writePublicAtomically(Path file, byte[] bytes) throws IOException {
    write(file, bytes, "rw-r--r--");
  }

  private static void write(Path file, byte[] bytes, String mode) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path temp = createPrivateTemp(dir, file.getFileName().toString());
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      if (!mode.equals("rw-------") && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the write already failed; that error is the one to report
        }
      }
    }
    forceFolder(dir);
  }

  /** A new empty file beside {@code name} in {@code dir}, owner-only where the file system has POSIX modes. */
  private static Path createPrivateTemp(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path temp = dir.resolve('.' + name + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
      try {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          return Files.createFile(temp, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  /** Forces a folder's entries to disk, where the platform allows opening a folder (Linux, macOS). */
  public static void forceFolder(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a folder; its rename is durable enough there
    }
  }
}
