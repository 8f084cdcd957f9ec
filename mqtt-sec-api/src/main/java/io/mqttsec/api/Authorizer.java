/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * Decides whether a client may publish to, subscribe to or receive from a topic.
 *
 * <p><b>Thread safety:</b> implementations are called concurrently from broker threads and must be safe for that.
 * <b>Security:</b> implementations fail closed: invalid input, an unknown identity or an internal error yields a
 * denying {@link Decision}, never an exception that a caller could mistake for "no opinion".
 */
@FunctionalInterface
public interface Authorizer {

  /**
   * Decides one request.
   *
   * @param who           the authenticated client
   * @param action        what it asks to do
   * @param topicOrFilter a topic name for {@link Action#PUBLISH} and {@link Action#RECEIVE}, a topic filter
   *                      (possibly {@code $share/GROUP/FILTER}) for {@link Action#SUBSCRIBE}; wire input that
   *                      may be invalid, which is denied
   * @return the decision, never null
   */
  Decision authorize(ClientIdentity who, Action action, String topicOrFilter);

  /**
   * The decisions for one client, for a broker to keep with the client's session and use for each of its
   * requests. An implementation may prepare, once, what applies to {@code who} (the ACL resolves the client's
   * patterns into a short list), so that each check costs less; the decisions are the same as
   * {@link #authorize}'s with {@code who}, now and after any reload of the rules. The default binds {@code who}.
   *
   * @throws NullPointerException if {@code who} is null
   */
  default View viewFor(ClientIdentity who) {
    java.util.Objects.requireNonNull(who, "who");
    return (action, topicOrFilter) -> authorize(who, action, topicOrFilter);
  }

  /** An {@link Authorizer} for one client: see {@link Authorizer#viewFor}. Thread-safe and fails closed. */
  @FunctionalInterface
  interface View {

    /** As {@link Authorizer#authorize} for the client the view is for. */
    Decision authorize(Action action, String topicOrFilter);
  }
}
