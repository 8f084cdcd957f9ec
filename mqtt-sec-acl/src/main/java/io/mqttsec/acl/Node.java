/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import java.util.Arrays;

/**
 * A trie node: one topic level of the rules below it. Literal children are found by the level's text without
 * creating a substring, through the child's {@link #keyOf key}: for a level of up to 16 Latin-1 chars its
 * {@link #pack} (with {@link #packHigh} for the chars before the last 8), which equals the level; for any other
 * level its hash, confirmed on a match by the text.
 * A short list of children (up to {@value #LINEAR_MAX}) is scanned with an int tag per child (the level's
 * {@link #levelHash}, top bit set), so that a miss reads no child. A longer one is an open-addressing table of
 * children alone: a hit reads the slot and the child (which the walk reads next anyway), a miss the slot and, in a
 * table at most half full, half a child on average (a third of misses find their home slot taken). {@code +} and,
 * in pattern tries, {@code %u} and {@code %c} are separate edges.
 *
 * <p>Mutable only while a policy is built; the finished trie is reached only through final fields of an immutable
 * policy, which publishes it safely to every thread.
 */
final class Node {
  static final int LINEAR_MAX = 8;
  /** The longest level with a {@link #pack}: two longs of 8 chars. */
  static final int MAX_PACKED = 16;

  final Node parent;
  final String key; // the edge label from the parent, as written: a level, "+", "%u" or "%c"; null at the root
  /** {@link #keyOf} {@link #key}, so that a lookup compares longs and reads the string only to confirm a hash. */
  private final long levelKey;
  /** {@link #packHigh} of {@link #key}: 0 unless it is a packed level of more than 8 chars. */
  private final long levelKeyHigh;

  /** In a short list, {@link #tag} of each literal child's key, parallel to {@link #children}; else null. */
  private int[] tags;
  /** The literal children: a list of at most {@value #LINEAR_MAX}, or a hash table (a power of two above it). */
  private Node[] children;
  private int size;
  Node plus;
  Node user;
  Node client;
  Rule exact; // rules whose filter ends at this node
  Rule hash;  // rules whose filter is this node's path followed by "#"
  /** The access bits of every rule at or below this node; a walk for other bits skips the subtree. */
  int accessBelow;

  Node(Node parent, String key) {
    this(parent, key, key == null ? NOT_PACKED : pack(key, 0, key.length()));
  }

  private Node(Node parent, String key, long packed) {
    this.parent = parent;
    this.key = key;
    if (key == null) {
      levelKeyHigh = 0;
      levelKey = NOT_PACKED;
    } else {
      levelKeyHigh = packHigh(key, 0, key.length(), packed);
      levelKey = keyOf(packed, levelHash(key, 0, key.length(), packed, levelKeyHigh));
    }
  }

  // ------------------------------------------------------------ lookup (hot path)

  /** The literal child whose key equals {@code s[from, to)}, or null. */
  Node literal(String s, int from, int to) {
    return literal(s, from, to, pack(s, from, to));
  }

  /**
   * As {@link #literal(String, int, int)}, with the {@link #pack} of {@code s[from, to)} already computed by the
   * caller's scan of the level. The level's {@link #packHigh} and {@link #levelHash} are computed only if this
   * node has literal children.
   */
  Node literal(String s, int from, int to, long packed) {
    Node[] cs = children;
    if (cs == null) {
      return null;
    }
    long high = packHigh(s, from, to, packed);
    int h = levelHash(s, from, to, packed, high);
    long want = keyOf(packed, h);
    if (cs.length <= LINEAR_MAX) {
      int tag = tag(h);
      int[] ts = tags;
      for (int i = 0; i < ts.length; i++) {
        if (ts[i] == tag) {
          Node child = cs[i];
          if (child != null && child.keyEquals(s, from, to, want, high)) {
            return child;
          }
        }
      }
      return null;
    }
    int mask = cs.length - 1;
    for (int i = slot(h, mask); ; i = (i + 1) & mask) {
      Node child = cs[i];
      if (child == null) {
        return null;
      }
      if (child.keyEquals(s, from, to, want, high)) {
        return child;
      }
    }
  }

