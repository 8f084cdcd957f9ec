/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA512 (RFC 8018) with a 64-byte output, the derivation behind mosquitto's {@code $7$} hashes.
 *
 * <p>The JDK's {@code PBKDF2WithHmacSHA512} runs a full HMAC per iteration: four SHA-512 compressions, two of
 * them re-hashing the same padded key blocks. Here the two key blocks are compressed once, their states are
 * kept, and each iteration resumes from them with a single, pre-padded 64-byte block: two compressions and no
 * allocation. {@code PasswordVerifyBenchmark} compares both; this one is the faster on JDK 17 (see
 * {@code benchmarks/README.md}). Not exported: the module's API is {@code PasswordHasher}/{@code PasswordHash}.
 */
public final class Pbkdf2Sha512 {

  /** Length of the derived key, and of one SHA-512 output. */
  public static final int KEY_BYTES = 64;

  private static final int BLOCK_BYTES = 128;

  // FIPS 180-4, section 4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80 primes.
  private static final long[] K = {
      0x428a2f98d728ae22L, 0x7137449123ef65cdL, 0xb5c0fbcfec4d3b2fL, 0xe9b5dba58189dbbcL, 0x3956c25bf348b538L,
      0x59f111f1b605d019L, 0x923f82a4af194f9bL, 0xab1c5ed5da6d8118L, 0xd807aa98a3030242L, 0x12835b0145706fbeL,
      0x243185be4ee4b28cL, 0x550c7dc3d5ffb4e2L, 0x72be5d74f27b896fL, 0x80deb1fe3b1696b1L, 0x9bdc06a725c71235L,
      0xc19bf174cf692694L, 0xe49b69c19ef14ad2L, 0xefbe4786384f25e3L, 0x0fc19dc68b8cd5b5L, 0x240ca1cc77ac9c65L,
      0x2de92c6f592b0275L, 0x4a7484aa6ea6e483L, 0x5cb0a9dcbd41fbd4L, 0x76f988da831153b5L, 0x983e5152ee66dfabL,
      0xa831c66d2db43210L, 0xb00327c898fb213fL, 0xbf597fc7beef0ee4L, 0xc6e00bf33da88fc2L, 0xd5a79147930aa725L,
      0x06ca6351e003826fL, 0x142929670a0e6e70L, 0x27b70a8546d22ffcL, 0x2e1b21385c26c926L, 0x4d2c6dfc5ac42aedL,
      0x53380d139d95b3dfL, 0x650a73548baf63deL, 0x766a0abb3c77b2a8L, 0x81c2c92e47edaee6L, 0x92722c851482353bL,
      0xa2bfe8a14cf10364L, 0xa81a664bbc423001L, 0xc24b8b70d0f89791L, 0xc76c51a30654be30L, 0xd192e819d6ef5218L,
      0xd69906245565a910L, 0xf40e35855771202aL, 0x106aa07032bbd1b8L, 0x19a4c116b8d2d0c8L, 0x1e376c085141ab53L,
      0x2748774cdf8eeb99L, 0x34b0bcb5e19b48a8L, 0x391c0cb3c5c95a63L, 0x4ed8aa4ae3418acbL, 0x5b9cca4f7763e373L,
      0x682e6ff3d6b2b8a3L, 0x748f82ee5defb2fcL, 0x78a5636f43172f60L, 0x84c87814a1f0ab72L, 0x8cc702081a6439ecL,
      0x90befffa23631e28L, 0xa4506cebde82bde9L, 0xbef9a3f7b2c67915L, 0xc67178f2e372532bL, 0xca273eceea26619cL,
      0xd186b8c721c0c207L, 0xeada7dd6cde0eb1eL, 0xf57d4f7fee6ed178L, 0x06f067aa72176fbaL, 0x0a637dc5a2c898a6L,
      0x113f9804bef90daeL, 0x1b710b35131c471bL, 0x28db77f523047d84L, 0x32caab7b40c72493L, 0x3c9ebe0a15c9bebcL,
      0x431d67c49c100d4cL, 0x4cc5d4becb3e42b6L, 0x597f299cfc657e2aL, 0x5fcb6fab3ad6faecL, 0x6c44198c4a475817L};

  // FIPS 180-4, section 5.3.5: the SHA-512 initial hash value.
  private static final long[] IV = {
      0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
      0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L};

  private Pbkdf2Sha512() {
  }

  /**
   * Derives the 64-byte key for {@code password} and {@code salt} with this class's HMAC-state reuse.
   *
   * @throws IllegalArgumentException if {@code iterations} is below 1
   */
  public static byte[] derive(byte[] password, byte[] salt, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1, not " + iterations);
    }
    MessageDigest sha512 = sha512();
    byte[] key = password.length > BLOCK_BYTES ? sha512.digest(password) : password;
    byte[] innerPad = pad(key, 0x36);
    byte[] outerPad = pad(key, 0x5c);

