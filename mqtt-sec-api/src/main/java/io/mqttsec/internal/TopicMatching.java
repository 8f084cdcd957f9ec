/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

/**
 * The topic relations of {@link io.mqttsec.api.Topics} on arguments already known to be valid (a filter valid as a
 * filter, a topic valid as a name), so that a caller that validated once (the ACL, checking one topic against
 * several rules) does not pay for it per rule. On invalid arguments the result is unspecified. Allocates nothing.
 */
public final class TopicMatching {

  private TopicMatching() {
  }

  private static boolean startsWithWildcard(String filter) {
    char c = filter.charAt(0);
    return c == '+' || c == '#';
  }

  /** {@link io.mqttsec.api.Topics#matches} on a valid filter and a valid topic name. */
  public static boolean matches(String filter, String topic) {
    if (!topic.isEmpty() && topic.charAt(0) == '$' && startsWithWildcard(filter)) {
      return false;
    }
    int fn = filter.length();
    int tn = topic.length();
    int f = 0;
    int t = 0;
    while (true) {
      // f and t are at the start of a level in each string; a trailing empty level has no character.
      int c = f < fn ? filter.charAt(f) : -1;
      if (c == '#' && f + 1 == fn) {
        return true;
      }
      if (c == '+' && (f + 1 == fn || filter.charAt(f + 1) == '/')) {
        f++;
        while (t < tn && topic.charAt(t) != '/') {
          t++;
        }
      } else {
        while (f < fn && filter.charAt(f) != '/') {
          if (t == tn || topic.charAt(t) != filter.charAt(f)) {
            return false;
          }
          f++;
          t++;
        }
        if (t < tn && topic.charAt(t) != '/') {
          return false;
        }
      }
      // Both are now at a '/' or at their end.
      if (f == fn) {
        return t == tn;
      }
      if (t == tn) {
        // The topic ended: only a trailing "/#" still matches (the parent-level rule).
        return f + 2 == fn && filter.charAt(f + 1) == '#';
      }
      f++;
      t++;
    }
  }

  /** {@link io.mqttsec.api.Topics#covers} on two valid filters. */
  public static boolean covers(String grant, String request) {
    int gn = grant.length();
    int rn = request.length();
    int g = 0;
    int r = 0;
    boolean first = true;
    // Whether the topic made of the request's levels so far would be "", which does not exist; then a '#' in
    // the request cannot match zero levels here (its parent), and means exactly "+/#".
    boolean parentEmpty = true;
    while (true) {
      int gEnd = levelEnd(grant, g);
      int rEnd = levelEnd(request, r);
      boolean gHash = isHash(grant, g, gEnd);
      boolean rHash = isHash(request, r, rEnd);
      boolean gPlus = isPlus(grant, g, gEnd);
      boolean rPlus = isPlus(request, r, rEnd);
      boolean rDollar = first && !rHash && !rPlus && r < rn && request.charAt(r) == '$';
      if (gHash) {
        // '#' covers everything below, except $-topics when it is the first level.
        return !rDollar;
      }
      if (rHash) {
        // Only '#' covers '#', '+' never does; except where '#' cannot match its parent, so it is "+/#".
        return parentEmpty && gPlus && gEnd + 2 == gn && grant.charAt(gEnd + 1) == '#';
      }
      if (gPlus) {
        if (rDollar) {
          return false;
        }
      } else if (rPlus || !regionEquals(grant, g, gEnd, request, r, rEnd)) {
        return false;
      }
      boolean gDone = gEnd == gn;
      boolean rDone = rEnd == rn;
      if (rDone) {
        // Every requested topic ends here: the grant must end here too, or continue with only "/#".
        return gDone || (gEnd + 2 == gn && grant.charAt(gEnd + 1) == '#');
      }
      if (gDone) {
        return false;
      }
      parentEmpty = first && rEnd == r;
      g = gEnd + 1;
      r = rEnd + 1;
      first = false;
    }
  }

  /** {@link io.mqttsec.api.Topics#intersects} on two valid filters. */
  public static boolean intersects(String a, String b) {
    int an = a.length();
    int bn = b.length();
    int i = 0;
    int j = 0;
    boolean first = true;
    while (true) {
      int aEnd = levelEnd(a, i);
      int bEnd = levelEnd(b, j);
      boolean aHash = isHash(a, i, aEnd);
      boolean bHash = isHash(b, j, bEnd);
      boolean aWild = aHash || isPlus(a, i, aEnd);
      boolean bWild = bHash || isPlus(b, j, bEnd);
      if (first && (aWild && !bWild && startsWithDollar(b, j, bEnd)
          || bWild && !aWild && startsWithDollar(a, i, aEnd))) {
        return false; // a wildcard first level never meets a $-topic
      }
      if (aHash || bHash) {
        return true; // '#' absorbs whatever the other filter has left
      }
      if (!aWild && !bWild && !regionEquals(a, i, aEnd, b, j, bEnd)) {
        return false;
      }
      boolean aDone = aEnd == an;
      boolean bDone = bEnd == bn;
      if (aDone && bDone) {
        return true;
      }
      if (aDone != bDone) {
        // The shorter filter's topics end here; the longer one meets them only through a trailing "/#", and
        // at the first level only if that single level can be non-empty (the topic "" does not exist).
        boolean parentMatch = aDone
            ? bEnd + 2 == bn && b.charAt(bEnd + 1) == '#'
            : aEnd + 2 == an && a.charAt(aEnd + 1) == '#';
        return parentMatch && !(first && (aEnd == i || bEnd == j));
      }
      i = aEnd + 1;
      j = bEnd + 1;
      first = false;
    }
  }

  private static int levelEnd(String s, int start) {
    int i = start;
    int n = s.length();
    while (i < n && s.charAt(i) != '/') {
      i++;
    }
    return i;
  }

  private static boolean isHash(String s, int start, int end) {
    return end - start == 1 && s.charAt(start) == '#';
  }

  private static boolean isPlus(String s, int start, int end) {
    return end - start == 1 && s.charAt(start) == '+';
  }

  private static boolean startsWithDollar(String s, int start, int end) {
    return end > start && s.charAt(start) == '$';
  }

  private static boolean regionEquals(String a, int aStart, int aEnd, String b, int bStart, int bEnd) {
    int len = aEnd - aStart;
    return len == bEnd - bStart && a.regionMatches(aStart, b, bStart, len);
  }
}
