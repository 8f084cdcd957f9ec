/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * One {@link SSLContext} object for a server's lifetime that hands every call to the JDK context of the
 * current generation. A new generation (a fresh JDK context, made on each reload) has its own session cache
 * and session-ticket keys, so a client cannot resume a session established under the old certificates,
 * trusted CAs or CRLs: a device revoked by a reloaded CRL must do a full handshake, and fails it.
 */
final class GenerationalContext extends SSLContext {

  GenerationalContext(Supplier<SSLContext> current) {
    super(new Spi(current), current.get().getProvider(), current.get().getProtocol());
  }

  private static final class Spi extends SSLContextSpi {
    private final Supplier<SSLContext> current;

    Spi(Supplier<SSLContext> current) {
      this.current = current;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
      throw new KeyManagementException("this context is initialised by mqtt-sec and cannot be re-initialised");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return current.get().getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return current.get().getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return current.get().createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return current.get().createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return current.get().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return current.get().getClientSessionContext();
    }
  }
}
