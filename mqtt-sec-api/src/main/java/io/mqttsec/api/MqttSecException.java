/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

/**
 * The root of mqtt-sec's unchecked exceptions. Every exception a library module throws on purpose is one of
 * these, so a caller can catch one type at a configuration boundary.
 *
 * <p><b>Security:</b> messages name files, lines and the broken rule, never a password or key material.
 */
public class MqttSecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MqttSecException(String message) {
    super(message);
  }

  public MqttSecException(String message, Throwable cause) {
    super(message, cause);
  }
}
