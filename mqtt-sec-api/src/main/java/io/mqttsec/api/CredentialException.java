/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * A credential file, password hash or credential operation is invalid: a malformed {@code password_file}
 * line ({@code passwd:7: ...}), an undecodable hash, a failed atomic write.
 *
 * <p><b>Security:</b> the message never contains a password or a hash; it names the file and line.
 */
public final class CredentialException extends MqttSecException {
  private static final long serialVersionUID = 1L;

  public CredentialException(String message) {
    super(message);
  }

  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
