/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CONNECT limits that do not depend on who the client is: per source address, per address prefix and for the
 * whole broker, checked before any password is hashed. Each address (and prefix) has a token bucket of CONNECTs
 * and a count of the connections it holds; {@link #admit} takes a token and reserves a connection, and
 * {@link #release} gives the connection back when the CONNECT is refused later or the connection ends.
 *
 * <p>Bounded: at most {@link #TRACKED} addresses and as many prefixes are tracked; idle ones (full bucket, no
 * connection) are forgotten by {@link #sweep}; past the bound, untracked addresses share one state, so a flood
 * from many addresses is still held to one budget rather than let through.
 */
final class ConnectGate {

  static final int TRACKED = 100_000;
  private static final String OVERFLOW = "*";

  /** Why a CONNECT was stopped at the gate, and where (an address, a prefix or the broker). */
  record Stop(Limit limit, State state) {
  }

  /**
   * What {@link #admit} decided: a stop, or the states in which it reserved a connection (null where that
   * dimension is not limited), to hand back to {@link #release}.
   */
  record Ticket(Stop stop, State address, State prefix) {
  }

  /** One address's or prefix's CONNECT bucket, connection count and excess windows; guarded by itself. */
  static final class State {
    final String where;
    final TokenBucket bucket;
    final Limit rateLimit;
    final Limit quotaLimit;
    int open;
    final LimitWindow rateWindow = new LimitWindow();
    final LimitWindow quotaWindow = new LimitWindow();

    State(String where, Rate rate, long now, Limit rateLimit, Limit quotaLimit) {
      this.where = where;
      this.bucket = rate == null ? null : new TokenBucket(rate, now, 1e9);
      this.rateLimit = rateLimit;
      this.quotaLimit = quotaLimit;
    }

    /** The window of {@code limit} in this state. */
    LimitWindow window(Limit limit) {
      return limit == quotaLimit ? quotaWindow : rateWindow;
    }

    boolean idle(long now) {
      return open == 0 && (bucket == null || bucket.full(now));
    }
  }

  private final Limits limits;
  private final boolean byAddress;
  private final boolean byPrefix;
  private final Map<String, State> addresses = new ConcurrentHashMap<>();
  private final Map<String, State> prefixes = new ConcurrentHashMap<>();
  private final State broker;

  ConnectGate(Limits limits, long now) {
    this.limits = limits;
    this.byAddress = limits.addressConnectRate().isPresent() || limits.addressMaxConnections().isPresent();
    this.byPrefix = limits.prefixConnectRate().isPresent() || limits.prefixMaxConnections().isPresent();
    this.broker = limits.brokerConnectRate().map(r -> new State("broker", r, now, Limit.BROKER_CONNECT_RATE, null))
        .orElse(null);
  }

  /**
   * Takes a CONNECT token and reserves a connection for {@code address}, or says which limit stops it (then
   * nothing is reserved).
   */
  Ticket admit(InetAddress address, long now) {
    State a = byAddress && address != null ? state(addresses, address.getHostAddress(),
        limits.addressConnectRate().orElse(null), now, Limit.ADDRESS_CONNECT_RATE, Limit.ADDRESS_CONNECTIONS) : null;
    State p = byPrefix && address != null ? state(prefixes, prefix(address), limits.prefixConnectRate()
        .orElse(null), now, Limit.PREFIX_CONNECT_RATE, Limit.PREFIX_CONNECTIONS) : null;
    if (a != null) {
      synchronized (a) {
        if (limits.addressMaxConnections().isPresent() && a.open >= limits.addressMaxConnections().get()) {
          return new Ticket(new Stop(Limit.ADDRESS_CONNECTIONS, a), null, null);
        }
        if (a.bucket != null && !a.bucket.tryTake(1, now)) {
          return new Ticket(new Stop(Limit.ADDRESS_CONNECT_RATE, a), null, null);
        }
        a.open++;
      }
    }
    if (p != null) {
      synchronized (p) {
        Stop stop = null;
        if (limits.prefixMaxConnections().isPresent() && p.open >= limits.prefixMaxConnections().get()) {
          stop = new Stop(Limit.PREFIX_CONNECTIONS, p);
        } else if (p.bucket != null && !p.bucket.tryTake(1, now)) {
          stop = new Stop(Limit.PREFIX_CONNECT_RATE, p);
        } else {
          p.open++;
        }
        if (stop != null) {
          undo(a);
          return new Ticket(stop, null, null);
        }
      }
    }
    if (broker != null) {
      synchronized (broker) {
        if (!broker.bucket.tryTake(1, now)) {
          undo(a);
          undo(p);
          return new Ticket(new Stop(Limit.BROKER_CONNECT_RATE, broker), null, null);
        }
      }
    }
    return new Ticket(null, a, p);
  }

  /** Gives back the connection a ticket reserved. */
  void release(Ticket ticket) {
    if (ticket != null) {
      undo(ticket.address());
      undo(ticket.prefix());
    }
  }

  /** What a sweep found: a state's window of {@code limit}, a minute old, with more than its first excess. */
  interface Closed {
    void report(State state, Limit limit, LimitWindow.Report report);
  }

  /** Closes windows a minute old (through {@code closed}) and forgets idle addresses and prefixes. */
  void sweep(long now, Closed closed) {
    for (Map<String, State> map : List.of(addresses, prefixes)) {
      for (Iterator<State> it = map.values().iterator(); it.hasNext(); ) {
        State s = it.next();
        synchronized (s) {
          report(s, now, closed);
          if (s.idle(now)) {
            it.remove();
          }
        }
      }
    }
    if (broker != null) {
      synchronized (broker) {
        report(broker, now, closed);
      }
    }
  }

  private static void report(State s, long now, Closed closed) {
    LimitWindow.Report rate = s.rateWindow.close(now, false);
    if (rate != null) {
      closed.report(s, s.rateLimit, rate);
    }
    LimitWindow.Report quota = s.quotaWindow.close(now, false);
    if (quota != null) {
      closed.report(s, s.quotaLimit, quota);
    }
  }

  /** How many addresses and prefixes are tracked now. */
  int tracked() {
    return addresses.size() + prefixes.size();
  }

  private static void undo(State s) {
    if (s != null) {
      synchronized (s) {
        if (s.open > 0) {
          s.open--;
        }
      }
    }
  }

  private static State state(Map<String, State> map, String key, Rate rate, long now, Limit rateLimit,
                             Limit quotaLimit) {
    State s = map.get(key);
    if (s != null) {
      return s;
    }
    String k = map.size() >= TRACKED ? OVERFLOW : key;
    return map.computeIfAbsent(k, x -> new State(x, rate, now, rateLimit, quotaLimit));
  }

  /** The address's prefix of the configured length, as {@code 10.0.3.0/24}. */
  String prefix(InetAddress address) {
    byte[] bytes = address.getAddress();
    int bits = bytes.length == 4 ? limits.ipv4Prefix() : limits.ipv6Prefix();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - 8 * i));
      bytes[i] &= (byte) (0xFF << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + bits;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
    }
  }
}
