/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;

/**
 * The little DER (X.690) that reading keys and names needs, on the JDK alone: a reader of one element at a time
 * and writers of the few structures PKCS#8 and PBES2 are built from. A malformed input throws
 * {@link IllegalArgumentException} with what was expected, never the bytes. Internal to mqtt-sec.
 */
public final class Der {

  public static final int INTEGER = 0x02;
  public static final int BIT_STRING = 0x03;
  public static final int OCTET_STRING = 0x04;
  public static final int NULL = 0x05;
  public static final int OID = 0x06;
  public static final int UTF8_STRING = 0x0C;
  public static final int PRINTABLE_STRING = 0x13;
  public static final int TELETEX_STRING = 0x14;
  public static final int IA5_STRING = 0x16;
  public static final int UNIVERSAL_STRING = 0x1C;
  public static final int BMP_STRING = 0x1E;
  public static final int SEQUENCE = 0x30;
  public static final int SET = 0x31;

  private Der() {
  }

  /** One element: its tag and its contents. */
  public record Element(int tag, byte[] der, int start, int end) {

    public byte[] contents() {
      return java.util.Arrays.copyOfRange(der, start, end);
    }

    /** The elements inside a constructed element (a SEQUENCE, a SET, a context tag). */
    public Reader children() {
      return new Reader(der, start, end);
    }

    public Element expect(int expected, String what) {
      if (tag != expected) {
        throw new IllegalArgumentException("expected " + what);
      }
      return this;
    }

    public String oid() {
      expect(OID, "an object identifier");
      StringBuilder s = new StringBuilder();
      long value = 0;
      boolean first = true;
      for (int i = start; i < end; i++) {
        value = (value << 7) | (der[i] & 0x7F);
        if ((der[i] & 0x80) == 0) {
          if (first) {
            int arc = (int) Math.min(value / 40, 2);
            s.append(arc).append('.').append(value - 40L * arc);
            first = false;
          } else {
            s.append('.').append(value);
          }
          value = 0;
        } else if (value > (Long.MAX_VALUE >> 7)) {
          throw new IllegalArgumentException("object identifier arc too large");
        }
      }
      if (first) {
        throw new IllegalArgumentException("empty object identifier");
      }
      return s.toString();
    }

    public BigInteger integer() {
      expect(INTEGER, "an integer");
      if (end == start) {
        throw new IllegalArgumentException("empty integer");
      }
      return new BigInteger(contents());
    }
  }

  /** The elements of a range of DER, one after another. */
  public static final class Reader {
    private final byte[] der;
    private int at;
    private final int end;

    public Reader(byte[] der) {
      this(der, 0, der.length);
    }

    private Reader(byte[] der, int start, int end) {
      this.der = der;
      this.at = start;
      this.end = end;
    }

    public boolean hasNext() {
      return at < end;
    }

    public Element next() {
      if (at + 2 > end) {
        throw new IllegalArgumentException("truncated element");
      }
      int tag = der[at++] & 0xFF;
      if ((tag & 0x1F) == 0x1F) {
        throw new IllegalArgumentException("multi-byte tags are not used here");
      }
      int length = der[at++] & 0xFF;
      if (length > 0x7F) {
        int bytes = length & 0x7F;
        if (bytes == 0 || bytes > 4 || at + bytes > end) {
          throw new IllegalArgumentException("bad length");
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (der[at++] & 0xFF);
        }
        if (length < 0) {
          throw new IllegalArgumentException("bad length");
        }
      }
      if (length > end - at) {
        throw new IllegalArgumentException("element longer than its container");
      }
      Element e = new Element(tag, der, at, at + length);
      at += length;
      return e;
    }

    public Element next(int tag, String what) {
      return next().expect(tag, what);
    }

    /** The next element if it has {@code tag}, else null (and nothing is consumed). */
    public Element optional(int tag) {
      if (!hasNext() || (der[at] & 0xFF) != tag) {
        return null;
      }
      return next();
    }
  }

  /** The single element {@code der} holds, nothing after it. */
  public static Element parse(byte[] der) {
    Reader r = new Reader(der);
    Element e = r.next();
    if (r.hasNext()) {
      throw new IllegalArgumentException("bytes after the element");
    }
    return e;
  }

  // ------------------------------------------------------------------------------------------- writing

  public static byte[] element(int tag, byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  public static byte[] sequence(byte[]... parts) {
    return element(SEQUENCE, parts);
  }

  public static byte[] integer(long value) {
    return element(INTEGER, BigInteger.valueOf(value).toByteArray());
  }

  public static byte[] octetString(byte[] value) {
    return element(OCTET_STRING, value);
  }

  public static byte[] nul() {
    return new byte[] {NULL, 0};
  }

  public static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    base128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      base128(out, Long.parseLong(arcs[i]));
    }
    return element(OID, out.toByteArray());
  }

  private static void base128(ByteArrayOutputStream out, long value) {
    int groups = 1;
    while (groups < 10 && (value >>> (7 * groups)) != 0) {
      groups++;
    }
    for (int i = groups - 1; i >= 0; i--) {
      out.write((int) ((value >>> (7 * i)) & 0x7F) | (i > 0 ? 0x80 : 0));
    }
  }
}
