/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.MqttSecException;
import io.mqttsec.internal.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SessionOwners} in memory, optionally backed by a journal file: a header line, then one line per change,
 * {@code + CLIENT-ID OWNER} or {@code - CLIENT-ID}, each field percent-escaped so that any client id or user name
 * (spaces, line breaks, any UTF-8) fits on one line. Reads are map lookups; only a change of owner writes.
 */
final class OwnerJournal implements SessionOwners {

  static final String HEADER = "# mqtt-sec session owners v1";
  /** Compaction happens when the journal holds more lines than twice the live records plus this. */
  private static final int SLACK = 1024;

  private final Path file;
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  /** The client ids whose current owner is in the file (the others' sessions end with their connection). */
  private final java.util.Set<String> onDisk = ConcurrentHashMap.newKeySet();
  private FileChannel out;
  private int lines;

  OwnerJournal(Path file) {
    this.file = file;
    if (file != null) {
      open();
    }
  }

  @Override
  public Optional<String> owner(String clientId) {
    return Optional.ofNullable(owners.get(clientId));
  }

  @Override
  public synchronized void record(String clientId, String owner) {
    if (owner.equals(owners.get(clientId)) && onDisk.contains(clientId)) {
      return;
    }
    append("+ " + escape(clientId) + " " + escape(owner) + "\n");
    owners.put(clientId, owner);
    onDisk.add(clientId);
  }

  @Override
  public boolean recordWritesNothing(String clientId, String owner) {
    return file == null || owner.equals(owners.get(clientId)) && onDisk.contains(clientId);
  }

  @Override
  public synchronized void recordUntilDisconnect(String clientId, String owner) {
    if (onDisk.contains(clientId) && !owner.equals(owners.get(clientId))) {
      record(clientId, owner); // the file names another owner: it must not outlive this one
      return;
    }
    owners.put(clientId, owner);
  }

  @Override
  public synchronized void forget(String clientId) {
    owners.remove(clientId);
    if (onDisk.remove(clientId)) {
      try {
        append("- " + escape(clientId) + "\n");
      } catch (MqttSecException e) {
        // a forgotten owner that comes back after a restart only keeps a stale claim until the id's session
        // is found gone; nothing is let in by it
      }
    }
  }

  @Override
  public int size() {
    return owners.size();
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // every record was forced to disk when written; nothing is lost by a failed close
      }
      out = null;
    }
  }

  @Override
  public String toString() {
    return "SessionOwners{" + (file == null ? "in memory" : file) + ", " + owners.size() + " owned}";
  }

  private void open() {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (Checks.startsWithByteOrderMark(bytes)) {
        throw new MqttSecException(file + ":1:1: " + Checks.BYTE_ORDER_MARK);
      }
      load(new String(bytes, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      lines = 0;
    } catch (IOException e) {
      throw new MqttSecException(file + ": cannot read the session owners (" + e.getMessage() + ")", e);
    }
    if (lines == 0 || lines > 2 * onDisk.size() + SLACK) {
      compact();
    } else {
      openForAppend();
    }
  }

  private void load(String text) {
    String[] all = text.split("\n", -1);
    // the last element is what follows the last newline: empty, or a line a crash cut short
    int complete = all.length - 1;
    if (complete == 0 || !all[0].equals(HEADER)) {
      throw new MqttSecException(file + ":1: not a session owners journal (the first line must be \"" + HEADER
          + "\")");
    }
    for (int i = 1; i < complete; i++) {
      String line = all[i];
      String[] f = line.split(" ", -1);
      try {
        if (f.length == 3 && f[0].equals("+")) {
          owners.put(unescape(f[1]), unescape(f[2]));
          onDisk.add(unescape(f[1]));
        } else if (f.length == 2 && f[0].equals("-")) {
          owners.remove(unescape(f[1]));
          onDisk.remove(unescape(f[1]));
        } else {
          throw new IllegalArgumentException("expected \"+ CLIENT-ID OWNER\" or \"- CLIENT-ID\"");
        }
      } catch (IllegalArgumentException e) {
        throw new MqttSecException(file + ":" + (i + 1) + ": " + e.getMessage() + "; refusing to guess who owns "
            + "which session (repair or remove the line)");
      }
    }
    lines = complete;
  }

  private void append(String line) {
    if (file == null) {
      return;
    }
    if (out == null) {
      throw new MqttSecException(file + ": the session owners journal is closed");
    }
    try {
      ByteBuffer buffer = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(false);
      lines++;
    } catch (IOException e) {
      throw new MqttSecException(file + ": cannot record a session owner (" + e.getMessage() + ")", e);
    }
    if (lines > 2 * onDisk.size() + SLACK) {
      compact();
    }
  }

  /** Rewrites the journal with one line per live record: a temporary file, forced, then renamed over it. */
  private void compact() {
    close();
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    owners.forEach((id, owner) -> {
      if (onDisk.contains(id)) {
        text.append("+ ").append(escape(id)).append(' ').append(escape(owner)).append('\n');
      }
    });
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(temp);
      try {
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        throw new IOException("another process writes " + temp, e);
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory();
    } catch (IOException e) {
      throw new MqttSecException(file + ": cannot write the session owners (" + e.getMessage() + ")", e);
    }
    lines = onDisk.size() + 1;
    openForAppend();
  }

  private void forceDirectory() {
    Path dir = file.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // not every file system lets a directory be opened; the rename itself is already done
    }
  }

  private void openForAppend() {
    try {
      out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new MqttSecException(file + ": cannot open the session owners for writing (" + e.getMessage() + ")",
          e);
    }
  }

  /** Percent-escapes {@code %}, space and every character below U+0021, so a field is one space-free token. */
  static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == '%' || c == 0x7F) {
        if (b == null) {
          b = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        b.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        b.append(c);
        continue;
      }
      int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("a '%' at column " + (i + 1) + " is not followed by two hex digits");
      }
      b.append((char) (hi << 4 | lo));
      i += 2;
    }
    return b.toString();
  }
}
