/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Password hashes, mosquitto-compatible credential files, the password authenticator and its brute-force
 * guard: {@link io.mqttsec.creds.CredentialFile}, {@link io.mqttsec.creds.PasswordAuthenticator}.
 */
module io.mqttsec.creds {
  requires transitive io.mqttsec.api;
  requires com.github.benmanes.caffeine;
  requires static org.bouncycastle.provider; // optional: $argon2id$ only

  exports io.mqttsec.creds;
}
