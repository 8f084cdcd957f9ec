/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of the test database, which a test cuts (every connection dropped, new ones
 * refused) and restores: a database that goes away and comes back, as a store sees it, while the database itself
 * keeps serving the test's own SQL.
 */
public final class Proxy implements AutoCloseable {

  private final int target;
  private final int port;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  public Proxy(int targetPort) throws IOException {
    this.target = targetPort;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      this.port = probe.getLocalPort();
    }
    up();
  }

  public int port() {
    return port;
  }

  /** Accepts connections again, on the same port. */
  public synchronized void up() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = s;
    Thread t = new Thread(() -> accept(s), "test-proxy-" + port);
    t.setDaemon(true);
    t.start();
  }

  /** Drops every connection and refuses new ones. */
  public synchronized void down() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    open.clear();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket db = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(db);
        pump(client, db);
        pump(db, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16_384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // cut
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException e) {
          // closing
        }
      }
    }, "test-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    down();
  }
}
