/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/** What mqtt-sec reads of an X.500 name, from its DER: the certificate module and the CA agree on it. Internal. */
public final class DistinguishedNames {

  private static final String CN = "2.5.4.3";

  private DistinguishedNames() {
  }

  /**
   * {@code cn}, if a certificate may carry it as its CN: not empty, not starting with {@code #} (which a
   * distinguished name's string form reads as hex-encoded DER, so {@code #0c0561646d696e} would be CN=admin), no
   * control character, at most 64 characters (X.520's bound). What the CA issues and a device requests.
   *
   * @throws IllegalArgumentException saying which rule the CN breaks
   */
  public static String checkCommonName(String cn) {
    java.util.Objects.requireNonNull(cn, "commonName");
    if (cn.isEmpty()) {
      throw new IllegalArgumentException("a CN must not be empty: it names the device (and its MQTT user)");
    }
    if (cn.charAt(0) == '#') {
      throw new IllegalArgumentException("a CN must not start with '#': a distinguished name reads that as "
          + "hex-encoded DER, which can name another CN");
    }
    for (int i = 0; i < cn.length(); i++) {
      char c = cn.charAt(i);
      if (c < 0x20 || c == 0x7F || c >= 0x80 && c <= 0x9F) {
        throw new IllegalArgumentException(String.format("a CN must not hold a control character (U+%04X at "
            + "index %d)", (int) c, i));
      }
    }
    if (cn.codePointCount(0, cn.length()) > 64) {
      throw new IllegalArgumentException("a CN is at most 64 characters, not " + cn.codePointCount(0, cn.length()));
    }
    return cn;
  }

  /**
   * The single usable common name of {@code name}: empty when it has no CN or more than one, or the CN is empty,
   * holds U+0000, an unpaired surrogate or invalid text, or is in a string type with no fixed character set
   * (TeletexString).
   */
  public static Optional<String> commonName(X500Principal name) {
    String found = null;
    int count = 0;
    try {
      Der.Reader rdns = Der.parse(name.getEncoded()).expect(Der.SEQUENCE, "a name").children();
      while (rdns.hasNext()) {
        Der.Reader set = rdns.next(Der.SET, "a relative distinguished name").children();
        while (set.hasNext()) {
          Der.Reader atv = set.next(Der.SEQUENCE, "an attribute").children();
          if (atv.next().oid().equals(CN)) {
            count++;
            found = text(atv.next());
          }
        }
      }
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // the JDK parsed it already; a name it accepts and this reader does not names no one
    }
    if (count != 1 || found == null || found.isEmpty()) {
      return Optional.empty();
    }
    for (int i = 0; i < found.length(); i++) {
      char c = found.charAt(i);
      if (c == 0 || c == '\uFFFD' || Character.isSurrogate(c) && !validPair(found, i)) {
        return Optional.empty();
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    return Optional.of(found);
  }

  private static boolean validPair(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
  }

  /** The text of a DirectoryString in a type with a defined character set, decoded strictly; null otherwise. */
  private static String text(Der.Element value) {
    Charset charset = switch (value.tag()) {
      case Der.UTF8_STRING -> StandardCharsets.UTF_8;
      case Der.PRINTABLE_STRING, Der.IA5_STRING -> StandardCharsets.US_ASCII;
      case Der.BMP_STRING -> StandardCharsets.UTF_16BE;
      case Der.UNIVERSAL_STRING -> Charset.forName("UTF-32BE");
      default -> null;
    };
    if (charset == null) {
      return null;
    }
    try {
      return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value.contents())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

}
