/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.MqttSecException;
import io.mqttsec.api.SecurityEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker layer's parts at their edges: JSON lines cut at exactly their limit and escaped to the digit, the
 * audit's denial windows at exactly a minute, audit files rotated at exactly their size and letting go of the
 * file they close, the owners journal compacted at exactly its bound, and the small values adapters print.
 */
class BrokerPartsTest {

  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir
  Path dir;

  // ------------------------------------------------------------------------------------------- JSON lines

  @Test
  void json_aFieldOfExactlyTheLimitIsWhole_oneByteMoreIsCutAndMeasured() {
    String max = "a".repeat(AuditLog.MAX_FIELD_BYTES);
    assertThat(new JsonLine(true).text("k", max).end()).isEqualTo("{\"k\":\"" + max + "\"}");
    String line = new JsonLine(true).text("k", max + "b").end();
    assertThat(line).isEqualTo("{\"k\":\"" + max + "\",\"kLength\":1025}");
    JsonLine nested = new JsonLine(false).object("mqtt").object("inner").text("topic", max + "b").close()
        .texts("list", "x", max + "bc");
    assertThat(nested.cuts()).containsExactly(new JsonLine.Cut("mqtt.inner.topic", 1025),
        new JsonLine.Cut("mqtt.list", 1026));
    assertThat(nested.end()).isEqualTo("{\"mqtt\":{\"inner\":{\"topic\":\"" + max + "\"},\"list\":[\"x\",\""
        + max + "\"]}}");
    assertThat(new JsonLine(false).texts("t", max).cuts()).isEmpty();
  }

  @Test
  void json_multiByteText_isMeasuredInUtf8_andCutOnACharacter() {
    // 2-, 3- and 4-byte characters, each from the first code point of its length
    for (String c : new String[] {"\u0080", "\u0800", "\uD800\uDC00"}) {
      int bytes = c.getBytes(StandardCharsets.UTF_8).length;
      String text = c.repeat(AuditLog.MAX_FIELD_BYTES / bytes + 1);
      JsonLine j = new JsonLine(false).text("k", text);
      assertThat(j.cuts()).as("U+%04X", text.codePointAt(0)).containsExactly(new JsonLine.Cut("k",
          text.getBytes(StandardCharsets.UTF_8).length));
      String kept = (String) JsonTree.object(j.end()).get("k");
      assertThat(kept.getBytes(StandardCharsets.UTF_8).length).isEqualTo(AuditLog.MAX_FIELD_BYTES / bytes * bytes);
      assertThat(AuditLog.cut(text)).isEqualTo(kept.length());
    }
    assertThat(AuditLog.utf8Length("\u0080".repeat(400))).isEqualTo(800);
    assertThat(AuditLog.utf8Length("\u07FF\u0800".repeat(200))).isEqualTo(1000);
    assertThat(AuditLog.utf8Length("\uD800".repeat(400))).as("a lone surrogate as U+FFFD").isEqualTo(1200);
  }

  @Test
  void json_escapesEveryControlCharacter_andTheLineSeparators_toTheirDigits() {
    String line = new JsonLine(true).text("k", "\u0001\u001f\u2028\u2029\"\\\n\r\t\uDC00x\uD800").bool("b", true)
        .bool("c", false).end();
    assertThat(line).isEqualTo("{\"k\":\"\\u0001\\u001f\\u2028\\u2029\\\"\\\\\\n\\r\\t\\ufffdx\\ufffd\","
        + "\"b\":true,\"c\":false}");
    assertThat(new JsonLine(true).fields(List.of("n", 5L, "b", Boolean.TRUE, "s", "x")).end()).isEqualTo(
        "{\"n\":5,\"b\":true,\"s\":\"x\"}");
  }

  // ------------------------------------------------------------------------------------- audit windows

  static SecurityEvent.AccessDenied denied(String clientId, Instant at) {
    return new SecurityEvent.AccessDenied(at, ClientIdentity.of("u", clientId), Action.PUBLISH, "t", "no");
  }

