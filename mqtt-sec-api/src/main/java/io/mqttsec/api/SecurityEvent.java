/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something security-relevant that happened, published by library components to a
 * {@link SecurityEventListener} (library modules do not log). Each kind is a record nested here, so a listener
 * can {@code switch} over them exhaustively.
 *
 * <p><b>Security:</b> no event carries a password, a hash or key material.
 */
public sealed interface SecurityEvent {

  /** When it happened, from the component's clock. */
  Instant time();

  /** A client proved its identity. {@code method} is e.g. {@code "password"} or {@code "certificate CN"}. */
  record AuthSucceeded(Instant time, ClientIdentity who, String method) implements SecurityEvent {
    public AuthSucceeded {
      requireAll(time, who, method);
    }
  }

  /** A client failed to authenticate. */
  record AuthFailed(Instant time, ClientIdentity who, AuthResult.Outcome outcome, String reason)
      implements SecurityEvent {
    public AuthFailed {
      requireAll(time, who, outcome, reason);
    }
  }

  /** A user was locked out, on the address of {@code who}, after {@code consecutiveFailures} failures. */
  record ClientLockedOut(Instant time, ClientIdentity who, Duration lockedFor, int consecutiveFailures)
      implements SecurityEvent {
    public ClientLockedOut {
      requireAll(time, who, lockedFor);
    }
  }

  /** A remote address was blocked for too many failures; {@code who} is the attempt that tripped it. */
  record AddressBlocked(Instant time, InetAddress address, ClientIdentity who, Duration blockedFor,
                        int failuresInWindow) implements SecurityEvent {
    public AddressBlocked {
      requireAll(time, address, who, blockedFor);
    }
  }

  /** An authorizer refused an action; {@code reason} names the rule. */
  record AccessDenied(Instant time, ClientIdentity who, Action action, String topic, String reason)
      implements SecurityEvent {
    public AccessDenied {
      requireAll(time, who, action, topic, reason);
    }
  }

  /** A file (ACL, password file, certificate, key, CA bundle, CRL) was reloaded and is now in force. */
  record PolicyReloaded(Instant time, String source, String summary) implements SecurityEvent {
    public PolicyReloaded {
      requireAll(time, source, summary);
    }
  }

  /** A changed file could not be loaded; the last good state stays in force (or deny-all at start-up). */
  record PolicyReloadFailed(Instant time, String source, String error) implements SecurityEvent {
    public PolicyReloadFailed {
      requireAll(time, source, error);
    }
  }

  /** A certificate ({@code what}: server, CA, client) expires within a warning threshold. */
  record CertificateExpiring(Instant time, String what, String subject, String sha256Fingerprint,
                             Instant notAfter) implements SecurityEvent {
    public CertificateExpiring {
      requireAll(time, what, subject, sha256Fingerprint, notAfter);
    }
  }

  /** A CRL is past (or near) its {@code nextUpdate}; {@code stillInForce} tells whether it is still used. */
  record CrlOverdue(Instant time, String issuer, Instant nextUpdate, boolean stillInForce)
      implements SecurityEvent {
    public CrlOverdue {
      requireAll(time, issuer, nextUpdate);
    }
  }

  /** Who ended a connection. */
  enum Initiator {
    /** The client: a DISCONNECT packet, or its network connection closed without one. */
    CLIENT,
    /** The broker, for its own reasons: a protocol error, a keep-alive timeout, a session taken over. */
    BROKER,
    /** mqtt-sec: the client's credential was removed or reset, or its certificate revoked. */
    MQTT_SEC
  }

  /**
   * A connection ended. {@code reason} says why in the initiator's terms: an MQTT reason code name such as
   * {@code NORMAL_DISCONNECTION}, {@code connection lost}, or mqtt-sec's own ({@code certificate revoked}).
   */
  record ClientDisconnected(Instant time, ClientIdentity who, Initiator initiator, String reason)
      implements SecurityEvent {
    public ClientDisconnected {
      requireAll(time, who, initiator, reason);
    }
  }

  /**
   * A CONNECT was refused because its client id belongs to a session of another identity (live or persisted):
   * taking it over would let one device receive another's messages. {@code owner} is the owner's user name,
   * empty when the owner connected anonymously.
   */
  record TakeoverRefused(Instant time, ClientIdentity who, String owner) implements SecurityEvent {
    public TakeoverRefused {
      requireAll(time, who, owner);
    }
  }

