/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

/** How an {@link AclPolicy} decides a SUBSCRIBE with a wildcard filter. */
public enum SubscribeMode {
  /**
   * The default. A subscription is granted only when a rule with read access <em>covers</em> the filter (every
   * topic the filter can match is matched by the rule; {@code +} never covers {@code #}) and no deny rule before
   * it <em>intersects</em> the filter (no topic matches both). So a granted subscription can never carry a
   * message that RECEIVE would refuse, and the broker needs no per-message check.
   */
  STRICT,
  /**
   * mosquitto's looser behaviour, for deployments that depend on it: a subscription is granted when a rule with
   * read access <em>intersects</em> the filter and no deny rule that comes earlier in the evaluation order (the
   * user's own rules, then the patterns, each in file order) <em>covers</em> it. The broker must then
   * check every delivered message as {@link io.mqttsec.api.Action#RECEIVE} and drop the ones refused (the HiveMQ
   * extension does this with an outbound interceptor). Subscribing to {@code #} succeeds and delivers only what
   * the client may read.
   */
  FILTER_ON_DELIVERY
}
