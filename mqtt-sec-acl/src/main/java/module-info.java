/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/** The trie-compiled MQTT topic ACL: {@link io.mqttsec.acl.AclPolicy} and {@link io.mqttsec.acl.ReloadingAcl}. */
module io.mqttsec.acl {
  requires transitive io.mqttsec.api;

  exports io.mqttsec.acl;
}
