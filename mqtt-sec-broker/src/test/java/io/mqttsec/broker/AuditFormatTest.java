/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.ca.CertificateAuthority;
import io.mqttsec.ca.HeldCertificate;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every event in every format: valid against the official references (field names, types, allowed values,
 * required attributes), carrying what a SIEM rule reads, and valid, bounded JSON whatever a client sends.
 */
class AuditFormatTest {

  static final Instant T = Instant.parse("2026-12-01T10:15:30.123Z");
  static final CertificateAuthority CA = CertificateAuthority.create("CN=Audit CA", Duration.ofDays(30));
  static final HeldCertificate PRESS = CA.issue("press-1").clientAuth().issue();

  static ClientIdentity who() throws Exception {
    return ClientIdentity.of("press-1", "press-1-a").withRemoteAddress(InetAddress.getByName("10.0.3.17"));
  }

  /** One event of every kind, some with a certificate, an IPv6 address or no user name. */
  static List<SecurityEvent> everyKind() throws Exception {
    ClientIdentity w = who();
    ClientIdentity cert = ClientIdentity.of("press-1", "press-1").withRemoteAddress(InetAddress.getByName(
        "fd00::17")).withCertificateChain(PRESS.chain().toArray(new X509Certificate[0]));
    ClientIdentity anonymous = ClientIdentity.of(null, "sensor-9");
    return List.of(
        new SecurityEvent.AuthSucceeded(T, w, "password"),
        new SecurityEvent.AuthSucceeded(T, cert, "certificate CN"),
        new SecurityEvent.AuthFailed(T, w, AuthResult.Outcome.BAD_CREDENTIALS, "bad user name or password"),
        new SecurityEvent.AuthFailed(T, anonymous, AuthResult.Outcome.ANONYMOUS_REFUSED, "anonymous not allowed"),
        new SecurityEvent.ClientLockedOut(T, w, Duration.ofSeconds(60), 5),
        new SecurityEvent.AddressBlocked(T, InetAddress.getByName("10.0.3.99"), w, Duration.ofMinutes(5), 10),
        new SecurityEvent.AccessDenied(T, w, Action.PUBLISH, "factory/press-2/temp", "no rule matched"),
        new SecurityEvent.AccessDenied(T, cert, Action.SUBSCRIBE, "factory/#", "acl.conf:3 read only"),
        new SecurityEvent.AccessDenied(T, w, Action.RECEIVE, "factory/press-2/temp", "no rule matched"),
        new SecurityEvent.PolicyReloaded(T, "acl.conf", "12 rules"),
        new SecurityEvent.PolicyReloadFailed(T, "acl.conf", "acl.conf:12:15: unknown keyword"),
        new SecurityEvent.CertificateExpiring(T, "CA", "CN=Audit CA", "ab".repeat(32), T.plusSeconds(86_400)),
        new SecurityEvent.CrlOverdue(T, "CN=Audit CA", T.minusSeconds(60), true),
        new SecurityEvent.ClientDisconnected(T, w, SecurityEvent.Initiator.MQTT_SEC, "password changed"),
        new SecurityEvent.ClientDisconnected(T, anonymous, SecurityEvent.Initiator.CLIENT, "normal disconnection"),
        new SecurityEvent.TakeoverRefused(T, w, "press-2"),
        new SecurityEvent.WillSuppressed(T, w, "factory/press-2/status", "no rule matched"),
        new SecurityEvent.LimitExceeded(T, w, "message-rate", "client", "refused", 37, T.minusSeconds(60)),
        new SecurityEvent.AlertRaised(T, Detector.BRUTE_FORCE, w, "address 10.0.3.17", 10, Duration.ofMinutes(1),
            "10 failed logins within 60 s from address 10.0.3.17"),
        new SecurityEvent.AlertRaised(T, Detector.NEW_ADDRESS, cert, "user press-1", 1, Duration.ZERO, "new"),
        new SecurityEvent.AlertRaised(T, Detector.CONNECTION_SPIKE, w, "broker", 80, Duration.ofSeconds(10), "80"),
        new SecurityEvent.AlertRaised(T, Detector.DENIAL_BURST, w, "client press-1-a", 20, Duration.ofMinutes(1),
            "20"),
        new SecurityEvent.CertificateRejected(T, "CN=press-1", "revoked"),
        new SecurityEvent.StoreUnavailable(T, "postgresql://db:5432/mqtt schema mqtt_sec", "PSQLException: "
            + "Connection refused", true),
        new SecurityEvent.StoreUnavailable(T, "postgresql://db:5432/mqtt schema mqtt_sec", "no mqtt-sec store",
            false),
        new SecurityEvent.StoreRecovered(T, "postgresql://db:5432/mqtt schema mqtt_sec", Duration.ofSeconds(42)),
        new SecurityEvent.CertificateEnrolled(T, InetAddress.getByName("10.0.3.17"), "press-1",
            "5a1e0c4d2b9f", "enroll"),
        new SecurityEvent.CertificateEnrolled(T, InetAddress.getByName("fd00::17"), "press-1", "6b2f1d5e3c0a",
            "reenroll"),
        new SecurityEvent.EnrollmentRefused(T, InetAddress.getByName("10.0.3.99"), "press-2", "enroll",
            "wrong enrollment password"),
        new SecurityEvent.EnrollmentRefused(T, InetAddress.getByName("10.0.3.99"), "", "reenroll",
            "re-enrollment needs the device's current certificate in the TLS handshake"),
        new SecurityEvent.CertificateRenewed(T, "CN=press-1", "5a1e0c4d2b9f", "6b2f1d5e3c0a",
            T.plusSeconds(397L * 86_400)),
        new SecurityEvent.RenewalFailed(T, "CN=press-1", "the EST server refused (403): the certificate "
            + "5a1e0c4d2b9f was revoked at 2026-11-30T08:00:00Z", T.plusSeconds(120)));
  }

