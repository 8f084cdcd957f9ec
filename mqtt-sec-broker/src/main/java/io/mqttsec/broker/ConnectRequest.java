/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.internal.Checks;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;

/**
 * One CONNECT, as a broker adapter hands it to {@link BrokerSecurity#connect}: the listener it arrived on, the
 * client id, what the client presented (user name, password, certificate chain) and what its session asks for
 * (clean start, session expiry, will).
 *
 * <pre>{@code
 * ConnectRequest request = ConnectRequest.builder("tls", "press-42")
 *     .username("press-42").password(passwordBytes)
 *     .remoteAddress(address).cleanStart(false).sessionExpiry(Duration.ofHours(1))
 *     .build();
 * }</pre>
 *
 * <p><b>Security:</b> the password array is not copied: the caller owns it and wipes it once
 * {@link BrokerSecurity#connect} has returned. {@link #toString()} never shows it.
 */
public final class ConnectRequest {

  private final String listener;
  private final String clientId;
  private final String username;
  private final byte[] password;
  private final X509Certificate[] chain;
  private final InetAddress remoteAddress;
  private final boolean cleanStart;
  private final Duration sessionExpiry;
  private final Will will;

  private ConnectRequest(Builder b) {
    this.listener = b.listener;
    this.clientId = b.clientId;
    this.username = b.username;
    this.password = b.password;
    this.chain = b.chain;
    this.remoteAddress = b.remoteAddress;
    this.cleanStart = b.cleanStart;
    this.sessionExpiry = b.sessionExpiry;
    this.will = b.will;
  }

  /**
   * @param listener the broker listener's name (as in {@link BrokerSecurity.Builder#listener}); {@code "unknown"}
   *                 when the broker does not say
   * @param clientId the client id, after the broker assigned one to a client that sent none
   */
  public static Builder builder(String listener, String clientId) {
    return new Builder(Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(clientId, "clientId"));
  }

  String listener() {
    return listener;
  }

  String clientId() {
    return clientId;
  }

  String username() {
    return username;
  }

  byte[] password() {
    return password;
  }

  X509Certificate[] chain() {
    return chain;
  }

  InetAddress remoteAddress() {
    return remoteAddress;
  }

  boolean cleanStart() {
    return cleanStart;
  }

  Duration sessionExpiry() {
    return sessionExpiry;
  }

  Will will() {
    return will;
  }

  /** Names the listener, client id, user and address; never the password. */
  @Override
  public String toString() {
    return "ConnectRequest{listener=" + listener + ", clientId=" + clientId + ", user="
        + (username == null ? "<none>" : username) + (remoteAddress == null ? "" : ", address="
        + remoteAddress.getHostAddress()) + (chain == null ? "" : ", certificates=" + chain.length)
        + ", cleanStart=" + cleanStart + ", sessionExpiry=" + sessionExpiry + (will == null ? "" : ", " + will)
        + '}';
  }

  /** Builds a {@link ConnectRequest}; each setting may be set once. */
  public static final class Builder {
    private final String listener;
    private final String clientId;
    private String username;
    private byte[] password;
    private X509Certificate[] chain;
    private InetAddress remoteAddress;
    private boolean cleanStart = true;
    private boolean cleanStartSet;
    private Duration sessionExpiry = Duration.ZERO;
    private boolean sessionExpirySet;
    private Will will;

    private Builder(String listener, String clientId) {
      this.listener = listener;
      this.clientId = clientId;
    }

    /** The CONNECT's user name; absent (or empty) means none. */
    public Builder username(String name) {
      Checks.requireUnset("user name", username);
      username = name == null || name.isEmpty() ? null : name;
      return this;
    }

    /** The raw MQTT password field; not copied (the caller wipes it after {@code connect}). */
    public Builder password(byte[] secret) {
      if (password != null) {
        throw new IllegalStateException("the password was already set");
      }
      password = secret;
      return this;
    }

    /** The chain the client presented in the TLS handshake, its own certificate first. */
    public Builder certificateChain(X509Certificate... certificates) {
      Checks.requireUnset("certificate chain", chain);
      chain = certificates == null || certificates.length == 0 ? null : certificates.clone();
      return this;
    }

    /** The client's address. */
    public Builder remoteAddress(InetAddress address) {
      Checks.requireUnset("remote address", remoteAddress);
      remoteAddress = address;
      return this;
    }

    /** MQTT 5 clean start (3.1.1 clean session). If unset, true. */
    public Builder cleanStart(boolean clean) {
      if (cleanStartSet) {
        throw new IllegalStateException("clean start was already set to " + cleanStart);
      }
      cleanStart = clean;
      cleanStartSet = true;
      return this;
    }

    /**
     * How long the session outlives the connection. If unset, zero: it ends with the connection. MQTT 3.1.1's
     * clean session 0 is "never expires" (the broker's maximum).
     */
    public Builder sessionExpiry(Duration expiry) {
      if (sessionExpirySet) {
        throw new IllegalStateException("session expiry was already set to " + sessionExpiry);
      }
      sessionExpiry = Objects.requireNonNull(expiry, "expiry");
      sessionExpirySet = true;
      return this;
    }

    /** The client's will, taken out of the CONNECT by the adapter. */
    public Builder will(Will clientWill) {
      Checks.requireUnset("will", will);
      will = clientWill;
      return this;
    }

    public ConnectRequest build() {
      return new ConnectRequest(this);
    }
  }
}
