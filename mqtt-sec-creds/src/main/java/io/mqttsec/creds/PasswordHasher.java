/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.creds.internal.Pbkdf2Sha512;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * The hashing policy for new passwords: which algorithm, at what cost, with how long a salt.
 *
 * <p>The default, {@link #pbkdf2Sha512()}, writes {@code $7$210000$<64-byte salt>$<hash>}: PBKDF2-HMAC-SHA512
 * at OWASP's 2023 recommendation of 210,000 iterations, which mosquitto 2.1 reads. <b>mosquitto 2.0</b> reads
 * {@code $7$} only with a 12-byte salt (checked against 2.0.11: a 64-byte salt is refused without a message);
 * for a file that a 2.0 broker also reads, use {@code pbkdf2Sha512(210_000).withSaltBytes(12)}. Twelve random
 * bytes never repeat in practice, so nothing is lost but the round number.
 *
 * <pre>{@code
 * PasswordHash hash = PasswordHasher.pbkdf2Sha512().hash(passwordBytes);
 * hash.encoded();   // "$7$210000$...$..."
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; each hash draws a fresh salt from {@link SecureRandom}.
 */
public final class PasswordHasher {

  /** OWASP 2023's iteration count for PBKDF2-HMAC-SHA512, the default. */
  public static final int DEFAULT_PBKDF2_ITERATIONS = 210_000;

  /**
   * The PBKDF2 iteration count of {@link #forGeneratedSecrets()}: what a secret mqtt-sec generated is stored
   * with. Chosen apart from mosquitto 2.0's default of 101, so the two are told apart in a file.
   */
  public static final int GENERATED_SECRET_ITERATIONS = 100;

  /** The default salt length, in bytes. */
  public static final int DEFAULT_SALT_BYTES = 64;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int ARGON2_HASH_BYTES = 32;

  private final PasswordHash.Algorithm algorithm;
  private final int iterations;
  private final int memoryKib;
  private final int parallelism;
  private final int saltBytes;

  private PasswordHasher(PasswordHash.Algorithm algorithm, int iterations, int memoryKib, int parallelism,
                         int saltBytes) {
    this.algorithm = algorithm;
    this.iterations = iterations;
    this.memoryKib = memoryKib;
    this.parallelism = parallelism;
    this.saltBytes = saltBytes;
  }

  /** PBKDF2-HMAC-SHA512, 210,000 iterations, 64-byte salt: the default policy. */
  public static PasswordHasher pbkdf2Sha512() {
    return pbkdf2Sha512(DEFAULT_PBKDF2_ITERATIONS);
  }

  /**
   * The policy for secrets mqtt-sec generates ({@link PasswordGenerator}: 192 random bits), never for a password a
   * person chose: {@code $7$} PBKDF2-HMAC-SHA512 at {@value #GENERATED_SECRET_ITERATIONS} iterations, which
   * mosquitto 2.x reads ({@code withSaltBytes(12)} for 2.0).
   *
   * <p>Key stretching makes each guess at a <em>low-entropy</em> secret expensive (NIST SP 800-63B, OWASP); against
   * 2<sup>192</sup> candidates it adds nothing. What it does cost is every uncached login: at 210,000 iterations,
   * a fleet reconnecting after a broker restart waits about 0.2 s of a core per device. Verifying this hash
   * costs about a two-thousandth of that.
   */
  public static PasswordHasher forGeneratedSecrets() {
    return pbkdf2Sha512(GENERATED_SECRET_ITERATIONS);
  }

  /**
   * PBKDF2-HMAC-SHA512 with {@code iterations} and a 64-byte salt.
   *
   * @throws IllegalArgumentException if {@code iterations} is outside 1 to
   *     {@link PasswordHash#MAX_PBKDF2_ITERATIONS}
   */
  public static PasswordHasher pbkdf2Sha512(int iterations) {
    if (iterations < 1 || iterations > PasswordHash.MAX_PBKDF2_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be from 1 to " + PasswordHash.MAX_PBKDF2_ITERATIONS
          + ", not " + iterations);
    }
    return new PasswordHasher(PasswordHash.Algorithm.PBKDF2_SHA512, iterations, 0, 0, DEFAULT_SALT_BYTES);
  }

  /**
   * Argon2id (version 1.3) with {@code memoryKib} KiB, {@code passes} passes and {@code parallelism} lanes, a
   * 64-byte salt and a 32-byte hash, in libargon2's encoded form. OWASP's floor is 19,456 KiB and 2 passes.
   * Only mosquitto 2.1 and later read it. Needs BouncyCastle ({@code org.bouncycastle:bcprov-jdk18on}) on the class
   * path.
   *
   * @throws IllegalArgumentException if a parameter is outside what {@link PasswordHash#parse} accepts
   * @throws IllegalStateException if BouncyCastle is not on the class path
   */
  public static PasswordHasher argon2id(int memoryKib, int passes, int parallelism) {
    if (!Argon2.available()) {
      throw new IllegalStateException(Argon2.MISSING);
    }
    if (parallelism < 1 || parallelism > PasswordHash.MAX_ARGON2_PARALLELISM) {
      throw new IllegalArgumentException("parallelism must be from 1 to " + PasswordHash.MAX_ARGON2_PARALLELISM
          + ", not " + parallelism);
    }
    if (memoryKib < 8 * parallelism || memoryKib > PasswordHash.MAX_ARGON2_MEMORY_KIB) {
      throw new IllegalArgumentException("memory must be from " + 8 * parallelism + " to "
          + PasswordHash.MAX_ARGON2_MEMORY_KIB + " KiB, not " + memoryKib);
    }
    if (passes < 1 || passes > PasswordHash.MAX_ARGON2_ITERATIONS) {
      throw new IllegalArgumentException("passes must be from 1 to " + PasswordHash.MAX_ARGON2_ITERATIONS
          + ", not " + passes);
    }
    return new PasswordHasher(PasswordHash.Algorithm.ARGON2ID, passes, memoryKib, parallelism,
        DEFAULT_SALT_BYTES);
  }

  /**
   * This policy with a salt of {@code bytes} bytes. Use 12 for password files that mosquitto 2.0 must read.
   *
   * @throws IllegalArgumentException if {@code bytes} is outside {@link PasswordHash#MIN_SALT_BYTES} to
   *     {@link PasswordHash#MAX_SALT_BYTES}
   */
  public PasswordHasher withSaltBytes(int bytes) {
    if (bytes < PasswordHash.MIN_SALT_BYTES || bytes > PasswordHash.MAX_SALT_BYTES) {
      throw new IllegalArgumentException("salt length must be from " + PasswordHash.MIN_SALT_BYTES + " to "
          + PasswordHash.MAX_SALT_BYTES + " bytes, not " + bytes);
    }
    return new PasswordHasher(algorithm, iterations, memoryKib, parallelism, bytes);
  }

  /**
   * Hashes {@code password} (the raw MQTT password bytes) with a fresh random salt.
   *
   * @throws IllegalArgumentException if the password is empty: an empty password never matches, so storing
   *     one would only lock the user out
   */
  public PasswordHash hash(byte[] password) {
    Objects.requireNonNull(password, "password");
    if (password.length == 0) {
      throw new IllegalArgumentException("an empty password cannot be stored: it never matches");
    }
    byte[] salt = new byte[saltBytes];
    RANDOM.nextBytes(salt);
    byte[] derived = algorithm == PasswordHash.Algorithm.ARGON2ID
        ? PasswordHash.argon2(password, salt, memoryKib, iterations, parallelism, ARGON2_HASH_BYTES)
        : Pbkdf2Sha512.derive(password, salt, iterations);
    try {
      return algorithm == PasswordHash.Algorithm.ARGON2ID
          ? PasswordHash.argon2id(memoryKib, iterations, parallelism, salt, derived)
          : PasswordHash.pbkdf2(iterations, salt, derived);
    } finally {
      Arrays.fill(derived, (byte) 0);
    }
  }

  /** A hash at this policy's cost that nothing verifies against (see {@link PasswordHash#decoy}). */
  PasswordHash decoy(SecureRandom random) {
    PasswordHash shape = algorithm == PasswordHash.Algorithm.ARGON2ID
        ? PasswordHash.argon2id(memoryKib, iterations, parallelism, new byte[saltBytes], new byte[ARGON2_HASH_BYTES])
        : PasswordHash.pbkdf2(iterations, new byte[saltBytes], new byte[Pbkdf2Sha512.KEY_BYTES]);
    return shape.decoy(random);
  }

  /** The algorithm this policy writes. */
  public PasswordHash.Algorithm algorithm() {
    return algorithm;
  }

  /** PBKDF2 iterations or Argon2 passes. */
  public int iterations() {
    return iterations;
  }

  /** Argon2 memory in KiB; 0 for PBKDF2. */
  public int memoryKib() {
    return memoryKib;
  }

  /** Argon2 lanes; 0 for PBKDF2. */
  public int parallelism() {
    return parallelism;
  }

  /** The salt length in bytes. */
  public int saltBytes() {
    return saltBytes;
  }

  @Override
  public String toString() {
    return "PasswordHasher{" + algorithm + ", " + PasswordHash.cost(algorithm, iterations, memoryKib, parallelism)
        + ", " + saltBytes + "-byte salt}";
  }
}
