/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.SecurityEvent;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits: the meter and the gate on their own (with a moved clock), then as the broker layer applies them. */
class LimitsTest {

  static final long SECOND = 1_000_000_000L;

  // ------------------------------------------------------------------------------------------------ meter
  // (a meter counts in the broker layer's millisecond tick)

  @Test
  void meter_messageRate_allowsTheBurst_thenTheRate_andDisconnectsWhenTheExcessLasts() {
    ClientLimits limits = ClientLimits.builder().messageRate(Rate.of(10, 20)).build();
    ClientMeter meter = new ClientMeter(limits, 5_000, 0);
    int admitted = 0;
    for (int i = 0; i < 30; i++) {
      admitted += meter.admit("t", 1, 0) == null ? 1 : 0;
    }
    assertThat(admitted).as("the burst at once").isEqualTo(20);
    ClientMeter.Excess refused = meter.admit("t", 1, 0);
    assertThat(refused.kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    assertThat(refused.limit()).isEqualTo(Limit.MESSAGE_RATE);
    assertThat(refused.reason()).isEqualTo("messages past 10/s (burst 20)");
    // flooding for 6 s: 10 a second get through, and after 5 s of excess the client is disconnected
    admitted = 0;
    ClientMeter.Excess last = null;
    for (long t = 1; t <= 6 * 1000; t++) {
      ClientMeter.Excess e = meter.admit("t", 1, t);
      if (e == null) {
        admitted++;
      } else {
        last = e;
      }
    }
    assertThat(admitted).isBetween(59, 61);
    assertThat(last.kind()).isEqualTo(Verdict.Kind.DISCONNECTED);
    assertThat(last.reason()).startsWith("messages past 10/s (burst 20) for ");
  }

  @Test
  void meter_aBriefBurst_endsItsEpisode_soNoDisconnect() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().messageRate(Rate.of(1, 1)).build(), 2_000, 0);
    for (long t = 0; t < 10; t++) {
      long now = t * 1500; // a burst of 3 every 1.5 s: refused, but never for 2 s on end
      assertThat(meter.admit("t", 1, now)).isNull();
      assertThat(meter.admit("t", 1, now).kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
      assertThat(meter.admit("t", 1, now + 1).kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    }
  }

  @Test
  void meter_sizeTopicLengthAndDepth_andByteRate() {
    ClientLimits limits = ClientLimits.builder().maxMessageBytes(100).maxTopicBytes(10).maxTopicLevels(3)
        .byteRate(Rate.of(100, 150)).build();
    ClientMeter meter = new ClientMeter(limits, 1_000, 0);
    assertThat(meter.admit("a/b", 101, 0)).satisfies(e -> {
      assertThat(e.kind()).isEqualTo(Verdict.Kind.DISCONNECTED);
      assertThat(e.limit()).isEqualTo(Limit.MESSAGE_SIZE);
      assertThat(e.reason()).isEqualTo("message of 101 bytes, more than 100");
    });
    assertThat(meter.admit("a/b/cdefghi", 1, 0).limit()).as("11 bytes").isEqualTo(Limit.TOPIC_LENGTH);
    assertThat(meter.admit("ééééé", 1, 0)).as("10 bytes in 5 chars").isNull();
    assertThat(meter.admit("éééééé", 1, 0).limit()).as("12 bytes in 6 chars").isEqualTo(Limit.TOPIC_LENGTH);
    assertThat(meter.admit("a/b/c/d", 1, 0).limit()).isEqualTo(Limit.TOPIC_LEVELS);
    assertThat(meter.admit("a/b/c", 100, 0)).isNull();
    assertThat(meter.admit("a/b/c", 100, 0).limit()).as("150 bytes of burst, 101 used").isEqualTo(Limit.BYTE_RATE);
  }

  @Test
  void meter_subscriptions_countDistinctFilters_andUnsubscribeFreesThem() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().maxSubscriptions(2).build(), 1_000, 0);
    assertThat(meter.subscribe("a")).isTrue();
    assertThat(meter.subscribe("a")).as("the same filter again").isTrue();
    assertThat(meter.subscribe("b")).isTrue();
    assertThat(meter.subscribe("c")).isFalse();
    meter.unsubscribed(Set.of("a"));
    assertThat(meter.subscribe("c")).isTrue();
  }

  @Test
  void window_reportsTheFirstExcess_thenAboutOnceAMinuteWithTheCount() {
    LimitWindow w = new LimitWindow();
    assertThat(w.excess(0)).isEqualTo(new LimitWindow.Report(1, 0));
    for (int i = 1; i < 100; i++) {
      assertThat(w.excess(i * SECOND / 10)).isNull();
    }
    assertThat(w.excess(61 * SECOND)).as("a flood going on").isEqualTo(new LimitWindow.Report(100, 0));
    assertThat(w.close(70 * SECOND, false)).as("not a minute old yet").isNull();
    assertThat(w.excess(80 * SECOND)).isNull();
    assertThat(w.close(122 * SECOND, false)).isEqualTo(new LimitWindow.Report(2, 61 * SECOND));
    assertThat(w.excess(200 * SECOND)).as("a new episode").isEqualTo(new LimitWindow.Report(1, 200 * SECOND));
    assertThat(w.close(201 * SECOND, true)).as("one excess, reported already").isNull();
  }

  // ------------------------------------------------------------------------------------------- overrides

  @Test
  void overrides_exactNameFirst_thenTheFirstGlob_thenTheDefaults() {
    ClientLimits gateways = ClientLimits.builder().messageRate(Rate.of(500, 1000)).build();
    ClientLimits sensors = ClientLimits.builder().messageRate(Rate.of(1, 2)).build();
    ClientLimits one = ClientLimits.builder().messageRate(Rate.of(5, 5)).build();
    Limits limits = Limits.builder().clients(ClientLimits.DEVICE).user("gateway-*", gateways)
        .user("sensor_?1", sensors).user("gateway-7", one).build();
    assertThat(limits.forUser("gateway-1")).isEqualTo(gateways);
    assertThat(limits.forUser("gateway-7")).isEqualTo(one);
    assertThat(limits.forUser("sensor_a1")).isEqualTo(sensors);
    assertThat(limits.forUser("sensor_ab1")).isEqualTo(ClientLimits.DEVICE);
    assertThat(limits.forUser(null)).isEqualTo(ClientLimits.DEVICE);
    assertThat(limits.overridesMatchingNone(List.of("gateway-1", "press-1"))).containsExactly("sensor_?1",
        "gateway-7");
    assertThatThrownBy(() -> Limits.builder().user("a", one).user("a", one)).isInstanceOf(
        IllegalStateException.class).hasMessageStartingWith("the limits of user a was already set to");
    assertThatThrownBy(() -> ClientLimits.builder().maxSubscriptions(0)).isInstanceOf(
        IllegalArgumentException.class).hasMessage("maximum subscriptions must be at least 1, not 0");
    assertThatThrownBy(() -> Rate.of(0, 1)).hasMessage("a rate must be positive, not 0.0");
  }

  // -------------------------------------------------------------------------------------------------- gate

  @Test
  void gate_addressRate_andConnections_andRelease() throws Exception {
    Limits limits = Limits.builder().addressConnectRate(Rate.of(1, 3)).addressMaxConnections(2).build();
    ConnectGate gate = new ConnectGate(limits, 0);
    InetAddress a = InetAddress.getByName("10.0.3.17");
    ConnectGate.Ticket first = gate.admit(a, 0);
    ConnectGate.Ticket second = gate.admit(a, 0);
    assertThat(first.stop()).isNull();
    assertThat(gate.admit(a, 0).stop().limit()).isEqualTo(Limit.ADDRESS_CONNECTIONS);
    gate.release(first);
    assertThat(gate.admit(a, 0).stop()).isNull();
    gate.release(second);
    assertThat(gate.admit(a, 0).stop().limit()).as("3 tokens of burst spent").isEqualTo(
        Limit.ADDRESS_CONNECT_RATE);
    assertThat(gate.admit(InetAddress.getByName("10.0.3.18"), 0).stop()).as("another address").isNull();
  }

  @Test
  void gate_prefixesGroupAddresses_ipv4And64BitIpv6() throws Exception {
    Limits limits = Limits.builder().prefixConnectRate(Rate.of(1, 2)).build();
    ConnectGate gate = new ConnectGate(limits, 0);
    assertThat(gate.prefix(InetAddress.getByName("10.0.3.17"))).isEqualTo("10.0.3.0/24");
    assertThat(gate.prefix(InetAddress.getByName("2001:db8:1:2:aaaa::1"))).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(gate.admit(InetAddress.getByName("10.0.3.1"), 0).stop()).isNull();
    assertThat(gate.admit(InetAddress.getByName("10.0.3.2"), 0).stop()).isNull();
    assertThat(gate.admit(InetAddress.getByName("10.0.3.3"), 0).stop().limit()).isEqualTo(
        Limit.PREFIX_CONNECT_RATE);
    assertThat(gate.admit(InetAddress.getByName("10.0.4.3"), 0).stop()).isNull();
    assertThat(gate.admit(InetAddress.getByName("10.0.3.3"), SECOND).stop()).as("a token a second").isNull();
  }

  @Test
  void gate_brokerRate_andIdleAddressesAreForgotten() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().brokerConnectRate(Rate.of(1, 1)).addressConnectRate(
        Rate.of(100, 100)).build(), 0);
    ConnectGate.Ticket t = gate.admit(InetAddress.getByName("10.0.0.1"), 0);
    assertThat(gate.admit(InetAddress.getByName("10.0.0.2"), 0).stop().limit()).isEqualTo(
        Limit.BROKER_CONNECT_RATE);
    assertThat(gate.tracked()).isEqualTo(2);
    gate.release(t);
    gate.sweep(10 * SECOND, (state, limit, report) -> { });
    assertThat(gate.tracked()).isZero();
  }

  @Test
  void gate_pastTheTrackedAddresses_sharesOneBudget() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().addressConnectRate(Rate.of(1, 5)).build(), 0);
    byte[] b = {10, 0, 0, 0};
    for (int i = 0; i < ConnectGate.TRACKED; i++) {
      b[1] = (byte) (i >> 16);
      b[2] = (byte) (i >> 8);
      b[3] = (byte) i;
      gate.admit(InetAddress.getByAddress(b), 0);
    }
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      admitted += gate.admit(InetAddress.getByAddress(new byte[] {11, 0, 0, (byte) i}), 0).stop() == null ? 1 : 0;
    }
    assertThat(admitted).as("the shared overflow bucket's burst").isEqualTo(5);
  }

  // --------------------------------------------------------------------------------------------- config

  @TempDir
  Path dir;

  BrokerConfig config(String limits) throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    Files.writeString(dir.resolve("acl.conf"), "");
    return BrokerConfig.read(Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec><password-file>passwd"
        + "</password-file><acl-file>acl.conf</acl-file>" + limits + "</mqtt-sec>"));
  }

  @Test
  void config_absent_isTheDefault_andEachAttributeReplacesOneValue() throws Exception {
    assertThat(config("").limits().toString()).isEqualTo(Limits.DEFAULT.toString());
    Limits l = config("""
        <limits>
          <clients message-rate="5" max-subscriptions="none" max-connections="2"/>
          <user name="gateway-*" message-rate="500" message-burst="600"/>
          <address connect-rate="none" max-connections="50"/>
          <prefix ipv4="16" ipv6="48" connect-rate="100"/>
          <broker connect-rate="1000" connect-burst="1000"/>
          <excess disconnect-after="PT10S"/>
        </limits>""").limits();
    assertThat(l.clients()).isEqualTo(ClientLimits.DEVICE.toBuilder().messageRate(Rate.of(5, 10))
        .maxSubscriptions(null).maxConnections(2).build());
    assertThat(l.forUser("gateway-3").messageRate()).contains(Rate.of(500, 600));
    assertThat(l.forUser("gateway-3").maxConnections()).as("an override starts from <clients>").contains(2);
    assertThat(l.addressConnectRate()).isEmpty();
    assertThat(l.addressMaxConnections()).contains(50);
    assertThat(l.ipv4Prefix()).isEqualTo(16);
    assertThat(l.ipv6Prefix()).isEqualTo(48);
    assertThat(l.prefixConnectRate()).contains(Rate.of(100, 200));
    assertThat(l.brokerConnectRate()).contains(Rate.of(1000, 1000));
    assertThat(l.excessDisconnectAfter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config("<limits defaults=\"none\"/>").limits().toString()).isEqualTo(Limits.NONE.toString());
  }

  @Test
  void config_badValues_areListedWithTheElementAndAttribute() {
    assertThatThrownBy(() -> config("""
        <limits defaults="strict">
          <clients message-rate="0" max-subscriptions="-1" max-message-bytes="1MB" colour="blue"/>
          <user message-rate="5"/>
          <prefix ipv4="40"/>
          <excess disconnect-after="30 seconds"/>
          <speed/>
        </limits>"""))
        .isInstanceOfSatisfying(BrokerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly(
                "<limits>: defaults=\"strict\" is not mqtt-sec or none",
                "<limits><clients>: unknown attribute colour (known: byte-burst, byte-rate, max-connections, "
                    + "max-message-bytes, max-subscriptions, max-topic-bytes, max-topic-levels, message-burst, "
                    + "message-rate)",
                "<limits><clients>: message-rate=\"0\" must be a positive number (per second), or none",
                "<limits><clients>: max-message-bytes=\"1MB\" must be a whole number of at least 1, or none",
                "<limits><clients>: max-subscriptions=\"-1\" must be a whole number of at least 1, or none",
                "<limits>: unknown element <speed> (known: address, broker, clients, excess, prefix, user)",
                "<limits><user>: needs name=\"a user name or a glob such as sensor_*\"",
                "<limits><prefix>: ipv4 must be 1-32 and ipv6 1-128, not 40 and 64",
                "<limits><excess>: disconnect-after=\"30 seconds\" is not a duration "
                    + "(such as 30d, 12h, 90m, 45s, 500ms, 1h30m, or ISO-8601 P1D, PT2S)"));
  }

  @Test
  void maxPacketBytes_isJustAboveTheLargestMessage_orZeroWhenSomeClientHasNoLimit() {
    assertThat(Limits.DEFAULT.maxPacketBytes()).isEqualTo(1_048_576 + 65_535 + 4_096);
    assertThat(Limits.NONE.maxPacketBytes()).isZero();
    Limits bigGateway = Limits.builder().clients(ClientLimits.DEVICE)
        .user("gateway-*", ClientLimits.builder().maxMessageBytes(4_000_000).build()).build();
    assertThat(bigGateway.maxPacketBytes()).isEqualTo(4_000_000 + 65_535 + 4_096);
    Limits unlimitedUser = Limits.builder().clients(ClientLimits.DEVICE).user("admin", ClientLimits.UNLIMITED)
        .build();
    assertThat(unlimitedUser.maxPacketBytes()).isZero();
  }

  // ------------------------------------------------------------------------------------ the broker layer

  final FakeBroker broker = new FakeBroker();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  BrokerSecurity security(Limits limits) {
    return BrokerSecurity.builder().acl((who, action, topic) -> io.mqttsec.api.Decision.allow("all"))
        .broker(broker).audit(events::add).authenticator((who, pw) -> io.mqttsec.api.AuthResult.success(
            who.username().orElseThrow(), "ok")).limits(limits).build();
  }

  static ConnectRequest request(String user, String clientId, String address) throws Exception {
    return ConnectRequest.builder("tls", clientId).username(user).password("pw".getBytes(StandardCharsets.UTF_8))
        .remoteAddress(InetAddress.getByName(address)).build();
  }

  <T extends SecurityEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void layer_connectLimits_refuseBeforeAnyPasswordCheck_withTheirCodes_andOneLine() throws Exception {
    try (BrokerSecurity s = security(Limits.builder().addressConnectRate(Rate.of(0.1, 2))
        .clients(ClientLimits.builder().maxConnections(1).build()).build())) {
      assertThat(s.connect(request("press-1", "a", "10.0.0.1")).accepted()).isTrue();
      ConnectResult second = s.connect(request("press-1", "b", "10.0.0.1"));
      assertThat(second.refusal()).contains(ConnectResult.Refusal.QUOTA_EXCEEDED);
      for (int i = 0; i < 5; i++) {
        assertThat(s.connect(request("press-2", "c" + i, "10.0.0.1")).refusal())
            .contains(ConnectResult.Refusal.CONNECTION_RATE_EXCEEDED);
      }
      assertThat(events(SecurityEvent.LimitExceeded.class)).extracting(e -> e.limit() + " " + e.scope() + " "
          + e.count()).containsExactly("user-connections user press-1 1", "address-connect-rate address 10.0.0.1 1");
      assertThat(s.counters().value("limit.exceeded")).isEqualTo(6);
      assertThat(s.connect(request("press-1", "a", "10.0.0.2")).accepted()).as("a reconnect replaces itself")
          .isTrue();
    }
  }

  @Test
  void layer_publishLimits_refuse_thenDisconnectWith0x96_andOversizeWith0x95() throws Exception {
    Limits limits = Limits.builder().clients(ClientLimits.builder().messageRate(Rate.of(1, 2))
        .maxMessageBytes(10).build()).excessDisconnectAfter(Duration.ofMillis(300)).build();
    try (BrokerSecurity s = security(limits)) {
      ClientSession flooder = s.connect(request("press-1", "a", "10.0.0.1")).session().orElseThrow();
      assertThat(s.admit(flooder, "t", 1).allowed()).isTrue();
      assertThat(s.admit(flooder, "t", 1).allowed()).isTrue();
      assertThat(s.admit(flooder, "t", 1)).isEqualTo(new Verdict(Verdict.Kind.QUOTA_EXCEEDED,
          "messages past 1/s (burst 2)"));
      long deadline = System.nanoTime() + 2 * SECOND;
      Verdict v;
      do {
        v = s.admit(flooder, "t", 1);
      } while (v.kind() != Verdict.Kind.DISCONNECTED && System.nanoTime() < deadline);
      assertThat(v.kind()).isEqualTo(Verdict.Kind.DISCONNECTED);
      assertThat(broker.codes).containsExactly(DisconnectReason.MESSAGE_RATE_TOO_HIGH);
      assertThat(broker.disconnected).singleElement().asString().startsWith("a: messages past 1/s (burst 2) for ");

      ClientSession big = s.connect(request("press-2", "b", "10.0.0.2")).session().orElseThrow();
      assertThat(s.admit(big, "t", 11).kind()).isEqualTo(Verdict.Kind.DISCONNECTED);
      assertThat(broker.codes).containsExactly(DisconnectReason.MESSAGE_RATE_TOO_HIGH,
          DisconnectReason.PACKET_TOO_LARGE);
      s.disconnected(flooder, SecurityEvent.Initiator.BROKER, "MESSAGE_RATE_TOO_HIGH", true);
      assertThat(events(SecurityEvent.LimitExceeded.class)).extracting(e -> e.limit() + " " + e.verdict() + " "
          + e.count()).contains("message-rate refused 1", "message-size disconnected 1")
          .anySatisfy(line -> assertThat(line).matches("message-rate refused [0-9]{2,}"));
      assertThat(events(SecurityEvent.ClientDisconnected.class)).singleElement().satisfies(e -> assertThat(
          e.initiator()).isEqualTo(SecurityEvent.Initiator.MQTT_SEC));
    }
  }

  @Test
  void layer_subscriptionLimit_refusesWithQuota_andAnAclReloadOrUnsubscribeFreesRoom() throws Exception {
    try (BrokerSecurity s = security(Limits.builder().clients(ClientLimits.builder().maxSubscriptions(2).build())
        .build())) {
      ClientSession c = s.connect(request("press-1", "a", "10.0.0.1")).session().orElseThrow();
      assertThat(s.subscribe(c, "a").allowed()).isTrue();
      assertThat(s.subscribe(c, "b").allowed()).isTrue();
      assertThat(s.subscribe(c, "c")).isEqualTo(new Verdict(Verdict.Kind.QUOTA_EXCEEDED, "more than 2 "
          + "subscriptions"));
      s.unsubscribed(c, List.of("a"));
      assertThat(s.subscribe(c, "c").allowed()).isTrue();
    }
  }

  @Test
  void layer_anAddressGetsItsConnectionBack_whenOneEnds() throws Exception {
    try (BrokerSecurity s = security(Limits.builder().addressMaxConnections(1).build())) {
      ClientSession one = s.connect(request("press-1", "a", "10.0.0.1")).session().orElseThrow();
      assertThat(s.connect(request("press-2", "b", "10.0.0.1")).refusal()).contains(
          ConnectResult.Refusal.QUOTA_EXCEEDED);
      s.disconnected(one, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
      assertThat(s.connect(request("press-2", "b", "10.0.0.1")).accepted()).isTrue();
    }
  }

  @org.junit.jupiter.api.Test
  void topicBytes_areCountedAsUtf8_atEveryEncodedLength() {
    for (String topic : java.util.List.of("a/\u007f", "a/\u0080", "a/\u07ff", "a/\u0800", "a/\uffff",
        "a/\ud83d\ude00", "\ud83d\ude00\ud83d\ude00/x", "\u00e9t\u00e9/\u4e2d")) {
      org.assertj.core.api.Assertions.assertThat(ClientMeter.utf8Length(topic)).as(topic)
          .isEqualTo(topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }
    org.assertj.core.api.Assertions.assertThat(ClientMeter.utf8Length("a\ud83d")).as("a lone high surrogate")
        .isEqualTo(4);
    org.assertj.core.api.Assertions.assertThat(ClientMeter.utf8Length("\ude00b")).as("a lone low surrogate")
        .isEqualTo(4);
  }
}
