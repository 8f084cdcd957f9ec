/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.api.CredentialException;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.Reloading;
import io.mqttsec.internal.SecureFiles;
import io.mqttsec.internal.WatchedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A mosquitto {@code password_file}, loaded, kept current and written back.
 *
 * <p>The format is mosquitto's: one {@code user:hash} per line, {@code #} comments and blank lines; the hash
 * forms are those of {@link PasswordHash}. A user in a rotation window carries a second, older hash and its
 * expiry ({@code user:NEW:OLD:2026-12-01T00:00:00Z}, see {@link Credential}); mosquitto 2.x reads only the
 * first two fields, so the file stays usable by a mosquitto broker.
 *
 * <pre>{@code
 * CredentialFile store = CredentialFile.load(Path.of("passwd"));
 * store.put("sensor-0042", passwordBytes);                       // hashed with PasswordHasher.pbkdf2Sha512()
 * store.rotate("gw-01", newPassword, Instant.now().plus(Duration.ofDays(7)));
 * }</pre>
 *
 * <p>A line whose first character other than space or tab is {@code #} is a comment.
 *
 * <p><b>Strict.</b> A line without {@code :}, an empty user name or one starting with whitespace, a control
 * character in a name, a duplicate user, an empty or undecodable hash, invalid UTF-8 or a file over {@link #MAX_FILE_BYTES} is a
 * {@link CredentialException} naming {@code file:line:column}; a bad line never becomes a user with an empty
 * or missing password (CVE-2018-12551). Messages never echo a hash or a line's password field.
 *
 * <p><b>Reload.</b> With {@link Builder#reloadOnChange()} (or {@link #watch}) the file is watched (file events,
 * polling, Kubernetes-style symlink swaps); a changed file is parsed completely and swapped in atomically, a
 * broken one leaves the last good entries in force. Either way a {@code PolicyReloaded} or
 * {@code PolicyReloadFailed} event goes to the listener, and {@link #onUsersChanged} callbacks learn which
 * users changed (the authenticator drops their cached logins at once).
 *
 * <p><b>Writes</b> ({@link #put}, {@link #remove}, {@link #rotate}) re-read the file, change only the lines of
 * that user, and replace the file atomically: a temporary file in the same folder with permissions 0600,
 * fsync, rename over the old one, fsync of the folder. Comments, blank lines and every other line are kept
 * byte for byte. A file that does not parse is never overwritten.
 *
 * <p>Thread-safe: lookups read an immutable snapshot; writes and reloads are serialized.
 */
public final class CredentialFile extends CredentialStore {

  /** The largest password file read, in bytes (64 MiB, some 200,000 users at the default hash). */
  public static final long MAX_FILE_BYTES = 64L << 20;

  /** The longest line read, in characters. */
  public static final int MAX_LINE_CHARS = 16_384;

  private final Path file;
  private WatchedFile watch;

  private CredentialFile(Builder b) {
    super(b.hasher, b.listener, b.clock);
    this.file = b.file;
  }

  /**
   * Loads {@code file} once, without watching it.
   *
   * @throws CredentialException if it is missing, unreadable or malformed (with {@code file:line:column})
   */
  public static CredentialFile load(Path file) {
    return builder(file).build();
  }

  /** Loads {@code file} and reloads it whenever it changes, reporting reloads to {@code listener}. */
  public static CredentialFile watch(Path file, SecurityEventListener listener) {
    return builder(file).listener(listener).reloadOnChange().build();
  }

  /** A builder for {@code file}. */
  public static Builder builder(Path file) {
    return new Builder(Objects.requireNonNull(file, "file"));
  }

  /** The file this store reads and writes. */
  public Path file() {
    return file;
  }

  @Override
  public String source() {
    return file.toString();
  }

  /**
   * Re-reads the file now. On success the new entries are in force and a {@code PolicyReloaded} event is
   * published; on failure the last good entries stay and a {@code PolicyReloadFailed} event says why.
   *
   * @return whether the file was loaded
   */
  public synchronized boolean reload() {
    return Reloading.reload(listener(), clock(), file.toString(), () -> CredentialParser.read(file, false).users,
        this::install, CredentialStore::summary, e -> e instanceof CredentialException ? e.getMessage()
            : e.toString());
  }

  /**
   * Sets the password of {@code username}, adding the user if new and ending any rotation, hashed with
   * {@link #hasher()}. The file is rewritten atomically before this returns; a missing file is created.
   *
   * @throws IllegalArgumentException if the name is empty, starts with {@code #}, or holds {@code :} or a
   *     control character, or if the password is empty
   * @throws CredentialException if the current file does not parse or cannot be written
   */
  public void put(String username, byte[] password) {
    checkUsername(username);
    put(username, hasher().hash(password));
  }

  /** Sets the hash of {@code username} as {@link #put(String, byte[])} does, for a hash made elsewhere. */
  public synchronized void put(String username, PasswordHash hash) {
    checkUsername(username);
    Objects.requireNonNull(hash, "hash");
    Credential entry = new Credential(username, hash, null, null);
    rewrite(username, entry, true);
  }

  /**
   * Adds many users in one atomic write, for provisioning a fleet: either all of them are in the file afterwards
   * or none is. The hashes are made by the caller (in parallel, typically).
   *
   * @param replace whether a user already in the file gets the new hash; when false, such a user is an error
   * @throws IllegalArgumentException if a name is invalid, or a user exists and {@code replace} is false
   * @throws CredentialException if the current file does not parse or cannot be written
   */
  public synchronized void putAll(Map<String, PasswordHash> hashes, boolean replace) {
    hashes.forEach((user, hash) -> {
      checkUsername(user);
      Objects.requireNonNull(hash, "hash");
    });
    CredentialParser.Parsed parsed = CredentialParser.read(file, true);
    if (!replace) {
      List<String> existing = hashes.keySet().stream().filter(parsed.users::containsKey).sorted().toList();
      if (!existing.isEmpty()) {
        throw new IllegalArgumentException(file + ": " + existing.size() + " user(s) already in the file, first "
            + CredentialParser.quote(existing.get(0)) + "; nothing was written");
      }
    }
    Map<String, Credential> entries = new LinkedHashMap<>();
    hashes.forEach((user, hash) -> entries.put(user, new Credential(user, hash, null, null)));
    write(parsed, entries, true);
  }

  /**
   * Removes {@code username}; its cached logins end at once.
   *
   * @return whether the user was in the file
   */
  public synchronized boolean remove(String username) {
    Objects.requireNonNull(username, "username");
    return rewrite(username, null, false);
  }

  /**
   * Starts a rotation: {@code newPassword} becomes the current password, and the current hash stays valid
   * until {@code graceUntil} so devices can move over one by one. One atomic write. A rotation already under
   * way is replaced (only the newest previous hash is kept).
   *
   * @throws IllegalArgumentException if {@code graceUntil} is not in the future or the password is empty
   * @throws CredentialException if the user is not in the file, or the file cannot be read or written
   */
  public void rotate(String username, byte[] newPassword, Instant graceUntil) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(graceUntil, "graceUntil");
    if (!graceUntil.isAfter(clock().instant())) {
      throw new IllegalArgumentException("the grace period must end in the future, not at " + graceUntil);
    }
    PasswordHash hash = hasher().hash(newPassword);
    synchronized (this) {
      CredentialParser.Parsed parsed = CredentialParser.read(file, false);
      Credential old = parsed.users.get(username);
      if (old == null) {
        throw new CredentialException(file + ": no user " + CredentialParser.quote(username) + " to rotate");
      }
      write(parsed, username, new Credential(username, hash, old.hash(), graceUntil), false);
    }
  }

  @Override
  protected synchronized boolean replaceIfUnchanged(Credential expected, PasswordHash hash) {
    CredentialParser.Parsed parsed = CredentialParser.read(file, false);
    if (!expected.equals(parsed.users.get(expected.username()))) {
      return false;
    }
    Credential rehashed = new Credential(expected.username(), hash, expected.previous().orElse(null),
        expected.previousUntil().orElse(null));
    recordRehash(expected, rehashed);
    write(parsed, expected.username(), rehashed, false);
    return true;
  }

  private boolean rewrite(String username, Credential entry, boolean missingIsEmpty) {
    CredentialParser.Parsed parsed = CredentialParser.read(file, missingIsEmpty);
    if (entry == null && !parsed.users.containsKey(username)) {
      return false;
    }
    write(parsed, username, entry, missingIsEmpty);
    return true;
  }

  /** Replaces (or removes, or appends) the line of {@code username} and writes the file atomically. */
  private void write(CredentialParser.Parsed parsed, String username, Credential entry, boolean create) {
    Map<String, Credential> one = new HashMap<>();
    one.put(username, entry);
    write(parsed, one, create);
  }

  /**
   * Replaces, removes (a null entry) or appends the line of each user in {@code entries}, keeping every other
   * line byte for byte, and writes the file atomically.
   */
  private void write(CredentialParser.Parsed parsed, Map<String, Credential> entries, boolean create) {
    StringBuilder text = new StringBuilder();
    Set<String> placed = new HashSet<>();
    for (CredentialParser.Line line : parsed.lines) {
      String user = line.credential == null ? null : line.credential.username();
      if (user != null && entries.containsKey(user)) {
        placed.add(user);
        Credential entry = entries.get(user);
        if (entry != null) {
          text.append(user).append(':').append(entry.encodedFields()).append('\n');
        }
      } else {
        text.append(line.text).append('\n');
      }
    }
    entries.forEach((user, entry) -> {
      if (!placed.contains(user) && entry != null) {
        text.append(user).append(':').append(entry.encodedFields()).append('\n');
      }
    });
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    // Parse what is about to be written: a write can never leave a file this class would refuse.
    CredentialParser.Parsed written = CredentialParser.parse(bytes, file.toString());
    writeAtomically(bytes, create);
    install(written.users);
    listener().deliver(new SecurityEvent.PolicyReloaded(clock().instant(), file.toString(),
        summary(written.users)));
  }

  private void writeAtomically(byte[] bytes, boolean create) {
    Path target;
    try {
      // Write where a symlink points, so the link (a deployment's choice) stays a link.
      target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
    } catch (IOException e) {
      throw new CredentialException(file + ": cannot resolve the file to write: " + e.getMessage(), e);
    }
    if (!create && !Files.exists(target)) {
      throw new CredentialException(file + ": no such file");
    }
    try {
      SecureFiles.writeAtomically(target, bytes);
    } catch (AtomicMoveNotSupportedException e) {
      throw new CredentialException(file + ": the file system cannot rename atomically; not written", e);
    } catch (IOException e) {
      throw new CredentialException(file + ": cannot write: " + e.getMessage(), e);
    }
  }

  static void checkUsername(String username) {
    Objects.requireNonNull(username, "username");
    if (username.isEmpty()) {
      throw new IllegalArgumentException("a user name cannot be empty (an empty user name is anonymous)");
    }
    if (username.charAt(0) == '#') {
      throw new IllegalArgumentException("a user name cannot start with '#': the line would be a comment");
    }
    if (username.charAt(0) == ' ') {
      throw new IllegalArgumentException("a user name cannot start with a space");
    }
    int bad = CredentialParser.badUsernameChar(username);
    if (bad >= 0) {
      throw new IllegalArgumentException(String.format("a user name cannot contain %s (U+%04X at index %d)",
          username.charAt(bad) == ':' ? "':'" : "a control character", (int) username.charAt(bad), bad));
    }
  }


  /** Stops watching the file, if it was watched. Lookups keep working on the last entries. */
  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }

  @Override
  public String toString() {
    return "CredentialFile{" + file + ", " + size() + " users}";
  }

  /** Builds a {@link CredentialFile}; each setting may be set once. */
  public static final class Builder {
    private final Path file;
    private SecurityEventListener listener;
    private Clock clock;
    private PasswordHasher hasher;
    private Duration pollInterval;
    private boolean reloadOnChange;

    private Builder(Path file) {
      this.file = file;
    }

    /** Where reload events go. If unset, nowhere. */
    public Builder listener(SecurityEventListener eventListener) {
      Checks.requireUnset("listener", listener);
      listener = Objects.requireNonNull(eventListener, "eventListener");
      return this;
    }

    /** The clock for event times and rotation deadlines. If unset, the UTC system clock. */
    public Builder clock(Clock eventClock) {
      Checks.requireUnset("clock", clock);
      clock = Objects.requireNonNull(eventClock, "eventClock");
      return this;
    }

    /** How new passwords are hashed. If unset, {@link PasswordHasher#pbkdf2Sha512()}. */
    public Builder hasher(PasswordHasher policy) {
      Checks.requireUnset("hasher", hasher);
      hasher = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Watch the file and reload it when it changes. */
    public Builder reloadOnChange() {
      if (reloadOnChange) {
        throw new IllegalStateException("reloadOnChange was already set");
      }
      reloadOnChange = true;
      return this;
    }

    /** How often a watched file is also polled, for file systems without change events. If unset, 2 s. */
    public Builder pollInterval(Duration interval) {
      Checks.requireUnset("poll interval", pollInterval);
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("the poll interval must be positive, not " + interval);
      }
      pollInterval = interval;
      return this;
    }

    /**
     * Loads the file and, if asked, starts watching it.
     *
     * @throws CredentialException if the file is missing or malformed: a store never starts half-loaded
     * @throws IllegalStateException if a poll interval was set without {@link #reloadOnChange()}
     */
    public CredentialFile build() {
      if (pollInterval != null && !reloadOnChange) {
        throw new IllegalStateException("a poll interval needs reloadOnChange()");
      }
      CredentialFile store = new CredentialFile(this);
      if (reloadOnChange) {
        // Watch first, then load: a change made in between is seen as a change.
        store.watch = WatchedFile.watch(file, pollInterval == null ? Duration.ofSeconds(2) : pollInterval,
            store::reload);
      }
      synchronized (store) {
        try {
          Map<String, Credential> users = CredentialParser.read(file, false).users;
          store.install(users);
          store.listener().deliver(new SecurityEvent.PolicyReloaded(store.clock().instant(), file.toString(),
              summary(users)));
        } catch (RuntimeException e) {
          store.close();
          throw e;
        }
      }
      return store;
    }

  }
}
