package io.mqttsec.acl;

/**
 * A trie node: one topic level of the rules below it. Literal children are found by the level's text without
 * creating a substring: a short list is scanned, a long one is an open-addressing table keyed by the level's
 * {@link String#hashCode()}. {@code +} and, in pattern tries, {@code %u} and {@code %c} are separate edges.
 *
 * <p>Mutable only while a policy is built; the finished trie is reached only through final fields of an immutable
 * policy, which publishes it safely to every thread.
 */
final class Node {
  private static final int LINEAR_MAX = 8;

  final Node parent;
  final String key; // the edge label from the parent, as written: a level, "+", "%u" or "%c"; null at the root

  private String[] keys;
  private Node[] children;
  private int size;
  Node plus;
  Node user;
  Node client;
  Rule exact; // rules whose filter ends at this node
  Rule hash;  // rules whose filter is this node's path followed by "#"
  /** The access bits of every rule at or below this node; a walk for other bits skips the subtree. */
  int accessBelow;
  private Rule exactTail;
  private Rule hashTail;

  Node(Node parent, String key) {
    this.parent = parent;
    this.key = key;
  }

  // ------------------------------------------------------------ lookup (hot path)

  /** The literal child whose key equals {@code s[from, to)}, or null. */
  Node literal(String s, int from, int to) {
    String[] ks = keys;
    if (ks == null) {
      return null;
    }
    int len = to - from;
    if (ks.length <= LINEAR_MAX) {
      for (int i = 0; i < size; i++) {
        String k = ks[i];
        if (k.length() == len && s.regionMatches(from, k, 0, len)) {
          return children[i];
        }
      }
      return null;
    }
    int h = hash(s, from, to);
    int mask = ks.length - 1;
    for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
      String k = ks[i];
      if (k == null) {
        return null;
      }
      if (k.length() == len && k.hashCode() == h && s.regionMatches(from, k, 0, len)) {
        return children[i];
      }
    }
  }

  /** The literal children's slots, some null in a hash table; read together with {@link #childAt}. */
  int literalSlots() {
    return keys == null ? 0 : (keys.length <= LINEAR_MAX ? size : keys.length);
  }

  Node childAt(int slot) {
    return children[slot];
  }

  private static int hash(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  // ------------------------------------------------------------ building

  Node literalChild(String level) {
    Node existing = literal(level, 0, level.length());
    if (existing != null) {
      return existing;
    }
    Node child = new Node(this, level);
    if (keys == null) {
      keys = new String[2];
      children = new Node[2];
    }
    if (keys.length <= LINEAR_MAX) {
      if (size == keys.length) {
        if (size == LINEAR_MAX) {
          rehash(32);
          insertHashed(level, child);
          size++;
          return child;
        }
        keys = java.util.Arrays.copyOf(keys, size * 2);
        children = java.util.Arrays.copyOf(children, size * 2);
      }
      keys[size] = level;
      children[size] = child;
      size++;
      return child;
    }
    if ((size + 1) * 2 > keys.length) {
      rehash(keys.length * 2);
    }
    insertHashed(level, child);
    size++;
    return child;
  }

  private void rehash(int capacity) {
    String[] oldKeys = keys;
    Node[] oldChildren = children;
    boolean wasLinear = oldKeys.length <= LINEAR_MAX;
    keys = new String[capacity];
    children = new Node[capacity];
    int n = wasLinear ? size : oldKeys.length;
    for (int i = 0; i < n; i++) {
      if (oldKeys[i] != null) {
        insertHashed(oldKeys[i], oldChildren[i]);
      }
    }
  }

  private void insertHashed(String k, Node child) {
    int mask = keys.length - 1;
    int i = spread(k.hashCode()) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = k;
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

  void addExact(Rule r) {
    if (exact == null) {
      exact = r;
    } else {
      exactTail.next = r;
    }
    exactTail = r;
  }

  void addHash(Rule r) {
    if (hash == null) {
      hash = r;
    } else {
      hashTail.next = r;
    }
    hashTail = r;
  }

  /**
   * Drops building state (spare array capacity in short child lists, the chain tails) and computes
   * {@link #accessBelow}, which it returns.
   */
  int trim() {
    if (keys != null && keys.length <= LINEAR_MAX && size < keys.length) {
      keys = java.util.Arrays.copyOf(keys, size);
      children = java.util.Arrays.copyOf(children, size);
    }
    exactTail = null;
    hashTail = null;
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
