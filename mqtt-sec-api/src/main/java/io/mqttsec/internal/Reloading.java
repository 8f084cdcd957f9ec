/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The reload every watched file goes through (the ACL, the password file, the server's TLS material, the client CAs
 * and CRLs): load the next state whole; if that fails, say why and keep what is in force; else put it in force, say
 * so, and tell whoever asked. Internal to mqtt-sec.
 */
public final class Reloading {

  private Reloading() {
  }

  /**
   * One reload of {@code source}: {@code load} the next state; if it throws, publish
   * {@link SecurityEvent.PolicyReloadFailed} with {@code failure}'s text and keep what is in force; else
   * {@code install} it and publish {@link SecurityEvent.PolicyReloaded} with its {@code summary}.
   *
   * @return whether the new state is in force
   */
  public static <T> boolean reload(SecurityEventListener listener, Clock clock, String source, Supplier<T> load,
                                   Consumer<T> install, Function<T, String> summary,
                                   Function<RuntimeException, String> failure) {
    T next;
    try {
      next = load.get();
    } catch (RuntimeException e) {
      listener.deliver(new SecurityEvent.PolicyReloadFailed(clock.instant(), source, failure.apply(e)));
      return false;
    }
    install.accept(next);
    listener.deliver(new SecurityEvent.PolicyReloaded(clock.instant(), source, summary.apply(next)));
    return true;
  }

  /** Whom to tell after a reload: each callback runs, whatever the others throw. Thread-safe. */
  public static final class Callbacks<T> {
    private final List<Consumer<T>> callbacks = new CopyOnWriteArrayList<>();

    public void add(Consumer<T> callback) {
      callbacks.add(Objects.requireNonNull(callback, "callback"));
    }

    /** Runs every callback with {@code value}; one that throws does not stop the rest or undo the reload. */
    public void run(T value) {
      for (Consumer<T> callback : callbacks) {
        try {
          callback.accept(value);
        } catch (RuntimeException e) {
          // the new state is in force already; a failing callback is its own problem
        }
      }
    }
  }
}
