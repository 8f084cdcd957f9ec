/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.tls.CertificateIdentity;
import io.mqttsec.tls.ClientAuth;
import io.mqttsec.tls.ClientTls;
import io.mqttsec.ca.HeldCertificate;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.security.auth.x500.X500Principal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What TLS costs a broker.
 *
 * <ul>
 *   <li>{@code handshake}: one full TLS 1.3 handshake between two in-memory {@link SSLEngine}s (no sockets, no
 *       session resumption), EC P-256 certificates from {@link CertificateAuthority}: {@code server-only},
 *       {@code mtls}, and {@code mtls-crl100k} (mTLS with a CRL of 100,000 revoked serials). The CRL check's
 *       share of a handshake is {@code mtls-crl100k ÷ mtls - 1}.</li>
 *   <li>{@code identityCached}: {@link CertificateIdentity#of} for a certificate seen before (the cache hit
 *       of a reconnecting device), against {@code subjectDnJdk}, the JDK's own RFC 2253 rendering of the
 *       subject, as the baseline.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TlsBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class TlsBenchmark {

  /** A server and a client for one handshake mode. */
  @State(Scope.Thread)
  public static class Handshake {
    @Param({"server-only", "mtls", "mtls-crl100k"})
    public String mode;

    ServerTls server;
    ClientTls client;
    /** A new port per handshake, so the client never has a session to resume. */
    int port = 1;

    @Setup
    public void setUp() {
      CertificateAuthority ca = CertificateAuthority.create("CN=Bench CA", Duration.ofDays(365));
      HeldCertificate broker = ca.issue("broker").dnsNames("localhost").serverAuth().issue();
      HeldCertificate device = ca.issue("press-42").clientAuth().issue();
      TlsContexts.ServerBuilder builder = TlsContexts.forServer(broker.privateKey(), broker.chain());
      TlsContexts.ClientBuilder clientBuilder = TlsContexts.forClient().trustedCertificates(
          List.of(ca.certificate()));
      if (!mode.equals("server-only")) {
        builder.trustedCertificates(List.of(ca.certificate())).clientAuth(ClientAuth.REQUIRE);
        clientBuilder.identity(device.privateKey(), device.chain());
      }
      if (mode.equals("mtls-crl100k")) {
        for (int i = 1; i <= 100_000; i++) {
          ca.revoke(BigInteger.valueOf(i));
        }
        builder.crl(List.of(ca.crl(Duration.ofDays(7))));
      }
      server = builder.build();
      client = clientBuilder.build();
    }

    @TearDown
    public void tearDown() {
      server.close();
    }
  }

  /** A certificate whose identity is already cached. */
  @State(Scope.Thread)
  public static class Identity {
    X509Certificate certificate;

    @Setup
    public void setUp() {
      CertificateAuthority ca = CertificateAuthority.create("CN=Bench CA", Duration.ofDays(365));
      certificate = ca.issue("press-42").clientAuth().uris("urn:factory:press-42").issue().certificate();
      CertificateIdentity.of(certificate);
    }
  }

  @Benchmark
  public SSLEngine handshake(Handshake h) throws SSLException {
    SSLEngine client = h.client.newEngine("localhost", 1 + h.port++ % 65_000);
    SSLEngine server = h.server.newEngine();
    run(client, server);
    return server;
  }

  @Benchmark
  public CertificateIdentity identityCached(Identity i) {
    return CertificateIdentity.of(i.certificate);
  }

  @Benchmark
  public String subjectDnJdk(Identity i) {
    return i.certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
  }

  /** Drives both engines until neither is handshaking. */
  static void run(SSLEngine client, SSLEngine server) throws SSLException {
    ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
    ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
    ByteBuffer app = ByteBuffer.allocate(1 << 16);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 100; round++) {
      step(client, empty, toServer, toClient, app);
      step(server, empty, toClient, toServer, app);
      if (idle(client) && idle(server)) {
        return;
      }
    }
    throw new IllegalStateException("handshake did not finish: client " + client.getHandshakeStatus()
        + ", server " + server.getHandshakeStatus());
  }

  private static boolean idle(SSLEngine engine) {
    HandshakeStatus s = engine.getHandshakeStatus();
    return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
  }

  /** Lets one engine do all it can: write what it must, read what its peer sent, run its tasks. */
  private static void step(SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app)
      throws SSLException {
    while (true) {
      switch (engine.getHandshakeStatus()) {
        case NEED_WRAP -> engine.wrap(empty, out);
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          in.flip();
          var result = engine.unwrap(in, app);
          in.compact();
          app.clear();
          if (result.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW
              || result.bytesConsumed() == 0 && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            return;
          }
        }
        default -> {
          return;
        }
      }
    }
  }
}
