/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.AclParseException;
import io.mqttsec.api.Action;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.Reloading;
import io.mqttsec.internal.WatchedFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link AclPolicy} that follows its file: when the file changes (rewritten, replaced by a rename, or swapped
 * behind a symbolic link as Kubernetes does for mounted config maps), the new file is parsed completely and then
 * swapped in atomically. Every check sees one whole policy, old or new, never a mixture.
 *
 * <pre>{@code
 * try (ReloadingAcl acl = ReloadingAcl.watch(Path.of("/etc/mqtt/acl.conf"), events::publish)) {
 *   Decision d = acl.check(who, Action.SUBSCRIBE, "factory/press-42/#");
 * }
 * }</pre>
 *
 * <ul>
 *   <li>A changed file that does not parse leaves the last good policy in force and raises
 *       {@link SecurityEvent.PolicyReloadFailed} with the parse error ({@code acl.conf:12:15: ...}); a good one
 *       raises {@link SecurityEvent.PolicyReloaded}. A deleted file counts as a broken one.
 *   <li>At start-up a missing or broken file means deny-all (every decision names the error), or, with
 *       {@link Builder#requireValidAtStart()}, an {@link AclParseException} from {@link Builder#build()}.
 *   <li>Changes are seen through file system events, and a poll every
 *       {@linkplain Builder#pollInterval poll interval} (default 2 s) for file systems without events.
 * </ul>
 *
 * <p>Thread-safe; checks never block on a reload. <b>Security:</b> fails closed at every step. Close it to stop
 * the watch thread.
 */
public final class ReloadingAcl extends LiveAcl {

  private final Path file;
  private final AclLimits limits;
  private final SubscribeMode subscribeMode;
  private final SecurityEventListener listener;
  private final Clock clock;
  private WatchedFile watch;
  /** Whether a policy was ever loaded from the file (until then, a deny-all naming the error is in force). */
  private boolean loaded;

  private ReloadingAcl(Builder b) {
    super(AclPolicy.denyAll("ACL " + b.file + " not loaded yet"));
    this.file = b.file;
    this.limits = b.limits == null ? AclLimits.DEFAULT : b.limits;
    this.subscribeMode = b.subscribeMode == null ? SubscribeMode.STRICT : b.subscribeMode;
    this.listener = b.listener == null ? SecurityEventListener.none() : b.listener;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
  }

  /** Watches {@code file} with the defaults, reporting reloads to {@code listener}. */
  public static ReloadingAcl watch(Path file, SecurityEventListener listener) {
    return builder(file).listener(listener).build();
  }

  public static Builder builder(Path file) {
    return new Builder(Objects.requireNonNull(file, "file"));
  }

  @Override
  protected String source() {
    return file.toString();
  }

  /**
   * Parses the file now and swaps it in if it is valid; otherwise keeps the policy in force. Raises the
   * matching event either way. Called by the watch thread; callable directly (for example on SIGHUP).
   *
   * @return whether the new policy is now in force
   */
  public synchronized boolean reload() {
    boolean ok = Reloading.reload(listener, clock, file.toString(),
        () -> AclPolicy.parse(file, limits).withSubscribeMode(subscribeMode), this::install,
        ReloadingAcl::summary, e -> {
          String error = e instanceof AclParseException ? e.getMessage() : e.toString();
          if (!loaded) {
            installQuietly(AclPolicy.denyAll("ACL " + file + " not loaded: " + error));
          }
          return error;
        });
    loaded |= ok;
    return ok;
  }

  private static String summary(AclPolicy policy) {
    return policy.ruleCount() + " rules, " + policy.userCount() + " users";
  }

  /** Stops watching the file; the policy in force stays usable. */
  @Override
  public void close() {
    watch.close();
  }

  @Override
  public String toString() {
    return "ReloadingAcl{file=" + file + ", current=" + current() + '}';
  }

  /** Builds a {@link ReloadingAcl}; each setting may be set once. */
  public static final class Builder {
    private final Path file;
    private AclLimits limits;
    private SubscribeMode subscribeMode;
    private SecurityEventListener listener;
    private Clock clock;
    private Duration pollInterval;
    private boolean requireValidAtStart;

    private Builder(Path file) {
      this.file = file;
    }

    /** If unset, {@link AclLimits#DEFAULT}. */
    public Builder limits(AclLimits aclLimits) {
      Checks.requireUnset("limits", limits);
      limits = Objects.requireNonNull(aclLimits, "aclLimits");
      return this;
    }

    /** If unset, {@link SubscribeMode#STRICT}. */
    public Builder subscribeMode(SubscribeMode mode) {
      Checks.requireUnset("subscribe mode", subscribeMode);
      subscribeMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Receives reload events; if unset, events are dropped. */
    public Builder listener(SecurityEventListener eventListener) {
      Checks.requireUnset("listener", listener);
      listener = Objects.requireNonNull(eventListener, "eventListener");
      return this;
    }

    /** The clock that stamps events; if unset, the system clock in UTC. */
    public Builder clock(Clock eventClock) {
      Checks.requireUnset("clock", clock);
      clock = Objects.requireNonNull(eventClock, "eventClock");
      return this;
    }

    /** How often the file is looked at when no file system event arrives; if unset, 2 seconds. */
    public Builder pollInterval(Duration interval) {
      Checks.requireUnset("poll interval", pollInterval);
      pollInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Throw from {@link #build()} when the file is missing or invalid, instead of starting with deny-all. */
    public Builder requireValidAtStart() {
      if (requireValidAtStart) {
        throw new IllegalStateException("requireValidAtStart was already set");
      }
      requireValidAtStart = true;
      return this;
    }

    /**
     * Loads the file and starts watching it.
     *
     * @throws AclParseException only with {@link #requireValidAtStart()}, when the file is missing or invalid
     */
    public ReloadingAcl build() {
      ReloadingAcl acl = new ReloadingAcl(this);
      // Watch first, then load: a change made in between is then seen as a change.
      acl.watch = WatchedFile.watch(file, pollInterval == null ? Duration.ofSeconds(2) : pollInterval, acl::reload);
      // Under the lock, after any reload the watch thread may already have made: this load is the freshest.
      synchronized (acl) {
        if (requireValidAtStart) {
          try {
            AclPolicy policy = AclPolicy.parse(file, acl.limits).withSubscribeMode(acl.subscribeMode);
            acl.installQuietly(policy);
            acl.loaded = true;
            acl.listener.deliver(new SecurityEvent.PolicyReloaded(acl.clock.instant(), file.toString(),
                summary(policy)));
          } catch (RuntimeException e) {
            acl.watch.close();
            throw e;
          }
        } else {
          acl.reload();
        }
      }
      return acl;
    }
  }
}
