/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.api.CredentialException;
import io.mqttsec.creds.internal.Pbkdf2Sha512;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * One stored password hash in the crypt(3)-like forms of mosquitto's {@code password_file}.
 *
 * <ul>
 *   <li>{@code $6$SALT$HASH}: SHA-512 over the password followed by the salt, one round (mosquitto 1.x, and
 *       {@code mosquitto_passwd -H sha512}). Legacy and weak: a GPU tries billions of these a second.</li>
 *   <li>{@code $7$ITERATIONS$SALT$HASH}: PBKDF2-HMAC-SHA512 with a 64-byte result (mosquitto 2.0 writes 101
 *       iterations and a 12-byte salt; mosquitto 2.1 and {@link PasswordHasher} write a 64-byte salt).</li>
 *   <li>{@code $argon2id$v=19$m=KIB,t=PASSES,p=LANES$SALT$HASH}: libargon2's encoded form, which
 *       mosquitto 2.1 writes; computed with BouncyCastle's Argon2 generator, so it needs
 *       {@code org.bouncycastle:bcprov-jdk18on} on the class path (without it such a line is an error that says
 *       so; {@code $6$} and {@code $7$} need nothing beyond the JDK).</li>
 * </ul>
 *
 * <p>{@code $6$} and {@code $7$} use standard base64 with padding (accepted without it too);
 * {@code $argon2id$} uses it without padding, as libargon2 does. Anything else, including a line left in plain
 * text, is refused: there is no "plain password" form.
 *
 * <p>Instances are immutable and thread-safe. {@link #verify} runs the full derivation and compares in
 * constant time.
 *
 * <p><b>Security:</b> a hash is not a password, but it is what an offline attack starts from, so
 * {@link #toString()} and every exception message name only the algorithm and its cost; the encoded text is
 * reachable only through {@link #encoded()}.
 */
public final class PasswordHash {

  /** The hash algorithms a password file can hold. */
  public enum Algorithm {
    /** {@code $6$}: one round of salted SHA-512. */
    SHA512,
    /** {@code $7$}: PBKDF2-HMAC-SHA512. */
    PBKDF2_SHA512,
    /** {@code $argon2id$}: Argon2id, version 0x13. */
    ARGON2ID
  }

  /** The most PBKDF2 iterations a stored hash may ask for (about 10 s of work), so a file cannot stall logins. */
  public static final int MAX_PBKDF2_ITERATIONS = 10_000_000;

  /** The most memory an Argon2id hash may ask for, in KiB (1 GiB). */
  public static final int MAX_ARGON2_MEMORY_KIB = 1 << 20;

  /** The most Argon2id passes a stored hash may ask for. */
  public static final int MAX_ARGON2_ITERATIONS = 64;

  /** The most Argon2id lanes a stored hash may ask for. */
  public static final int MAX_ARGON2_PARALLELISM = 16;

  /** The shortest salt accepted in any form, in bytes. */
  public static final int MIN_SALT_BYTES = 8;

  /** The longest salt accepted in any form, in bytes. */
  public static final int MAX_SALT_BYTES = 64;

  private static final int SHA512_BYTES = 64;
  private static final int MIN_ARGON2_HASH_BYTES = 16;
  private static final int MAX_ARGON2_HASH_BYTES = 64;
  // OWASP's floor for Argon2id: 19 MiB, 2 passes. Below it an Argon2id hash counts as weak.
  private static final int OWASP_ARGON2_MEMORY_KIB = 19 * 1024;
  private static final int OWASP_ARGON2_ITERATIONS = 2;

  private final Algorithm algorithm;
  private final int iterations;
  private final int memoryKib;
  private final int parallelism;
  private final byte[] salt;
  private final byte[] hash;
  private final String encoded;

  private PasswordHash(Algorithm algorithm, int iterations, int memoryKib, int parallelism, byte[] salt,
                       byte[] hash, String encoded) {
    this.algorithm = algorithm;
    this.iterations = iterations;
    this.memoryKib = memoryKib;
    this.parallelism = parallelism;
    this.salt = salt;
    this.hash = hash;
    this.encoded = encoded;
  }

  /**
   * Parses one encoded hash, the text after {@code user:} on a password-file line.
   *
   * @throws CredentialException naming what is wrong (never echoing the hash itself)
   */
  public static PasswordHash parse(String encoded) {
    if (encoded == null || encoded.isEmpty()) {
      throw new CredentialException("password hash is empty");
    }
    if (encoded.startsWith("$6$")) {
      return parseSha512(encoded);
    }
    if (encoded.startsWith("$7$")) {
      return parsePbkdf2(encoded);
    }
    if (encoded.startsWith("$argon2id$")) {
      return parseArgon2(encoded);
    }
    throw new CredentialException("password hash is not in a known form (expected $6$, $7$ or $argon2id$)");
  }

  private static PasswordHash parseSha512(String encoded) {
    String[] f = fields(encoded, 3, "$6$SALT$HASH");
    byte[] salt = decode(f[1], "salt", "$6$", false);
    byte[] hash = decode(f[2], "hash", "$6$", false);
    checkSalt(salt, "$6$");
    checkLength(hash, SHA512_BYTES, SHA512_BYTES, "$6$");
    return new PasswordHash(Algorithm.SHA512, 1, 0, 0, salt, hash, encoded);
  }

  private static PasswordHash parsePbkdf2(String encoded) {
    String[] f = fields(encoded, 4, "$7$ITERATIONS$SALT$HASH");
    int iterations = number(f[1], "iterations", "$7$", 1, MAX_PBKDF2_ITERATIONS);
    byte[] salt = decode(f[2], "salt", "$7$", false);
    byte[] hash = decode(f[3], "hash", "$7$", false);
    checkSalt(salt, "$7$");
    checkLength(hash, SHA512_BYTES, SHA512_BYTES, "$7$");
    return new PasswordHash(Algorithm.PBKDF2_SHA512, iterations, 0, 0, salt, hash, encoded);
  }

  private static PasswordHash parseArgon2(String encoded) {
    if (!Argon2.available()) {
      throw new CredentialException(Argon2.MISSING);
    }
    String[] f = fields(encoded, 5, "$argon2id$v=19$m=KIB,t=PASSES,p=LANES$SALT$HASH");
    if (!f[1].equals("v=19")) {
      throw new CredentialException("$argon2id$ hash: version must be v=19 (Argon2 1.3)");
    }
    String[] params = f[2].split(",", -1);
    if (params.length != 3 || !params[0].startsWith("m=") || !params[1].startsWith("t=")
        || !params[2].startsWith("p=")) {
      throw new CredentialException("$argon2id$ hash: parameters must read m=KIB,t=PASSES,p=LANES");
    }
    int parallelism = number(params[2].substring(2), "p", "$argon2id$", 1, MAX_ARGON2_PARALLELISM);
    int memory = number(params[0].substring(2), "m", "$argon2id$", 8 * parallelism, MAX_ARGON2_MEMORY_KIB);
    int passes = number(params[1].substring(2), "t", "$argon2id$", 1, MAX_ARGON2_ITERATIONS);
    byte[] salt = decode(f[3], "salt", "$argon2id$", true);
    byte[] hash = decode(f[4], "hash", "$argon2id$", true);
    checkSalt(salt, "$argon2id$");
    checkLength(hash, MIN_ARGON2_HASH_BYTES, MAX_ARGON2_HASH_BYTES, "$argon2id$");
    return new PasswordHash(Algorithm.ARGON2ID, passes, memory, parallelism, salt, hash, encoded);
  }

  /** Splits on '$' and checks the count; field 0 is the empty text before the leading '$' (and the tag). */
  private static String[] fields(String encoded, int expected, String shape) {
    String[] all = encoded.split("\\$", -1);
    // "$7$101$s$h" splits into "", "7", "101", "s", "h": drop the leading empty field.
    String[] f = Arrays.copyOfRange(all, 1, all.length);
    if (f.length != expected) {
      throw new CredentialException(shape.substring(0, shape.indexOf('$', 1) + 1)
          + " hash: expected the form " + shape + " with " + expected + " '$'-separated fields, found "
          + f.length);
    }
    return f;
  }

  private static int number(String text, String what, String tag, int min, int max) {
    if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
        || (text.length() > 1 && text.charAt(0) == '0')) {
      throw new CredentialException(tag + " hash: " + what + " must be a decimal number from " + min + " to "
          + max);
    }
    long value = Long.parseLong(text);
    if (value < min || value > max) {
      throw new CredentialException(tag + " hash: " + what + " is " + value + ", outside " + min + " to " + max);
    }
    return (int) value;
  }

  private static byte[] decode(String text, String what, String tag, boolean unpadded) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new CredentialException(tag + " hash: " + what + " is not valid base64");
    }
    // Only the canonical encoding: no stray bits, and padding as the form expects (optional for $6$/$7$).
    String padded = Base64.getEncoder().encodeToString(bytes);
    String bare = Base64.getEncoder().withoutPadding().encodeToString(bytes);
    boolean canonical = unpadded ? text.equals(bare) : text.equals(padded) || text.equals(bare);
    if (!canonical) {
      throw new CredentialException(tag + " hash: " + what + " is not canonical base64"
          + (unpadded ? " (argon2 encodes without '=' padding)" : ""));
    }
    return bytes;
  }

  private static void checkSalt(byte[] salt, String tag) {
    if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
      throw new CredentialException(tag + " hash: salt is " + salt.length + " bytes, outside " + MIN_SALT_BYTES
          + " to " + MAX_SALT_BYTES);
    }
  }

  private static void checkLength(byte[] hash, int min, int max, String tag) {
    if (hash.length < min || hash.length > max) {
      throw new CredentialException(tag + " hash: hash is " + hash.length + " bytes, expected "
          + (min == max ? String.valueOf(min) : min + " to " + max));
    }
  }

  static PasswordHash pbkdf2(int iterations, byte[] salt, byte[] derived) {
    String encoded = "$7$" + iterations + '$' + Base64.getEncoder().encodeToString(salt) + '$'
        + Base64.getEncoder().encodeToString(derived);
    return new PasswordHash(Algorithm.PBKDF2_SHA512, iterations, 0, 0, salt.clone(), derived.clone(), encoded);
  }

  static PasswordHash argon2id(int memoryKib, int passes, int parallelism, byte[] salt, byte[] derived) {
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    String encoded = "$argon2id$v=19$m=" + memoryKib + ",t=" + passes + ",p=" + parallelism + '$'
        + b64.encodeToString(salt) + '$' + b64.encodeToString(derived);
    return new PasswordHash(Algorithm.ARGON2ID, passes, memoryKib, parallelism, salt.clone(), derived.clone(),
        encoded);
  }

  /**
   * A hash of the same algorithm and cost whose salt and value are random, so no password verifies against
   * it. Verifying against it costs what verifying against this one costs: the authenticator uses it for
   * unknown users, so that their failure takes as long as a wrong password.
   */
  PasswordHash decoy(java.security.SecureRandom random) {
    byte[] s = new byte[salt.length];
    byte[] h = new byte[hash.length];
    random.nextBytes(s);
    random.nextBytes(h);
    return new PasswordHash(algorithm, iterations, memoryKib, parallelism, s, h, "(decoy)");
  }

  /**
   * Whether {@code password} (the raw MQTT password bytes) matches. An empty or null password never matches.
   * Runs the full derivation at this hash's cost, then compares in constant time.
   */
  public boolean verify(byte[] password) {
    if (password == null || password.length == 0) {
      return false;
    }
    byte[] computed = derive(password);
    try {
      return MessageDigest.isEqual(computed, hash);
    } finally {
      Arrays.fill(computed, (byte) 0);
    }
  }

  byte[] derive(byte[] password) {
    switch (algorithm) {
      case SHA512:
        try {
          MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
          sha512.update(password);
          sha512.update(salt);
          return sha512.digest();
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("SHA-512 is not available in this JDK", e);
        }
      case PBKDF2_SHA512:
        return Pbkdf2Sha512.derive(password, salt, iterations);
      case ARGON2ID:
        return argon2(password, salt, memoryKib, iterations, parallelism, hash.length);
      default:
        throw new IllegalStateException("unknown algorithm " + algorithm);
    }
  }

  static byte[] argon2(byte[] password, byte[] salt, int memoryKib, int passes, int parallelism, int length) {
    return Argon2.derive(password, salt, memoryKib, passes, parallelism, length);
  }

  /** The algorithm of this hash. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** PBKDF2 iterations or Argon2 passes ({@code t}); 1 for {@code $6$}. */
  public int iterations() {
    return iterations;
  }

  /** Argon2 memory in KiB ({@code m}); 0 for the other algorithms. */
  public int memoryKib() {
    return memoryKib;
  }

  /** Argon2 lanes ({@code p}); 0 for the other algorithms. */
  public int parallelism() {
    return parallelism;
  }

  /** The salt length in bytes. */
  public int saltBytes() {
    return salt.length;
  }

  /**
   * Whether this hash has the cost of {@link PasswordHasher#forGeneratedSecrets()}: a secret mqtt-sec generated,
   * cheap to verify on purpose. Upgrade-on-login leaves it as it is, and the decoy for unknown users does not take
   * its cost.
   */
  public boolean isGeneratedSecretCost() {
    return algorithm == Algorithm.PBKDF2_SHA512 && iterations == PasswordHasher.GENERATED_SECRET_ITERATIONS;
  }

  /**
   * Whether this hash is weaker than what {@code policy} writes, so that a login should re-hash it (see
   * {@code PasswordAuthenticator.Builder.upgradeOnLogin}). {@code $6$} is always weaker. A {@code $7$} hash is
   * weaker than a PBKDF2 policy with more iterations, and than any Argon2id policy. An Argon2id hash is weaker
   * than an Argon2id policy with more memory or passes, and than a PBKDF2 policy only when it is below OWASP's
   * Argon2id floor (19 MiB, 2 passes). The salt length does not count: 12 bytes already never repeat.
   */
  public boolean isWeakerThan(PasswordHasher policy) {
    switch (algorithm) {
      case SHA512:
        return true;
      case PBKDF2_SHA512:
        return policy.algorithm() != Algorithm.PBKDF2_SHA512 || iterations < policy.iterations();
      case ARGON2ID:
        if (policy.algorithm() == Algorithm.ARGON2ID) {
          return memoryKib < policy.memoryKib() || iterations < policy.iterations();
        }
        return memoryKib < OWASP_ARGON2_MEMORY_KIB || iterations < OWASP_ARGON2_ITERATIONS;
      default:
        return true;
    }
  }

  /**
   * The encoded form, as it stands in a password file after {@code user:}.
   *
   * <p><b>Security:</b> this is what an offline guessing attack needs; write it to the password file, not to
   * a log.
   */
  public String encoded() {
    return encoded;
  }

  /** The algorithm and cost only, for example {@code PasswordHash{PBKDF2_SHA512, 210000 iterations}}. */
  @Override
  public String toString() {
    return "PasswordHash{" + algorithm + ", " + cost() + '}';
  }

  /** The cost in words, for example {@code 210000 iterations} or {@code m=65536 KiB, t=2, p=1}. */
  public String cost() {
    return cost(algorithm, iterations, memoryKib, parallelism);
  }

  static String cost(Algorithm algorithm, int iterations, int memoryKib, int parallelism) {
    switch (algorithm) {
      case SHA512:
        return "1 round";
      case PBKDF2_SHA512:
        return iterations + " iterations";
      default:
        return "m=" + memoryKib + " KiB, t=" + iterations + ", p=" + parallelism;
    }
  }

  /** Two hashes are equal when their encoded forms are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash && ((PasswordHash) o).encoded.equals(encoded);
  }

  @Override
  public int hashCode() {
    return encoded.hashCode();
  }
}
