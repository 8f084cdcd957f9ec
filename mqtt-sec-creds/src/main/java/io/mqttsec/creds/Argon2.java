/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.api.CredentialException;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id, by BouncyCastle when it is on the class path: an optional dependency, so a gateway that stores
 * {@code $7$} hashes carries no BouncyCastle. {@link #available()} is decided once, by loading the generator.
 */
final class Argon2 {

  static final String MISSING = "$argon2id$ hashes need BouncyCastle (org.bouncycastle:bcprov-jdk18on) on the "
      + "class path; $7$ (PBKDF2-SHA512) needs nothing beyond the JDK";

  private static final boolean AVAILABLE = probe();

  private Argon2() {
  }

  static boolean available() {
    return AVAILABLE;
  }

  static byte[] derive(byte[] password, byte[] salt, int memoryKib, int passes, int parallelism, int length) {
    if (!AVAILABLE) {
      throw new CredentialException(MISSING);
    }
    return Generator.derive(password, salt, memoryKib, passes, parallelism, length);
  }

  private static boolean probe() {
    try {
      Generator.probe();
      return true;
    } catch (LinkageError e) {
      return false; // BouncyCastle is not there (or not readable from this module)
    }
  }

  /** The only class that names BouncyCastle's types: loading it is what needs the jar. */
  private static final class Generator {

    static void probe() {
      new Argon2BytesGenerator();
    }

    static byte[] derive(byte[] password, byte[] salt, int memoryKib, int passes, int parallelism, int length) {
      Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
          .withVersion(Argon2Parameters.ARGON2_VERSION_13)
          .withMemoryAsKB(memoryKib)
          .withIterations(passes)
          .withParallelism(parallelism)
          .withSalt(salt)
          .build();
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(params);
      byte[] out = new byte[length];
      generator.generateBytes(password, out);
      return out;
    }
  }
}