  /**
   * A client's will was not published: the rules or credentials in force when it was due no longer allow it
   * ({@code reason} names which), or mqtt-sec itself ended the connection.
   */
  record WillSuppressed(Instant time, ClientIdentity who, String topic, String reason) implements SecurityEvent {
    public WillSuppressed {
      requireAll(time, who, topic, reason);
    }
  }

  /**
   * A limit was exceeded: {@code count} times since {@code since}. {@code limit} names it ({@code message-rate},
   * {@code address-connect-rate}, ...), {@code scope} what it counts ({@code client}, {@code user press-1},
   * {@code address 10.0.3.17}, {@code prefix 10.0.3.0/24}, {@code broker}), {@code verdict} what followed
   * ({@code refused} or {@code disconnected}); {@code who} is the client that met it (its latest attempt).
   * Reported at the first excess, then about once a minute while excesses go on, with their count.
   */
  record LimitExceeded(Instant time, ClientIdentity who, String limit, String scope, String verdict, long count,
                       Instant since) implements SecurityEvent {
    public LimitExceeded {
      requireAll(time, who, limit, scope, verdict, since);
    }
  }

  /**
   * A detection rule fired: {@code name} is the alert ({@code alert.brute-force}, {@code alert.new-address},
   * {@code alert.connection-spike}, {@code alert.denial-burst}), {@code scope} what it counted ({@code address
   * 10.0.3.17}, {@code user press-1}, {@code client press-1}, {@code broker}), {@code count} how many events
   * within {@code window}, {@code detail} the rule in words. {@code who} is the client of the latest event.
   */
  record AlertRaised(Instant time, String name, ClientIdentity who, String scope, long count, Duration window,
                     String detail) implements SecurityEvent {
    public AlertRaised {
      requireAll(time, name, who, scope, window, detail);
    }
  }

  /** A certificate was refused: revoked, expired, untrusted, or without a usable identity. */
  record CertificateRejected(Instant time, String subject, String reason) implements SecurityEvent {
    public CertificateRejected {
      requireAll(time, subject, reason);
    }
  }

  /**
   * A store that brokers follow (a fleet's database) cannot be reached: the snapshot it last loaded stays in
   * force ({@code snapshotInForce}), or, when it never loaded, every client is refused. Reported once an outage.
   */
  record StoreUnavailable(Instant time, String store, String error, boolean snapshotInForce)
      implements SecurityEvent {
    public StoreUnavailable {
      requireAll(time, store, error);
    }
  }

  /** A store is reachable again after {@code outage}; what changed meanwhile is now in force. */
  record StoreRecovered(Instant time, String store, Duration outage) implements SecurityEvent {
    public StoreRecovered {
      requireAll(time, store, outage);
    }
  }

  /**
   * A certificate authority issued a certificate over enrollment (EST, RFC 7030) to the device at {@code address}:
   * {@code kind} is {@code "enroll"} (its first, on a one-time bootstrap password) or {@code "reenroll"} (a renewal,
   * on its current certificate); {@code serial} is the new certificate's, in hex.
   */
  record CertificateEnrolled(Instant time, InetAddress address, String commonName, String serial, String kind)
      implements SecurityEvent {
    public CertificateEnrolled {
      requireAll(time, address, commonName, serial, kind);
    }
  }

  /**
   * An enrollment was refused and nothing issued; {@code commonName} is what the device claimed (empty when it
   * named none), {@code reason} why.
   */
  record EnrollmentRefused(Instant time, InetAddress address, String commonName, String kind, String reason)
      implements SecurityEvent {
    public EnrollmentRefused {
      requireAll(time, address, commonName, kind, reason);
    }
  }

  /**
   * A client's certificate was renewed (over EST): {@code subject} keeps its name, the certificate of serial
   * {@code previousSerial} is replaced by {@code serial} (both hex), valid until {@code notAfter}.
   */
  record CertificateRenewed(Instant time, String subject, String previousSerial, String serial, Instant notAfter)
      implements SecurityEvent {
    public CertificateRenewed {
      requireAll(time, subject, previousSerial, serial, notAfter);
    }
  }

  /** A renewal of {@code subject}'s certificate failed; the next attempt is at {@code nextAttempt}. */
  record RenewalFailed(Instant time, String subject, String reason, Instant nextAttempt) implements SecurityEvent {
    public RenewalFailed {
      requireAll(time, subject, reason, nextAttempt);
    }
  }

  private static void requireAll(Object... components) {
    for (Object c : components) {
      Objects.requireNonNull(c, "event component");
    }
  }
}
