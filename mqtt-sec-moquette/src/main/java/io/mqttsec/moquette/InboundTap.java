/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import java.nio.ByteBuffer;

/**
 * What one connection sends, as the TLS engine decrypts it, before Moquette reads it: the CONNECT is taken and
 * written again ({@link ConnectPacket}), and after it only the packet boundaries are followed, to tell a client's
 * DISCONNECT (no will) from a lost connection (the will is due). Anything mqtt-sec cannot read refuses the
 * connection: it is closed before Moquette sees a byte of it.
 */
final class InboundTap {

  private static final int DISCONNECT = 14;

  private ConnectPacket connect;
  private String refusal;
  private boolean sawDisconnect;
  /** Bytes of the current packet's body still to pass. */
  private long skip;
  /** The fixed header read so far of the next packet (a type byte and up to four length bytes). */
  private final byte[] header = new byte[5];
  private int headerLength;

  /** The CONNECT, once it was read; null before. */
  ConnectPacket connect() {
    return connect;
  }

  /** Why the connection was refused, or null. */
  String refusal() {
    return refusal;
  }

  /** Whether the client ended the connection with DISCONNECT. */
  boolean sawDisconnect() {
    return sawDisconnect;
  }

  /**
   * Sees {@code produced} bytes the engine just wrote into {@code dst} at {@code start}; rewrites them in place
   * where the CONNECT must change.
   *
   * @return how many bytes {@code dst} now holds from {@code start}, or -1 when the connection must be closed
   */
  int inbound(ByteBuffer dst, int start, int produced) {
    if (refusal != null) {
      return -1;
    }
    if (produced == 0) {
      return 0;
    }
    if (connect != null) {
      follow(dst, start, start + produced);
      return produced;
    }
    byte[] bytes = new byte[produced];
    dst.get(start, bytes);
    ConnectPacket parsed;
    try {
      parsed = ConnectPacket.parse(bytes, 0, bytes.length);
    } catch (ConnectPacket.Malformed e) {
      return refuse(e.getMessage());
    }
    if (parsed == null) {
      return refuse("the CONNECT did not arrive whole in the first TLS record");
    }
    int trailing = produced - parsed.length;
    int total = parsed.rewritten.length + trailing;
    if (start + total > dst.limit()) {
      return refuse("no room to hand the CONNECT over");
    }
    connect = parsed;
    dst.put(start + parsed.rewritten.length, bytes, parsed.length, trailing);
    dst.put(start, parsed.rewritten);
    follow(dst, start + parsed.rewritten.length, start + total);
    return total;
  }

  private int refuse(String why) {
    refusal = why;
    return -1;
  }

  /** Follows packet boundaries over {@code dst[from, to)}, noting a DISCONNECT. */
  private void follow(ByteBuffer dst, int from, int to) {
    int at = from;
    while (at < to) {
      if (skip > 0) {
        int n = (int) Math.min(skip, to - at);
        skip -= n;
        at += n;
        continue;
      }
      header[headerLength++] = dst.get(at++);
      if (headerLength == 1) {
        continue;
      }
      if ((header[headerLength - 1] & 0x80) != 0 && headerLength < 5) {
        continue;
      }
      long remaining = 0;
      for (int i = headerLength - 1; i >= 1; i--) {
        remaining = remaining * 128 + (header[i] & 0x7F);
      }
      if ((header[0] & 0xFF) >> 4 == DISCONNECT) {
        sawDisconnect = true;
      }
      skip = remaining;
      headerLength = 0;
    }
  }
}
