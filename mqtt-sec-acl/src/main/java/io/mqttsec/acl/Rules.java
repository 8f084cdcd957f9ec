/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import io.mqttsec.api.Decision;

/**
 * One list of rules in mosquitto's sense (a user's {@code topic} lines, the anonymous block, or the patterns):
 * a {@link RuleSet} trie for a list of many rules, a {@link RuleList} scanned in order for a short one.
 */
abstract sealed class Rules permits RuleSet, RuleList {

  /** Returned by {@link #decide} for a request it was asked to validate that is not valid; it decides nothing. */
  static final Decision INVALID = Decision.deny("invalid topic name");

  /**
   * The decision of the list's deciding rule, or null if no rule decides.
   *
   * @param u              the username a pattern's {@code %u} level must equal, or null (see {@link Search})
   * @param c              the client id a pattern's {@code %c} level must equal, or null
   * @param validateLevels 0 if {@code request} is valid; else the level limit it is to be validated against as a
   *                       topic name, {@link #INVALID} being the answer for one that is not valid
   */
  abstract Decision decide(Query query, String request, String u, String c, int validateLevels);
}
