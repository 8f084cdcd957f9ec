/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a client is: its MQTT user name (absent for an anonymous client), its client id, and, when known, its
 * remote address and the certificate chain it presented in a TLS handshake.
 *
 * <p>An empty user name is treated as anonymous: MQTT lets a client send a zero-length user name, and no
 * credential or ACL block can be keyed by one, so both mean "no user name".
 *
 * <p>Immutable and thread-safe; {@code with...} methods return a new identity. The accessors allocate nothing,
 * so authorizers can call them on every message.
 *
 * <pre>{@code
 * ClientIdentity who = ClientIdentity.of("press-42", "press-42-main")
 *     .withRemoteAddress(InetAddress.getLoopbackAddress());
 * }</pre>
 */
public final class ClientIdentity {
  private final Optional<String> username;
  private final String clientId;
  private final Optional<InetAddress> remoteAddress;
  private final List<X509Certificate> certificateChain;

  private ClientIdentity(
      Optional<String> username, String clientId, Optional<InetAddress> remoteAddress,
      List<X509Certificate> certificateChain) {
    this.username = username;
    this.clientId = clientId;
    this.remoteAddress = remoteAddress;
    this.certificateChain = certificateChain;
  }

  /**
   * An identity without address or certificate.
   *
   * @param username the MQTT user name; null or empty for an anonymous client
   * @param clientId the MQTT client id; may be empty (the broker then assigns one) but not null
   */
  public static ClientIdentity of(String username, String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    Optional<String> user = username == null || username.isEmpty() ? Optional.empty() : Optional.of(username);
    return new ClientIdentity(user, clientId, Optional.empty(), List.of());
  }

  /**
   * This identity under another user name, such as the one a client certificate carries.
   *
   * @param username the user name; null or empty for anonymous
   */
  public ClientIdentity withUsername(String username) {
    Optional<String> user = username == null || username.isEmpty() ? Optional.empty() : Optional.of(username);
    return new ClientIdentity(user, clientId, remoteAddress, certificateChain);
  }

  /** This identity with the given remote address. */
  public ClientIdentity withRemoteAddress(InetAddress address) {
    return new ClientIdentity(username, clientId, Optional.of(address), certificateChain);
  }

  /** This identity with the given certificate chain, leaf first. The array is copied. */
  public ClientIdentity withCertificateChain(X509Certificate... chain) {
    return new ClientIdentity(username, clientId, remoteAddress, List.of(chain.clone()));
  }

  /** The user name, or empty for an anonymous client. */
  public Optional<String> username() {
    return username;
  }

  /** Whether the client gave no user name. */
  public boolean isAnonymous() {
    return username.isEmpty();
  }

  /** The MQTT client id, possibly empty. */
  public String clientId() {
    return clientId;
  }

  /** The remote address of the connection, when known. */
  public Optional<InetAddress> remoteAddress() {
    return remoteAddress;
  }

  /** The certificate chain the client presented, leaf first; empty when it presented none. Unmodifiable. */
  public List<X509Certificate> certificateChain() {
    return certificateChain;
  }

  /** The client's own certificate (the first in the chain), when it presented one. */
  public Optional<X509Certificate> certificate() {
    return certificateChain.isEmpty() ? Optional.empty() : Optional.of(certificateChain.get(0));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientIdentity other
        && username.equals(other.username)
        && clientId.equals(other.clientId)
        && remoteAddress.equals(other.remoteAddress)
        && certificateChain.equals(other.certificateChain);
  }

  @Override
  public int hashCode() {
    return Objects.hash(username, clientId, remoteAddress, certificateChain);
  }

  /** Names the user, client id and address; certificates are summarised by count. */
  @Override
  public String toString() {
    return "ClientIdentity{user=" + username.orElse("<anonymous>")
        + ", clientId=" + clientId
        + remoteAddress.map(a -> ", address=" + a.getHostAddress()).orElse("")
        + (certificateChain.isEmpty() ? "" : ", certificates=" + certificateChain.size())
        + '}';
  }
}
