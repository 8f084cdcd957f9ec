/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/** What a client asks to do with a topic. */
public enum Action {
  /** Send a PUBLISH (including a Will message) to a concrete topic name. */
  PUBLISH,
  /**
   * Subscribe with a topic filter, possibly containing wildcards or a {@code $share/GROUP/} prefix. A
   * subscription is granted only when every topic the filter can match may be read, unless an authorizer is
   * configured to filter on delivery instead.
   */
  SUBSCRIBE,
  /** Receive one delivered message published on a concrete topic name. */
  RECEIVE
}
