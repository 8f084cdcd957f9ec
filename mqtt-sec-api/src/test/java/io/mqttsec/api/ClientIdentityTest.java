/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientIdentityTest {

  @Test
  void of_nullOrEmptyUsername_isAnonymous() {
    assertThat(ClientIdentity.of(null, "c").isAnonymous()).isTrue();
    assertThat(ClientIdentity.of("", "c").isAnonymous()).isTrue();
    assertThat(ClientIdentity.of("", "c")).isEqualTo(ClientIdentity.of(null, "c"));
    assertThat(ClientIdentity.of("u", "c").username()).contains("u");
  }

  @Test
  void of_nullClientId_rejected() {
    assertThatThrownBy(() -> ClientIdentity.of("u", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void with_returnsNewIdentity_originalUnchanged() throws Exception {
    ClientIdentity base = ClientIdentity.of("press-42", "press-42-main");
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    ClientIdentity withAddress = base.withRemoteAddress(loopback);
    assertThat(base.remoteAddress()).isEmpty();
    assertThat(withAddress.remoteAddress()).contains(loopback);
    assertThat(withAddress).isNotEqualTo(base);
    assertThat(withAddress.certificateChain()).isEmpty();
    assertThat(withAddress.certificate()).isEmpty();

    ClientIdentity renamed = withAddress.withUsername("CN-from-certificate");
    assertThat(renamed.username()).contains("CN-from-certificate");
    assertThat(renamed.remoteAddress()).contains(loopback);
    assertThat(renamed.clientId()).isEqualTo("press-42-main");
    assertThat(withAddress.username()).contains("press-42");
    assertThat(base.withUsername("").isAnonymous()).isTrue();
  }

  @Test
  void toString_namesUserClientAndAddress() throws Exception {
    ClientIdentity who = ClientIdentity.of("press-42", "c1").withRemoteAddress(InetAddress.getByName("127.0.0.1"));
    assertThat(who).hasToString("ClientIdentity{user=press-42, clientId=c1, address=127.0.0.1}");
    assertThat(ClientIdentity.of(null, "c2")).hasToString("ClientIdentity{user=<anonymous>, clientId=c2}");
  }
}
