/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import static io.mqttsec.hivemq.ExtensionTest.awaitAudit;
import static io.mqttsec.hivemq.ExtensionTest.close;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CONNECT limits on a real HiveMQ CE, with clients bound to different loopback addresses (Linux routes all of
 * 127.0.0.0/8 to the loopback interface): a connect flood from one address is held to its rate and burst (0x9F),
 * an address holds at most its connections (0x97), and a /24 prefix is held to its own rate however many
 * addresses it spreads over. Each test uses its own /24, so their buckets do not meet.
 */
class ConnectLimitsTest {

  static final String LIMITS = """
        <limits>
          <clients max-connections="none"/>
          <address connect-rate="5" connect-burst="10" max-connections="4"/>
          <prefix ipv4="24" connect-rate="2" connect-burst="15"/>
        </limits>
      """;

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir, Map.of("press-1", "press-1-secret"), "pattern readwrite factory/%u/#\n", LIMITS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static int clients;

  /** A CONNECT from {@code address}; the CONNACK's code. The client stays connected when it was accepted. */
  static Mqtt5ConnAckReasonCode connect(String address, List<Mqtt5BlockingClient> keep) {
    Mqtt5BlockingClient c = broker.clientFrom(address, "c-" + clients++);
    Mqtt5ConnAckReasonCode code = ExtensionTest.connAck(() -> c.connectWith().simpleAuth().username("press-1")
        .password("press-1-secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    if (code == Mqtt5ConnAckReasonCode.SUCCESS) {
      if (keep != null) {
        keep.add(c);
      } else {
        c.disconnect();
      }
    }
    return code;
  }

  @Test
  void aConnectFlood_fromOneAddress_isHeldToItsRateAndBurst() {
    long start = System.nanoTime();
    int accepted = 0;
    int refused = 0;
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4)) {
      Mqtt5ConnAckReasonCode code = connect("127.0.3.1", null);
      if (code == Mqtt5ConnAckReasonCode.SUCCESS) {
        accepted++;
      } else {
        assertThat(code).isIn(Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED, Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
        refused += code == Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED ? 1 : 0;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(accepted).as("burst 10 + 5/s over %.1f s", seconds).isBetween(10, (int) (10 + 5 * seconds) + 1);
    assertThat(refused).as("the flood met the rate").isPositive();
    assertThat(List.copyOf(broker.audit).stream().filter(l -> l.contains("\"limit\":\"address-connect-rate\"")
        && l.contains("\"scope\":\"address 127.0.3.1\"")).count()).as("one line, not one per refusal")
        .isEqualTo(1);
  }

  @Test
  void anAddress_holdsAtMostItsConnections() throws Exception {
    List<Mqtt5BlockingClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        assertThat(connect("127.0.4.1", open)).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
      }
      assertThat(connect("127.0.4.1", open)).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
      awaitAudit(broker, 0, "\"event\":\"limit.exceeded\"", "\"limit\":\"address-connections\"",
          "\"scope\":\"address 127.0.4.1\"");
      assertThat(connect("127.0.4.2", null)).as("another address").isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
      close(open.remove(0));
      Thread.sleep(300); // the disconnect reaches the broker layer
      assertThat(connect("127.0.4.1", open)).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    } finally {
      open.forEach(ExtensionTest::close);
    }
  }

  @Test
  void aPrefix_isHeldToItsRate_howeverManyAddressesItSpreadsOver() {
    int accepted = 0;
    long start = System.nanoTime();
    for (int i = 1; i <= 20; i++) {
      Mqtt5ConnAckReasonCode code = connect("127.0.5." + i, null);
      accepted += code == Mqtt5ConnAckReasonCode.SUCCESS ? 1 : 0;
    }
    // a burst of 15, then 2 a second: however slow the machine, no more than the refill of the time it took
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(accepted).as("the prefix's burst of 15 and the refill of %.1f s", seconds)
        .isBetween(15, 15 + (int) Math.ceil(2 * seconds));
    assertThat(connect("127.0.6.1", null)).as("another prefix").isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    if (seconds < 2.4) { // faster than the refill of the 5 past the burst: some were refused, and said so
      assertThat(accepted).isLessThan(20);
      assertThat(broker.audit).anySatisfy(l -> assertThat(l).contains("\"limit\":\"prefix-connect-rate\"",
          "\"scope\":\"prefix 127.0.5.0/24\""));
    }
  }
}
