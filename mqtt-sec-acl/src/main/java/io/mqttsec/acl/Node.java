package io.mqttsec.acl;

import java.util.Arrays;

/**
 * A trie node: one topic level of the rules below it. Literal children are found by the level's text without
 * creating a substring: a short list is scanned, a long one is an open-addressing table. Either way the lookup
 * compares an int tag (the level's {@link #levelHash}, top bit set) first, then the child's packed key (levels of
 * up to 8 Latin-1 chars, see {@link #pack}) or, for longer levels, its key text; a miss in a large table touches
 * one array slot, a hit one slot of each array and the child. {@code +} and, in pattern tries,
 * {@code %u} and {@code %c} are separate edges.
 *
 * <p>Mutable only while a policy is built; the finished trie is reached only through final fields of an immutable
 * policy, which publishes it safely to every thread.
 */
final class Node {
  private static final int LINEAR_MAX = 8;

  final Node parent;
  final String key; // the edge label from the parent, as written: a level, "+", "%u" or "%c"; null at the root
  /** {@link #pack} of {@link #key}, so that a lookup can compare a short key without reading the string. */
  private final long packedKey;

  /** {@link #tag} of each literal child's key, 0 for an empty slot; parallel to {@link #children}. */
  private int[] tags;
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

  private Node(Node parent, String key, long packedKey) {
    this.parent = parent;
    this.key = key;
    this.packedKey = packedKey;
  }

  // ------------------------------------------------------------ lookup (hot path)

  /** The literal child whose key equals {@code s[from, to)}, or null. */
  Node literal(String s, int from, int to) {
    return literal(s, from, to, pack(s, from, to));
  }

  /**
   * As {@link #literal(String, int, int)}, with the {@link #pack} of {@code s[from, to)} already computed by the
   * caller's scan of the level. The level's {@link #levelHash} is computed only if this node has literal children.
   */
  Node literal(String s, int from, int to, long packed) {
    int[] ts = tags;
    if (ts == null) {
      return null;
    }
    int h = levelHash(s, from, to, packed);
    int tag = tag(h);
    if (ts.length <= LINEAR_MAX) {
      for (int i = 0; i < ts.length; i++) {
        if (ts[i] == tag) {
          Node child = children[i];
          if (child != null && child.keyEquals(s, from, to, packed)) {
            return child;
          }
        }
      }
      return null;
    }
    int mask = ts.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int t = ts[i];
      if (t == 0) {
        return null;
      }
      if (t == tag) {
        Node child = children[i];
        if (child.keyEquals(s, from, to, packed)) {
          return child;
        }
      }
    }
  }

  private boolean keyEquals(String s, int from, int to, long packed) {
    if (packed != NOT_PACKED) {
      return packed == packedKey;
    }
    int len = to - from;
    return packedKey == NOT_PACKED && key.length() == len && s.regionMatches(from, key, 0, len);
  }

  /**
   * A level of at most 8 chars, all in U+0001..U+00FF, as one long: each char a byte, the first in the highest
   * used byte. No valid level contains U+0000, so no byte of a packed level is 0 and levels of different lengths
   * never pack alike: equal packs mean equal levels. Any other level (longer, or with a char above U+00FF) is
   * {@link #NOT_PACKED}, which no level packs to (it has zero bytes below a non-zero one), and is compared as text.
   */
  static long pack(String s, int from, int to) {
    if (to - from > 8) {
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

  /** A key's hash with the top bit set, so that no occupied slot holds 0. */
  private static int tag(int h) {
    return h | Integer.MIN_VALUE;
  }

  /** The literal children's slots, some null in a hash table; read together with {@link #childAt}. */
  int literalSlots() {
    return tags == null ? 0 : (tags.length <= LINEAR_MAX ? size : tags.length);
  }

  Node childAt(int slot) {
    return children[slot];
  }

  /**
   * The hash of level {@code s[from, to)} whose {@link #pack} is {@code packed}: for a packed level, its long
   * mixed by one multiplication, so the scan of a level needs no per-char multiply; for any other level, a
   * polynomial hash of its chars. The table slot is its low bits, the tag all of them.
   */
  static int levelHash(String s, int from, int to, long packed) {
    if (packed != NOT_PACKED) {
      return mix(packed);
    }
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h ^ (h >>> 16);
  }

  /** The upper half of a multiplication by 2^64 / golden ratio: every bit of {@code packed} reaches the result. */
  static int mix(long packed) {
    return (int) ((packed * 0x9E3779B97F4A7C15L) >>> 32);
  }

  // ------------------------------------------------------------ building

  /** The literal child for {@code level}, added if missing. */
  Node literalChild(String level) {
    long packed = pack(level, 0, level.length());
    Node existing = literal(level, 0, level.length(), packed);
    return existing != null ? existing : addLiteral(level, levelHash(level, 0, level.length(), packed), packed);
  }

  /**
   * Adds a literal child the caller has looked up and not found, with the {@link #levelHash} and {@link #pack}
   * of its level.
   */
  Node addLiteral(String level, int h, long packed) {
    Node child = new Node(this, level, packed);
    int tag = tag(h);
    if (tags == null) {
      tags = new int[2];
      children = new Node[2];
    }
    if (tags.length <= LINEAR_MAX) {
      if (size == tags.length && size < LINEAR_MAX) {
        tags = Arrays.copyOf(tags, size * 2);
        children = Arrays.copyOf(children, size * 2);
      }
      if (size < tags.length) {
        tags[size] = tag;
        children[size] = child;
        size++;
        return child;
      }
      rehash(32);
    } else if ((size + 1) * 2 > tags.length) {
      rehash(tags.length * 2);
    }
    insertHashed(tag, child);
    size++;
    return child;
  }

  /** Moves the children into a table of {@code capacity} slots; a tag holds its hash's low bits, the slot. */
  private void rehash(int capacity) {
    int[] oldTags = tags;
    Node[] oldChildren = children;
    tags = new int[capacity];
    children = new Node[capacity];
    for (int i = 0; i < oldTags.length; i++) {
      if (oldTags[i] != 0) {
        insertHashed(oldTags[i], oldChildren[i]);
      }
    }
  }

  private void insertHashed(int tag, Node child) {
    int mask = tags.length - 1;
    int i = tag & mask;
    while (tags[i] != 0) {
      i = (i + 1) & mask;
    }
    tags[i] = tag;
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
    if (tags != null && tags.length <= LINEAR_MAX && size < tags.length) {
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
