/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Random device passwords: {@code SecureRandom} bytes in URL-safe base64 without padding, so the result
 * survives shells, URLs, YAML and {@code mosquitto_passwd -b} unquoted (no {@code :}, {@code $}, space or
 * quote).
 *
 * <p>The default draws 24 bytes (192 bits), like {@code openssl rand -base64 24}, giving 32 characters.
 *
 * <pre>{@code
 * try (Password pw = PasswordGenerator.create().generate()) {
 *   credentials.put("sensor-0042", pw.bytes());
 *   provisioning.send("sensor-0042", pw.reveal());
 * }
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PasswordGenerator {

  /** The default entropy in bytes. */
  public static final int DEFAULT_ENTROPY_BYTES = 24;

  /** The least entropy accepted, in bytes (128 bits). */
  public static final int MIN_ENTROPY_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final int entropyBytes;

  private PasswordGenerator(int entropyBytes) {
    this.entropyBytes = entropyBytes;
  }

  /** A generator drawing {@link #DEFAULT_ENTROPY_BYTES} bytes per password. */
  public static PasswordGenerator create() {
    return new PasswordGenerator(DEFAULT_ENTROPY_BYTES);
  }

  /**
   * A generator drawing {@code bytes} random bytes per password.
   *
   * @throws IllegalArgumentException below {@link #MIN_ENTROPY_BYTES} or above 1024
   */
  public static PasswordGenerator withEntropyBytes(int bytes) {
    if (bytes < MIN_ENTROPY_BYTES || bytes > 1024) {
      throw new IllegalArgumentException("entropy must be from " + MIN_ENTROPY_BYTES + " to 1024 bytes, not "
          + bytes);
    }
    return new PasswordGenerator(bytes);
  }

  /** A new random password. */
  public Password generate() {
    byte[] random = new byte[entropyBytes];
    RANDOM.nextBytes(random);
    byte[] text = Base64.getUrlEncoder().withoutPadding().encode(random);
    Arrays.fill(random, (byte) 0);
    return new Password(text);
  }

  /** The random bytes drawn per password. */
  public int entropyBytes() {
    return entropyBytes;
  }

  @Override
  public String toString() {
    return "PasswordGenerator{" + entropyBytes + " bytes of entropy, "
        + (entropyBytes * 8 + 5) / 6 + " characters}";
  }
}
