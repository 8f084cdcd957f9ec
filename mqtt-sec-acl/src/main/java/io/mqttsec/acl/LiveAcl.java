/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Action;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.internal.Reloading;
import java.util.Objects;

/**
 * The {@link AclPolicy} in force, replaced whole by its source: a {@link ReloadingAcl} following a file, or a
 * database shared by a fleet of brokers. Every check sees one whole policy, old or new, never a mixture; a broker
 * learns of each replacement through {@link #onReload} (and removes the live subscriptions the new policy refuses).
 *
 * <p>Thread-safe; checks never block on a replacement.
 */
public abstract class LiveAcl implements Authorizer, AutoCloseable {

  private final Reloading.Callbacks<Void> reloadCallbacks = new Reloading.Callbacks<>();
  private volatile AclPolicy current;

  /** @param initial the policy in force until the source replaces it (deny-all when nothing is loaded yet) */
  protected LiveAcl(AclPolicy initial) {
    this.current = Objects.requireNonNull(initial, "initial");
  }

  /** The policy in force now; a snapshot that later replacements do not change. */
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
   * A view for {@code who} that follows replacements: each check reads the policy in force, and the first check
   * after a replacement builds the client's view of the new policy ({@link AclPolicy#viewFor}), so a check is
   * never made against a policy no longer in force.
   */
  @Override
  public Authorizer.View viewFor(ClientIdentity who) {
    Objects.requireNonNull(who, "who");
    return new Following(who, current.viewFor(who));
  }

  /**
   * Runs {@code callback} after each replacement of the policy in force by its source (not for the policy it
   * started with), on the replacing thread: for example to remove live subscriptions the new policy refuses.
   */
  public void onReload(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    reloadCallbacks.add(ignored -> callback.run());
  }

  /** Puts {@code policy} in force and runs the {@link #onReload} callbacks. */
  protected final void install(AclPolicy policy) {
    current = Objects.requireNonNull(policy, "policy");
    reloadCallbacks.run(null);
  }

  /** Puts {@code policy} in force without telling anyone: a stand-in while no policy could be loaded. */
  protected final void installQuietly(AclPolicy policy) {
    current = Objects.requireNonNull(policy, "policy");
  }

  /** Where the policy comes from, for messages: a file, or a database without its password. */
  protected abstract String source();

  /** Stops following the source; the policy in force stays usable. */
  @Override
  public void close() {
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
      return LiveAcl.this.getClass().getSimpleName() + ".View{" + who + ", " + source() + '}';
    }
  }
}
