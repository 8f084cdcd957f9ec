/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import static io.mqttsec.tls.TlsHandshakeTest.CA;
import static io.mqttsec.tls.TlsHandshakeTest.PRESS;
import static io.mqttsec.tls.TlsHandshakeTest.SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS builders refuse before anything listens: a setting given twice (the second would silently win
 * over the first, which an operator reading the first would not expect), a key that is not the certificate's.
 */
class TlsBuildersTest {

  @TempDir
  Path dir;

  private static TlsContexts.ServerBuilder server() {
    return TlsContexts.forServer(SERVER.privateKey(), SERVER.chain());
  }

  @Test
  void everyServerSetting_mayBeGivenOnce() {
    List<Consumer<TlsContexts.ServerBuilder>> settings = List.of(
        b -> b.trustedCertificates(List.of(CA.certificate())),
        b -> b.trustedCertificates(Path.of("ca.pem")),
        b -> b.crl(List.of(CA.crl(Duration.ofDays(7)))),
        b -> b.crl(Path.of("ca.crl")),
        b -> b.crlGracePeriod(Duration.ofHours(1)),
        b -> b.minimumVersion("TLSv1.3"),
        b -> b.reloadOnChange(true),
        b -> b.pollInterval(Duration.ofSeconds(1)),
        b -> b.listener(SecurityEventListener.none()),
        b -> b.clock(Clock.systemUTC()),
        b -> b.clientAuth(ClientAuth.REQUIRE));
    for (int i = 0; i < settings.size(); i++) {
      Consumer<TlsContexts.ServerBuilder> setting = settings.get(i);
      TlsContexts.ServerBuilder b = server();
      setting.accept(b);
      assertThatThrownBy(() -> setting.accept(b)).as("server setting %d twice", i)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("was already set");
    }
    assertThatThrownBy(() -> server().trustedCertificates(List.of(CA.certificate())).trustedCertificates(
        Path.of("ca.pem"))).as("trust from a list, then a file").isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> server().crl(List.of(CA.crl(Duration.ofDays(7)))).crl(Path.of("ca.crl")))
        .as("CRLs from a list, then a file").isInstanceOf(IllegalStateException.class);
  }

  @Test
  void everyClientSetting_mayBeGivenOnce() throws Exception {
    Path bundle = dir.resolve("ca.pem");
    java.nio.file.Files.writeString(bundle, Pem.encode(List.of(CA.certificate())));
    List<Consumer<TlsContexts.ClientBuilder>> settings = List.of(
        b -> b.trustedCertificates(List.of(CA.certificate())),
        b -> b.trustedCertificates(bundle),
        b -> b.identity(PRESS.privateKey(), PRESS.chain()),
        b -> b.minimumVersion("TLSv1.3"));
    for (int i = 0; i < settings.size(); i++) {
      Consumer<TlsContexts.ClientBuilder> setting = settings.get(i);
      TlsContexts.ClientBuilder b = TlsContexts.forClient();
      setting.accept(b);
      assertThatThrownBy(() -> setting.accept(b)).as("client setting %d twice", i)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("was already set");
    }
  }

  @Test
  void aKeyThatIsNotTheCertificates_isRefused_onBothSides() {
    assertThatThrownBy(() -> TlsContexts.forServer(PRESS.privateKey(), SERVER.chain()))
        .isInstanceOf(TlsConfigException.class);
    assertThatThrownBy(() -> TlsContexts.forClient().identity(SERVER.privateKey(), PRESS.chain()))
        .isInstanceOf(TlsConfigException.class);
  }

  @Test
  void aServerChainOutOfOrder_isRefused_namingTheCertificateThatDidNotIssueTheOneBefore() {
    io.mqttsec.ca.CertificateAuthority other = io.mqttsec.ca.CertificateAuthority.create("CN=Other CA",
        Duration.ofDays(30));
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.privateKey(), List.of(SERVER.certificate(),
        other.certificate())).build()).isInstanceOf(TlsConfigException.class)
        .hasMessageContaining("certificate 2 (CN=Other CA) did not issue certificate 1");
    TlsContexts.forServer(SERVER.privateKey(), List.of(SERVER.certificate(), CA.certificate())).build().close();
  }

  @Test
  void refusingRenegotiation_setsTheJdkPropertyOnlyWhenUnset() {
    String property = "jdk.tls.rejectClientInitiatedRenegotiation";
    String before = System.getProperty(property);
    try {
      System.clearProperty(property);
      assertThat(TlsContexts.refuseClientInitiatedRenegotiation()).isTrue();
      assertThat(System.getProperty(property)).isEqualTo("true");
      System.setProperty(property, "false");
      assertThat(TlsContexts.refuseClientInitiatedRenegotiation()).as("an operator's false wins").isFalse();
      assertThat(System.getProperty(property)).isEqualTo("false");
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
  }
}
