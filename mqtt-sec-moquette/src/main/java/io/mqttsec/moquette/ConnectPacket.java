/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The first packet of a connection, an MQTT 3.1 or 3.1.1 CONNECT, read from the decrypted bytes before Moquette
 * sees them, and written again the way mqtt-sec needs Moquette to see it: without its will (mqtt-sec holds the
 * will and publishes it only if it is still allowed when due) and always with a user name (Moquette lets a
 * CONNECT without one in without asking its authenticator; the marker {@link #NO_USER} stands for "none").
 *
 * <p>Only what the security decision needs is kept. The layout is MQTT 3.1.1 section 3.1: fixed header, protocol
 * name, level, flags, keep alive, then client id, will topic and message, user name, password.
 */
final class ConnectPacket {

  /** The user name given to Moquette for a CONNECT that had none: U+0000 is no valid MQTT user name. */
  static final String NO_USER = "\u0000";

  private static final int USERNAME = 0x80;
  private static final int PASSWORD = 0x40;
  private static final int WILL_RETAIN = 0x20;
  private static final int WILL_QOS = 0x18;
  private static final int WILL = 0x04;
  private static final int CLEAN = 0x02;

  /** Thrown for bytes that are not a CONNECT mqtt-sec can read; the connection is then dropped. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  /** A will as the CONNECT carried it. */
  record WillMessage(String topic, byte[] payload, int qos, boolean retain) {
  }

  final int level;
  final boolean cleanSession;
  final String clientId;
  final boolean hasUsername;
  final WillMessage will;
  /** How many bytes of the stream the CONNECT took. */
  final int length;
  /** The CONNECT as Moquette gets it: no will, a user name. */
  final byte[] rewritten;

  private ConnectPacket(int level, boolean cleanSession, String clientId, boolean hasUsername, WillMessage will,
                        int length, byte[] rewritten) {
    this.level = level;
    this.cleanSession = cleanSession;
    this.clientId = clientId;
    this.hasUsername = hasUsername;
    this.will = will;
    this.length = length;
    this.rewritten = rewritten;
  }

  /**
   * The CONNECT at {@code b[off..off+len)}, or null when those bytes hold only its beginning.
   *
   * @throws Malformed when they do not start an MQTT 3.1 or 3.1.1 CONNECT, or break its rules
   */
  static ConnectPacket parse(byte[] b, int off, int len) throws Malformed {
    if (len == 0) {
      return null;
    }
    if ((b[off] & 0xFF) != 0x10) {
      throw new Malformed("the first packet is not a CONNECT");
    }
    int remaining = 0;
    int multiplier = 1;
    int i = off + 1;
    while (true) {
      if (i >= off + len) {
        return null;
      }
      int digit = b[i++] & 0xFF;
      remaining += (digit & 0x7F) * multiplier;
      if ((digit & 0x80) == 0) {
        break;
      }
      multiplier *= 128;
      if (multiplier > 128 * 128 * 128) {
        throw new Malformed("the CONNECT's remaining length takes more than four bytes");
      }
    }
    int header = i - off;
    if (len < header + remaining) {
      return null;
    }
    Reader r = new Reader(b, i, i + remaining);
    String protocol = r.string();
    int level = r.u8();
    if (!(protocol.equals("MQTT") && level == 4) && !(protocol.equals("MQIsdp") && level == 3)) {
      throw new Malformed("protocol " + protocol + " level " + level + " is not MQTT 3.1 or 3.1.1");
    }
    int flagsAt = r.at;
    int flags = r.u8();
    if ((flags & 0x01) != 0) {
      throw new Malformed("the CONNECT's reserved flag is set");
    }
    int keepAlive = r.u16();
    int clientIdAt = r.at;
    String clientId = r.string();
    WillMessage will = null;
    int willStart = r.at;
    if ((flags & WILL) != 0) {
      int qos = (flags & WILL_QOS) >> 3;
      if (qos > 2) {
        throw new Malformed("the will's QoS is 3");
      }
      will = new WillMessage(r.string(), r.binary(), qos, (flags & WILL_RETAIN) != 0);
    } else if ((flags & (WILL_QOS | WILL_RETAIN)) != 0) {
      throw new Malformed("will QoS or retain without a will");
    }
    int willEnd = r.at;
    boolean hasUsername = (flags & USERNAME) != 0;
    if (!hasUsername && (flags & PASSWORD) != 0) {
      throw new Malformed("a password without a user name");
    }
    if (hasUsername) {
      for (byte c : r.binary()) {
        if (c == 0) { // MQTT forbids U+0000 in a string; here it would also read as "no user name"
          throw new Malformed("the user name holds U+0000");
        }
      }
    }
    if ((flags & PASSWORD) != 0) {
      r.binary();
    }
    if (r.at != r.end) {
      throw new Malformed("the CONNECT has " + (r.end - r.at) + " bytes after its last field");
    }

    ByteArrayOutputStream body = new ByteArrayOutputStream(remaining + 3);
    body.write(b, i, flagsAt - i); // protocol name and level
    body.write((flags & ~(WILL | WILL_QOS | WILL_RETAIN)) | USERNAME);
    body.write(keepAlive >> 8);
    body.write(keepAlive);
    body.write(b, clientIdAt, willStart - clientIdAt); // client id
    if (hasUsername) {
      body.write(b, willEnd, r.end - willEnd); // user name and password as sent
    } else {
      byte[] marker = NO_USER.getBytes(StandardCharsets.UTF_8);
      body.write(0);
      body.write(marker.length);
      body.write(marker, 0, marker.length);
    }
    byte[] rest = body.toByteArray();
    ByteArrayOutputStream packet = new ByteArrayOutputStream(rest.length + 5);
    packet.write(0x10);
    int n = rest.length;
    do {
      int digit = n % 128;
      n /= 128;
      packet.write(n > 0 ? digit | 0x80 : digit);
    } while (n > 0);
    packet.write(rest, 0, rest.length);
    return new ConnectPacket(level, (flags & CLEAN) != 0, clientId, hasUsername, will, header + remaining,
        packet.toByteArray());
  }

  /** Reads the fields of a CONNECT's variable header and payload, refusing to run past the packet. */
  private static final class Reader {
    private final byte[] b;
    private final int end;
    private int at;

    Reader(byte[] b, int at, int end) {
      this.b = b;
      this.at = at;
      this.end = end;
    }

    int u8() throws Malformed {
      need(1);
      return b[at++] & 0xFF;
    }

    int u16() throws Malformed {
      need(2);
      int v = (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
      at += 2;
      return v;
    }

    String string() throws Malformed {
      byte[] bytes = binary();
      return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] binary() throws Malformed {
      int n = u16();
      need(n);
      byte[] out = new byte[n];
      System.arraycopy(b, at, out, 0, n);
      at += n;
      return out;
    }

    private void need(int n) throws Malformed {
      if (end - at < n) {
        throw new Malformed("the CONNECT ends inside a field");
      }
    }
  }
}