  @Example
  void theSamples_coverEveryKindOfEvent() throws Exception {
    Set<Class<?>> covered = new HashSet<>();
    everyKind().forEach(e -> covered.add(e.getClass()));
    assertThat(covered).containsExactlyInAnyOrder(SecurityEvent.class.getPermittedSubclasses());
  }

  @Example
  void ecs_everyEvent_followsTheReference() throws Exception {
    for (SecurityEvent e : everyKind()) {
      String line = AuditFormat.ECS.encode(e, "tls");
      assertThat(SchemaCheck.ecs(line)).as(line).isEmpty();
    }
    assertThat(SchemaCheck.ecs(suppressedLine(AuditFormat.ECS))).isEmpty();
  }

  @Example
  void ocsf_everyEvent_followsTheReference() throws Exception {
    for (SecurityEvent e : everyKind()) {
      String line = AuditFormat.OCSF.encode(e, "tls");
      assertThat(SchemaCheck.ocsf(line)).as(line).isEmpty();
    }
    assertThat(SchemaCheck.ocsf(suppressedLine(AuditFormat.OCSF))).isEmpty();
  }

  @Example
  void theChecks_catchWhatIsWrong() {
    String good = AuditFormat.ECS.encode(new SecurityEvent.PolicyReloaded(T, "acl.conf", "12 rules"));
    assertThat(SchemaCheck.ecs(good.replace("\"change\"", "\"modify\""))).anySatisfy(p -> assertThat(p)
        .contains("modify is not one of"));
    assertThat(SchemaCheck.ecs(good.replace("\"configuration\"", "\"session\""))).anySatisfy(p -> assertThat(p)
        .contains("event.type change is not expected with event.category session"));
    assertThat(SchemaCheck.ecs(good.replace("\"file\":{\"path\"", "\"file\":{\"where\""))).contains(
        "file.where is not an ECS field");
    String ocsf = AuditFormat.OCSF.encode(new SecurityEvent.PolicyReloaded(T, "acl.conf", "12 rules"));
    assertThat(SchemaCheck.ocsf(ocsf.replace("\"type_uid\":600208", "\"type_uid\":600201"))).contains(
        "type_uid 600201 is not class_uid * 100 + activity_id");
    assertThat(SchemaCheck.ocsf(ocsf.replace("\"app\":", "\"application\":"))).contains("missing required app",
        "application is not an attribute here");
    assertThat(SchemaCheck.ocsf(ocsf.replace("\"severity_id\":1", "\"severity_id\":9"))).anySatisfy(p ->
        assertThat(p).startsWith("severity_id: 9 is not one of"));
  }

