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
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class AuditLogTest {

  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
  final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  final AuditLog log = AuditLog.jsonLines(lines::add);

  static SecurityEvent.AccessDenied denied(String clientId, String topic, Instant at) {
    return new SecurityEvent.AccessDenied(at, ClientIdentity.of("press-1", clientId), Action.SUBSCRIBE, topic,
        "no rule matched");
  }

  @Test
  void lines_forTheLifecycleEvents() throws Exception {
    ClientIdentity who = ClientIdentity.of("press-1", "press-2").withRemoteAddress(InetAddress.getByName(
        "10.0.3.17"));
    log.on(new SecurityEvent.TakeoverRefused(T, who, "press-2"));
    log.on(new SecurityEvent.ClientDisconnected(T, who, SecurityEvent.Initiator.MQTT_SEC, "certificate revoked"));
    log.on(new SecurityEvent.WillSuppressed(T, who, "factory/press-1/status", "the ACL in force refuses it"));
    log.on(new SecurityEvent.AuthFailed(T, who, AuthResult.Outcome.REFUSED, "will topic refused"));
    log.on(new SecurityEvent.LimitExceeded(T, who, "message-rate", "client", "refused", 4210, T.minusSeconds(60)));
    assertThat(lines).containsExactly(
        "{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"takeover.refused\",\"clientId\":\"press-2\","
            + "\"user\":\"press-1\",\"address\":\"10.0.3.17\",\"owner\":\"press-2\"}",
        "{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"disconnect\",\"clientId\":\"press-2\",\"user\":\"press-1\","
            + "\"address\":\"10.0.3.17\",\"initiator\":\"mqtt-sec\",\"reason\":\"certificate revoked\"}",
        "{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"will.suppressed\",\"clientId\":\"press-2\","
            + "\"user\":\"press-1\",\"address\":\"10.0.3.17\",\"topic\":\"factory/press-1/status\","
            + "\"reason\":\"the ACL in force refuses it\"}",
        "{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"connect.failure\",\"clientId\":\"press-2\","
            + "\"user\":\"press-1\",\"address\":\"10.0.3.17\",\"outcome\":\"REFUSED\",\"reason\":\"will topic refused\"}",
        "{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"limit.exceeded\",\"clientId\":\"press-2\","
            + "\"user\":\"press-1\",\"address\":\"10.0.3.17\",\"limit\":\"message-rate\",\"scope\":\"client\","
            + "\"verdict\":\"refused\",\"count\":4210,\"since\":\"2026-12-01T09:59:00Z\"}");
  }

  @Test
  void longFields_areCutAt1KiB_withTheOriginalLength() {
    String user = "u".repeat(65_536);
    String topic = "\uD83D\uDE00".repeat(300); // 4 bytes each: 1,200 bytes, cut between pairs, never inside
    log.on(new SecurityEvent.AccessDenied(T, ClientIdentity.of(user, "c"), Action.PUBLISH, topic, "rule"));
    Map<String, String> f = JsonTree.flat(lines.get(0));
    assertThat(f.get("user")).hasSize(1024);
    assertThat(f.get("userLength")).isEqualTo("65536");
    assertThat(f.get("topic")).isEqualTo("\uD83D\uDE00".repeat(256));
    assertThat(f.get("topicLength")).isEqualTo("1200");
    assertThat(lines.get(0).length()).isLessThan(3 * 1024);
  }

  @Test
  void denials_fromOneClient_areCappedPerMinute_thenSummarised() {
    for (int i = 0; i < 25; i++) {
      log.on(denied("flooder", "x/" + i + "/" + "y".repeat(60_000), T.plusSeconds(i)));
    }
    log.on(denied("quiet", "z", T.plusSeconds(30)));
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE + 1);
    log.on(denied("flooder", "x/late", T.plusSeconds(61)));
    Map<String, String> summary = JsonTree.flat(lines.get(AuditLog.DENIALS_PER_MINUTE + 1));
    assertThat(summary).containsEntry("event", "acl.denied.suppressed").containsEntry("clientId", "flooder")
        .containsEntry("suppressed", "15").containsEntry("since", T.toString())
        .containsEntry("lastAction", "SUBSCRIBE").containsEntry("lastTopicLength", "60005");
    assertThat(JsonTree.flat(lines.get(lines.size() - 1))).containsEntry("topic", "x/late");
    int bytes = lines.stream().mapToInt(l -> l.getBytes(StandardCharsets.UTF_8).length).sum();
    assertThat(bytes).as("26 denials of 60 KB topics").isLessThan(16 * 1024);

    for (int i = 0; i < 12; i++) {
      log.on(denied("flooder", "again", T.plusSeconds(70)));
    }
    int before = lines.size();
    log.flush(T.plusSeconds(100));
    assertThat(lines).hasSize(before);
    log.flush(T.plusSeconds(200));
    assertThat(JsonTree.flat(lines.get(lines.size() - 1))).containsEntry("suppressed", "3")
        .containsEntry("clientId", "flooder");
  }

  @Test
  void denials_beyondTheTrackedClients_shareOneBudget() {
    for (int i = 0; i < AuditLog.TRACKED_CLIENTS; i++) {
      log.on(denied("c" + i, "t", T));
    }
    lines.clear();
    for (int i = 0; i < 15; i++) {
      log.on(denied("late-" + i, "t", T));
    }
    assertThat(lines).hasSize(AuditLog.DENIALS_PER_MINUTE);
    log.flush(T.plus(Duration.ofMinutes(2)));
    assertThat(lines.stream().map(JsonTree::flat).filter(f -> f.get("event").equals("acl.denied.suppressed"))
        .toList()).singleElement().satisfies(f -> assertThat(f).containsEntry("clientId", "*")
        .containsEntry("suppressed", "5"));
  }

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<Character> interesting = Arbitraries.of('"', '\\', '\n', '\u0000', '\u001f', '\u2028', '\uD800',
        '\uDC00', '\uFFFF', '/', 'a', 'é');
    return Arbitraries.oneOf(interesting, Arbitraries.chars()).list().ofMaxSize(1500).map(cs -> {
      StringBuilder sb = new StringBuilder();
      cs.forEach(sb::append);
      return sb.toString();
    });
  }

  @Property(tries = 300)
  void everyLine_isValidJson_andGivesTheTextBack(@ForAll("hostile") String text) {
    List<String> out = new CopyOnWriteArrayList<>();
    AuditLog.jsonLines(out::add).on(new SecurityEvent.AuthFailed(T, ClientIdentity.of(text, text),
        AuthResult.Outcome.BAD_CREDENTIALS, text));
    Map<String, String> f = JsonTree.flat(out.get(0));
    String reason = f.get("reason");
    // no UTF-8 text holds an unpaired surrogate: it is written as U+FFFD
    String expected = text.codePoints().map(c -> Character.isSurrogate((char) c) && c < 0x10000 ? 0xFFFD : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    if (f.containsKey("reasonLength")) {
      assertThat(expected).startsWith(reason);
      assertThat(reason.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(AuditLog.MAX_FIELD_BYTES);
    } else {
      assertThat(reason).isEqualTo(expected);
    }
    assertThat(out.get(0)).doesNotContain("\n").doesNotContain("\u2028");
  }
}
