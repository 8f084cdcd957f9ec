/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The CONNECT as mqtt-sec reads it and as Moquette then gets it: the will gone, a user name always there, the
 * rest as sent; checked against Netty's own MQTT decoder, the one Moquette uses.
 */
class ConnectPacketTest {

  /** A CONNECT as a client writes it (MQTT 3.1 allows client ids of 1 to 23 characters only). */
  static byte[] connect(int level, String clientId, boolean clean, String willTopic, byte[] willPayload, int willQos,
                        boolean willRetain, String user, byte[] password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, level == 3 ? "MQIsdp" : "MQTT");
    body.write(level);
    int flags = (clean ? 0x02 : 0) | (user != null ? 0x80 : 0) | (password != null ? 0x40 : 0);
    if (willTopic != null) {
      flags |= 0x04 | willQos << 3 | (willRetain ? 0x20 : 0);
    }
    body.write(flags);
    body.write(0);
    body.write(60);
    string(body, clientId);
    if (willTopic != null) {
      string(body, willTopic);
      binary(body, willPayload);
    }
    if (user != null) {
      string(body, user);
    }
    if (password != null) {
      binary(body, password);
    }
    byte[] rest = body.toByteArray();
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    int n = rest.length;
    do {
      int digit = n % 128;
      n /= 128;
      packet.write(n > 0 ? digit | 0x80 : digit);
    } while (n > 0);
    packet.writeBytes(rest);
    return packet.toByteArray();
  }

  private static void string(ByteArrayOutputStream out, String s) {
    binary(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void binary(ByteArrayOutputStream out, byte[] b) {
    out.write(b.length >> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  /** What Netty's decoder (Moquette's) makes of {@code bytes}. */
  static MqttConnectMessage decode(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder());
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    io.netty.handler.codec.mqtt.MqttMessage m = channel.readInbound();
    assertThat(m.decoderResult().isSuccess()).as(String.valueOf(m.decoderResult().cause())).isTrue();
    channel.finishAndReleaseAll();
    return (MqttConnectMessage) m;
  }

  @Test
  void theWillIsTakenOut_andTheRestIsAsSent() throws Exception {
    byte[] sent = connect(4, "press-1", false, "factory/press-1/status", "offline".getBytes(), 1, true, "press-1",
        "pw".getBytes());
    ConnectPacket p = ConnectPacket.parse(sent, 0, sent.length);
    assertThat(p.length).isEqualTo(sent.length);
    assertThat(p.clientId).isEqualTo("press-1");
    assertThat(p.cleanSession).isFalse();
    assertThat(p.will.topic()).isEqualTo("factory/press-1/status");
    assertThat(p.will.payload()).isEqualTo("offline".getBytes());
    assertThat(p.will.qos()).isEqualTo(1);
    assertThat(p.will.retain()).isTrue();
    MqttConnectMessage moquette = decode(p.rewritten);
    assertThat(moquette.variableHeader().isWillFlag()).isFalse();
    assertThat(moquette.variableHeader().willQos()).isZero();
    assertThat(moquette.variableHeader().isWillRetain()).isFalse();
    assertThat(moquette.variableHeader().isCleanSession()).isFalse();
    assertThat(moquette.payload().clientIdentifier()).isEqualTo("press-1");
    assertThat(moquette.payload().userName()).isEqualTo("press-1");
    assertThat(moquette.payload().passwordInBytes()).isEqualTo("pw".getBytes());
  }

  @Test
  void aConnectWithoutUserName_getsTheMarker_soMoquetteAsksTheAuthenticator() throws Exception {
    byte[] sent = connect(4, "", true, null, null, 0, false, null, null);
    ConnectPacket p = ConnectPacket.parse(sent, 0, sent.length);
    assertThat(p.hasUsername).isFalse();
    MqttConnectMessage moquette = decode(p.rewritten);
    assertThat(moquette.variableHeader().hasUserName()).isTrue();
    assertThat(moquette.payload().userName()).isEqualTo(ConnectPacket.NO_USER);
    assertThat(moquette.variableHeader().hasPassword()).isFalse();
  }

  @Test
  void aPartialConnect_isNotYetOne_andOtherBytesAreRefused() throws Exception {
    byte[] sent = connect(4, "press-1", true, null, null, 0, false, "press-1", "pw".getBytes());
    for (int n = 0; n < sent.length; n++) {
      assertThat(ConnectPacket.parse(sent, 0, n)).as("first %d bytes", n).isNull();
    }
    assertThat(ConnectPacket.parse(sent, 0, sent.length)).isNotNull();
    byte[] publish = {0x30, 3, 0, 1, 'a'};
    assertThatThrownBy(() -> ConnectPacket.parse(publish, 0, publish.length))
        .hasMessage("the first packet is not a CONNECT");
    byte[] mqtt5 = sent.clone();
    mqtt5[8] = 5;
    assertThatThrownBy(() -> ConnectPacket.parse(mqtt5, 0, mqtt5.length))
        .hasMessage("protocol MQTT level 5 is not MQTT 3.1 or 3.1.1");
    byte[] reserved = sent.clone();
    reserved[9] |= 0x01;
    assertThatThrownBy(() -> ConnectPacket.parse(reserved, 0, reserved.length))
        .hasMessage("the CONNECT's reserved flag is set");
    byte[] passwordOnly = connect(4, "x", true, null, null, 0, false, null, null);
    passwordOnly[9] |= 0x40;
    assertThatThrownBy(() -> ConnectPacket.parse(passwordOnly, 0, passwordOnly.length))
        .hasMessage("a password without a user name");
    byte[] marker = connect(4, "x", true, null, null, 0, false, ConnectPacket.NO_USER, null);
    assertThatThrownBy(() -> ConnectPacket.parse(marker, 0, marker.length)).as("never mistaken for no user name")
        .hasMessage("the user name holds U+0000");
    byte[] longer = sent.clone();
    longer[1]++; // one byte more than the fields hold
    byte[] padded = java.util.Arrays.copyOf(longer, longer.length + 1);
    assertThatThrownBy(() -> ConnectPacket.parse(padded, 0, padded.length))
        .hasMessage("the CONNECT has 1 bytes after its last field");
  }

  @Property(tries = 300)
  void anyConnect_reachesMoquetteAsSent_withoutItsWill(@ForAll @IntRange(min = 3, max = 4) int level,
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 23) String clientId, @ForAll boolean clean,
      @ForAll boolean withWill, @ForAll @AlphaChars @Chars({'/', '\u00e9', '\u4e2d'}) @StringLength(min = 1, max = 300)
      String willTopic, @ForAll @IntRange(max = 2) int willQos, @ForAll boolean willRetain, @ForAll boolean withUser,
      @ForAll @AlphaChars @Chars({'-', '_', '.', '\u00fc'}) @StringLength(max = 200) String user,
      @ForAll boolean withPassword, @ForAll @IntRange(max = 20_000) int payloadBytes) throws Exception {
    byte[] willPayload = new byte[payloadBytes];
    java.util.Arrays.fill(willPayload, (byte) 7);
    byte[] password = withUser && withPassword ? "s3cret".getBytes() : null;
    byte[] sent = connect(level, clientId, clean, withWill ? willTopic : null, willPayload, willQos, willRetain,
        withUser ? user : null, password);
    byte[] followed = java.util.Arrays.copyOf(sent, sent.length + 2);
    followed[sent.length] = (byte) 0xC0; // a PINGREQ right behind it
    ConnectPacket p = ConnectPacket.parse(followed, 0, followed.length);
    assertThat(p.length).isEqualTo(sent.length);
    assertThat(p.will == null).isEqualTo(!withWill);
    MqttConnectMessage m = decode(p.rewritten);
    MqttConnectPayload payload = m.payload();
    assertThat(m.variableHeader().version()).isEqualTo(level);
    assertThat(m.variableHeader().isWillFlag()).isFalse();
    assertThat(m.variableHeader().isCleanSession()).isEqualTo(clean);
    assertThat(payload.clientIdentifier()).isEqualTo(clientId);
    assertThat(payload.userName()).isEqualTo(withUser ? user : ConnectPacket.NO_USER);
    assertThat(payload.passwordInBytes()).isEqualTo(password);
  }

  @Test
  void theTap_rewritesTheConnectInPlace_andSeesADisconnectLater() {
    byte[] sent = connect(4, "press-1", true, "t", "x".getBytes(), 0, false, "press-1", "pw".getBytes());
    ByteBuffer dst = ByteBuffer.allocate(1024);
    dst.put(sent);
    InboundTap tap = new InboundTap();
    int now = tap.inbound(dst, 0, sent.length);
    assertThat(now).isEqualTo(sent.length - 6); // the will topic "t" and payload "x", each with its 2-byte length
    assertThat(tap.connect().will.topic()).isEqualTo("t");
    byte[] handed = new byte[now];
    dst.get(0, handed);
    assertThat(decode(handed).variableHeader().isWillFlag()).isFalse();
    ByteBuffer later = ByteBuffer.wrap(new byte[] {0x30, 0x05, 0, 1, 'a', 'b', 'c', (byte) 0xE0});
    assertThat(tap.inbound(later, 0, 7)).isEqualTo(7);
    assertThat(tap.sawDisconnect()).isFalse();
    assertThat(tap.inbound(later, 7, 1)).isEqualTo(1);
    assertThat(tap.sawDisconnect()).as("the DISCONNECT's header byte, its length byte still to come").isFalse();
    assertThat(tap.inbound(ByteBuffer.wrap(new byte[] {0}), 0, 1)).isEqualTo(1);
    assertThat(tap.sawDisconnect()).isTrue();
  }

  @Test
  void theTap_refusesWhatItCannotRead() {
    InboundTap tap = new InboundTap();
    ByteBuffer half = ByteBuffer.wrap(connect(4, "press-1", true, null, null, 0, false, "u", null));
    assertThat(tap.inbound(half, 0, 6)).isEqualTo(-1);
    assertThat(tap.refusal()).isEqualTo("the CONNECT did not arrive whole in the first TLS record");
    assertThat(tap.inbound(half, 0, half.capacity())).as("refused for good").isEqualTo(-1);
  }
}
