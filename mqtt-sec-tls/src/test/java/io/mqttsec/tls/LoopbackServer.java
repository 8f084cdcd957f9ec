/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on 127.0.0.1 and a free port that completes each handshake, writes one byte, and records
 * what it saw: the client's certificate, "no client certificate", or the handshake's failure.
 */
final class LoopbackServer implements AutoCloseable {

  private final java.net.ServerSocket socket;
  private final Thread thread;
  private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

  LoopbackServer(ServerTls tls) throws IOException {
    socket = tls.newServerSocket(InetAddress.getLoopbackAddress(), 0);
    thread = new Thread(this::serve, "loopback-tls");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** What the server saw of the next connection. */
  String nextOutcome() throws InterruptedException {
    String outcome = outcomes.poll(10, TimeUnit.SECONDS);
    if (outcome == null) {
      throw new AssertionError("the server saw no connection");
    }
    return outcome;
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (SSLSocket client = (SSLSocket) socket.accept()) {
        client.setSoTimeout(5000);
        try {
          client.startHandshake();
          client.getOutputStream().write('!');
          client.getOutputStream().flush();
          outcomes.add(peer(client));
          InputStream in = client.getInputStream();
          in.read(); // until the client closes
        } catch (IOException e) {
          outcomes.add("failed: " + e.getMessage());
        }
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        outcomes.add("accept failed: " + e);
      }
    }
  }

  private static String peer(SSLSocket client) {
    try {
      Certificate[] chain = client.getSession().getPeerCertificates();
      return "client " + ((X509Certificate) chain[0]).getSubjectX500Principal().getName() + " over "
          + client.getSession().getProtocol();
    } catch (SSLPeerUnverifiedException e) {
      return "no client certificate over " + client.getSession().getProtocol();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A server builder for a certificate the CA issued. */
  static TlsContexts.ServerBuilder forServer(io.mqttsec.ca.HeldCertificate held) {
    return TlsContexts.forServer(held.privateKey(), held.chain());
  }
}
