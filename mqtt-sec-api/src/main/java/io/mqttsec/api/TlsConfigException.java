/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * TLS material or settings are unusable: a PEM file holds the wrong kind of object, a key does not match its
 * certificate, a CRL is not signed by its issuer. The message names the file and what is wrong.
 *
 * <p><b>Security:</b> the message never contains key material or a passphrase.
 */
public final class TlsConfigException extends MqttSecException {
  private static final long serialVersionUID = 1L;

  public TlsConfigException(String message) {
    super(message);
  }

  public TlsConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