  @Test
  void auditDenials_aWindowEndsAtExactlyAMinute_andAFlushedClientStartsAfresh() {
    List<String> lines = new CopyOnWriteArrayList<>();
    AuditLog log = AuditLog.of(AuditFormat.MQTT_SEC, lines::add);
    assertThat(log.format()).isEqualTo(AuditFormat.MQTT_SEC);
    for (int i = 0; i < AuditLog.DENIALS_PER_MINUTE + 1; i++) {
      log.on(denied("a", T));
    }
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE);
    log.flush(T.plusSeconds(60).minusMillis(1));
    assertThat(lines).as("not a minute yet").hasSize(AuditLog.DENIALS_PER_MINUTE);
    log.flush(T.plusSeconds(60));
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE + 1);
    assertThat(lines.get(lines.size() - 1)).contains("\"suppressed\":1");
    log.on(denied("a", T.plusSeconds(61)));
    assertThat(lines).as("a fresh window").hasSize(AuditLog.DENIALS_PER_MINUTE + 2);

    List<String> other = new CopyOnWriteArrayList<>();
    AuditLog second = AuditLog.of(AuditFormat.MQTT_SEC, other::add);
    for (int i = 0; i < AuditLog.DENIALS_PER_MINUTE + 1; i++) {
      second.on(denied("b", T));
    }
    second.on(denied("b", T.plusSeconds(60)));
    assertThat(other).as("a denial at exactly a minute closes the window with its summary, and is written")
        .hasSize(AuditLog.DENIALS_PER_MINUTE + 2);
    assertThat(other.get(AuditLog.DENIALS_PER_MINUTE)).contains("acl.denied.suppressed");
  }

  // ----------------------------------------------------------------------------------------- audit files

  /** The descriptors this process holds open on {@code file}. */
  static long openDescriptors(Path file) throws IOException {
    Path real = file.toAbsolutePath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(real);
        } catch (IOException | UnsupportedOperationException e) {
          return false;
        }
      }).count();
    }
  }

  @Test
  void auditFile_rotatesWhenALineWouldPassTheSize_notWhenItFillsItExactly() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditFile f = AuditFile.open(file, 1024, 2);
    assertThat(f.file()).isEqualTo(file.toAbsolutePath());
    assertThat(f).hasToString("AuditFile{" + file.toAbsolutePath() + ", maxBytes=1024, keep=2}");
    Files.writeString(dir.resolve("audit.jsonl.3"), "from a larger keep");
    f.accept("x".repeat(1023));
    assertThat(Files.size(file)).isEqualTo(1024);
    assertThat(dir.resolve("audit.jsonl.1")).doesNotExist();
    f.accept("y");
    assertThat(Files.readString(dir.resolve("audit.jsonl.1"))).hasSize(1024);
    assertThat(Files.readString(file)).isEqualTo("y\n");
    assertThat(openDescriptors(dir.resolve("audit.jsonl.1"))).as("the rotated file is let go").isZero();
    assertThat(Files.readString(dir.resolve("audit.jsonl.3"))).as("past keep: not ours to move")
        .isEqualTo("from a larger keep");
    assertThat(dir.resolve("audit.jsonl.4")).doesNotExist();
    assertThat(openDescriptors(file)).isEqualTo(1);
    f.close();
    assertThat(openDescriptors(file)).isZero();
    f.accept("after close");
    assertThat(Files.readString(file)).isEqualTo("y\n");
  }

  @Test
  void auditFile_aFirstLineLongerThanTheSize_isWrittenWithoutRotating() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditFile f = AuditFile.open(file, 1024, 1)) {
      f.accept("z".repeat(2000));
      assertThat(Files.size(file)).isEqualTo(2001);
      assertThat(dir.resolve("audit.jsonl.1")).doesNotExist();
    }
    assertThatThrownBy(() -> AuditFile.open(file, 1023, 1)).hasMessage(
        "an audit file must be allowed 1024 bytes at least, was 1023");
    AuditFile.open(dir.resolve("small.jsonl"), 1024, 0).close();
    AuditFile.open(dir.resolve("many.jsonl"), 1024, 1000).close();
    assertThatThrownBy(() -> AuditFile.open(file, 1024, 1001)).hasMessage(
        "keep must be 0 to 1000 rotated files, was 1001");
    assertThatThrownBy(() -> AuditFile.open(file, 1024, -1)).hasMessage(
        "keep must be 0 to 1000 rotated files, was -1");
    Path halves = dir.resolve("halves.jsonl");
    try (AuditFile f = AuditFile.open(halves, 1024, 1)) {
      f.accept("a".repeat(511));
      f.accept("b".repeat(511));
      assertThat(Files.size(halves)).as("two lines that fill the size exactly").isEqualTo(1024);
      assertThat(dir.resolve("halves.jsonl.1")).doesNotExist();
    }
  }

  @Test
  void auditFile_aFailedWriteLetsGoOfTheFile_andTheNextLineOpensItAgain() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditFile f = AuditFile.open(file, 1024, 0);
    f.accept("a");
    Files.delete(file);
    Files.createDirectory(file); // a full folder where the file was: rotating cannot delete it
    Files.writeString(file.resolve("in-the-way"), "");
    f.accept("x".repeat(1030));
    assertThat(f.failures()).isEqualTo(1);
    assertThat(openDescriptors(file)).isZero();
    f.accept("c");
    assertThat(f.failures()).as("nor can it be opened").isEqualTo(2);
    Files.delete(file.resolve("in-the-way"));
    Files.delete(file);
    f.accept("b");
    assertThat(Files.readString(file)).isEqualTo("b\n");
    f.close();
  }

  // ------------------------------------------------------------------------------------- owners journal

  static String journal(List<String> records) {
    return OwnerJournal.HEADER + "\n" + String.join("\n", records) + (records.isEmpty() ? "" : "\n");
  }

  static List<String> padded(int padding) {
    List<String> r = new ArrayList<>(List.of("+ b y", "+ c z"));
    for (int i = 0; i < padding; i++) {
      r.add("- gone");
    }
    return r;
  }

  static long lines(Path file) throws IOException {
    return Files.readAllLines(file).size();
  }

  @Test
  void journal_isCompactedOnOpen_onlyPastTwiceItsRecordsAndItsSlack() throws Exception {
    // two owners on disk: the bound is 2 x 2 + 1024 = 1028 lines, the header counted
    Path atBound = Files.writeString(dir.resolve("at"), journal(padded(1025)));
    OwnerJournal j = new OwnerJournal(atBound);
    assertThat(lines(atBound)).isEqualTo(1028);
    j.close();
    Path past = Files.writeString(dir.resolve("past"), journal(padded(1026)));
    OwnerJournal k = new OwnerJournal(past);
    assertThat(Files.readString(past)).isEqualTo(journal(List.of("+ b y", "+ c z")));
    assertThat(k.owner("b")).contains("y");
    assertThat(k).hasToString("SessionOwners{" + past + ", 2 owned}");
    k.close();
    assertThat(openDescriptors(past)).isZero();
    assertThat(SessionOwners.inMemory()).hasToString("SessionOwners{in memory, 0 owned}");
  }

  @Test
  void journal_isCompactedWhileWriting_pastItsBound_andCountsAfreshAfterwards() throws Exception {
    Path file = Files.writeString(dir.resolve("owners"), journal(padded(1024)));
    try (OwnerJournal j = new OwnerJournal(file)) {
      assertThat(lines(file)).isEqualTo(1027);
      j.record("b", "w"); // the same two owners on disk: 1028 lines, at the bound
      assertThat(lines(file)).isEqualTo(1028);
      j.record("b", "v");
      assertThat(lines(file)).as("compacted").isEqualTo(3);
      for (int i = 0; i < 1025; i++) {
        j.record("b", i % 2 == 0 ? "w" : "v");
      }
      assertThat(lines(file)).isEqualTo(1028);
      j.record("b", "x");
      assertThat(lines(file)).isEqualTo(3);
      assertThat(j.owner("b")).contains("x");
    }
  }

  @Test
  void journal_anEscapeWithOneHexDigitAtTheEnd_namesItsLine() throws Exception {
    Path file = Files.writeString(dir.resolve("owners"), journal(List.of("+ a x", "+ b%4 y")));
    assertThatThrownBy(() -> new OwnerJournal(file)).isInstanceOf(MqttSecException.class).hasMessage(file
        + ":3: a '%' at column 2 is not followed by two hex digits; refusing to guess who owns which session "
        + "(repair or remove the line)");
    assertThat(OwnerJournal.unescape("b%41")).isEqualTo("bA");
  }

  // -------------------------------------------------------------------------------------------- values

  @Test
  void detection_boundsOfEachRule_atTheirValueAndOnePast() {
    assertThat(new Detection.NewAddress(1, 1)).isNotNull();
    assertThat(new Detection.NewAddress(32, 64)).isNotNull();
    assertThatThrownBy(() -> new Detection.NewAddress(0, 64)).hasMessage("ipv4 prefix must be 1 to 32, was 0");
    assertThatThrownBy(() -> new Detection.NewAddress(33, 64)).hasMessage("ipv4 prefix must be 1 to 32, was 33");
    assertThatThrownBy(() -> new Detection.NewAddress(24, 0)).hasMessage("ipv6 prefix must be 1 to 64, was 0");
    assertThatThrownBy(() -> new Detection.NewAddress(24, 65)).hasMessage("ipv6 prefix must be 1 to 64, was 65");
    assertThat(new Detection.ConnectionSpike(Duration.ofSeconds(1), 1.0, 1, Duration.ZERO).factor()).isEqualTo(1);
    assertThatThrownBy(() -> new Detection.ConnectionSpike(Duration.ofSeconds(1), 0.999, 1, Duration.ZERO))
        .hasMessage("factor must be a number of at least 1, was 0.999");
    assertThatThrownBy(() -> new Detection.ConnectionSpike(Duration.ofSeconds(1), 2, 0, Duration.ZERO))
        .hasMessage("minimum must be 1 to 2147483647, was 0");
    assertThat(new Detection.DenialBurst(10_000, Duration.ofSeconds(1)).denials()).isEqualTo(10_000);
    assertThatThrownBy(() -> new Detection.DenialBurst(10_001, Duration.ofSeconds(1))).hasMessage(
        "denials must be 1 to 10000, was 10001");
    assertThatThrownBy(() -> new Detection.DenialBurst(0, Duration.ofSeconds(1))).hasMessage(
        "denials must be 1 to 10000, was 0");
    assertThat(Detection.DEFAULT.withMaxTracked(1).maxTracked()).isEqualTo(1);
    assertThatThrownBy(() -> Detection.DEFAULT.withMaxTracked(0)).hasMessage("max tracked must be 1 to "
        + "2147483647, was 0");
    assertThat(Detection.NONE).hasToString("Detection{bruteForce=null, newAddress=null, connectionSpike=null, "
        + "denialBurst=null, maxTracked=" + Detection.DEFAULT.maxTracked() + "}");
  }

  @Test
  void clientIdPolicies_equalByNameAndSeparator_andNamingNeedsAUser() {
    assertThat(ClientIdPolicy.usernamePrefix("-")).isEqualTo(ClientIdPolicy.usernamePrefix("-"))
        .hasSameHashCodeAs(ClientIdPolicy.usernamePrefix("-")).isNotEqualTo(ClientIdPolicy.usernamePrefix("/"))
        .isNotEqualTo(ClientIdPolicy.USERNAME).isNotEqualTo("username");
    assertThat(ClientIdPolicy.USERNAME).isNotEqualTo(ClientIdPolicy.OWNED);
    assertThat(ClientIdPolicy.USERNAME.hashCode()).isNotEqualTo(ClientIdPolicy.usernamePrefix("-").hashCode());
    assertThat(ClientIdPolicy.USERNAME.namingRefusal(null, "c")).isEqualTo(
        "the client-id policy username needs a user name, and the client has none");
    assertThat(ClientIdPolicy.usernamePrefix("-").namingRefusal("u", "u-")).as("a prefix and nothing after")
        .isEqualTo("the client id is not the user name nor starts with it and \"-\" (client-id policy username "
            + "(separator \"-\"))");
    assertThat(ClientIdPolicy.usernamePrefix("-").namingRefusal("u", "u-1")).isNull();
  }

  @Test
  void aCertificateWithAnEmptyCn_namesNoUser() throws Exception {
    // the CA refuses to issue an empty CN; a CA's own name is a whole distinguished name, and may have one. (The
    // certificate identity already names no CN for an empty one; ListenerAuth's own check is a second line.)
    java.security.cert.X509Certificate emptyCn = io.mqttsec.ca.CertificateAuthority.create("CN=",
        java.time.Duration.ofDays(1)).certificate();
    String[] why = new String[1];
    java.security.cert.X509Certificate[] chain = {emptyCn};
    assertThat(ListenerAuth.certificate(ListenerAuth.Identity.CN).userName(chain, why)).isNull();
    assertThat(why[0]).isEqualTo("the certificate " + chain[0].getSubjectX500Principal().getName()
        + " has no single CN to use as the user name");
    io.mqttsec.ca.HeldCertificate named = BrokerSecurityTest.CA.issue("press-1").clientAuth().issue();
    assertThat(ListenerAuth.certificate(ListenerAuth.Identity.CN).userName(named.chain().toArray(
        new java.security.cert.X509Certificate[0]), why)).isEqualTo("press-1");
  }

  @Test
  void requestsResultsSessionsAndWills_printWhatAnOperatorNeeds_andNeverAPassword() throws Exception {
    ConnectRequest bare = ConnectRequest.builder("tcp", "c").build();
    assertThat(bare).hasToString("ConnectRequest{listener=tcp, clientId=c, user=<none>, cleanStart=true, "
        + "sessionExpiry=PT0S}");
    Will will = new Will("w/t", Duration.ofSeconds(5), () -> { });
    assertThat(will).hasToString("Will{topic=w/t, delay=PT5S}");
    ConnectRequest full = ConnectRequest.builder("tls", "c").username("u").password("pw".getBytes(
        StandardCharsets.UTF_8)).remoteAddress(InetAddress.getByName("10.0.0.1")).will(will).build();
    assertThat(full).hasToString("ConnectRequest{listener=tls, clientId=c, user=u, address=10.0.0.1, "
        + "cleanStart=true, sessionExpiry=PT0S, Will{topic=w/t, delay=PT5S}}");
    ConnectRequest.Builder b = ConnectRequest.builder("tls", "c").username("u").remoteAddress(
        InetAddress.getLoopbackAddress()).will(will).certificateChain(BrokerSecurityTest.CA.certificate());
    assertThatThrownBy(() -> b.username("v")).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("user name was already set");
    assertThatThrownBy(() -> b.remoteAddress(null)).hasMessageStartingWith("remote address was already set");
    assertThatThrownBy(() -> b.will(null)).hasMessageStartingWith("will was already set");
    assertThatThrownBy(() -> b.certificateChain()).hasMessageStartingWith("certificate chain was already set");
    assertThat(b.build()).hasToString("ConnectRequest{listener=tls, clientId=c, user=u, address=127.0.0.1, "
        + "certificates=1, cleanStart=true, sessionExpiry=PT0S, Will{topic=w/t, delay=PT5S}}");

    ConnectResult refused = ConnectResult.refused(ConnectResult.Refusal.QUOTA_EXCEEDED, "quota exceeded");
    assertThat(refused).hasToString("ConnectResult{QUOTA_EXCEEDED, quota exceeded}");
    ClientSession s = new ClientSession("7", ClientIdentity.of("u", "c"), "tls", "password", null, null);
    assertThat(ConnectResult.accepted(s)).hasToString("ConnectResult{accepted " + s + "}");
    assertThat(s).hasToString("ClientSession{" + ClientIdentity.of("u", "c") + ", listener=tls, "
        + "method=password}");
    assertThat(s.listener()).isEqualTo("tls");
    ClientSession same = new ClientSession("7", ClientIdentity.of("v", "d"), "tcp", "anonymous", null, null);
    assertThat(s).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(s.hashCode()).isNotEqualTo(new ClientSession("8", ClientIdentity.of("u", "c"), "tls", "password",
        null, null).hashCode());
    assertThat(new Verdict(Verdict.Kind.QUOTA_EXCEEDED, "x").allowed()).isFalse();
    assertThat(Verdict.ALLOWED.allowed()).isTrue();
  }
}
