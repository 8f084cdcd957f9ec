/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * An internal certificate authority for a device fleet ({@link io.mqttsec.ca.CertificateAuthority}): a root and
 * intermediates that issue server and device certificates, sign devices' certificate requests, revoke and publish
 * CRLs, keep an inventory of what they issued, and enroll devices over EST ({@link io.mqttsec.ca.EstServer}). Built
 * on BouncyCastle, which the rest of mqtt-sec does without.
 */
module io.mqttsec.ca {
  requires transitive io.mqttsec.api;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires jdk.httpserver;

  exports io.mqttsec.ca;
}
