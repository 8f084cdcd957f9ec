/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Action;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.Topics;

/**
 * One client's rules, prepared by {@link AclPolicy#viewFor} when its session starts: the client's own list and
 * the patterns with {@code %u} and {@code %c} resolved, as one short list scanned in order (its own denies, its
 * own allows, the patterns' denies, the patterns' allows: the first that applies is the rule the policy's
 * evaluation names). A client with a long list of its own (a gateway, a dashboard) keeps the policy's tries,
 * which serve it better.
 *
 * <pre>{@code
 * AclView view = policy.viewFor(session.identity());          // once, at CONNECT
 * view.authorize(Action.PUBLISH, "factory/press-42/temp");      // per PUBLISH: no lookup, no allocation
 * }</pre>
 *
 * <p>Decides exactly as {@link AclPolicy#check} with the identity it was built for, reasons included. Tied to the
 * policy it came from: after a reload, ask the new policy for a new view ({@link ReloadingAcl#viewFor} does).
 * Immutable and thread-safe; fails closed as the policy does.
 */
public final class AclView implements Authorizer.View {

  private final AclPolicy policy;
  /** The identity the view was first built for; a shared view decides alike for the others it serves. */
  private final ClientIdentity who;
  /** The list, or null for a wide client, whose checks go through the policy's tries. */
  private final String[] filters;
  private final int[] rules;
  /** The client's own list, whose rules come first in {@link #filters}; null if it has none. */
  private final RuleList own;
  /** The patterns' decisions, after as many nulls as the client has rules of its own. */
  private final Decision[] decisions;
  private final Decision noMatch;

  /** A view for a wide client: the policy's own evaluation. */
  AclView(AclPolicy policy, ClientIdentity who) {
    this(policy, who, null, null, null, null, null);
  }

  AclView(AclPolicy policy, ClientIdentity who, RuleList own, String[] filters, int[] rules, Decision[] decisions,
          Decision noMatch) {
    this.policy = policy;
    this.who = who;
    this.own = own;
    this.filters = filters;
    this.rules = rules;
    this.decisions = decisions;
    this.noMatch = noMatch;
  }

  @Override
  public Decision authorize(Action action, String topicOrFilter) {
    return policy.check(who, filters == null ? null : this, action, topicOrFilter);
  }

  /** The policy this view decides for. */
  public AclPolicy policy() {
    return policy;
  }

  /** The number of rules in the list, or -1 for a wide client decided by the policy's tries. */
  public int size() {
    return filters == null ? -1 : filters.length;
  }

  /** The search of the list, after the policy's checks of the request's form. */
  Decision decide(Query query, String request, int validateLevels) {
    if (validateLevels > 0 && !Topics.isValidName(request, validateLevels)) {
      return AclPolicy.invalidTopic();
    }
    int i = RuleList.find(filters, rules, filters.length, query, request);
    if (i < 0) {
      return noMatch;
    }
    Decision d = decisions[i];
    return d != null ? d : own.decision(i);
  }

  @Override
  public String toString() {
    return "AclView{" + who + ", rules=" + (filters == null ? "the policy's" : String.valueOf(filters.length))
        + ", policy=" + policy.source() + '}';
  }
}
