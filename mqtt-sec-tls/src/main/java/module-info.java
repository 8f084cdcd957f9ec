/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * TLS for MQTT on the JDK alone: server and client contexts with mutual TLS, CRLs and hot rotation
 * ({@link io.mqttsec.tls.TlsContexts}), PEM files ({@link io.mqttsec.tls.Pem}) and the identity a client
 * certificate carries ({@link io.mqttsec.tls.CertificateIdentity}). Issuing certificates is the CA module's.
 */
module io.mqttsec.tls {
  requires transitive io.mqttsec.api;

  exports io.mqttsec.tls;
}
