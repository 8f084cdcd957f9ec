/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Tells its owner when a file has changed, however it was changed: rewritten in place, replaced by a rename,
 * deleted, or swapped behind a symbolic link the way Kubernetes updates a mounted secret or config map
 * ({@code acl.conf -> ..data/acl.conf}, with {@code ..data} re-pointed atomically).
 *
 * <p>One daemon thread per watched file waits on a {@link WatchService} for the file's directory and, as a
 * fallback for file systems that report nothing (network mounts, some container overlays), wakes at least once
 * per poll interval. Either way it compares the file's fingerprint (the identity and attributes of the file the
 * path finally resolves to: device and inode, size, modification time) with the last one, and calls the owner's
 * callback when it differs, once the file has stopped changing for a moment, so a writer that truncates and then
 * writes is usually seen once. Writers should still replace files atomically (write a temporary file, then rename
 * it over the old one): a slow in-place write can be read half-done, and an owner keeps its last good state only
 * when that half does not parse.
 *
 * <p>The callback runs on the watch thread, never concurrently with itself. An exception from it is swallowed
 * so that watching goes on. {@link #close()} stops the thread.
 *
 * <pre>{@code
 * WatchedFile watch = WatchedFile.watch(Path.of("acl.conf"), Duration.ofSeconds(2), this::reload);
 * reload();          // load after the watch has taken its first fingerprint, so no change is missed
 * ...
 * watch.close();
 * }</pre>
 */
public final class WatchedFile implements AutoCloseable {

  private static final Duration SETTLE = Duration.ofMillis(50);

  private final Path file;
  private final Duration pollInterval;
  private final Runnable onChange;
  private final WatchService watchService;
  private final Thread thread;
  private final Object lock = new Object();
  private Fingerprint last;
  private volatile boolean closed;

  private WatchedFile(Path file, Duration pollInterval, Runnable onChange) {
    this.file = file;
    this.pollInterval = pollInterval;
    this.onChange = onChange;
    this.last = Fingerprint.of(file);
    this.watchService = register(file);
    this.thread = new Thread(this::run, "mqtt-sec-watch-" + file.getFileName());
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching {@code file}. The first fingerprint is taken before this returns, so an owner that loads the
   * file afterwards cannot miss a change made in between.
   *
   * @param pollInterval how often to look at the file even when no event arrives; at least 10 ms
   * @param onChange     called on the watch thread after each change
   */
  public static WatchedFile watch(Path file, Duration pollInterval, Runnable onChange) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(onChange, "onChange");
    if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException("pollInterval must be at least 10 ms, was " + pollInterval);
    }
    WatchedFile watched = new WatchedFile(file.toAbsolutePath(), pollInterval, onChange);
    watched.thread.start();
    return watched;
  }

  /** The watched path, absolute. */
  public Path file() {
    return file;
  }

  /**
   * Looks at the file now, on the calling thread, and calls the callback if it changed since the last look.
   *
   * @return whether a change was seen
   */
  public boolean checkNow() {
    synchronized (lock) {
      Fingerprint now = Fingerprint.of(file);
      if (now.equals(last)) {
        return false;
      }
      last = now;
    }
    notifyOwner();
    return true;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        // Closing a watch service has nothing useful to report; the thread ends either way.
      }
    }
  }

  private static WatchService register(Path file) {
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return null; // polling alone
    }
    try {
      WatchService ws = FileSystems.getDefault().newWatchService();
      dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      return ws;
    } catch (IOException | UnsupportedOperationException e) {
      return null; // polling alone
    }
  }

  private void run() {
    while (!closed) {
      try {
        boolean event = awaitEvent();
        if (closed) {
          return;
        }
        if (event) {
          drainEvents();
        }
        if (event || !Fingerprint.of(file).equals(lastSeen())) {
          awaitStable();
          checkNow();
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        // An unexpected failure must not end the watch: changes would then go unnoticed for good.
      }
    }
  }

  private Fingerprint lastSeen() {
    synchronized (lock) {
      return last;
    }
  }

  /**
   * Waits until two looks one settle interval apart agree (at most 40 looks), so that a writer that truncates and
   * then writes is usually seen once it has finished.
   */
  private void awaitStable() throws InterruptedException {
    Fingerprint before = Fingerprint.of(file);
    for (int i = 0; i < 40; i++) {
      Thread.sleep(SETTLE.toMillis());
      drainEvents();
      Fingerprint after = Fingerprint.of(file);
      if (after.equals(before)) {
        return;
      }
      before = after;
    }
  }

  private boolean awaitEvent() throws InterruptedException {
    if (watchService == null) {
      Thread.sleep(pollInterval.toMillis());
      return false;
    }
    WatchKey key = watchService.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (key == null) {
      return false;
    }
    key.pollEvents();
    key.reset();
    return true;
  }

  private void drainEvents() {
    if (watchService == null) {
      return;
    }
    WatchKey key;
    while ((key = watchService.poll()) != null) {
      key.pollEvents();
      key.reset();
    }
  }

  private void notifyOwner() {
    try {
      onChange.run();
    } catch (RuntimeException e) {
      // The owner reports its own failures (as events); watching must go on regardless.
    }
  }

  /** What identifies one version of the file: the resolved file's key, size and modification time. */
  private record Fingerprint(Object fileKey, long size, FileTime modified, Path realPath) {
    static final Fingerprint MISSING = new Fingerprint(null, -1, null, null);

    static Fingerprint of(Path file) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Fingerprint(a.fileKey(), a.size(), a.lastModifiedTime(), file.toRealPath());
      } catch (IOException e) {
        return MISSING;
      }
    }
  }
}
