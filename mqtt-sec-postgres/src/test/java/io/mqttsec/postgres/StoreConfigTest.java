/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mqttsec.api.SecurityEvent;
import io.mqttsec.broker.BrokerConfig;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.broker.ClientSession;
import io.mqttsec.broker.ConnectRequest;
import io.mqttsec.broker.ConnectResult;
import io.mqttsec.creds.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code <store><postgres .../></store>} in mqtt-sec.xml: the broker layer opened on the store, and its errors. */
class StoreConfigTest {

  static TestDatabase db;

  @TempDir
  Path dir;

  @BeforeAll
  static void database() throws Exception {
    db = new TestDatabase("StoreConfigTest");
    db.sql("INSERT INTO S.users (username, hash) VALUES ('press-1', '" + PasswordHasher.pbkdf2Sha512(1000).hash(
        "press-1-pw".getBytes(StandardCharsets.UTF_8)).encoded() + "')",
        "INSERT INTO S.acl_rules (username, access, filter) VALUES ('press-1', 'write', 'factory/press-1/#')");
  }

  @AfterAll
  static void drop() throws Exception {
    db.close();
  }

  BrokerConfig config(String store) throws Exception {
    Files.writeString(dir.resolve("db-password"), new String(db.password) + "\n");
    return BrokerConfig.read(Files.writeString(dir.resolve("mqtt-sec.xml"), "<mqtt-sec>" + store
        + "</mqtt-sec>"));
  }

  List<String> problems(String store) {
    Throwable t = catchThrowable(() -> BrokerSecurity.open(config(store), e -> { }, new Spi()).close());
    assertThat(t).as(store).isInstanceOf(BrokerConfig.InvalidConfigException.class);
    return ((BrokerConfig.InvalidConfigException) t).problems();
  }

  @Test
  void aConfigurationWithAStore_opensTheBrokerLayerOnIt() throws Exception {
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    BrokerConfig config = config("<store><postgres url=\"" + db.url + "\" user=\"" + db.user + "\" password-file="
        + "\"db-password\" schema=\"" + db.schema + "\"/></store>");
    assertThat(config.aclFile()).isNull();
    assertThat(config.store().orElseThrow().kind()).isEqualTo("postgres");
    assertThat(config.store().orElseThrow().settings()).containsEntry("password-file",
        dir.resolve("db-password").toString());
    try (BrokerSecurity security = BrokerSecurity.open(config, events::add, new Spi())) {
      ConnectResult r = security.connect(ConnectRequest.builder("tls", "p1").username("press-1").password(
          "press-1-pw".getBytes(StandardCharsets.UTF_8)).build());
      assertThat(r.accepted()).as("%s", r).isTrue();
      ClientSession s = r.session().orElseThrow();
      assertThat(security.publish(s, "factory/press-1/temp").reason()).startsWith(db.schema + ".acl_rules:");
      assertThat(security.publish(s, "factory/press-2/temp").denied()).isTrue();
    }
    assertThat(events).filteredOn(SecurityEvent.PolicyReloaded.class::isInstance).isNotEmpty();
  }

  @Test
  void aStore_isNamedWhenWrong_andReplacesTheTwoFiles() throws Exception {
    Files.writeString(dir.resolve("acl.conf"), "");
    assertThat(problems("<store><postgres user=\"x\"/></store>")).containsExactly("<store><postgres>: needs url=");
    assertThat(problems("<store><mysql url=\"jdbc:mysql://db/x\"/></store>")).containsExactly(
        "<store><mysql>: no such store on the class path (known: postgres)");
    assertThat(problems("<store><postgres url=\"" + db.url + "\" colour=\"red\"/></store>")).containsExactly(
        "<store><postgres>: unknown attribute [colour] (known: [password-file, schema, url, user])");
    assertThat(problems("<store><postgres url=\"jdbc:mysql://db/x\"/></store>")).containsExactly(
        "<store><postgres>: a store URL is a JDBC PostgreSQL URL (jdbc:postgresql://HOST:PORT/DB), not mysql://db/x");
    assertThat(problems("<acl-file>acl.conf</acl-file><store><postgres url=\"" + db.url + "\"/></store>"))
        .containsExactly("<acl-file>: a <store> holds the users and the ACL; remove one of the two");
    assertThat(problems("<store><postgres url=\"" + db.url + "?password=hunter2\"/></store>")).containsExactly(
        "<store><postgres>: url= carries a password; give it in password-file= (or PGPASSWORD), never in "
            + "mqtt-sec.xml");
    assertThat(problems("<store/>")).containsExactly("<store>: name one store, such as <postgres "
        + "url=\"jdbc:postgresql://HOST:PORT/DB\"/>");
  }
}
