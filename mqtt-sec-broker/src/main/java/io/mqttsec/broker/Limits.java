/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The limits a broker enforces against floods, oversized messages and connection storms: per client (with
 * defaults and overrides by user name or glob), per source address, per address prefix ({@code /24} for IPv4,
 * {@code /64} for IPv6) and for the whole broker.
 *
 * <pre>{@code
 * Limits limits = Limits.builder()
 *     .clients(ClientLimits.DEVICE)                                          // every client
 *     .user("gateway-*", ClientLimits.DEVICE.toBuilder().messageRate(Rate.of(500, 1000)).build())
 *     .addressConnectRate(Rate.of(20, 40))                                   // CONNECTs a second per address
 *     .addressMaxConnections(1000)
 *     .build();
 * }</pre>
 *
 * <p>{@link #DEFAULT} is what a broker gets when it configures nothing: {@link ClientLimits#DEVICE} for every
 * client, and 20 CONNECTs a second (burst 40) per address. Prefix and broker-wide limits are off unless set: a
 * factory behind one NAT address must not be shut out by a limit its operator never chose.
 *
 * <p>An override applies to the users it names: an exact name first, then the first glob (in the order given)
 * that matches ({@code *} any characters, {@code ?} one); an anonymous client, or a user no override names, gets
 * the defaults. Immutable.
 */
public final class Limits {

  /** mqtt-sec's defaults: {@link ClientLimits#DEVICE} for every client, 20 CONNECTs a second (burst 40) per address. */
  public static final Limits DEFAULT = builder().clients(ClientLimits.DEVICE).addressConnectRate(Rate.of(20, 40))
      .build();

  /** No limit at all. */
  public static final Limits NONE = builder().build();

  private final ClientLimits clients;
  private final Map<String, ClientLimits> users;
  private final List<String> userOrder;
  private final Rate addressConnectRate;
  private final Integer addressMaxConnections;
  private final int ipv4Prefix;
  private final int ipv6Prefix;
  private final Rate prefixConnectRate;
  private final Integer prefixMaxConnections;
  private final Rate brokerConnectRate;
  private final Duration excessDisconnectAfter;

  private Limits(Builder b) {
    this.clients = b.clients == null ? ClientLimits.UNLIMITED : b.clients;
    this.users = Map.copyOf(b.users);
    this.userOrder = List.copyOf(b.users.keySet());
    this.addressConnectRate = b.addressConnectRate;
    this.addressMaxConnections = b.addressMaxConnections;
    this.ipv4Prefix = b.ipv4Prefix == null ? 24 : b.ipv4Prefix;
    this.ipv6Prefix = b.ipv6Prefix == null ? 64 : b.ipv6Prefix;
    this.prefixConnectRate = b.prefixConnectRate;
    this.prefixMaxConnections = b.prefixMaxConnections;
    this.brokerConnectRate = b.brokerConnectRate;
    this.excessDisconnectAfter = b.excessDisconnectAfter == null ? Duration.ofSeconds(30)
        : b.excessDisconnectAfter;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The limits of a client whose user is {@code user} (null for anonymous). */
  public ClientLimits forUser(String user) {
    if (user == null || users.isEmpty()) {
      return clients;
    }
    ClientLimits exact = users.get(user);
    if (exact != null) {
      return exact;
    }
    for (String pattern : userOrder) {
      if (isGlob(pattern) && glob(pattern, 0, user, 0)) {
        return users.get(pattern);
      }
    }
    return clients;
  }

  /**
   * The overrides that name none of {@code knownUsers}: likely a typo, since they would never apply. (Users who
   * connect by certificate are not in a password file, so an override for them is reported too.)
   */
  public List<String> overridesMatchingNone(Collection<String> knownUsers) {
    List<String> unused = new ArrayList<>();
    for (String pattern : userOrder) {
      boolean used = isGlob(pattern) ? knownUsers.stream().anyMatch(u -> glob(pattern, 0, u, 0))
          : knownUsers.contains(pattern);
      if (!used) {
        unused.add(pattern);
      }
    }
    return unused;
  }

  /**
   * A broker's own cap on a packet: just above the largest message any client may send (its payload plus room
   * for a topic and properties), so that the broker refuses a huge PUBLISH before reading it whole and mqtt-sec
   * handles the rest per client; 0 when some client has no size limit (the broker's default then applies).
   */
  public long maxPacketBytes() {
    long largest = clients.maxMessageBytes().map(Integer::longValue).orElse(-1L);
    for (ClientLimits c : users.values()) {
      largest = c.maxMessageBytes().isEmpty() || largest < 0 ? -1 : Math.max(largest, c.maxMessageBytes().get());
    }
    return largest < 0 ? 0 : largest + 65_535 + 4_096;
  }

  /** Every client's limits, unless an override names its user. */
  public ClientLimits clients() {
    return clients;
  }

  /** The overrides by user name or glob, in the order given. */
  public Map<String, ClientLimits> users() {
    Map<String, ClientLimits> ordered = new LinkedHashMap<>();
    userOrder.forEach(u -> ordered.put(u, users.get(u)));
    return ordered;
  }

  /** CONNECTs a second from one address. Past it: 0x9F Connection rate exceeded. */
  public Optional<Rate> addressConnectRate() {
    return Optional.ofNullable(addressConnectRate);
  }

  /** Connections at once from one address. Past it: 0x97 Quota exceeded. */
  public Optional<Integer> addressMaxConnections() {
    return Optional.ofNullable(addressMaxConnections);
  }

  /** The prefix length that groups IPv4 addresses; if unset, 24. */
  public int ipv4Prefix() {
    return ipv4Prefix;
  }

  /** The prefix length that groups IPv6 addresses; if unset, 64. */
  public int ipv6Prefix() {
    return ipv6Prefix;
  }

  /** CONNECTs a second from one prefix. Past it: 0x9F Connection rate exceeded. */
  public Optional<Rate> prefixConnectRate() {
    return Optional.ofNullable(prefixConnectRate);
  }

  /** Connections at once from one prefix. Past it: 0x97 Quota exceeded. */
  public Optional<Integer> prefixMaxConnections() {
    return Optional.ofNullable(prefixMaxConnections);
  }

  /** CONNECTs a second to the whole broker. Past it: 0x9F Connection rate exceeded. */
  public Optional<Rate> brokerConnectRate() {
    return Optional.ofNullable(brokerConnectRate);
  }

  /**
   * How long a client may keep exceeding its message or byte rate (its PUBLISHes refused) before it is
   * disconnected with 0x96 Message rate too high. If unset, 30 seconds.
   */
  public Duration excessDisconnectAfter() {
    return excessDisconnectAfter;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("clients: ").append(clients);
    users().forEach((u, l) -> b.append("; user ").append(u).append(": ").append(l));
    if (addressConnectRate != null || addressMaxConnections != null) {
      b.append("; per address:");
      if (addressConnectRate != null) {
        b.append(" connects ").append(addressConnectRate);
      }
      if (addressMaxConnections != null) {
        b.append(" connections ").append(addressMaxConnections);
      }
    }
    if (prefixConnectRate != null || prefixMaxConnections != null) {
      b.append("; per /").append(ipv4Prefix).append(" and /").append(ipv6Prefix).append(':');
      if (prefixConnectRate != null) {
        b.append(" connects ").append(prefixConnectRate);
      }
      if (prefixMaxConnections != null) {
        b.append(" connections ").append(prefixMaxConnections);
      }
    }
    if (brokerConnectRate != null) {
      b.append("; broker: connects ").append(brokerConnectRate);
    }
    return b.toString();
  }

  static boolean isGlob(String pattern) {
    return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
  }

  /** {@code *} matches any run of characters, {@code ?} one; everything else itself. */
  static boolean glob(String pattern, int p, String text, int t) {
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '*') {
        for (int i = t; i <= text.length(); i++) {
          if (glob(pattern, p + 1, text, i)) {
            return true;
          }
        }
        return false;
      }
      if (t >= text.length() || c != '?' && c != text.charAt(t)) {
        return false;
      }
      p++;
      t++;
    }
    return t == text.length();
  }

  /** Builds {@link Limits}; each setting may be set once. */
  public static final class Builder {
    private ClientLimits clients;
    private final Map<String, ClientLimits> users = new LinkedHashMap<>();
    private Rate addressConnectRate;
    private Integer addressMaxConnections;
    private Integer ipv4Prefix;
    private Integer ipv6Prefix;
    private Rate prefixConnectRate;
    private Integer prefixMaxConnections;
    private Rate brokerConnectRate;
    private Duration excessDisconnectAfter;

    private Builder() {
    }

    /** Every client's limits. If unset, none. */
    public Builder clients(ClientLimits limits) {
      Checks.requireUnset("client limits", clients);
      clients = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** The limits of the user called {@code nameOrGlob}, or of every user it matches ({@code sensor_*}). */
    public Builder user(String nameOrGlob, ClientLimits limits) {
      Objects.requireNonNull(nameOrGlob, "nameOrGlob");
      Objects.requireNonNull(limits, "limits");
      if (nameOrGlob.isEmpty()) {
        throw new IllegalArgumentException("a user override needs a name or a glob");
      }
      Checks.requireUnset("the limits of user " + nameOrGlob, users.get(nameOrGlob));
      users.put(nameOrGlob, limits);
      return this;
    }

    public Builder addressConnectRate(Rate rate) {
      Checks.requireUnset("address connect rate", addressConnectRate);
      addressConnectRate = Objects.requireNonNull(rate, "rate");
      return this;
    }

    public Builder addressMaxConnections(int count) {
      Checks.requireUnset("address maximum connections", addressMaxConnections);
      addressMaxConnections = atLeastOne("address maximum connections", count);
      return this;
    }

    /** The prefix lengths that group addresses: 1 to 32 for IPv4, 1 to 128 for IPv6. If unset, 24 and 64. */
    public Builder prefixes(int ipv4, int ipv6) {
      Checks.requireUnset("prefix lengths", ipv4Prefix);
      if (ipv4 < 1 || ipv4 > 32 || ipv6 < 1 || ipv6 > 128) {
        throw new IllegalArgumentException("prefix lengths must be 1-32 (IPv4) and 1-128 (IPv6), not /" + ipv4
            + " and /" + ipv6);
      }
      ipv4Prefix = ipv4;
      ipv6Prefix = ipv6;
      return this;
    }

    public Builder prefixConnectRate(Rate rate) {
      Checks.requireUnset("prefix connect rate", prefixConnectRate);
      prefixConnectRate = Objects.requireNonNull(rate, "rate");
      return this;
    }

    public Builder prefixMaxConnections(int count) {
      Checks.requireUnset("prefix maximum connections", prefixMaxConnections);
      prefixMaxConnections = atLeastOne("prefix maximum connections", count);
      return this;
    }

    public Builder brokerConnectRate(Rate rate) {
      Checks.requireUnset("broker connect rate", brokerConnectRate);
      brokerConnectRate = Objects.requireNonNull(rate, "rate");
      return this;
    }

    public Builder excessDisconnectAfter(Duration after) {
      Checks.requireUnset("excess disconnect time", excessDisconnectAfter);
      if (after.isNegative() || after.isZero()) {
        throw new IllegalArgumentException("the excess disconnect time must be positive, not " + after);
      }
      excessDisconnectAfter = after;
      return this;
    }

    public Limits build() {
      return new Limits(this);
    }

    private static int atLeastOne(String what, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be at least 1, not " + value);
      }
      return value;
    }
  }
}
