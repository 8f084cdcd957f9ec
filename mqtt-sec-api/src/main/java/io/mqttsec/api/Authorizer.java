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
}
