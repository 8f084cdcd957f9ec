/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.util.Objects;

/**
 * Which identities may use a client id. A client id names a session (its subscriptions and queued messages),
 * and a CONNECT with that id takes the session over, so whoever may present it receives what was meant for its
 * owner.
 *
 * <ul>
 *   <li>{@link #OWNED} (the default): a client id belongs to the identity (the authenticated user name, or
 *       anonymous) that created its session. Another identity presenting it is refused while that session
 *       exists, connected or persisted. The owners are kept in {@link SessionOwners}, so they survive a
 *       restart.</li>
 *   <li>{@link #USERNAME}, {@link #usernamePrefix(String)}: the client id must be the user name (or the user name,
 *       the separator and anything, as AWS IoT's thing-name rule), and is owned as with {@link #OWNED}: the
 *       naming rule alone would let user {@code a} take {@code a-b}, the whole id of user {@code a-b}.</li>
 *   <li>{@link #ANY}: mosquitto's behaviour, any identity may take any session over. <b>Unsafe</b>: one device
 *       can receive another's queued and live messages. The session's subscriptions are judged again with the
 *       new identity when it takes one over, and offline sessions are judged as their last user, but messages
 *       queued for the old owner are delivered to the new one.</li>
 * </ul>
 */
public final class ClientIdPolicy {

  /** A client id belongs to the identity that created its session. */
  public static final ClientIdPolicy OWNED = new ClientIdPolicy("owned", false, null, true);

  /** The client id must equal the user name; owned as {@link #OWNED}. */
  public static final ClientIdPolicy USERNAME = new ClientIdPolicy("username", true, null, true);

  /** Any identity may use any client id (mosquitto's behaviour). Unsafe. */
  public static final ClientIdPolicy ANY = new ClientIdPolicy("any", false, null, false);

  private final String name;
  private final boolean namedByUser;
  private final String separator;
  private final boolean owned;

  private ClientIdPolicy(String name, boolean namedByUser, String separator, boolean owned) {
    this.name = name;
    this.namedByUser = namedByUser;
    this.separator = separator;
    this.owned = owned;
  }

  /**
   * The client id must be the user name, or the user name, {@code separator} and at least one more character
   * ({@code press-42} or {@code press-42-main} for user {@code press-42} with {@code "-"}); owned as
   * {@link #OWNED}.
   *
   * @throws IllegalArgumentException if the separator is empty
   */
  public static ClientIdPolicy usernamePrefix(String separator) {
    Objects.requireNonNull(separator, "separator");
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("the separator of the username client-id policy must not be empty");
    }
    return new ClientIdPolicy("username", true, separator, true);
  }

  /** Whether a session's client id stays with the identity that created it. */
  public boolean owned() {
    return owned;
  }

  /**
   * Why {@code user} may not use {@code clientId} by this policy's naming rule, or null when it may. Ownership
   * is checked apart.
   */
  String namingRefusal(String user, String clientId) {
    if (!namedByUser) {
      return null;
    }
    if (user == null) {
      return "the client-id policy " + this + " needs a user name, and the client has none";
    }
    if (clientId.equals(user)
        || separator != null && clientId.length() > user.length() + separator.length()
        && clientId.startsWith(user) && clientId.startsWith(separator, user.length())) {
      return null;
    }
    return "the client id is not the user name" + (separator == null ? "" : " nor starts with it and \""
        + separator + "\"") + " (client-id policy " + this + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientIdPolicy p && name.equals(p.name) && Objects.equals(separator, p.separator);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, separator);
  }

  /** {@code owned}, {@code any}, {@code username}, or {@code username (separator "-")}. */
  @Override
  public String toString() {
    return separator == null ? name : name + " (separator \"" + separator + "\")";
  }
}