  /**
   * Whether this node's key is {@code s[from, to)}, whose {@link #keyOf key} is {@code want} and {@link #packHigh}
   * is {@code high}.
   */
  private boolean keyEquals(String s, int from, int to, long want, long high) {
    if (want != levelKey || high != levelKeyHigh) {
      return false;
    }
    if (!isHashKey(want)) {
      return true;
    }
    int len = to - from;
    return key.length() == len && s.regionMatches(from, key, 0, len);
  }

  /**
   * A level of at most {@value #MAX_PACKED} chars, all in U+0001..U+00FF, as longs: its last 8 chars (or fewer,
   * if that is all it has) here, the chars before them in {@link #packHigh}; each char a byte, the first in the
   * highest used byte. No valid level contains U+0000, so no byte of a packed level is 0: a level of up to 8 chars
   * has a high part of 0 and a longer one 8 non-zero bytes here, and equal packs mean equal levels. Any other level
   * (longer, or with a char above U+00FF) is {@link #NOT_PACKED}, which no level packs to (it has zero bytes below
   * a non-zero one), and is compared as text.
   */
  static long pack(String s, int from, int to) {
    if (to - from > MAX_PACKED) {
      return NOT_PACKED;
    }
    long p = 0;
    for (int i = from; i < to; i++) {
      char ch = s.charAt(i);
      if (ch == 0 || ch > 0xFF) {
        return NOT_PACKED;
      }
      p = (p << 8) | ch;
    }
    return p;
  }

  /** The pack of no level: see {@link #pack}. */
  static final long NOT_PACKED = 1L << 56;

  /**
   * The chars of level {@code s[from, to)} before its last 8, packed as {@link #pack} packs them, if {@code packed}
   * (the level's pack) is not {@link #NOT_PACKED}; else, and for a level of up to 8 chars, 0.
   */
  static long packHigh(String s, int from, int to, long packed) {
    if (to - from <= 8 || packed == NOT_PACKED) {
      return 0;
    }
    long p = 0;
    for (int i = from; i < to - 8; i++) {
      p = (p << 8) | s.charAt(i);
    }
    return p;
  }

  /**
   * A level's key: its {@link #pack} if it has one, else {@link #NOT_PACKED} with the level's {@link #levelHash}
   * {@code h} in the low 32 bits. Such a key has zero bytes below a non-zero one, as no pack has, so equal keys
   * mean equal levels for packed ones and equal hashes (to be confirmed by the text) for the others.
   */
  static long keyOf(long packed, int h) {
    return packed != NOT_PACKED ? packed : NOT_PACKED | (h & 0xFFFF_FFFFL);
  }

  /** Whether {@code key} is a hash ({@link #keyOf} of a level without a pack), not a pack. */
  private static boolean isHashKey(long key) {
    return (key >>> 32) == (NOT_PACKED >>> 32);
  }

  /** The {@link #levelHash} of this node's key, from its {@link #levelKey} and {@link #levelKeyHigh}. */
  private int keyHash() {
    return isHashKey(levelKey) ? (int) levelKey : mixPack(levelKey, levelKeyHigh);
  }

  /** A key's hash with the top bit set, so that no occupied slot holds 0. */
  private static int tag(int h) {
    return h | Integer.MIN_VALUE;
  }

  /** The literal children's slots, some null in a hash table; read together with {@link #childAt}. */
  int literalSlots() {
    return children == null ? 0 : (children.length <= LINEAR_MAX ? size : children.length);
  }

  Node childAt(int slot) {
    return children[slot];
  }

  /**
   * The hash of level {@code s[from, to)} whose {@link #pack} is {@code packed} and {@link #packHigh} {@code high}:
   * for a packed level, its longs {@link #mixPack mixed}, so the scan of a level needs no per-char multiply; for
   * any other level, a polynomial of its chars, {@link #mix mixed}. The tag is all of its bits, the table
   * {@link #slot} its top bits.
   */
  static int levelHash(String s, int from, int to, long packed, long high) {
    if (packed != NOT_PACKED) {
      return mixPack(packed, high);
    }
    long h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return mix(h);
  }

  /** The hash of a packed level: both longs {@link #mix mixed}; for a level of up to 8 chars, its pack's mix. */
  private static int mixPack(long packed, long high) {
    return mix(packed ^ high * 0xC2B2AE3D27D4EB4FL);
  }

  /**
   * The upper half of a multiplication by 2^64 / golden ratio. Its top bits depend on every bit of {@code x};
   * its low bits only on the low bits of {@code x}, which is why {@link #slot} takes the top ones.
   */
  static int mix(long x) {
    return (int) ((x * 0x9E3779B97F4A7C15L) >>> 32);
  }

