/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.SecurityEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of what {@link BrokerSecurity} decided and saw, for a broker's metrics: an adapter exports
 * {@link #snapshot()} under its broker's metric names. Counting is a {@link LongAdder} increment, so it costs
 * no lock on the publish path.
 *
 * <p>Names, as in {@link #snapshot()}: {@code auth.success}, {@code auth.failure} (CONNECTs accepted and
 * refused), {@code auth.lockout}, {@code auth.address-blocked} (brute-force guard actions),
 * {@code takeover.refused}, {@code acl.allow}, {@code acl.deny}, {@code acl.check.nanos} (total time in ACL
 * checks, estimated from each connection's first check of every 64: timing each would cost more than the check),
 * {@code reload.failure}, {@code disconnect.mqtt-sec} (connections mqtt-sec ended), {@code will.suppressed},
 * {@code limit.exceeded} (every packet or CONNECT a limit refused), {@code alert} (detection alerts raised),
 * {@code store.unavailable} (outages of a fleet's store).
 */
public final class SecurityCounters {

  private final LongAdder authSuccess = new LongAdder();
  private final LongAdder authFailure = new LongAdder();
  private final LongAdder lockouts = new LongAdder();
  private final LongAdder addressBlocks = new LongAdder();
  private final LongAdder takeoversRefused = new LongAdder();
  private final LongAdder aclAllow = new LongAdder();
  private final LongAdder aclDeny = new LongAdder();
  private final LongAdder aclCheckNanos = new LongAdder();
  private final LongAdder reloadFailures = new LongAdder();
  private final LongAdder disconnects = new LongAdder();
  private final LongAdder willsSuppressed = new LongAdder();
  private final LongAdder limitsExceeded = new LongAdder();
  private final LongAdder alerts = new LongAdder();
  private final LongAdder storeOutages = new LongAdder();

  private final Map<String, LongAdder> byName = new LinkedHashMap<>();

  SecurityCounters() {
    byName.put("auth.success", authSuccess);
    byName.put("auth.failure", authFailure);
    byName.put("auth.lockout", lockouts);
    byName.put("auth.address-blocked", addressBlocks);
    byName.put("takeover.refused", takeoversRefused);
    byName.put("acl.allow", aclAllow);
    byName.put("acl.deny", aclDeny);
    byName.put("acl.check.nanos", aclCheckNanos);
    byName.put("reload.failure", reloadFailures);
    byName.put("disconnect.mqtt-sec", disconnects);
    byName.put("will.suppressed", willsSuppressed);
    byName.put("limit.exceeded", limitsExceeded);
    byName.put("alert", alerts);
    byName.put("store.unavailable", storeOutages);
  }

  void limitExceeded() {
    limitsExceeded.increment();
  }

  void on(SecurityEvent event) {
    if (event instanceof SecurityEvent.AuthSucceeded) {
      authSuccess.increment();
    } else if (event instanceof SecurityEvent.AuthFailed) {
      authFailure.increment();
    } else if (event instanceof SecurityEvent.ClientLockedOut) {
      lockouts.increment();
    } else if (event instanceof SecurityEvent.AddressBlocked) {
      addressBlocks.increment();
    } else if (event instanceof SecurityEvent.TakeoverRefused) {
      takeoversRefused.increment();
    } else if (event instanceof SecurityEvent.PolicyReloadFailed) {
      reloadFailures.increment();
    } else if (event instanceof SecurityEvent.ClientDisconnected d
        && d.initiator() == SecurityEvent.Initiator.MQTT_SEC) {
      disconnects.increment();
    } else if (event instanceof SecurityEvent.WillSuppressed) {
      willsSuppressed.increment();
    } else if (event instanceof SecurityEvent.AlertRaised) {
      alerts.increment();
    } else if (event instanceof SecurityEvent.StoreUnavailable) {
      storeOutages.increment();
    }
  }

  void decision(boolean allowed) {
    (allowed ? aclAllow : aclDeny).increment();
  }

  /** One sampled check's time, standing for {@code weight} checks. */
  void sampledCheck(long nanos, int weight) {
    aclCheckNanos.add(nanos * weight);
  }

  /** Every counter by name, in a fixed order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    byName.forEach((name, adder) -> m.put(name, adder.sum()));
    return m;
  }

  /** The names, in the order of {@link #snapshot()}. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /**
   * One counter's value now.
   *
   * @throws IllegalArgumentException for a name not in {@link #names()}
   */
  public long value(String name) {
    LongAdder adder = byName.get(name);
    if (adder == null) {
      throw new IllegalArgumentException("no counter " + name + " (known: " + byName.keySet() + ")");
    }
    return adder.sum();
  }

  @Override
  public String toString() {
    return "SecurityCounters" + snapshot();
  }
}
