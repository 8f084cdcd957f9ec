/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Where CONNECTs wait for mqtt-sec's login threads under a storm: known clients coming back (a certificate, or a
 * device that logged in before and costs a cheap hash) in one lane, everything else (unknown users, addresses with
 * recent failures: what guessing looks like) in another that waits behind it and is bounded, so that a guessing
 * attack can neither starve the fleet nor grow a queue without end.
 */
final class LoginLanes implements AutoCloseable {

  /** A CONNECT waiting to be decided; refused instead when the lanes close before its turn. */
  interface Login extends Runnable {
    void refuse();
  }

  private final ArrayDeque<Login> returning = new ArrayDeque<>();
  private final ArrayDeque<Login> others = new ArrayDeque<>();
  private final int returningCapacity;
  private final int othersCapacity;
  private final List<Thread> workers = new ArrayList<>();
  private boolean closed;

  LoginLanes(int threads, int returningCapacity, int othersCapacity) {
    this.returningCapacity = returningCapacity;
    this.othersCapacity = othersCapacity;
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::work, "mqtt-sec-login-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /**
   * Queues {@code task} in its lane.
   *
   * @return false when that lane is full (or the lanes are closed): the task will not run
   */
  synchronized boolean offer(Login task, boolean isReturning) {
    ArrayDeque<Login> lane = isReturning ? returning : others;
    if (closed || lane.size() >= (isReturning ? returningCapacity : othersCapacity)) {
      return false;
    }
    lane.add(task);
    notify();
    return true;
  }

  /** How many tasks wait in each lane: {returning, others}. */
  synchronized int[] waiting() {
    return new int[] {returning.size(), others.size()};
  }

  private synchronized Login next() throws InterruptedException {
    while (!closed && returning.isEmpty() && others.isEmpty()) {
      wait();
    }
    if (closed) {
      return null;
    }
    return returning.isEmpty() ? others.poll() : returning.poll();
  }

  private void work() {
    while (true) {
      Login task;
      try {
        task = next();
      } catch (InterruptedException e) {
        return;
      }
      if (task == null) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        // the task reports its own failures; a worker must survive it
      }
    }
  }

  /** Stops the workers; the CONNECTs still waiting are refused. */
  @Override
  public void close() {
    List<Login> dropped = new ArrayList<>();
    synchronized (this) {
      closed = true;
      dropped.addAll(returning);
      dropped.addAll(others);
      returning.clear();
      others.clear();
      notifyAll();
    }
    workers.forEach(Thread::interrupt);
    for (Login l : dropped) {
      try {
        l.refuse();
      } catch (RuntimeException e) {
        // closing: the client's own timeout refuses it
      }
    }
  }
}
