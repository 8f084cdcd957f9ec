/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** The protocol versions and cipher suites mqtt-sec enables: TLS 1.3 and 1.2, forward-secret AEAD suites. */
final class TlsVersions {

  static final String TLS_1_2 = "TLSv1.2";
  static final String TLS_1_3 = "TLSv1.3";

  /** Strongest first; a suite the running JDK lacks is left out. */
  private static final List<String> SUITES = List.of(
      "TLS_AES_256_GCM_SHA384",
      "TLS_AES_128_GCM_SHA256",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsVersions() {
  }

  /**
   * The protocols from {@code minimum} up.
   *
   * @throws IllegalArgumentException for anything but TLSv1.2 or TLSv1.3
   */
  static String[] protocols(String minimum) {
    return switch (minimum) {
      case TLS_1_2 -> new String[] {TLS_1_3, TLS_1_2};
      case TLS_1_3 -> new String[] {TLS_1_3};
      default -> throw new IllegalArgumentException("minimum TLS version must be TLSv1.2 or TLSv1.3, was \""
          + minimum + "\" (SSL 3.0, TLS 1.0 and 1.1 are broken and are never enabled)");
    };
  }

  static String[] cipherSuites(SSLContext context) {
    Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
    return SUITES.stream().filter(supported::contains).toArray(String[]::new);
  }

  static SSLContext newContext() {
    try {
      return SSLContext.getInstance("TLS");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no TLS", e);
    }
  }

}
