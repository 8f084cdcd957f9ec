/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.creds;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A password held as bytes, as {@link PasswordGenerator} hands it out for provisioning a device.
 *
 * <p><b>Security:</b> {@link #toString()} never shows it, there is no {@code equals}, and the two ways to
 * read it, {@link #bytes()} and {@link #reveal()}, are named so that a reviewer can grep for them.
 * {@link #close()} wipes the bytes; use try-with-resources once the password is on its way to the device.
 */
public final class Password implements AutoCloseable {

  private final byte[] bytes;
  private volatile boolean wiped;

  Password(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of the password bytes (UTF-8), for example to pass to {@link PasswordHasher#hash}. */
  public byte[] bytes() {
    checkNotWiped();
    return bytes.clone();
  }

  /** The password as text, to hand to the device's provisioning channel. */
  public String reveal() {
    checkNotWiped();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Its length in bytes. */
  public int length() {
    return bytes.length;
  }

  /** Overwrites the bytes with zeros; later reads throw {@link IllegalStateException}. */
  @Override
  public void close() {
    wiped = true;
    Arrays.fill(bytes, (byte) 0);
  }

  private void checkNotWiped() {
    if (wiped) {
      throw new IllegalStateException("this password was wiped by close()");
    }
  }

  /** Always {@code Password[redacted, N bytes]}. */
  @Override
  public String toString() {
    return "Password[redacted, " + bytes.length + " bytes]";
  }
}
