/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The baseline of {@link StartupMqttSec}: the same server {@code SSLContext} from the same PEM files with the
 * JDK alone (base64, {@code CertificateFactory}, {@code KeyFactory}, a key store, {@code KeyManagerFactory}), and
 * the ACL file read but not parsed.
 */
public final class StartupJdk {

  private StartupJdk() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String acl = Files.readString(dir.resolve("acl.conf"));
    Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(Files.readAllBytes(dir.resolve("server.pem"))));
    String pem = Files.readString(dir.resolve("server.key")).replaceAll("-----[A-Z ]+-----|\\s", "");
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
        Base64.getDecoder().decode(pem)));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", key, new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(store, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    System.out.println(acl.lines().count() + " lines, " + context.getProtocol());
  }
}
