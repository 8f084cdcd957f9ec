package io.mqttsec.hivemq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.acl.SubscribeMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttSecConfigTest {

  @TempDir
  Path dir;

  private Path write(String xml) throws Exception {
    return Files.writeString(dir.resolve("mqtt-sec.xml"), xml);
  }

  @Test
  void read_fullConfig_givesEverySetting() throws Exception {
    Files.writeString(dir.resolve("passwd"), "");
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("ca.pem"), "");
    MqttSecConfig c = MqttSecConfig.read(write("""
        <mqtt-sec>
          <password-file>passwd</password-file>
          <acl-file>acl.conf</acl-file>
          <subscribe-mode>filter-on-delivery</subscribe-mode>
          <authentication default="password">
            <listener name="tls" mode="password"/>
          </authentication>
          <anonymous>false</anonymous>
          <brute-force-guard>false</brute-force-guard>
          <reload-interval>PT5S</reload-interval>
        </mqtt-sec>
        """));
    assertThat(c.passwordFile()).contains(dir.resolve("passwd"));
    assertThat(c.aclFile()).isEqualTo(dir.resolve("acl.conf"));
    assertThat(c.subscribeMode()).isEqualTo(SubscribeMode.FILTER_ON_DELIVERY);
    assertThat(c.authFor("tls")).isEqualTo(new MqttSecConfig.ListenerAuth(MqttSecConfig.AuthMode.PASSWORD,
        MqttSecConfig.IdentitySource.CN));
    assertThat(c.authFor("tcp").mode()).isEqualTo(MqttSecConfig.AuthMode.PASSWORD);
    assertThat(c.bruteForceGuard()).isFalse();
    assertThat(c.credentialCache()).isTrue();
    assertThat(c.reloadInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void read_everyProblemIsListed() throws Exception {
    Path file = write("""
        <mqtt-sec>
          <password-file>missing-passwd</password-file>
          <subscribe-mode>lenient</subscribe-mode>
          <anonymous>yes</anonymous>
          <colour>blue</colour>
          <reload-interval>2s</reload-interval>
        </mqtt-sec>
        """);
    assertThatThrownBy(() -> MqttSecConfig.read(file))
        .isInstanceOfSatisfying(MqttSecConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly(
                "<password-file>: " + dir.resolve("missing-passwd") + " does not exist or is not a file",
                "<subscribe-mode>: \"lenient\" is not strict or filter-on-delivery",
                "<anonymous>: \"yes\" is not true or false",
                "<colour>: unknown element (known: acl-file, anonymous, authentication, brute-force-guard, "
                    + "credential-cache, crl, crl-grace-period, password-file, reload-interval, subscribe-mode, "
                    + "trusted-certificates)",
                "<reload-interval>: \"2s\" is not an ISO-8601 duration such as PT2S",
                "<acl-file> is required: without an ACL every publish and subscription would be refused"));
  }

  @Test
  void read_certificateModes_needTrustedCertificates_andACrlNeedsACertificateMode() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("ca.crl"), "");
    Path noCas = write("<mqtt-sec><acl-file>acl.conf</acl-file><authentication default=\"certificate\"/>"
        + "</mqtt-sec>");
    assertThatThrownBy(() -> MqttSecConfig.read(noCas))
        .isInstanceOfSatisfying(MqttSecConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<trusted-certificates> is required by the certificate authentication modes"));
    Path crlUnused = write("<mqtt-sec><acl-file>acl.conf</acl-file><password-file>acl.conf</password-file>"
        + "<crl>ca.crl</crl></mqtt-sec>");
    assertThatThrownBy(() -> MqttSecConfig.read(crlUnused))
        .isInstanceOfSatisfying(MqttSecConfig.InvalidConfigException.class, e -> assertThat(e.problems())
            .containsExactly("<crl> is set but no listener uses a certificate mode, so it would never be checked"));
  }

  @Test
  void read_certificateOnlyListeners_needNoPasswordFile() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "");
    Files.writeString(dir.resolve("ca.pem"), "");
    Path file = write("<mqtt-sec><acl-file>acl.conf</acl-file><trusted-certificates>ca.pem</trusted-certificates>"
        + "<authentication default=\"certificate\" identity=\"subject\"><listener name=\"ops\" "
        + "mode=\"certificate-and-password\"/></authentication><password-file>acl.conf</password-file>"
        + "</mqtt-sec>");
    MqttSecConfig config = MqttSecConfig.read(file);
    assertThat(config.usesCertificates()).isTrue();
    assertThat(config.authFor("any")).isEqualTo(new MqttSecConfig.ListenerAuth(MqttSecConfig.AuthMode.CERTIFICATE,
        MqttSecConfig.IdentitySource.SUBJECT));
    assertThat(config.authFor("ops").mode()).isEqualTo(MqttSecConfig.AuthMode.CERTIFICATE_AND_PASSWORD);
    Path noPasswd = write("<mqtt-sec><acl-file>acl.conf</acl-file><trusted-certificates>ca.pem"
        + "</trusted-certificates><authentication default=\"certificate\"/></mqtt-sec>");
    assertThat(MqttSecConfig.read(noPasswd).passwordFile()).isEmpty();
  }

  @Test
  void read_externalEntity_isRefused() throws Exception {
    Files.writeString(dir.resolve("secret"), "top secret");
    Path file = write("<?xml version=\"1.0\"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM \"file://" + dir.resolve("secret")
        + "\">]>\n<mqtt-sec><acl-file>&x;</acl-file></mqtt-sec>\n");
    assertThatThrownBy(() -> MqttSecConfig.read(file))
        .isInstanceOfSatisfying(MqttSecConfig.InvalidConfigException.class, e -> {
          assertThat(e.problems()).singleElement().asString().startsWith("line 2:").contains("DOCTYPE");
          assertThat(e.getMessage()).doesNotContain("top secret");
        });
  }

  @Test
  void extensionStart_brokenFiles_preventStartupListingEveryProblem() throws Exception {
    Files.writeString(dir.resolve("passwd"), "alice\n");
    Files.writeString(dir.resolve("acl.conf"), "topic read a/#\nfrobnicate b\n");
    Path file = write("<mqtt-sec><password-file>passwd</password-file><acl-file>acl.conf</acl-file></mqtt-sec>");
    AtomicReference<String> prevented = new AtomicReference<>();
    new MqttSecExtensionMain(file, line -> { }).extensionStart(null, prevented::set);
    assertThat(prevented.get()).startsWith("mqtt-sec refuses to start, so the broker does not run unprotected:")
        .contains(dir.resolve("acl.conf") + ":2:1: ")
        .contains(dir.resolve("passwd") + ":1:")
        .doesNotContain("alice:");
  }
}
