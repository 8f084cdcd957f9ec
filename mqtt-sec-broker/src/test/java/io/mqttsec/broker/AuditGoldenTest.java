/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.tls.CertificateIdentity;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every line of every audit format, byte for byte: what a SIEM parses must not change unless someone means it to.
 * The expected lines are in {@code src/test/resources/io/mqttsec/broker/audit-golden.FORMAT.jsonl}; the values of
 * the certificate generated for the run (its fingerprint, serial, expiry), the product version and the nonce of an
 * OCSF finding's uid (up to six hex digits) are replaced by placeholders. After a deliberate change,
 * {@code -Dgolden.update=true} rewrites the files for review in the diff.
 */
class AuditGoldenTest {

  /** Every kind of event, and each way a client can be partly known (no user, no address, neither). */
  static List<String> lines(AuditFormat format) throws Exception {
    List<SecurityEvent> events = new ArrayList<>(AuditFormatTest.everyKind());
    InetAddress address = InetAddress.getByName("10.0.3.17");
    for (ClientIdentity who : List.of(ClientIdentity.of("press-1", "c1"), ClientIdentity.of(null, "c2")
        .withRemoteAddress(address), ClientIdentity.of(null, "c3"))) {
      events.add(new SecurityEvent.AuthFailed(AuditFormatTest.T, who, AuthResult.Outcome.BAD_CREDENTIALS, "x"));
      events.add(new SecurityEvent.AccessDenied(AuditFormatTest.T, who, Action.SUBSCRIBE, "f/#", "no"));
    }
    List<String> out = new ArrayList<>();
    for (SecurityEvent e : events) {
      out.add(format.encode(e, "tls"));
    }
    out.add(format.encode(events.get(2)));
    AuditEncoder encoder = format.encoder();
    ClientIdentity cert = ClientIdentity.of("press-1", "press-1").withCertificateChain(AuditFormatTest.PRESS.chain()
        .toArray(new X509Certificate[0]));
    for (ClientIdentity who : new ClientIdentity[] {null, AuditFormatTest.who(), ClientIdentity.of(null, "c3"),
        cert}) {
      out.add(encoder.suppressed(new AuditEncoder.Suppressed(AuditFormatTest.T, who, 7,
          AuditFormatTest.T.minusSeconds(60), Action.PUBLISH, "factory/press-2/temp")));
    }
    X509Certificate press = AuditFormatTest.PRESS.certificate();
    String sha256 = CertificateIdentity.of(press).sha256Fingerprint();
    String serial = press.getSerialNumber().toString(16);
    List<String> normalized = new ArrayList<>();
    for (String line : out) {
      normalized.add(line.replace(sha256, "<sha256>").replace(sha256.toUpperCase(Locale.ROOT), "<SHA256>")
          .replace(serial.toUpperCase(Locale.ROOT), "<SERIAL>").replace(serial, "<serial>")
          .replace(press.getNotAfter().toInstant().toString(), "<not-after>")
          .replace(Long.toString(press.getNotAfter().getTime()), "<not-after-ms>")
          .replace("\"" + AuditFormat.PRODUCT_VERSION + "\"", "\"<version>\"")
          .replaceAll("(\"uid\":\"[a-z.-]+-\\d+-)[0-9a-f]{1,6}\"", "$1<nonce>\""));
    }
    return normalized;
  }

  @ParameterizedTest
  @EnumSource(AuditFormat.class)
  void everyLine_isAsItWas(AuditFormat format) throws Exception {
    Path golden = Path.of("src/test/resources/io/mqttsec/broker/audit-golden." + format.configName() + ".jsonl");
    List<String> lines = lines(format);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(golden.getParent());
      Files.write(golden, lines, StandardCharsets.UTF_8);
    }
    assertThat(lines).containsExactlyElementsOf(Files.readAllLines(golden, StandardCharsets.UTF_8));
  }
}
