/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import io.mqttsec.acl.AclPolicy;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * A gateway's start with mqtt-sec: parse a 10-line ACL and build a server {@code SSLContext} from PEM files, in a
 * fresh JVM. {@code benchmarks/startup.py} runs it beside {@link StartupJdk} and compares their CPU time.
 *
 * <p>Run: {@code java -cp API:ACL:TLS:benchmarks/target/classes io.mqttsec.benchmarks.StartupMqttSec DIR}, where
 * DIR holds {@code acl.conf}, {@code server.pem} and {@code server.key}.
 */
public final class StartupMqttSec {

  private StartupMqttSec() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    AclPolicy acl = AclPolicy.parse(Files.readString(dir.resolve("acl.conf")), "acl.conf");
    try (ServerTls tls = TlsContexts.forServer(dir.resolve("server.pem"), dir.resolve("server.key")).build()) {
      SSLContext context = tls.sslContext();
      System.out.println(acl.ruleCount() + " rules, " + context.getProtocol());
    }
  }
}
