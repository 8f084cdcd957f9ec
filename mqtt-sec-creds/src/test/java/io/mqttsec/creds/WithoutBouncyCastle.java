/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import io.mqttsec.api.CredentialException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link Argon2OptionalTest} in a JVM whose class path has no BouncyCastle: {@code $7$} works, {@code $argon2id$}
 * lines and hashers are refused with the message that says what to add. Prints one line per check.
 */
public final class WithoutBouncyCastle {

  private WithoutBouncyCastle() {
  }

  public static void main(String[] args) throws Exception {
    PasswordHash pbkdf2 = PasswordHasher.pbkdf2Sha512(1000).hash("secret".getBytes(StandardCharsets.UTF_8));
    System.out.println("pbkdf2 " + pbkdf2.verify("secret".getBytes(StandardCharsets.UTF_8)));
    try {
      PasswordHash.parse(args[0]);
      System.out.println("argon2 parsed");
    } catch (CredentialException e) {
      System.out.println("argon2 refused: " + e.getMessage());
    }
    try {
      PasswordHasher.argon2id(19456, 2, 1);
      System.out.println("argon2 hasher built");
    } catch (IllegalStateException e) {
      System.out.println("hasher refused: " + e.getMessage());
    }
    Path passwd = Files.createTempFile("passwd", "");
    Files.writeString(passwd, "press-1:" + pbkdf2.encoded() + "\npress-2:" + args[0] + "\n");
    try {
      CredentialFile.builder(passwd).build().close();
      System.out.println("file loaded");
    } catch (CredentialException e) {
      System.out.println("file refused: " + e.getMessage().replace(passwd.toString(), "passwd"));
    } finally {
      Files.delete(passwd);
    }
  }
}
