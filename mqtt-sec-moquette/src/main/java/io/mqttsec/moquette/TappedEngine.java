/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.broker.ClientSession;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The TLS engine of one Moquette connection: mqtt-sec's own engine, with the decrypted bytes passed through an
 * {@link InboundTap} on their way to Moquette. It is how the adapter learns what Moquette's authenticator is not
 * told: the client's address, its certificate chain, its will and clean-session flag, and how the connection
 * ended.
 *
 * <p>Moquette decodes and authenticates a CONNECT on the thread, and within the call, that decrypted it; the
 * engine marks itself as that thread's {@link #current()} connection on every unwrap, so the authenticator
 * finds the connection a CONNECT came on.
 */
final class TappedEngine extends SSLEngine {

  private static final ThreadLocal<TappedEngine> CURRENT = new ThreadLocal<>();

  private final SSLEngine engine;
  private final InboundTap tap = new InboundTap();
  private final Consumer<TappedEngine> onClose;
  private volatile ClientSession session;
  private volatile boolean closed;
  /** Why the adapter closed the connection itself, or null. */
  private volatile String closedBecause;
  /** Why mqtt-sec ended this connection; set, every further read fails. */
  private volatile String refusedBecause;

  TappedEngine(SSLEngine engine, String peerHost, int peerPort, Consumer<TappedEngine> onClose) {
    super(peerHost, peerPort);
    this.engine = engine;
    this.onClose = onClose;
  }

  /** The connection whose bytes this thread decrypted last; null on a thread that decrypted none. */
  static TappedEngine current() {
    return CURRENT.get();
  }

  InboundTap tap() {
    return tap;
  }

  /** The session mqtt-sec accepted on this connection; null before (or when refused). */
  ClientSession session() {
    return session;
  }

  void session(ClientSession s) {
    session = s;
    if (closed) {
      onClose.accept(this); // it ended while it was being accepted
    }
  }

  boolean closed() {
    return closed;
  }

  /** Why the adapter ended the connection (a refused PUBLISH), or null when the client or Moquette did. */
  String closedBecause() {
    return closedBecause;
  }

  void closeBecause(String why) {
    closedBecause = why;
  }

  /**
   * Ends the connection at its next read, on the connection's own thread: for a client mqtt-sec ended that
   * Moquette does not (yet) know by its id. The engine is not closed from here: it belongs to Moquette's thread.
   */
  void refuse(String why) {
    refusedBecause = why;
  }

  /** The client's certificate chain, leaf first; null when it presented none. */
  X509Certificate[] peerChain() {
    try {
      Certificate[] certs = engine.getSession().getPeerCertificates();
      X509Certificate[] chain = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        chain[i] = (X509Certificate) certs[i];
      }
      return chain;
    } catch (SSLPeerUnverifiedException | ClassCastException e) {
      return null;
    }
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
    CURRENT.set(this);
    if (refusedBecause != null) {
      throw new SSLException("mqtt-sec ended the connection: " + refusedBecause);
    }
    if (length != 1) {
      throw new SSLException("mqtt-sec reads a connection into one buffer at a time");
    }
    ByteBuffer dst = dsts[offset];
    int start = dst.position();
    SSLEngineResult r = engine.unwrap(src, dsts, offset, length);
    if (r.bytesProduced() == 0) {
      return r;
    }
    int now = tap.inbound(dst, start, r.bytesProduced());
    if (now < 0) {
      dst.position(start);
      closeInbound();
      throw new SSLException("mqtt-sec refused the connection: " + tap.refusal());
    }
    dst.position(start + now);
    return now == r.bytesProduced() ? r
        : new SSLEngineResult(r.getStatus(), r.getHandshakeStatus(), r.bytesConsumed(), now);
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
    return engine.wrap(srcs, offset, length, dst);
  }

  private void ended() {
    if (!closed) {
      closed = true;
      onClose.accept(this);
    }
  }

  @Override
  public void closeInbound() throws SSLException {
    try {
      engine.closeInbound();
    } finally {
      ended();
    }
  }

  @Override
  public void closeOutbound() {
    try {
      engine.closeOutbound();
    } finally {
      ended();
    }
  }

  @Override
  public Runnable getDelegatedTask() {
    return engine.getDelegatedTask();
  }

  @Override
  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  @Override
  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return engine.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return engine.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    engine.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return engine.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return engine.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    engine.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return engine.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return engine.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    engine.beginHandshake();
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return engine.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    if (mode) {
      throw new IllegalArgumentException("a broker's engine is a server engine");
    }
  }

  @Override
  public boolean getUseClientMode() {
    return false;
  }

  /** Ignored: whether a client certificate is asked for is mqtt-sec's TLS configuration, not Moquette's. */
  @Override
  public void setNeedClientAuth(boolean need) {
  }

  @Override
  public boolean getNeedClientAuth() {
    return engine.getNeedClientAuth();
  }

  /** Ignored, as {@link #setNeedClientAuth}. */
  @Override
  public void setWantClientAuth(boolean want) {
  }

  @Override
  public boolean getWantClientAuth() {
    return engine.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    engine.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return engine.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return engine.getSSLParameters();
  }

  /** Ignored: the parameters (protocols, suites, client certificates) are mqtt-sec's. */
  @Override
  public void setSSLParameters(SSLParameters params) {
  }

  @Override
  public String getApplicationProtocol() {
    return engine.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return engine.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, java.util.List<String>, String> s) {
    engine.setHandshakeApplicationProtocolSelector(s);
  }

  @Override
  public BiFunction<SSLEngine, java.util.List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }

  @Override
  public String toString() {
    return "TappedEngine{" + getPeerHost() + ":" + getPeerPort() + (session == null ? "" : ", " + session) + '}';
  }
}