  /**
   * The home slot of hash {@code h} in a table of {@code mask + 1} slots (a power of two): its top bits. The
   * polynomial of names that count up ({@code dev-00017}, {@code sensor-000123}) differs mostly in its low bits;
   * a slot taken from the low bits of its mix would put such keys in runs of a hundred slots or more, which every
   * miss walks through, reading a child at each.
   */
  static int slot(int h, int mask) {
    return h >>> Integer.numberOfLeadingZeros(mask);
  }

  // ------------------------------------------------------------ building

  /** The literal child for {@code level}, added if missing. */
  Node literalChild(String level) {
    Node existing = literal(level, 0, level.length());
    return existing != null ? existing : addLiteral(level);
  }

  /** Adds a literal child for {@code level}, which the caller has looked up and not found. */
  Node addLiteral(String level) {
    Node child = new Node(this, level);
    int h = child.keyHash();
    if (children == null) {
      tags = new int[2];
      children = new Node[2];
    }
    if (children.length <= LINEAR_MAX) {
      if (size == children.length && size < LINEAR_MAX) {
        tags = Arrays.copyOf(tags, size * 2);
        children = Arrays.copyOf(children, size * 2);
      }
      if (size < children.length) {
        tags[size] = tag(h);
        children[size] = child;
        size++;
        return child;
      }
      rehash(32);
    } else if ((size + 1) * 2 > children.length) {
      rehash(children.length * 2);
    }
    insertHashed(h, child);
    size++;
    return child;
  }

  /** Moves the children into a hash table of {@code capacity} slots, each probed from its key's {@link #slot}. */
  private void rehash(int capacity) {
    Node[] old = children;
    tags = null;
    children = new Node[capacity];
    for (Node child : old) {
      if (child != null) {
        insertHashed(child.keyHash(), child);
      }
    }
  }

  private void insertHashed(int h, Node child) {
    int mask = children.length - 1;
    int i = slot(h, mask);
    while (children[i] != null) {
      i = (i + 1) & mask;
    }
    children[i] = child;
  }

  Node plusChild() {
    if (plus == null) {
      plus = new Node(this, "+");
    }
    return plus;
  }

  Node userChild() {
    if (user == null) {
      user = new Node(this, "%u");
    }
    return user;
  }

  Node clientChild() {
    if (client == null) {
      client = new Node(this, "%c");
    }
    return client;
  }

  // Rules are prepended while building (no tail field to keep) and the chains reversed into line order by trim().

  void addExact(Rule r) {
    r.next = exact;
    exact = r;
  }

  void addHash(Rule r) {
    r.next = hash;
    hash = r;
  }

  private static Rule reverse(Rule head) {
    Rule done = null;
    while (head != null) {
      Rule next = head.next;
      head.next = done;
      done = head;
      head = next;
    }
    return done;
  }

  /**
   * Ends building: drops spare array capacity in short child lists, puts the rule chains in line order and
   * computes {@link #accessBelow}, which it returns. Called once.
   */
  int trim() {
    if (children != null && children.length <= LINEAR_MAX && size < children.length) {
      tags = Arrays.copyOf(tags, size);
      children = Arrays.copyOf(children, size);
    }
    exact = reverse(exact);
    hash = reverse(hash);
    int bits = 0;
    for (Rule r = exact; r != null; r = r.next) {
      bits |= r.accessBits;
    }
    for (Rule r = hash; r != null; r = r.next) {
      bits |= r.accessBits;
    }
    for (int i = 0, n = literalSlots(); i < n; i++) {
      if (children[i] != null) {
        bits |= children[i].trim();
      }
    }
    for (Node n : new Node[] {plus, user, client}) {
      if (n != null) {
        bits |= n.trim();
      }
    }
    accessBelow = bits;
    return bits;
  }

  /** The filter text from the root to this node, levels joined by {@code /}. */
  String path() {
    if (parent == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    appendPath(sb);
    return sb.toString();
  }

  private void appendPath(StringBuilder sb) {
    if (parent.parent != null) {
      parent.appendPath(sb);
      sb.append('/');
    }
    sb.append(key);
  }

  /** Whether this node was reached by a literal edge with an empty level ({@code a//b}). */
  boolean isEmptyLiteral() {
    return key != null && key.isEmpty();
  }
}
