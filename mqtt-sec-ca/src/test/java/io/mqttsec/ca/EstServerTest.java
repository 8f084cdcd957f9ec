/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.SecurityEvent;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EST server over real TLS on 127.0.0.1, with the JDK's {@code HttpsURLConnection} as the device. */
class EstServerTest {

  static final char[] PASSPHRASE = "est test".toCharArray();

  @TempDir
  static Path dir;
  static CertificateAuthority ca;
  static EstServer est;
  static final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  static final Instant[] now = {Instant.now()};

  @BeforeAll
  static void start() throws Exception {
    CertificateAuthority.create("CN=EST Test CA", Duration.ofDays(3650)).save(dir, PASSPHRASE);
    ca = CertificateAuthority.load(dir, PASSPHRASE);
    Clock clock = following(now);
    // the refusal limit is proven on a server of its own: the tests here are refused often, from one address
    est = EstServer.builder(ca, dir).validity(Duration.ofDays(90)).listener(events::add).clock(clock)
        .refusalLimit(1_000, Duration.ofMinutes(1)).start();
  }

  /** A clock that reads {@code time[0]}, so a test moves it. */
  static Clock following(Instant[] time) {
    return new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return time[0];
      }
    };
  }

  @AfterAll
  static void stop() {
    est.close();
  }

  @BeforeEach
  void clear() {
    events.clear();
    now[0] = Instant.now();
  }

  /** A device's HTTPS: trusting the CA, presenting {@code key} and {@code chain} if given. */
  record Device(SSLContext tls) {
    Response get(String operation) throws Exception {
      return send("GET", operation, null, null, null);
    }

    Response post(String operation, String body, String basic) throws Exception {
      return send("POST", operation, "application/pkcs10", body, basic);
    }

    Response send(String method, String operation, String type, String body, String basic) throws Exception {
      HttpsURLConnection c = (HttpsURLConnection) uri(operation).toURL().openConnection();
      c.setSSLSocketFactory(tls.getSocketFactory());
      c.setRequestMethod(method);
      c.setConnectTimeout(10_000);
      c.setReadTimeout(10_000);
      if (basic != null) {
        c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(
            StandardCharsets.UTF_8)));
      }
      if (body != null) {
        c.setRequestProperty("Content-Type", type);
        c.setDoOutput(true);
        c.getOutputStream().write(body.getBytes(StandardCharsets.US_ASCII));
      }
      int status = c.getResponseCode();
      java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Response(status, c.getHeaderFields(), text);
    }
  }

  /** What the server answered. */
  record Response(int statusCode, java.util.Map<String, List<String>> headerFields, String body) {
    java.util.Optional<String> header(String name) {
      return headerFields.entrySet().stream().filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst();
    }
  }

  static Device client(java.security.PrivateKey key, X509Certificate... chain) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (key != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("device", key, new char[0], chain);
      kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(keys, new char[0]);
    }
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return new Device(tls);
  }

  static URI uri(String operation) {
    return URI.create("https://127.0.0.1:" + est.port() + EstServer.PATH + operation);
  }

  static String base64Csr(String subject, KeyPair keys) throws Exception {
    String pem = io.mqttsec.ca.CertificateAuthorityTest.csr(subject, keys, keys.getPrivate());
    return pem.replaceAll("-----[A-Z ]+-----", "").strip();
  }

  static Response post(Device device, String operation, String body, String basic) throws Exception {
    return device.post(operation, body, basic);
  }

  static List<X509Certificate> certsOnly(Response response) throws Exception {
    assertThat(response.header("Content-Type")).contains("application/pkcs7-mime; smime-type=certs-only");
    assertThat(response.header("Content-Transfer-Encoding")).contains("base64");
    byte[] der = Base64.getMimeDecoder().decode(response.body());
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(der))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  static SecurityEvent.EnrollmentRefused refused() {
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).isInstanceOf(SecurityEvent.EnrollmentRefused.class);
    return (SecurityEvent.EnrollmentRefused) events.get(0);
  }

  @Test
  void cacerts_isTheCaCertificateAsPkcs7() throws Exception {
    Response r = client(null).get("cacerts");
    assertThat(r.statusCode()).isEqualTo(200);
    byte[] der = Base64.getMimeDecoder().decode(r.body());
    assertThat(new ArrayList<Certificate>(CertificateFactory.getInstance("X.509").generateCertificates(
        new ByteArrayInputStream(der)))).containsExactly(ca.certificate());
    assertThat(events).as("public: not audited").isEmpty();
  }

  @Test
  void simpleenroll_onTheOneTimePassword_issuesOnce_forTheDevicesOwnKey() throws Exception {
    String password = new BootstrapPasswords(dir).issue("press-11", now[0].plus(Duration.ofDays(1)));
    KeyPair keys = CertificateAuthorityTest.generateEc();
    Device device = client(null);
    Response r = post(device, "simpleenroll", base64Csr("CN=press-11", keys), "press-11:" + password);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    X509Certificate cert = certsOnly(r).get(0);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=press-11");
    assertThat(cert.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(90).plusMinutes(1));
    CertificateAuthorityTest.validate(List.of(cert), ca.certificate());
    assertThat(Inventory.read(dir).find(cert.getSerialNumber())).isPresent();
    assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.CertificateEnrolled.class, e -> {
      assertThat(e.commonName()).isEqualTo("press-11");
      assertThat(e.serial()).isEqualTo(cert.getSerialNumber().toString(16));
      assertThat(e.kind()).isEqualTo("enroll");
      assertThat(e.address().isLoopbackAddress()).isTrue();
    });

    events.clear();
    int issued = Inventory.read(dir).entries().size();
    Response again = post(device, "simpleenroll", base64Csr("CN=press-11", keys), "press-11:"
        + password);
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.body()).isEqualTo("no enrollment password is outstanding for this CN (never issued, or used "
        + "already)\n");
    assertThat(refused().reason()).isEqualTo(again.body().strip());
    assertThat(new BootstrapPasswords(dir).outstanding("press-11")).as("used up").isFalse();
    assertThat(refused().commonName()).isEqualTo("press-11");
    assertThat(Inventory.read(dir).entries()).as("nothing issued").hasSize(issued);
  }

  @Test
  void simpleenroll_refusals_sayWhy_areAudited_andIssueNothing() throws Exception {
    BootstrapPasswords passwords = new BootstrapPasswords(dir);
    String password = passwords.issue("press-12", now[0].plus(Duration.ofDays(1)));
    KeyPair keys = CertificateAuthorityTest.generateEc();
    String csr = base64Csr("CN=press-12", keys);
    Device device = client(null);
    int issued = Inventory.read(dir).entries().size();
    record Case(String body, String basic, int status, String reason) { }
    String forged = base64Csr("CN=press-12", keys);
    byte[] der = Base64.getDecoder().decode(forged.replaceAll("\\s", ""));
    der[der.length - 3] ^= 1;
    List<Case> cases = List.of(
        new Case(csr, null, 401, "enrollment needs the device's CN and one-time password (HTTP basic "
            + "authentication), or a certificate this CA issued it"),
        new Case(csr, "press-12:guess", 401, "wrong enrollment password"),
        new Case(base64Csr("CN=press-13", keys), "press-12:" + password, 403, "the request is for CN "
            + "\"press-13\", but the credential is for \"press-12\""),
        new Case("not base64 at all!", "press-12:" + password, 400, "the body is not base64"),
        new Case("AAAA", "press-12:" + password, 400, "the request: malformed CERTIFICATE REQUEST block"),
        new Case(Base64.getEncoder().encodeToString(der), "press-12:" + password, 400, "the request: the "
            + "request's signature does not verify with the key it carries"),
        new Case("A".repeat(EstServer.MAX_REQUEST_BYTES + 1), "press-12:" + password, 413, "the request is over "
            + EstServer.MAX_REQUEST_BYTES + " bytes"),
        new Case("A".repeat(EstServer.MAX_REQUEST_BYTES), "press-12:" + password, 400, "the request: malformed"),
        new Case(csr, ":" + password, 401, "the basic authentication header names no CN"));
    for (Case c : cases) {
      events.clear();
      Response r = post(device, "simpleenroll", c.body(), c.basic());
      assertThat(r.statusCode()).as(c.reason()).isEqualTo(c.status());
      assertThat(r.body()).as(c.reason()).startsWith(c.reason());
      assertThat(refused().reason()).startsWith(c.reason());
      assertThat(refused().kind()).isEqualTo("enroll");
      if (c.status() == 401) {
        assertThat(r.header("WWW-Authenticate")).contains("Basic realm=\"mqtt-sec EST\"");
      }
    }
    assertThat(Inventory.read(dir).entries()).as("nothing issued").hasSize(issued);
    assertThat(passwords.outstanding("press-12")).as("a refused try leaves the password").isTrue();

    events.clear();
    Response wrongType = device.send("POST", "simpleenroll", "text/plain", csr, "press-12:" + password);
    assertThat(wrongType.statusCode()).isEqualTo(415);

    now[0] = now[0].plus(Duration.ofDays(2));
    events.clear();
    Response late = post(device, "simpleenroll", csr, "press-12:" + password);
    assertThat(late.statusCode()).isEqualTo(401);
    assertThat(late.body()).startsWith("the enrollment password expired at ");
  }

  @Test
  void simplereenroll_onTheCurrentCertificate_renewsTheSameCn_andRefusesRevokedExpiredForeignOrOtherCn()
      throws Exception {
    HeldCertificate current = ca.issue("press-21").clientAuth().validity(Duration.ofDays(20)).issue();
    KeyPair next = CertificateAuthorityTest.generateEc();
    Device device = client(current.privateKey(), current.certificate());
    Response r = post(device, "simplereenroll", base64Csr("CN=press-21", next), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    X509Certificate renewed = certsOnly(r).get(0);
    assertThat(renewed.getSubjectX500Principal().getName()).isEqualTo("CN=press-21");
    assertThat(renewed.getPublicKey()).isEqualTo(next.getPublic());
    assertThat(renewed.getNotAfter()).isAfter(current.certificate().getNotAfter());
    assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.CertificateEnrolled.class,
        e -> assertThat(e.kind()).isEqualTo("reenroll"));

    events.clear();
    Response other = post(device, "simplereenroll", base64Csr("CN=press-22", next), null);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).isEqualTo("the request is for CN \"press-22\", but the credential is for "
        + "\"press-21\"\n");

    events.clear();
    Response none = post(client(null), "simplereenroll", base64Csr("CN=press-21", next), null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).isEqualTo("re-enrollment needs the device's current certificate in the TLS "
        + "handshake\n");

    events.clear();
    CertificateAuthority foreign = CertificateAuthority.create("CN=EST Test CA", Duration.ofDays(10));
    HeldCertificate impostor = foreign.issue("press-21").clientAuth().issue();
    Response forged = post(client(impostor.privateKey(), impostor.certificate()), "simplereenroll",
        base64Csr("CN=press-21", next), null);
    assertThat(forged.statusCode()).as("a CA of the same name is not this CA").isEqualTo(403);
    assertThat(forged.body()).isEqualTo("the certificate " + impostor.certificate().getSerialNumber().toString(16)
        + " was not issued by this CA\n");

    events.clear();
    now[0] = now[0].plus(Duration.ofDays(21));
    Response expired = post(device, "simplereenroll", base64Csr("CN=press-21", next), null);
    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(expired.body()).isEqualTo("the certificate " + current.certificate().getSerialNumber().toString(16)
        + " expired at " + current.certificate().getNotAfter().toInstant() + "\n");
    now[0] = Instant.now();

    events.clear();
    CertificateAuthority admin = CertificateAuthority.load(dir, PASSPHRASE); // another process: ca revoke
    admin.revoke(current.certificate().getSerialNumber());
    admin.save(dir, PASSPHRASE);
    Response revoked = post(device, "simplereenroll", base64Csr("CN=press-21", next), null);
    assertThat(revoked.statusCode()).isEqualTo(403);
    assertThat(revoked.body()).startsWith("the certificate " + current.certificate().getSerialNumber().toString(16)
        + " was revoked at ");
    assertThat(refused().kind()).isEqualTo("reenroll");
    assertThat(refused().commonName()).isEqualTo("press-21");
  }

  @Test
  void unknownOperations_andWrongMethods_areRefused() throws Exception {
    Device c = client(null);
    Response missing = c.get("serverkeygen");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("no EST operation \"serverkeygen\" here: cacerts, simpleenroll, "
        + "simplereenroll\n");
    Response get = c.get("simpleenroll");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.header("Allow")).contains("POST");
    assertThat(events).as("a wrong method goes no further: nothing enrolled or refused").isEmpty();
    assertThat(est.address().isLoopbackAddress()).as("127.0.0.1 unless told otherwise").isTrue();
    assertThat(System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation")).isEqualTo("true");
  }

  @Test
  void bootstrapPasswords_areRefusedForCnsThatCannotEnroll_andReplaceEachOther() {
    BootstrapPasswords passwords = new BootstrapPasswords(dir);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> passwords.issue("a:b", now[0]))
        .hasMessageContaining("must not hold ':'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> passwords.issue(":ab", now[0]))
        .hasMessageContaining("must not hold ':'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> passwords.issue("#00", now[0]))
        .hasMessageContaining("must not start with '#'");
    String first = passwords.issue("press-31", now[0].plus(Duration.ofHours(1)));
    String second = passwords.issue("press-31", now[0].plus(Duration.ofHours(1)));
    assertThat(second).hasSize(24).isNotEqualTo(first);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> passwords.check("press-31", first, now[0]))
        .hasMessage("wrong enrollment password");
    org.assertj.core.api.Assertions.assertThatCode(() -> passwords.check("press-31", second, now[0]))
        .doesNotThrowAnyException();
    assertThat(passwords.toString()).doesNotContain(second);
  }

  @Test
  void simpleenroll_onABootstrapCertificate_issuesForItsCn_andRefusesARevokedOne() throws Exception {
    HeldCertificate factory = ca.issue("press-41").clientAuth().validity(Duration.ofDays(3)).issue();
    KeyPair keys = CertificateAuthorityTest.generateEc();
    Response r = post(client(factory.privateKey(), factory.certificate()), "simpleenroll",
        base64Csr("CN=press-41", keys), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(certsOnly(r).get(0).getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(events).singleElement().isInstanceOfSatisfying(SecurityEvent.CertificateEnrolled.class,
        e -> assertThat(e.kind()).isEqualTo("enroll"));

    events.clear();
    Response other = post(client(factory.privateKey(), factory.certificate()), "simpleenroll",
        base64Csr("CN=press-42", keys), null);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).isEqualTo("the request is for CN \"press-42\", but the credential is for "
        + "\"press-41\"\n");

    CertificateAuthority admin = CertificateAuthority.load(dir, PASSPHRASE);
    admin.revoke(factory.certificate().getSerialNumber());
    admin.save(dir, PASSPHRASE);
    events.clear();
    Response revoked = post(client(factory.privateKey(), factory.certificate()), "simpleenroll",
        base64Csr("CN=press-41", keys), null);
    assertThat(revoked.statusCode()).isEqualTo(403);
    assertThat(refused().reason()).startsWith("the certificate " + factory.certificate().getSerialNumber()
        .toString(16) + " was revoked at ");
  }

  @Test
  void simplereenroll_aCertificateWithAnInventorySerialButOtherBytes_isNotThisCas() throws Exception {
    HeldCertificate genuine = ca.issue("press-71").clientAuth().issue();
    // another key signs a certificate with the genuine one's issuer, subject and serial
    KeyPair forger = CertificateAuthorityTest.generateEc();
    KeyPair device = CertificateAuthorityTest.generateEc();
    X509Certificate g = genuine.certificate();
    var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(g.getIssuerX500Principal(),
        g.getSerialNumber(), g.getNotBefore(), g.getNotAfter(), g.getSubjectX500Principal(), device.getPublic());
    X509Certificate forged = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
        builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
            .build(forger.getPrivate())));
    Response r = post(client(device.getPrivate(), forged), "simplereenroll",
        base64Csr("CN=press-71", CertificateAuthorityTest.generateEc()), null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("the certificate " + g.getSerialNumber().toString(16) + " was not issued by "
        + "this CA\n");
  }

  /** A POST of {@code csr} from the loopback address {@code from} (the server's is 127.0.0.1 either way). */
  static Response postFrom(String from, int port, String csr, String basic) throws Exception {
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) client(null).tls().getSocketFactory()
        .createSocket()) {
      socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(from), 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      byte[] body = csr.getBytes(StandardCharsets.US_ASCII);
      String head = "POST " + EstServer.PATH + "simpleenroll HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Content-Type: application/pkcs10\r\nContent-Length: " + body.length + "\r\nAuthorization: Basic "
          + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = answer.indexOf("\r\n\r\n");
      String[] lines = answer.substring(0, end).split("\r\n");
      java.util.Map<String, List<String>> headers = new java.util.HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon), List.of(lines[i].substring(colon + 1).strip()));
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, answer.substring(end + 4));
    }
  }

  @Test
  void anAddressWithTooManyRefusals_isHeldOffBeforeAnythingIsRead_otherAddressesAreNot() throws Exception {
    List<SecurityEvent> seen = new CopyOnWriteArrayList<>();
    Instant[] time = {Instant.parse("2026-06-01T08:00:00Z")};
    BootstrapPasswords passwords = new BootstrapPasswords(dir);
    String attackerPassword = passwords.issue("press-40", Instant.now().plus(Duration.ofDays(1)));
    String neighbourPassword = passwords.issue("press-41", Instant.now().plus(Duration.ofDays(1)));
    KeyPair keys = CertificateAuthorityTest.generateEc();
    try (EstServer limited = EstServer.builder(ca, dir).listener(seen::add).clock(following(time))
        .refusalLimit(3, Duration.ofMinutes(10)).start()) {
      int issued = Inventory.read(dir).entries().size();
      String csr = base64Csr("CN=press-40", keys);
      for (int i = 0; i < 3; i++) {
        assertThat(postFrom("127.0.0.2", limited.port(), csr, "press-40:guess-" + i).statusCode()).isEqualTo(401);
        time[0] = time[0].plusSeconds(60);
      }
      // three refusals in ten minutes: held off for ten minutes from the third (540 s from now), the right
      // password not even looked at
      Response held = postFrom("127.0.0.2", limited.port(), csr, "press-40:" + attackerPassword);
      assertThat(held.statusCode()).isEqualTo(429);
      assertThat(held.header("Retry-After")).contains("540");
      assertThat(held.body()).startsWith("too many refused enrollments from 127.0.0.2 (3 in 10 minutes); held off for "
          + "540 s more, nothing read");
      assertThat(seen.get(seen.size() - 1)).isInstanceOfSatisfying(SecurityEvent.EnrollmentRefused.class, r -> {
        assertThat(r.address().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(r.reason()).startsWith("too many refused enrollments");
      });
      assertThat(passwords.outstanding("press-40")).as("not used up while held off").isTrue();
      assertThat(Inventory.read(dir).entries()).as("nothing issued").hasSize(issued);

      // a neighbour on another address enrolls meanwhile; held-off answers do not lengthen the hold
      assertThat(postFrom("127.0.0.3", limited.port(), base64Csr("CN=press-41", keys), "press-41:"
          + neighbourPassword).statusCode()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        assertThat(postFrom("127.0.0.2", limited.port(), csr, "press-40:more").statusCode()).isEqualTo(429);
      }
      time[0] = time[0].plus(Duration.ofMinutes(9));
      assertThat(postFrom("127.0.0.2", limited.port(), csr, "press-40:" + attackerPassword).statusCode())
          .as("ten minutes after the third refusal").isEqualTo(200);
      assertThat(passwords.outstanding("press-40")).isFalse();
    }
  }

  @Test
  void refusalsSpreadOverMoreThanTheWindow_neverHoldAnAddressOff() throws Exception {
    Instant[] time = {Instant.parse("2026-06-01T08:00:00Z")};
    try (EstServer limited = EstServer.builder(ca, dir).clock(following(time))
        .refusalLimit(2, Duration.ofMinutes(3)).start()) {
      String csr = base64Csr("CN=press-42", CertificateAuthorityTest.generateEc());
      for (int i = 0; i < 4; i++) {
        assertThat(postFrom("127.0.0.4", limited.port(), csr, "press-42:guess").statusCode()).as("try " + i)
            .isEqualTo(401);
        time[0] = time[0].plus(Duration.ofMinutes(3));
      }
    }
  }

  @Test
  void byDefault_tenRefusalsInTenMinutesHoldAnAddressOffForTenMinutes() throws Exception {
    Instant[] time = {Instant.parse("2026-06-01T08:00:00Z")};
    try (EstServer limited = EstServer.builder(ca, dir).clock(following(time)).start()) {
      String csr = base64Csr("CN=press-43", CertificateAuthorityTest.generateEc());
      for (int i = 0; i < EstServer.DEFAULT_MAX_REFUSALS; i++) {
        assertThat(postFrom("127.0.0.5", limited.port(), csr, "press-43:guess").statusCode()).as("try " + i)
            .isEqualTo(401);
        time[0] = time[0].plusSeconds(50);
      }
      Response held = postFrom("127.0.0.5", limited.port(), csr, "press-43:guess");
      assertThat(held.statusCode()).isEqualTo(429);
      assertThat(held.header("Retry-After")).contains("550");
    }
    assertThat(EstServer.DEFAULT_MAX_REFUSALS).isEqualTo(10);
    assertThat(EstServer.DEFAULT_REFUSAL_WINDOW).isEqualTo(Duration.ofMinutes(10));
  }

  /**
   * Every worker stalled by a client that never finishes its request (the body or the headers never end), and
   * connections that never start a handshake: the workers are freed when the request time is up, and a device is
   * served then.
   */
  @Test
  @org.junit.jupiter.api.Tag("slow") // 30 s by design; the mutation run leaves it out (pom.xml, profile mutation)
  void connectionsThatStall_holdNoWorkerPastTheRequestTime() throws Exception {
    List<java.net.Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        stalled.add(new java.net.Socket("127.0.0.1", est.port())); // no handshake, no request: just held open
      }
      for (int i = 0; i < EstServer.WORKERS; i++) {
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client(null).tls().getSocketFactory().createSocket(
            "127.0.0.1", est.port());
        stalled.add(s);
        String request = "POST " + EstServer.PATH + "simpleenroll HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (i % 2 == 0) { // a body that never comes; else headers that never end
          request += "Content-Type: application/pkcs10\r\nContent-Length: 30000\r\n\r\nMII";
        }
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      }
      // the device comes later: a connection waiting for a worker spends its own request time too, so one that
      // came with the stalled ones could be closed with them
      Thread.sleep(10_000);
      javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) uri("cacerts").toURL()
          .openConnection();
      c.setSSLSocketFactory(client(null).tls().getSocketFactory());
      c.setConnectTimeout(5_000);
      c.setReadTimeout((EstServer.REQUEST_SECONDS + 15) * 1_000);
      long start = System.nanoTime();
      assertThat(c.getResponseCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("served once the stalled requests' time is up")
          .isLessThan(Duration.ofSeconds(EstServer.REQUEST_SECONDS + 15));
      for (java.net.Socket s : stalled.subList(6, stalled.size())) {
        s.setSoTimeout(2_000); // a connection still open would time out here
        org.assertj.core.api.Assertions.assertThatCode(() -> s.getInputStream().readAllBytes())
            .as("a stalled request's connection is closed").doesNotThrowAnyException();
      }
    } finally {
      for (java.net.Socket s : stalled) {
        s.close();
      }
    }
  }

  @Test
  void close_stopsServing() throws Exception {
    EstServer other = EstServer.builder(ca, dir).start();
    int port = other.port();
    other.close();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close())
        .isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void builder_aGivenIdentityIsTheServersCertificate_andBadSettingsAreRefused() throws Exception {
    HeldCertificate own = ca.issue("localhost").ipAddresses("127.0.0.1").serverAuth().issue();
    try (EstServer given = EstServer.builder(ca, dir).identity(own.privateKey(), own.chain())
        .address(java.net.InetAddress.getLoopbackAddress()).port(0).start()) {
      javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) URI.create("https://127.0.0.1:"
          + given.port() + EstServer.PATH + "cacerts").toURL().openConnection();
      c.setSSLSocketFactory(client(null).tls().getSocketFactory());
      assertThat(c.getResponseCode()).isEqualTo(200);
      assertThat(c.getServerCertificates()).startsWith(own.certificate());
      c.disconnect();
    }
    EstServer.Builder b = EstServer.builder(ca, dir);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.port(-1)).hasMessage("a port is 0 to 65535, not -1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.port(65_536))
        .hasMessage("a port is 0 to 65535, not 65536");
    org.assertj.core.api.Assertions.assertThatCode(() -> b.port(65_535)).doesNotThrowAnyException();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.validity(Duration.ZERO))
        .hasMessage("a validity must be positive, not PT0S");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.refusalLimit(0, Duration.ofMinutes(1)))
        .hasMessage("a refusal limit is 1 or more, not 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.refusalLimit(1, Duration.ZERO))
        .hasMessage("a refusal window must be positive, not PT0S");
    org.assertj.core.api.Assertions.assertThatCode(() -> b.refusalLimit(1, Duration.ofSeconds(1)))
        .doesNotThrowAnyException();
  }
}
