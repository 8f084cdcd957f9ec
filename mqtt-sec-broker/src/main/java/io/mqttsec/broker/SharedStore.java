/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.acl.LiveAcl;
import io.mqttsec.creds.CredentialStore;
import io.mqttsec.creds.GuardSharing;
import io.mqttsec.tls.RevocationSource;
import java.util.Optional;

/**
 * A store a fleet of brokers shares in place of the password file and the ACL file (a database): its users, its
 * ACL and its revoked certificates, each kept current by the store itself. {@code mqtt-sec-postgres} has one.
 */
public interface SharedStore extends AutoCloseable {

  /** The users and hashes. */
  CredentialStore credentials();

  /** The ACL. */
  LiveAcl acl();

  /** The certificates revoked in the store, on top of any CRL. */
  RevocationSource revocations();

  /** How the brokers on this store share their brute-force guards' counts, if the store can. */
  default Optional<GuardSharing> guardSharing() {
    return Optional.empty();
  }

  @Override
  void close();
}
