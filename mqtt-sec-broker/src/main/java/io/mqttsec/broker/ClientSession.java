/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import java.util.Objects;

/**
 * One accepted connection, as {@link BrokerSecurity#connect} authenticated it: the identity its PUBLISH,
 * SUBSCRIBE and delivery checks use (the authenticated user name, never the one the client claimed), the
 * listener and how it proved who it is. An adapter keeps it (or its {@link #id()}) with the connection and
 * passes it back on every check and on the disconnect.
 *
 * <p>Immutable.
 */
public final class ClientSession {

  private final String id;
  private final ClientIdentity identity;
  private final String listener;
  private final String method;
  /** The connection's limits, read on every PUBLISH without a lookup; null for a stand-in. */
  final ClientMeter meter;
  /** The ACL's view of this client ({@link Authorizer#viewFor}); null for a stand-in. */
  final Authorizer.View rules;

  ClientSession(String id, ClientIdentity identity, String listener, String method, ClientMeter meter,
                Authorizer.View rules) {
    this.id = id;
    this.identity = identity;
    this.listener = listener;
    this.method = method;
    this.meter = meter;
    this.rules = rules;
  }

  /** A token unique to this connection in this process, for adapters that can store only text. */
  public String id() {
    return id;
  }

  /** Who the client is: the authenticated user name (empty for anonymous), client id, address, certificate. */
  public ClientIdentity identity() {
    return identity;
  }

  /** The client id. */
  public String clientId() {
    return identity.clientId();
  }

  /** The listener the client connected on. */
  public String listener() {
    return listener;
  }

  /**
   * How it authenticated: {@code password}, {@code certificate}, {@code certificate and password},
   * {@code anonymous}.
   */
  public String method() {
    return method;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientSession s && id.equals(s.id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id);
  }

  @Override
  public String toString() {
    return "ClientSession{" + identity + ", listener=" + listener + ", method=" + method + '}';
  }
}
