/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every limit at exactly its value and one past it, each reservation given back on every path that refuses after
 * taking it, and the limits' own answers (builders, equality, printing) that operators and the config reader rely
 * on. {@link LimitsTest} shows the limits working; this class pins where each one draws its line.
 */
class LimitEdgesTest {

  static final long SECOND = 1_000_000_000L;

  // ------------------------------------------------------------------------------------------------ meter

  @Test
  void meter_messageSize_atTheLimitPasses_oneByteMoreDisconnects() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().maxMessageBytes(100).build(), 1_000, 0);
    assertThat(meter.admit("t", 100, 0)).isNull();
    ClientMeter.Excess e = meter.admit("t", 101, 0);
    assertThat(e).isEqualTo(new ClientMeter.Excess(Limit.MESSAGE_SIZE, Verdict.Kind.DISCONNECTED,
        "message of 101 bytes, more than 100"));
  }

  @Test
  void meter_topicBytes_countUtf8_atTheLimitPasses_oneByteMoreIsInvalid() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().maxTopicBytes(6).build(), 1_000, 0);
    assertThat(meter.admit("abcdef", 1, 0)).isNull();
    assertThat(meter.admit("ééé", 1, 0)).as("3 characters, 6 bytes").isNull();
    assertThat(meter.admit("€€", 1, 0)).as("2 characters, 6 bytes").isNull();
    ClientMeter.Excess e = meter.admit("abcdefg", 1, 0);
    assertThat(e).isEqualTo(new ClientMeter.Excess(Limit.TOPIC_LENGTH, Verdict.Kind.TOPIC_NAME_INVALID,
        "topic longer than 6 bytes"));
    assertThat(meter.admit("éééa", 1, 0)).as("4 characters, 7 bytes").isEqualTo(e);
    assertThat(meter.admit("€€a", 1, 0)).as("3 characters, 7 bytes").isEqualTo(e);
    assertThat(meter.admit("a\uD83D\uDE00a", 1, 0)).as("4 characters, 6 bytes").isNull();
    assertThat(meter.admit("aa\uD83D\uDE00a", 1, 0)).as("5 characters, 7 bytes").isEqualTo(e);
  }

  @Test
  void meter_topicLevels_atTheLimitPass_oneMoreIsInvalid_evenForEmptyLevels() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().maxTopicLevels(3).build(), 1_000, 0);
    assertThat(meter.admit("a/b/c", 1, 0)).isNull();
    assertThat(meter.admit("//", 1, 0)).as("three empty levels").isNull();
    ClientMeter.Excess e = new ClientMeter.Excess(Limit.TOPIC_LEVELS, Verdict.Kind.TOPIC_NAME_INVALID,
        "topic deeper than 3 levels");
    assertThat(meter.admit("a/b/c/d", 1, 0)).isEqualTo(e);
    assertThat(meter.admit("///", 1, 0)).as("four empty levels, as long as the limit").isEqualTo(e);
  }

  @Test
  void meter_messageRate_aTokenRefilledExactlyIsEnough() {
    // 1,000 a second is one a millisecond: an exact token each tick
    ClientMeter meter = new ClientMeter(ClientLimits.builder().messageRate(Rate.of(1000, 2)).build(), 60_000, 0);
    assertThat(meter.admit("t", 1, 0)).isNull();
    assertThat(meter.admit("t", 1, 0)).isNull();
    assertThat(meter.admit("t", 1, 0).limit()).isEqualTo(Limit.MESSAGE_RATE);
    assertThat(meter.admit("t", 1, 1)).as("one token after one tick").isNull();
    assertThat(meter.admit("t", 1, 1)).isNotNull();
    assertThat(meter.admit("t", 1, 3)).isNull();
    assertThat(meter.admit("t", 1, 3)).as("two ticks refill two").isNull();
    assertThat(meter.admit("t", 1, 3)).isNotNull();
    assertThat(meter.admit("t", 1, 1_000)).isNull();
    assertThat(meter.admit("t", 1, 1_000)).isNull();
    assertThat(meter.admit("t", 1, 1_000)).as("never more than the burst").isNotNull();
  }

  @Test
  void meter_byteRate_aPayloadOfExactlyTheTokensPasses() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().byteRate(Rate.of(1000, 1000)).build(), 60_000, 0);
    assertThat(meter.admit("t", 1000, 0)).isNull();
    ClientMeter.Excess e = meter.admit("t", 1, 0);
    assertThat(e).isEqualTo(new ClientMeter.Excess(Limit.BYTE_RATE, Verdict.Kind.QUOTA_EXCEEDED,
        "bytes past 1000/s (burst 1000)"));
    assertThat(meter.admit("t", 5, 5)).as("five bytes after five ticks").isNull();
    assertThat(meter.admit("t", 1, 5)).isNotNull();
    assertThat(meter.admit("t", 0, 5)).as("an empty payload costs nothing").isNull();
  }

  @Test
  void meter_byteRate_refillsItsRatePerTick_notOneByteATick() {
    // 2,000 bytes a second is two a millisecond
    ClientMeter meter = new ClientMeter(ClientLimits.builder().byteRate(Rate.of(2000, 100)).build(), 60_000, 0);
    assertThat(meter.admit("t", 100, 0)).isNull();
    assertThat(meter.admit("t", 10, 5)).as("ten bytes after five ticks").isNull();
    assertThat(meter.admit("t", 1, 5)).isNotNull();
  }

  @Test
  void meter_aRefusedMessageTakesNoByteTokens() {
    ClientMeter meter = new ClientMeter(ClientLimits.builder().messageRate(Rate.of(1000, 1)).byteRate(
        Rate.of(1000, 10)).build(), 60_000, 0);
    assertThat(meter.admit("t", 10, 0)).isNull();
    assertThat(meter.admit("t", 10, 0).limit()).isEqualTo(Limit.MESSAGE_RATE);
    assertThat(meter.admit("t", 1, 1)).as("one message token, one byte token: the refused one took none")
        .isNull();
  }

  @Test
  void meter_anExcessDisconnects_exactlyWhenItHasLastedItsTime_andAGapOfMoreThanASecondEndsIt() {
    // a payload past the bucket's burst is refused whenever it comes
    ClientMeter meter = new ClientMeter(ClientLimits.builder().byteRate(Rate.of(1000, 1000)).build(), 2_000, 0);
    assertThat(meter.admit("t", 5_000, 0).kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    assertThat(meter.admit("t", 5_000, 1_000).kind()).as("a second's gap continues the episode")
        .isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    assertThat(meter.admit("t", 5_000, 1_999).kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    ClientMeter.Excess end = meter.admit("t", 5_000, 2_000);
    assertThat(end).isEqualTo(new ClientMeter.Excess(Limit.BYTE_RATE, Verdict.Kind.DISCONNECTED,
        "bytes past 1000/s (burst 1000) for 2 s"));
    assertThat(meter.admit("t", 5_000, 3_001).kind()).as("more than a second's gap: a new episode")
        .isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    assertThat(meter.admit("t", 5_000, 4_001).kind()).isEqualTo(Verdict.Kind.QUOTA_EXCEEDED);
    assertThat(meter.admit("t", 5_000, 5_001).reason()).endsWith(" for 2 s");
    assertThat(meter.admit("t", 5_000, 6_000).reason()).as("whole seconds").endsWith(" for 2 s");
    assertThat(meter.admit("t", 5_000, 6_001).reason()).endsWith(" for 3 s");
  }

  @Test
  void meter_answers_whileItLasts_andForTheInFlightTimeAfterANormalEnd_butNeverAfterMqttSecEndedIt() {
    ClientMeter meter = new ClientMeter(ClientLimits.UNLIMITED, 1_000, 0);
    assertThat(meter.answers(1_000_000, 50)).isTrue();
    meter.goneAt = 100;
    assertThat(meter.answers(150, 50)).isTrue();
    assertThat(meter.answers(151, 50)).isFalse();
    meter.goneAt = 0;
    meter.endedByMqttSec = true;
    assertThat(meter.answers(0, 50)).isFalse();
  }

  @Test
  void meter_limitsPublish_whenAnyPublishLimitIsSet_andNotForSubscriptionsOrConnections() {
    assertThat(new ClientMeter(ClientLimits.UNLIMITED, 1, 0).limitsPublish()).isFalse();
    assertThat(new ClientMeter(ClientLimits.builder().maxSubscriptions(1).maxConnections(1).build(), 1, 0)
        .limitsPublish()).isFalse();
    List<ClientLimits> each = List.of(ClientLimits.builder().messageRate(Rate.of(1, 1)).build(),
        ClientLimits.builder().byteRate(Rate.of(1, 1)).build(), ClientLimits.builder().maxMessageBytes(1).build(),
        ClientLimits.builder().maxTopicBytes(1).build(), ClientLimits.builder().maxTopicLevels(1).build());
    for (ClientLimits l : each) {
      assertThat(new ClientMeter(l, 1, 0).limitsPublish()).as(l.toString()).isTrue();
    }
  }

  @Test
  void meter_subscriptions_upToTheLimit_andWithoutALimitAnyNumber() {
    ClientMeter limited = new ClientMeter(ClientLimits.builder().maxSubscriptions(2).build(), 1, 0);
    assertThat(limited.subscribe("a")).isTrue();
    assertThat(limited.subscribe("b")).isTrue();
    assertThat(limited.subscribe("c")).isFalse();
    limited.unsubscribed(Set.of("a", "never-held"));
    assertThat(limited.subscribe("c")).isTrue();
    assertThat(limited.subscribe("d")).isFalse();
    ClientMeter open = new ClientMeter(ClientLimits.UNLIMITED, 1, 0);
    for (int i = 0; i < 1_000; i++) {
      assertThat(open.subscribe("f/" + i)).isTrue();
    }
    open.unsubscribed(Set.of("f/1"));
  }

  @Test
  void meter_closeWindows_reportsOnlyWindowsWithMoreThanTheirFirstExcess() {
    ClientMeter meter = new ClientMeter(ClientLimits.UNLIMITED, 1, 0);
    List<String> reports = new ArrayList<>();
    meter.closeWindows(0, true, (l, r) -> reports.add(l + " " + r.count()));
    meter.window(Limit.MESSAGE_RATE).excess(0);
    meter.window(Limit.MESSAGE_RATE).excess(1);
    meter.window(Limit.BYTE_RATE).excess(0);
    meter.closeWindows(LimitWindow.MINUTE - 1, false, (l, r) -> reports.add(l + " " + r.count()));
    assertThat(reports).as("not a minute old").isEmpty();
    meter.closeWindows(LimitWindow.MINUTE, false, (l, r) -> reports.add(l + " " + r.count()));
    assertThat(reports).containsExactly("MESSAGE_RATE 2");
  }

  @Test
  void window_closesAtExactlyAMinute_andAnExcessThenOpensTheNext() {
    LimitWindow w = new LimitWindow();
    w.excess(0);
    w.excess(1);
    assertThat(w.close(LimitWindow.MINUTE - 1, false)).isNull();
    assertThat(w.close(LimitWindow.MINUTE, false)).isEqualTo(new LimitWindow.Report(2, 0));
    LimitWindow v = new LimitWindow();
    v.excess(0);
    v.excess(1);
    assertThat(v.excess(LimitWindow.MINUTE - 1)).isNull();
    assertThat(v.excess(LimitWindow.MINUTE)).isEqualTo(new LimitWindow.Report(3, 0));
    assertThat(v.close(LimitWindow.MINUTE + 1, true)).as("only the excess that opened it").isNull();
  }

  // -------------------------------------------------------------------------------------------------- gate

  @Test
  void gate_aPrefixThatRefuses_givesTheAddressItsConnectionBack() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().addressMaxConnections(1).prefixConnectRate(Rate.of(1, 1))
        .build(), 0);
    InetAddress second = InetAddress.getByName("10.0.0.2");
    assertThat(gate.admit(InetAddress.getByName("10.0.0.1"), 0).stop()).isNull();
    assertThat(gate.admit(second, 0).stop().limit()).isEqualTo(Limit.PREFIX_CONNECT_RATE);
    assertThat(gate.admit(second, SECOND).stop()).as("its one connection was never taken").isNull();
  }

  @Test
  void gate_prefixConnections_atTheLimitRefuse_andGiveTheAddressItsConnectionBack() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().addressMaxConnections(1).prefixMaxConnections(2).build(),
        0);
    ConnectGate.Ticket one = gate.admit(InetAddress.getByName("10.0.0.1"), 0);
    assertThat(gate.admit(InetAddress.getByName("10.0.0.2"), 0).stop()).isNull();
    ConnectGate.Stop stop = gate.admit(InetAddress.getByName("10.0.0.3"), 0).stop();
    assertThat(stop.limit()).isEqualTo(Limit.PREFIX_CONNECTIONS);
    assertThat(stop.state().where).isEqualTo("10.0.0.0/24");
    gate.release(one);
    assertThat(gate.admit(InetAddress.getByName("10.0.0.3"), 0).stop()).as("the refused address holds nothing")
        .isNull();
  }

  @Test
  void gate_aBrokerRateThatRefuses_givesAddressAndPrefixTheirConnectionsBack() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().brokerConnectRate(Rate.of(1, 1)).addressMaxConnections(1)
        .prefixMaxConnections(1).build(), 0);
    InetAddress a = InetAddress.getByName("10.0.0.1");
    gate.release(gate.admit(a, 0));
    ConnectGate.Stop stop = gate.admit(a, 0).stop();
    assertThat(stop.limit()).isEqualTo(Limit.BROKER_CONNECT_RATE);
    assertThat(stop.state().where).isEqualTo("broker");
    assertThat(gate.admit(a, SECOND).stop()).isNull();
  }

  @Test
  void gate_releasingTwice_neverLendsAConnection() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().addressMaxConnections(1).prefixMaxConnections(1).build(),
        0);
    InetAddress a = InetAddress.getByName("10.0.0.1");
    ConnectGate.Ticket t = gate.admit(a, 0);
    gate.release(t);
    gate.release(t);
    gate.release(null);
    assertThat(gate.admit(a, 0).stop()).isNull();
    assertThat(gate.admit(a, 0).stop()).as("one connection, not two").isNotNull();
  }

  @Test
  void gate_tracksAddressesAndPrefixes_andForgetsOnlyIdleOnes() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().addressConnectRate(Rate.of(1, 1)).prefixMaxConnections(5)
        .build(), 0);
    ConnectGate.Ticket held = gate.admit(InetAddress.getByName("10.0.0.1"), 0);
    gate.release(gate.admit(InetAddress.getByName("10.0.1.1"), 0));
    assertThat(gate.tracked()).isEqualTo(4);
    gate.sweep(0, (s, l, r) -> { });
    assertThat(gate.tracked()).as("a bucket taken from, a connection held").isEqualTo(3);
    gate.sweep(SECOND, (s, l, r) -> { });
    assertThat(gate.tracked()).as("10.0.0.1 holds its connection; 10.0.1.1 and its prefix are idle").isEqualTo(2);
    gate.release(held);
    gate.sweep(SECOND, (s, l, r) -> { });
    assertThat(gate.tracked()).isZero();
  }

  @Test
  void gate_sweep_reportsEveryMinuteOldWindowOfAddressesPrefixesAndTheBroker() throws Exception {
    ConnectGate gate = new ConnectGate(Limits.builder().addressConnectRate(Rate.of(1, 1)).addressMaxConnections(5)
        .prefixConnectRate(Rate.of(1, 1)).brokerConnectRate(Rate.of(1, 1)).build(), 0);
    ConnectGate.Ticket t = gate.admit(InetAddress.getByName("10.0.0.1"), 0);
    ConnectGate.State address = t.address();
    ConnectGate.State prefix = t.prefix();
    ConnectGate.State broker = gate.admit(InetAddress.getByName("10.9.0.1"), 0).stop().state();
    Consumer<LimitWindow> twice = w -> {
      w.excess(0);
      w.excess(1);
    };
    twice.accept(address.window(Limit.ADDRESS_CONNECT_RATE));
    twice.accept(address.window(Limit.ADDRESS_CONNECTIONS));
    twice.accept(prefix.window(Limit.PREFIX_CONNECT_RATE));
    twice.accept(broker.window(Limit.BROKER_CONNECT_RATE));
    assertThat(address.window(Limit.ADDRESS_CONNECTIONS)).isSameAs(address.quotaWindow);
    assertThat(address.window(Limit.ADDRESS_CONNECT_RATE)).isSameAs(address.rateWindow);
    List<String> reports = new ArrayList<>();
    gate.sweep(LimitWindow.MINUTE, (s, l, r) -> reports.add(s.where + " " + l + " " + r.count()));
    assertThat(reports).containsExactlyInAnyOrder("10.0.0.1 ADDRESS_CONNECT_RATE 2",
        "10.0.0.1 ADDRESS_CONNECTIONS 2", "10.0.0.0/24 PREFIX_CONNECT_RATE 2", "broker BROKER_CONNECT_RATE 2");
  }

  @Test
  void gate_prefix_keepsExactlyItsBits() throws Exception {
    ConnectGate v4 = new ConnectGate(Limits.builder().prefixes(20, 60).prefixMaxConnections(1).build(), 0);
    assertThat(v4.prefix(InetAddress.getByName("10.1.255.255"))).isEqualTo("10.1.240.0/20");
    assertThat(v4.prefix(InetAddress.getByName("2001:db8:1:2ff:ffff::1"))).isEqualTo("2001:db8:1:2f0:0:0:0:0/60");
    ConnectGate edges = new ConnectGate(Limits.builder().prefixes(32, 1).prefixMaxConnections(1).build(), 0);
    assertThat(edges.prefix(InetAddress.getByName("10.1.2.3"))).isEqualTo("10.1.2.3/32");
    assertThat(edges.prefix(InetAddress.getByName("ffff::1"))).isEqualTo("8000:0:0:0:0:0:0:0/1");
  }

  @Test
  void tokenBucket_isFullOnlyWhenRefilledToItsBurst() {
    TokenBucket b = new TokenBucket(Rate.of(1, 2), 0, 1e9);
    assertThat(b.full(0)).isTrue();
    assertThat(b.tryTake(1, 0)).isTrue();
    assertThat(b.full(0)).isFalse();
    assertThat(b.full(SECOND - 1)).isFalse();
    assertThat(b.full(SECOND)).isTrue();
    assertThat(b.tryTake(3, SECOND)).as("more than the burst").isFalse();
    assertThat(b.tryTake(2, SECOND)).isTrue();
  }

  // ---------------------------------------------------------------------------------------------- values

  @Test
  void clientLimits_printEveryLimitSet_inOrder_andNoLimitsWhenNone() {
    ClientLimits all = ClientLimits.builder().messageRate(Rate.of(50, 100)).byteRate(Rate.of(1.5, 4))
        .maxMessageBytes(10).maxSubscriptions(11).maxTopicBytes(12).maxTopicLevels(13).maxConnections(14).build();
    assertThat(all).hasToString("messages 50/s (burst 100), bytes 1.5/s (burst 4), message size 10, "
        + "subscriptions 11, topic bytes 12, topic levels 13, connections per user 14");
    assertThat(ClientLimits.UNLIMITED).hasToString("no limits");
    assertThat(ClientLimits.builder().maxTopicLevels(3).build()).hasToString("topic levels 3");
    assertThat(all.maxTopicBytes()).contains(12);
    assertThat(all.maxTopicLevels()).contains(13);
    assertThat(ClientLimits.UNLIMITED.maxTopicBytes()).isEmpty();
  }

  @Test
  void clientLimits_areEqualOnlyWhenEveryLimitIs() {
    ClientLimits all = ClientLimits.builder().messageRate(Rate.of(50, 100)).byteRate(Rate.of(1, 4))
        .maxMessageBytes(10).maxSubscriptions(11).maxTopicBytes(12).maxTopicLevels(13).maxConnections(14).build();
    ClientLimits same = all.toBuilder().build();
    assertThat(same).isEqualTo(all).hasSameHashCodeAs(all).hasToString(all.toString());
    assertThat(all).isNotEqualTo(ClientLimits.UNLIMITED).isNotEqualTo("no limits");
    assertThat(all.hashCode()).isNotEqualTo(ClientLimits.UNLIMITED.hashCode());
  }

  @Test
  void clientLimits_eachLimitIsSetOnce_evenToNone() {
    List<Consumer<ClientLimits.Builder>> setters = List.of(b -> b.messageRate(null), b -> b.byteRate(null),
        b -> b.maxMessageBytes(null), b -> b.maxSubscriptions(null), b -> b.maxTopicBytes(null),
        b -> b.maxTopicLevels(null), b -> b.maxConnections(null));
    List<String> names = List.of("message rate", "byte rate", "maximum message size", "maximum subscriptions",
        "maximum topic length", "maximum topic levels", "maximum connections per user");
    for (int i = 0; i < setters.size(); i++) {
      ClientLimits.Builder b = ClientLimits.builder();
      setters.get(i).accept(b);
      Consumer<ClientLimits.Builder> again = setters.get(i);
      assertThatThrownBy(() -> again.accept(b)).isInstanceOf(IllegalStateException.class)
          .hasMessage(names.get(i) + " was already set to none");
    }
    assertThatThrownBy(() -> ClientLimits.DEVICE.toBuilder().maxSubscriptions(5).maxSubscriptions(6))
        .hasMessage("maximum subscriptions was already set to 5");
    assertThat(ClientLimits.DEVICE.toBuilder().maxSubscriptions(null).build().maxSubscriptions())
        .as("a builder from limits may clear one").isEmpty();
  }

  @Test
  void limits_eachSettingIsSetOnce() {
    List<Consumer<Limits.Builder>> setters = List.of(b -> b.clients(ClientLimits.DEVICE),
        b -> b.addressConnectRate(Rate.of(1, 1)), b -> b.addressMaxConnections(1), b -> b.prefixes(24, 64),
        b -> b.prefixConnectRate(Rate.of(1, 1)), b -> b.prefixMaxConnections(1),
        b -> b.brokerConnectRate(Rate.of(1, 1)), b -> b.excessDisconnectAfter(Duration.ofSeconds(1)));
    for (Consumer<Limits.Builder> setter : setters) {
      Limits.Builder b = Limits.builder();
      setter.accept(b);
      assertThatThrownBy(() -> setter.accept(b)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("was already set to");
    }
  }

  @Test
  void limits_prefixLengths_fromOneToTheAddressLength() {
    Limits widest = Limits.builder().prefixes(1, 1).build();
    assertThat(widest.ipv4Prefix()).isEqualTo(1);
    assertThat(widest.ipv6Prefix()).isEqualTo(1);
    Limits narrowest = Limits.builder().prefixes(32, 128).build();
    assertThat(narrowest.ipv4Prefix()).isEqualTo(32);
    assertThat(narrowest.ipv6Prefix()).isEqualTo(128);
    for (int[] bad : new int[][] {{0, 64}, {33, 64}, {24, 0}, {24, 129}}) {
      assertThatThrownBy(() -> Limits.builder().prefixes(bad[0], bad[1])).isInstanceOf(
          IllegalArgumentException.class).hasMessage("prefix lengths must be 1-32 (IPv4) and 1-128 (IPv6), not /"
          + bad[0] + " and /" + bad[1]);
    }
    assertThat(Limits.builder().prefixMaxConnections(7).build().prefixMaxConnections()).contains(7);
  }

  @Test
  void limits_printEverySettingThatIsSet() {
    ClientLimits one = ClientLimits.builder().maxConnections(1).build();
    Limits all = Limits.builder().clients(ClientLimits.builder().maxSubscriptions(5).build()).user("a*", one)
        .user("b", ClientLimits.UNLIMITED).addressConnectRate(Rate.of(20, 40)).addressMaxConnections(100)
        .prefixes(16, 48).prefixConnectRate(Rate.of(200, 400)).prefixMaxConnections(1000)
        .brokerConnectRate(Rate.of(500, 1000)).build();
    assertThat(all).hasToString("clients: subscriptions 5; user a*: connections per user 1; user b: no limits; "
        + "per address: connects 20/s (burst 40) connections 100; per /16 and /48: connects 200/s (burst 400) "
        + "connections 1000; broker: connects 500/s (burst 1000)");
    assertThat(Limits.NONE).hasToString("clients: no limits");
    assertThat(Limits.builder().addressMaxConnections(3).prefixMaxConnections(4).build()).hasToString(
        "clients: no limits; per address: connections 3; per /24 and /64: connections 4");
    assertThat(Limits.builder().addressConnectRate(Rate.of(3, 3)).prefixConnectRate(Rate.of(4, 4)).build())
        .hasToString("clients: no limits; per address: connects 3/s (burst 3); per /24 and /64: connects "
            + "4/s (burst 4)");
    assertThat(all.users()).containsExactly(java.util.Map.entry("a*", one),
        java.util.Map.entry("b", ClientLimits.UNLIMITED));
  }

  @Test
  void limits_globs_starForAnyRun_questionMarkForOne_fromTheFirstCharacter() {
    assertThat(Limits.isGlob("*x")).isTrue();
    assertThat(Limits.isGlob("?x")).isTrue();
    assertThat(Limits.isGlob("x")).isFalse();
    assertThat(Limits.glob("*", 0, "", 0)).isTrue();
    assertThat(Limits.glob("a*b", 0, "ab", 0)).isTrue();
    assertThat(Limits.glob("a*b", 0, "axxb", 0)).isTrue();
    assertThat(Limits.glob("a*b", 0, "abc", 0)).isFalse();
    assertThat(Limits.glob("a*", 0, "b", 0)).isFalse();
    assertThat(Limits.glob("?", 0, "", 0)).isFalse();
    assertThat(Limits.glob("?", 0, "ab", 0)).isFalse();
    assertThat(Limits.glob("a?c", 0, "abc", 0)).isTrue();
    assertThat(Limits.glob("a?c", 0, "abd", 0)).isFalse();
    Limits limits = Limits.builder().user("*-7", ClientLimits.DEVICE).user("?x", ClientLimits.UNLIMITED).build();
    assertThat(limits.forUser("press-7")).isEqualTo(ClientLimits.DEVICE);
    assertThat(limits.forUser("ax")).isEqualTo(ClientLimits.UNLIMITED);
    assertThat(limits.forUser("press-8")).isEqualTo(ClientLimits.UNLIMITED.toBuilder().build());
    assertThat(limits.overridesMatchingNone(List.of("bx"))).containsExactly("*-7");
  }
}
