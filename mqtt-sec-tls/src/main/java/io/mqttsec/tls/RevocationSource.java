/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import java.math.BigInteger;
import javax.security.auth.x500.X500Principal;

/**
 * Revoked certificates known to a source other than a CRL file, such as a fleet's database: a
 * {@link ClientCertificateVerifier} built with one refuses any chain holding a certificate it names, on top of
 * its CRLs, and tells its {@linkplain ClientCertificateVerifier#onReload reload callbacks} of every change, so a
 * broker drops the devices just revoked.
 */
public interface RevocationSource {

  /**
   * Why the certificate with {@code serial} from {@code issuer} is revoked, or null when it is not. Must be cheap
   * (it is asked on every certificate login) and must not throw.
   */
  String revoked(X500Principal issuer, BigInteger serial);

  /** Runs {@code callback} after each change of the revoked set, on the thread that made it. */
  void onChange(Runnable callback);
}
