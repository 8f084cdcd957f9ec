/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Audit lines in a file, one JSON object a line and nothing else, for a shipper (Filebeat, Promtail, the Splunk
 * forwarder) to tail. No logging framework is involved.
 *
 * <p>Each line is written and flushed to the operating system at once, in one write, so a reader never sees half
 * a line of a writer that is still running. When the file reaches {@code maxBytes} it is rotated as
 * logrotate would: {@code audit.jsonl} becomes {@code audit.jsonl.1}, {@code .1} becomes {@code .2}, up to
 * {@code keep} old files (the oldest is deleted), and writing goes on in a new {@code audit.jsonl}. A new file
 * is readable by its owner and group only ({@code rw-r-----}) where the file system has POSIX permissions: the
 * lines name users and addresses.
 *
 * <p>A write that fails (a full disk, a deleted folder) is counted in {@link #failures()}, the line is lost, and
 * the next line opens the file again; the broker's decisions never wait for the audit. Thread-safe.
 */
public final class AuditFile implements Consumer<String>, Closeable {

  /** The default size at which the file is rotated: 100 MiB. */
  public static final long DEFAULT_MAX_BYTES = 100L * 1024 * 1024;
  /** The default number of rotated files kept. */
  public static final int DEFAULT_KEEP = 5;

  private final Path file;
  private final long maxBytes;
  private final int keep;
  private FileChannel channel;
  private long size;
  private long failures;
  private boolean closed;

  private AuditFile(Path file, long maxBytes, int keep) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** Appends to {@code file}, rotating at {@value #DEFAULT_MAX_BYTES} bytes and keeping {@value #DEFAULT_KEEP}. */
  public static AuditFile open(Path file) {
    return open(file, DEFAULT_MAX_BYTES, DEFAULT_KEEP);
  }

  /**
   * Appends to {@code file} (creating it and its folder), rotating at {@code maxBytes} and keeping {@code keep}
   * rotated files (0: the full file is emptied instead).
   *
   * @throws IllegalArgumentException for a size under 1 KiB or a negative count
   * @throws java.io.UncheckedIOException naming the file when it cannot be opened for appending
   */
  public static AuditFile open(Path file, long maxBytes, int keep) {
    Objects.requireNonNull(file, "file");
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("an audit file must be allowed 1024 bytes at least, was " + maxBytes);
    }
    if (keep < 0 || keep > 1000) {
      throw new IllegalArgumentException("keep must be 0 to 1000 rotated files, was " + keep);
    }
    AuditFile f = new AuditFile(file.toAbsolutePath(), maxBytes, keep);
    try {
      f.openChannel();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(file + ": cannot open the audit file for appending ("
          + e.getMessage() + ")", e);
    }
    return f;
  }

  /** The file written. */
  public Path file() {
    return file;
  }

  /** How many lines could not be written. */
  public synchronized long failures() {
    return failures;
  }

  /** Writes {@code line} and a line break. */
  @Override
  public synchronized void accept(String line) {
    if (closed) {
      return;
    }
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (channel == null) {
        openChannel();
      }
      if (size > 0 && size + bytes.length > maxBytes) {
        rotate();
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      size += bytes.length;
    } catch (IOException | RuntimeException e) {
      failures++;
      closeChannel();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeChannel();
  }

  @Override
  public String toString() {
    return "AuditFile{" + file + ", maxBytes=" + maxBytes + ", keep=" + keep + '}';
  }

  private void openChannel() throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
    } catch (FileAlreadyExistsException e) {
      // appending to what is there
    } catch (UnsupportedOperationException e) {
      Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
    }
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    size = channel.size();
  }

  private void rotate() throws IOException {
    closeChannel();
    if (keep == 0) {
      Files.deleteIfExists(file);
    } else {
      Files.deleteIfExists(numbered(keep));
      for (int i = keep - 1; i >= 1; i--) {
        if (Files.exists(numbered(i))) {
          Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
    }
    openChannel();
  }

  private Path numbered(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // the lines written are with the operating system already
      }
      channel = null;
    }
  }
}
