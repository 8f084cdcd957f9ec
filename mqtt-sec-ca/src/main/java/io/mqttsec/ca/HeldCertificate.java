/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate with its private key and the chain up to (not including) the root, as
 * {@link CertificateAuthority} issues it to a server or a device.
 *
 * <p><b>Security:</b> {@link #toString()} names the subject and serial only; the key is reachable through
 * {@link #privateKey()} alone.
 */
public final class HeldCertificate {

  private final X509Certificate certificate;
  private final KeyPair keyPair;
  private final List<X509Certificate> chain;

  HeldCertificate(X509Certificate certificate, KeyPair keyPair, List<X509Certificate> issuers) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
    this.chain = List.copyOf(concat(certificate, issuers));
  }

  private static List<X509Certificate> concat(X509Certificate leaf, List<X509Certificate> issuers) {
    java.util.ArrayList<X509Certificate> all = new java.util.ArrayList<>();
    all.add(leaf);
    all.addAll(issuers);
    return all;
  }

  /** The certificate itself. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The certificate followed by its issuing intermediates, as a TLS peer sends it (the root is left out). */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The private key. <b>Security:</b> write it to a 0600 file or a key store, never to a log. */
  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** The key pair. */
  public KeyPair keyPair() {
    return keyPair;
  }

  @Override
  public String toString() {
    return "HeldCertificate{" + certificate.getSubjectX500Principal().getName() + ", serial "
        + certificate.getSerialNumber().toString(16) + '}';
  }
}
