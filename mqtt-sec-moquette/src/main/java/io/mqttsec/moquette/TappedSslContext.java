/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.tls.ServerTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * The Netty TLS context Moquette's TLS listener gets: every engine is a fresh one from mqtt-sec's
 * {@link ServerTls} (so a renewed certificate or CRL reaches the next connection), wrapped in a
 * {@link TappedEngine}. Moquette creates an engine per connection with the client's address, which the tapped
 * engine keeps.
 */
final class TappedSslContext extends SslContext {

  private final ServerTls tls;
  private final Consumer<TappedEngine> onClose;

  TappedSslContext(ServerTls tls, Consumer<TappedEngine> onClose) {
    this.tls = tls;
    this.onClose = onClose;
  }

  @Override
  public boolean isClient() {
    return false;
  }

  @Override
  public List<String> cipherSuites() {
    return List.of(tls.sslParameters().getCipherSuites());
  }

  @Override
  @SuppressWarnings("deprecation")
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return List::of;
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return newEngine(alloc, null, -1);
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return new TappedEngine(tls.newEngine(), peerHost, peerPort, onClose);
  }

  @Override
  public SSLSessionContext sessionContext() {
    return tls.sslContext().getServerSessionContext();
  }
}
