/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

/** What one search of a rule list looks for: the relation between rule and request, and the access wanted. */
enum Query {
  /** A topic name: a deny that matches it, else an allow with write access that matches it. */
  PUBLISH,
  /** A topic name: a deny that matches it, else an allow with read access that matches it. */
  RECEIVE,
  /** A filter: a deny that intersects it, else a read allow that covers it. */
  SUBSCRIBE_STRICT,
  /** A filter: a deny that covers it, else a read allow that intersects it. */
  SUBSCRIBE_ON_DELIVERY
}