    // U1 = HMAC(key, salt || INT(1)): the salt has any length, so this one goes through MessageDigest.
    sha512.update(innerPad);
    sha512.update(salt);
    sha512.update(new byte[] {0, 0, 0, 1});
    byte[] inner = sha512.digest();
    sha512.update(outerPad);
    sha512.update(inner);
    byte[] u1 = sha512.digest();

    long[] innerState = IV.clone();
    long[] outerState = IV.clone();
    long[] w = new long[80];
    loadBlock(innerPad, w);
    compress(innerState, w);
    loadBlock(outerPad, w);
    compress(outerState, w);
    Arrays.fill(innerPad, (byte) 0);
    Arrays.fill(outerPad, (byte) 0);

    long[] u = new long[8];
    for (int i = 0; i < 8; i++) {
      u[i] = readLong(u1, i * 8);
    }
    long[] t = u.clone();
    long[] s = new long[8];
    for (int n = 1; n < iterations; n++) {
      // inner = SHA-512 resumed from the ipad state over U (64 bytes), already padded to one block
      System.arraycopy(innerState, 0, s, 0, 8);
      fillPaddedBlock(u, w);
      compress(s, w);
      // U = SHA-512 resumed from the opad state over inner
      System.arraycopy(outerState, 0, u, 0, 8);
      fillPaddedBlock(s, w);
      compress(u, w);
      for (int i = 0; i < 8; i++) {
        t[i] ^= u[i];
      }
    }
    byte[] out = new byte[KEY_BYTES];
    for (int i = 0; i < 8; i++) {
      writeLong(t[i], out, i * 8);
    }
    Arrays.fill(t, 0);
    Arrays.fill(u, 0);
    Arrays.fill(s, 0);
    Arrays.fill(w, 0);
    Arrays.fill(innerState, 0);
    Arrays.fill(outerState, 0);
    return out;
  }

  /**
   * The same derivation through the JDK's {@code PBKDF2WithHmacSHA512}, kept for the benchmark and as a
   * cross-check in the tests. The password bytes are passed as ISO-8859-1 chars, which the JDK turns back
   * into the same bytes only for passwords without bytes above 0x7F; callers compare with ASCII passwords.
   */
  public static byte[] deriveWithJdk(byte[] asciiPassword, byte[] salt, int iterations) {
    char[] chars = new char[asciiPassword.length];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) (asciiPassword[i] & 0xFF);
    }
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, KEY_BYTES * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA512 is not available in this JDK", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is not available in this JDK", e);
    }
  }

  private static byte[] pad(byte[] key, int xor) {
    byte[] block = new byte[BLOCK_BYTES];
    for (int i = 0; i < BLOCK_BYTES; i++) {
      block[i] = (byte) ((i < key.length ? key[i] : 0) ^ xor);
    }
    return block;
  }

  private static void loadBlock(byte[] block, long[] w) {
    for (int i = 0; i < 16; i++) {
      w[i] = readLong(block, i * 8);
    }
  }

  /** One block holding a 64-byte message that follows one 128-byte block: 0x80, zeros, length 192 * 8 bits. */
  private static void fillPaddedBlock(long[] message, long[] w) {
    System.arraycopy(message, 0, w, 0, 8);
    w[8] = 0x8000000000000000L;
    w[9] = 0;
    w[10] = 0;
    w[11] = 0;
    w[12] = 0;
    w[13] = 0;
    w[14] = 0;
    w[15] = (BLOCK_BYTES + KEY_BYTES) * 8L;
  }

  /** The SHA-512 compression function (FIPS 180-4, 6.4.2); {@code w[0..15]} holds the block, the rest is scratch. */
  private static void compress(long[] state, long[] w) {
    for (int t = 16; t < 80; t++) {
      long x = w[t - 2];
      long y = w[t - 15];
      long s1 = Long.rotateRight(x, 19) ^ Long.rotateRight(x, 61) ^ (x >>> 6);
      long s0 = Long.rotateRight(y, 1) ^ Long.rotateRight(y, 8) ^ (y >>> 7);
      w[t] = s1 + w[t - 7] + s0 + w[t - 16];
    }
    long a = state[0];
    long b = state[1];
    long c = state[2];
    long d = state[3];
    long e = state[4];
    long f = state[5];
    long g = state[6];
    long h = state[7];
    for (int t = 0; t < 80; t++) {
      long t1 = h + (Long.rotateRight(e, 14) ^ Long.rotateRight(e, 18) ^ Long.rotateRight(e, 41))
          + ((e & f) ^ (~e & g)) + K[t] + w[t];
      long t2 = (Long.rotateRight(a, 28) ^ Long.rotateRight(a, 34) ^ Long.rotateRight(a, 39))
          + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }

  private static long readLong(byte[] bytes, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[offset + i] & 0xFF);
    }
    return v;
  }

  private static void writeLong(long v, byte[] out, int offset) {
    for (int i = 0; i < 8; i++) {
      out[offset + i] = (byte) (v >>> (56 - 8 * i));
    }
  }
}
