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
public final class ReloadingAcl implements Authorizer, AutoCloseable {

  private final Path file;
  private final AclLimits limits;
  private final SubscribeMode subscribeMode;
  private final SecurityEventListener listener;
  private final Clock clock;
  private final Reloading.Callbacks<Void> reloadCallbacks = new Reloading.Callbacks<>();
  private volatile AclPolicy current;
  private WatchedFile watch;

  private ReloadingAcl(Builder b) {
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

  /** The policy in force now; a snapshot that later reloads do not change. */
  public AclPolicy current() {
    return current;
  }

  /** Decides with the policy in force now. Never throws. */
  public Decision check(ClientIdentity who, Action action, String topicOrFilter) {
    return current.check(who, action, topicOrFilter);
  }

  @Override
  public Decision authorize(ClientIdentity who, Action action, String topicOrFilter) {
    return check(who, action, topicOrFilter);
  }

  /**
   * A view for {@code who} that follows reloads: each check reads the policy in force, and the first check after a
   * reload builds the client's view of the new policy ({@link AclPolicy#viewFor}), so a check is never made
   * against a policy no longer in force.
   */
  @Override
  public Authorizer.View viewFor(ClientIdentity who) {
    Objects.requireNonNull(who, "who");
    return new Following(who, current.viewFor(who));
  }

  /** A view that is rebuilt when the policy in force is not the one it came from. */
  private final class Following implements Authorizer.View {
    private final ClientIdentity who;
    // Written by whichever check sees a new policy first; an AclView is immutable, so a racy read at worst sees an
    // older view, which the check then replaces.
    private AclView view;

    Following(ClientIdentity who, AclView view) {
      this.who = who;
      this.view = view;
    }

    @Override
    public Decision authorize(Action action, String topicOrFilter) {
      AclPolicy now = current;
      AclView v = view;
      if (v.policy() != now) {
        try {
          v = now.viewFor(who);
        } catch (RuntimeException e) {
          return Decision.deny("internal error while preparing the client's rules (" + e.getClass()
              .getSimpleName() + "); denied");
        }
        view = v;
      }
      return v.authorize(action, topicOrFilter);
    }

    @Override
    public String toString() {
      return "ReloadingAcl.View{" + who + ", file=" + file + '}';
    }
  }

  /**
   * Parses the file now and swaps it in if it is valid; otherwise keeps the policy in force. Raises the
   * matching event either way. Called by the watch thread; callable directly (for example on SIGHUP).
   *
   * @return whether the new policy is now in force
   */
  public synchronized boolean reload() {
    boolean loaded = Reloading.reload(listener, clock, file.toString(),
        () -> AclPolicy.parse(file, limits).withSubscribeMode(subscribeMode), policy -> current = policy,
        ReloadingAcl::summary, e -> {
          String error = e instanceof AclParseException ? e.getMessage() : e.toString();
          if (current == null) {
            current = AclPolicy.denyAll("ACL " + file + " not loaded: " + error);
          }
          return error;
        });
    if (loaded) {
      reloadCallbacks.run(null);
    }
    return loaded;
  }

  /**
   * Runs {@code callback} after each reload that put a new policy in force (not after the first load, nor after
   * a refused one), on the reloading thread: for example to remove live subscriptions the new policy refuses.
   */
  public void onReload(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    reloadCallbacks.add(ignored -> callback.run());
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
    return "ReloadingAcl{file=" + file + ", current=" + current + '}';
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
            acl.current = policy;
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