  @Example
  void ecs_login_carriesWhatSiemRulesRead() throws Exception {
    Map<String, Object> f = JsonTree.flatten(JsonTree.object(AuditFormat.ECS.encode(
        new SecurityEvent.AuthFailed(T, who(), AuthResult.Outcome.BAD_CREDENTIALS, "bad password"), "tcp")));
    assertThat(f).containsEntry("@timestamp", "2026-12-01T10:15:30.123Z").containsEntry("event.kind", "event")
        .containsEntry("event.category", List.of("authentication")).containsEntry("event.type", List.of("start"))
        .containsEntry("event.outcome", "failure").containsEntry("event.action", "connect.failure")
        .containsEntry("event.reason", "bad password").containsEntry("user.name", "press-1")
        .containsEntry("source.ip", "10.0.3.17").containsEntry("client.ip", "10.0.3.17")
        .containsEntry("mqtt.client_id", "press-1-a").containsEntry("mqtt.listener", "tcp")
        .containsEntry("related.user", List.of("press-1")).containsEntry("ecs.version", "9.4.0");
  }

  @Example
  void ecs_aReload_hasNoMqttObject_andNamesTheFile() {
    Map<String, Object> f = JsonTree.object(AuditFormat.ECS.encode(new SecurityEvent.PolicyReloaded(T,
        "/etc/mqtt-sec/acl.conf", "12 rules")));
    assertThat(f).doesNotContainKey("mqtt").doesNotContainKey("user");
    assertThat(JsonTree.flatten(f)).containsEntry("file.path", "/etc/mqtt-sec/acl.conf")
        .containsEntry("event.category", List.of("configuration")).containsEntry("event.type", List.of("change"));
  }

  @Example
  void ecs_certificateLogin_namesTheCertificate() throws Exception {
    ClientIdentity cert = ClientIdentity.of("press-1", "press-1").withCertificateChain(
        PRESS.chain().toArray(new X509Certificate[0]));
    Map<String, Object> f = JsonTree.flatten(JsonTree.object(AuditFormat.ECS.encode(
        new SecurityEvent.AuthSucceeded(T, cert, "certificate CN"))));
    X509Certificate c = PRESS.certificate();
    assertThat(f).containsEntry("tls.client.x509.subject.distinguished_name", "CN=press-1")
        .containsEntry("tls.client.x509.issuer.distinguished_name", "CN=Audit CA")
        .containsEntry("tls.client.x509.serial_number", c.getSerialNumber().toString(16).toUpperCase())
        .containsEntry("tls.client.x509.not_after", c.getNotAfter().toInstant().toString());
    assertThat((String) f.get("tls.client.hash.sha256")).matches("[0-9A-F]{64}");
  }

  @Example
  void ecs_alert_isAnAlertNamingItsRule() throws Exception {
    Map<String, Object> f = JsonTree.flatten(JsonTree.object(AuditFormat.ECS.encode(new SecurityEvent.AlertRaised(
        T, Detector.BRUTE_FORCE, who(), "address 10.0.3.17", 10, Duration.ofMinutes(1), "10 failed logins"))));
    assertThat(f).containsEntry("event.kind", "alert").containsEntry("event.action", "alert.brute-force")
        .containsEntry("rule.name", "alert.brute-force")
        .containsEntry("event.category", List.of("authentication", "intrusion_detection"))
        .containsEntry("event.start", "2026-12-01T10:14:30.123Z").containsEntry("event.end",
            "2026-12-01T10:15:30.123Z").containsEntry("mqtt.count", 10L).doesNotContainKey("event.outcome");
  }

  @Example
  void ocsf_loginAndLogout_areAuthentication() throws Exception {
    Map<String, Object> in = JsonTree.object(AuditFormat.OCSF.encode(new SecurityEvent.AuthFailed(T, who(),
        AuthResult.Outcome.BAD_CREDENTIALS, "bad password"), "tcp"));
    assertThat(in).containsEntry("class_uid", 3002L).containsEntry("activity_id", 1L).containsEntry("type_uid",
        300201L).containsEntry("status_id", 2L).containsEntry("status_code", "BAD_CREDENTIALS")
        .containsEntry("status_detail", "bad password").containsEntry("time", T.toEpochMilli())
        .containsEntry("user", Map.of("name", "press-1", "type_id", 1L, "type", "User"))
        .containsEntry("src_endpoint", Map.of("uid", "press-1-a", "ip", "10.0.3.17"));
    assertThat(JsonTree.flatten(in)).containsEntry("metadata.event_code", "connect.failure")
        .containsEntry("metadata.version", "1.8.0").containsEntry("metadata.product.name", "mqtt-sec")
        .containsEntry("unmapped.listener", "tcp");
    Map<String, Object> out = JsonTree.object(AuditFormat.OCSF.encode(new SecurityEvent.ClientDisconnected(T,
        who(), SecurityEvent.Initiator.CLIENT, "normal disconnection")));
    assertThat(out).containsEntry("class_uid", 3002L).containsEntry("activity_id", 2L).containsEntry("status_id",
        1L);
  }

