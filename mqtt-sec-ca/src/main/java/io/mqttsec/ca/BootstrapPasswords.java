/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One-time enrollment passwords, one outstanding a device, kept in a CA folder's {@code bootstrap} folder: the
 * credential a device presents the first time it enrolls over EST, before it holds a certificate.
 *
 * <p>A password is 144 random bits (24 characters of URL-safe base64), so it is stored as its SHA-256, not with a
 * slow hash: there is nothing to guess. Each device's file is named by the SHA-256 of its CN (a CN may hold
 * characters a file name may not), written atomically, owner-only, and deleted when the password is used, so a
 * password enrolls once. Issuing a new password for a device replaces the one outstanding.
 */
public final class BootstrapPasswords {

  /** The folder, inside the CA folder, that holds one file a device with a password outstanding. */
  public static final String FOLDER = "bootstrap";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path folder;

  /** The bootstrap passwords of the CA in {@code caFolder}. */
  public BootstrapPasswords(Path caFolder) {
    this.folder = caFolder.resolve(FOLDER);
  }

  /** Why a password was refused; the message says it in words a log reader can act on. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * A new one-time password for the device named {@code commonName}, valid until {@code expires}, replacing any
   * outstanding for it. The password is returned once and never stored.
   *
   * @throws IllegalArgumentException if the CN breaks the rules of {@link CertificateAuthority#checkCommonName}, or
   *                                  holds a ':' (HTTP basic authentication ends the user name there)
   * @throws TlsConfigException if the file cannot be written
   */
  public String issue(String commonName, Instant expires) {
    CertificateAuthority.checkCommonName(commonName);
    if (commonName.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a CN that enrolls with a password must not hold ':' (HTTP basic "
          + "authentication ends the user name there)");
    }
    byte[] secret = new byte[18];
    RANDOM.nextBytes(secret);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String line = HexFormat.of().formatHex(sha256(password)) + " " + expires + "\n";
    Path file = file(commonName);
    try {
      Files.createDirectories(folder);
      SecureFiles.writeAtomically(file, line.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new TlsConfigException(file + ": cannot write the enrollment password (" + e.getMessage() + ")", e);
    }
    return password;
  }

  /**
   * Checks {@code password} for {@code commonName} at {@code now}, without using it up.
   *
   * @throws Refused if none is outstanding (never issued, or used already), it expired, or it is not this one
   */
  public synchronized void check(String commonName, String password, Instant now) throws Refused {
    Path file = file(commonName);
    String line;
    try {
      line = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      throw new Refused("no enrollment password is outstanding for this CN (never issued, or used already)");
    } catch (IOException e) {
      throw new Refused("cannot read the enrollment password record (" + e.getClass().getSimpleName() + ")");
    }
    String[] f = line.split(" ");
    Instant expires;
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(f[0]);
      expires = Instant.parse(f[1]);
    } catch (IllegalArgumentException | DateTimeParseException | ArrayIndexOutOfBoundsException e) {
      // the device reads this reason: no path of the CA's host in it
      throw new Refused("the enrollment password record for this CN is malformed; issue a new one");
    }
    if (!MessageDigest.isEqual(expected, sha256(password))) {
      throw new Refused("wrong enrollment password");
    }
    if (!now.isBefore(expires)) {
      throw new Refused("the enrollment password expired at " + expires);
    }
  }

  /**
   * Uses up the password of {@code commonName}: after this, it enrolls nothing.
   *
   * @throws TlsConfigException if its file cannot be deleted (then the caller must not hand anything out)
   */
  public synchronized void useUp(String commonName) {
    Path file = file(commonName);
    try {
      Files.deleteIfExists(file);
      SecureFiles.forceFolder(folder);
    } catch (IOException e) {
      throw new TlsConfigException(file + ": cannot use up the enrollment password (" + e.getMessage() + ")", e);
    }
  }

  /** Whether a password is outstanding for {@code commonName}. */
  public boolean outstanding(String commonName) {
    return Files.exists(file(commonName));
  }

  /** How long a password stays valid when no other time is given. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);

  private Path file(String commonName) {
    return folder.resolve(HexFormat.of().formatHex(sha256(commonName)));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @Override
  public String toString() {
    return "BootstrapPasswords{" + folder + "}";
  }
}
