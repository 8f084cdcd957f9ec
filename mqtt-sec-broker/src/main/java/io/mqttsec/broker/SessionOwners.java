/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.MqttSecException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who owns each client id's session: the user name of the identity that created it, kept so that a
 * {@link ClientIdPolicy#OWNED} broker can refuse another identity that presents the id, and can judge an
 * offline session with its owner's rights after an ACL change, across restarts too.
 *
 * <p>An owner is a user name; the empty string is the anonymous owner. An id with no recorded owner (a session
 * created before mqtt-sec ran, or whose record was forgotten) is judged as anonymous, which fails closed: an
 * anonymous client has the fewest rights.
 *
 * <p>Implementations are thread-safe. {@link #file(Path)} keeps them in a journal on disk;
 * {@link #inMemory()} for a broker whose sessions do not survive a restart either.
 */
public interface SessionOwners extends AutoCloseable {

  /** The owner of {@code clientId}'s session: a user name, the empty string for anonymous, or empty if unknown. */
  Optional<String> owner(String clientId);

  /**
   * Records {@code owner} (a user name, or the empty string for anonymous) as the owner of {@code clientId}. Once
   * this returns, the record survives a crash of the process.
   *
   * @throws MqttSecException if the record cannot be written; the caller must then refuse the session
   */
  void record(String clientId, String owner);

  /**
   * Whether {@link #record record(clientId, owner)} would return at once without writing: that owner is already
   * recorded durably, or this implementation writes nothing. The default, false, is always safe.
   */
  default boolean recordWritesNothing(String clientId, String owner) {
    return false;
  }

  /**
   * Records {@code owner} for a session that ends with its connection (a clean start with no expiry): such a
   * session cannot outlive the process, so neither need its owner, and nothing is written. A fleet of such
   * devices reconnecting at once then costs no disk write each.
   */
  default void recordUntilDisconnect(String clientId, String owner) {
    record(clientId, owner);
  }

  /** Forgets the owner of {@code clientId}, whose session has ended. */
  void forget(String clientId);

  /** How many client ids have an owner. */
  int size();

  @Override
  void close();

  /** Owners kept in memory only, for a broker whose sessions do not survive a restart. */
  static SessionOwners inMemory() {
    return new OwnerJournal(null);
  }

  /**
   * Owners kept in an append-only journal at {@code file} (created if missing, owner-only): each change is one
   * line, written and forced to disk before {@link #record} returns; the journal is compacted when it has grown
   * to more than twice the live records.
   *
   * @throws MqttSecException naming the file and line when it cannot be read or holds a malformed line (a
   *     last line cut short by a crash is dropped: that write never completed)
   */
  static SessionOwners file(Path file) {
    return new OwnerJournal(file);
  }
}