  @Example
  void ocsf_denial_isApiActivityOnTheTopic() throws Exception {
    Map<String, Object> f = JsonTree.flatten(JsonTree.object(AuditFormat.OCSF.encode(new SecurityEvent
        .AccessDenied(T, who(), Action.SUBSCRIBE, "factory/#", "no rule matched"))));
    assertThat(f).containsEntry("class_uid", 6003L).containsEntry("activity_id", 2L).containsEntry("status_id", 2L)
        .containsEntry("api.operation", "SUBSCRIBE").containsEntry("actor.user.name", "press-1")
        .containsEntry("resources", List.of(Map.of("type", "mqtt topic", "name", "factory/#")));
  }

  @Example
  void ocsf_alert_isADetectionFinding() throws Exception {
    Map<String, Object> f = JsonTree.flatten(JsonTree.object(AuditFormat.OCSF.encode(new SecurityEvent.AlertRaised(
        T, Detector.DENIAL_BURST, who(), "client press-1-a", 20, Duration.ofMinutes(1), "20 denials"))));
    assertThat(f).containsEntry("class_uid", 2004L).containsEntry("is_alert", true)
        .containsEntry("finding_info.types", List.of("alert.denial-burst")).containsEntry("finding_info.title",
            "20 denials").containsEntry("count", 20L).containsEntry("metadata.event_code", "alert.denial-burst");
    assertThat((String) f.get("finding_info.uid")).startsWith("alert.denial-burst-" + T.toEpochMilli());
  }

  @Example
  void mqttSec_linesAreAsBefore() throws Exception {
    assertThat(AuditFormat.MQTT_SEC.encode(new SecurityEvent.AccessDenied(T, who(), Action.PUBLISH,
        "factory/press-2/temp", "no rule matched"), "tcp")).isEqualTo("{\"time\":\"2026-12-01T10:15:30.123Z\","
        + "\"event\":\"acl.denied\",\"clientId\":\"press-1-a\",\"user\":\"press-1\",\"address\":\"10.0.3.17\","
        + "\"listener\":\"tcp\",\"action\":\"PUBLISH\",\"topic\":\"factory/press-2/temp\","
        + "\"rule\":\"no rule matched\"}");
  }

  @Example
  void formats_areNamedAsInTheConfiguration() {
    assertThat(AuditFormat.named("ECS")).isEqualTo(AuditFormat.ECS);
    assertThat(AuditFormat.named("ocsf")).isEqualTo(AuditFormat.OCSF);
    assertThat(AuditFormat.named("mqtt-sec")).isEqualTo(AuditFormat.MQTT_SEC);
    assertThatThrownBy(() -> AuditFormat.named("cef")).hasMessage(
        "\"cef\" is not an audit format (known: mqtt-sec, ecs, ocsf)");
  }

  // ------------------------------------------------------------------------------------- hostile input

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<Character> interesting = Arbitraries.of('"', '\\', '\n', '\r', '\u0000', '\u001f', '\u007f',
        '\u2028', '\u2029', '\uD800', '\uDBFF', '\uDC00', '\uFFFF', '\uFEFF', '/', 'a', 'é', '€');
    Arbitrary<String> pairs = Arbitraries.of("\uD83D\uDE00", "\uD83D", "\uDE00\uD83D").list().ofMaxSize(600)
        .map(l -> String.join("", l));
    Arbitrary<String> mixed = Arbitraries.oneOf(interesting, Arbitraries.chars()).list().ofMaxSize(1500)
        .map(cs -> {
          StringBuilder sb = new StringBuilder();
          cs.forEach(sb::append);
          return sb.toString();
        });
    return Arbitraries.oneOf(mixed, pairs);
  }

  @Property(tries = 150)
  void everyFormat_everyEvent_isValidBoundedJson(@ForAll("hostile") String text) throws Exception {
    for (SecurityEvent e : hostileEvents(text)) {
      for (AuditFormat format : AuditFormat.values()) {
        checkLine(format, format.encode(e, text));
      }
    }
  }

  @Example
  void sixtyFourKilobyteFields_areCutAndSaidToBe() throws Exception {
    String big = "é".repeat(32 * 1024) + "\uD83D";
    for (SecurityEvent e : hostileEvents(big)) {
      for (AuditFormat format : AuditFormat.values()) {
        String line = format.encode(e, big);
        checkLine(format, line);
        switch (format) {
          case MQTT_SEC -> assertThat(line).containsPattern("\"[a-zA-Z]+Length\":6553[0-9]");
          case ECS -> assertThat(JsonTree.flatten(JsonTree.object(line))).containsKey("mqtt.truncated");
          case OCSF -> assertThat(JsonTree.flatten(JsonTree.object(line))).containsEntry("metadata.is_truncated",
              true).containsKey("unmapped.truncated");
          default -> throw new IllegalStateException();
        }
      }
    }
  }

  @Example
  void aTextThatIsNotCut_comesBackWhole() throws Exception {
    String text = "a\"b\\c\nd\u0001e\u2028f\uD83D\uDE00g";
    SecurityEvent e = new SecurityEvent.AuthFailed(T, who(), AuthResult.Outcome.BAD_CREDENTIALS, text);
    assertThat(JsonTree.object(AuditFormat.MQTT_SEC.encode(e))).containsEntry("reason", text);
    assertThat(JsonTree.flatten(JsonTree.object(AuditFormat.ECS.encode(e)))).containsEntry("event.reason", text);
    assertThat(JsonTree.object(AuditFormat.OCSF.encode(e))).containsEntry("status_detail", text);
    assertThat(JsonTree.object(AuditFormat.MQTT_SEC.encode(new SecurityEvent.AuthFailed(T, who(),
        AuthResult.Outcome.BAD_CREDENTIALS, "x\uD800y")))).containsEntry("reason", "x\uFFFDy");
  }

  private static List<SecurityEvent> hostileEvents(String text) throws Exception {
    ClientIdentity w = ClientIdentity.of(text.isEmpty() ? "u" : text, text).withRemoteAddress(
        InetAddress.getByName("10.0.3.17"));
    List<SecurityEvent> out = new ArrayList<>(List.of(
        new SecurityEvent.AuthSucceeded(T, w, text),
        new SecurityEvent.AuthFailed(T, w, AuthResult.Outcome.BAD_CREDENTIALS, text),
        new SecurityEvent.AccessDenied(T, w, Action.PUBLISH, text, text),
        new SecurityEvent.TakeoverRefused(T, w, text),
        new SecurityEvent.ClientDisconnected(T, w, SecurityEvent.Initiator.BROKER, text),
        new SecurityEvent.WillSuppressed(T, w, text, text),
        new SecurityEvent.LimitExceeded(T, w, text, text, text, 3, T),
        new SecurityEvent.AlertRaised(T, Detector.DENIAL_BURST, w, text, 20, Duration.ofMinutes(1), text),
        new SecurityEvent.PolicyReloaded(T, text, text),
        new SecurityEvent.PolicyReloadFailed(T, text, text),
        new SecurityEvent.CertificateExpiring(T, text, text, text, T),
        new SecurityEvent.CrlOverdue(T, text, T, false),
        new SecurityEvent.CertificateRejected(T, text, text)));
    return out;
  }

  /** The longest line any event may make: every field at its cut, every char escaped six-fold, and the rest. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private static void checkLine(AuditFormat format, String line) {
    Object parsed = JsonTree.parse(line);
    assertThat(parsed).isInstanceOf(Map.class);
    assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029");
    assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(MAX_LINE_BYTES);
    assertStringsBounded(parsed);
    List<String> problems = switch (format) {
      case ECS -> SchemaCheck.ecs(line);
      case OCSF -> SchemaCheck.ocsf(line);
      case MQTT_SEC -> List.of();
    };
    assertThat(problems).as(line).isEmpty();
  }

  private static void assertStringsBounded(Object v) {
    if (v instanceof String s) {
      assertThat(s.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(AuditLog.MAX_FIELD_BYTES);
    } else if (v instanceof Map<?, ?> m) {
      m.values().forEach(AuditFormatTest::assertStringsBounded);
    } else if (v instanceof List<?> l) {
      l.forEach(AuditFormatTest::assertStringsBounded);
    }
  }

  private static String suppressedLine(AuditFormat format) throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    AuditLog log = AuditLog.of(format, lines::add);
    for (int i = 0; i < AuditLog.DENIALS_PER_MINUTE + 3; i++) {
      log.on(new SecurityEvent.AccessDenied(T.plusSeconds(i), who(), Action.PUBLISH, "x/" + i, "no rule matched"));
    }
    log.flush(T.plus(Duration.ofMinutes(2)));
    String last = lines.get(lines.size() - 1);
    assertThat(last).contains("acl.denied.suppressed");
    return last;
  }
}
