/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsec.acl.AclPolicy;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.creds.Credential;
import io.mqttsec.creds.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StoreAdmin}: a store made from a mosquitto password file and ACL, edited, and written back. */
class StoreAdminTest {

  static final PasswordHasher CHEAP = PasswordHasher.pbkdf2Sha512(1000);
  static TestDatabase db;

  @TempDir
  Path dir;

  @BeforeAll
  static void database() throws Exception {
    db = new TestDatabase("StoreAdminTest");
  }

  @AfterAll
  static void drop() throws Exception {
    db.close();
  }

  @BeforeEach
  void empty() throws Exception {
    db.sql("TRUNCATE S.users", "TRUNCATE S.acl_rules RESTART IDENTITY");
  }

  StoreAdmin admin() throws Exception {
    return StoreAdmin.connect(db.url, db.user, db.password, db.schema);
  }

  static String hash(String password) {
    return CHEAP.hash(password.getBytes(StandardCharsets.UTF_8)).encoded();
  }

  static final String ACL = """
      # anonymous clients read the status
      topic read status/#
      pattern write devices/%u/#
      user press-1
      topic readwrite factory/press-1/#
      topic deny factory/press-1/secret
      user dashboard
      topic read factory/#
      """;

  @Test
  void aMosquittoPasswdAndAcl_goInWhole_andComeBackOutDecidingTheSame() throws Exception {
    String rotating = "press-1:" + hash("new") + ":" + hash("old") + ":2030-01-01T00:00:00Z";
    Path passwd = Files.writeString(dir.resolve("passwd"), "# devices\n" + rotating + "\ndashboard:" + hash("d")
        + "\n");
    Path acl = Files.writeString(dir.resolve("acl.conf"), ACL);
    try (StoreAdmin a = admin()) {
      assertThat(a.importFiles(passwd, acl)).containsExactly(2, 5);
      assertThat(a.users()).extracting(Credential::username).containsExactly("dashboard", "press-1");
      Path outPasswd = dir.resolve("out-passwd");
      Path outAcl = dir.resolve("out-acl.conf");
      assertThat(a.exportFiles(outPasswd, outAcl)).containsExactly(2, 5);
      assertThat(Files.readAllLines(outPasswd)).containsExactly("dashboard:" + Files.readAllLines(passwd).get(2)
          .substring("dashboard:".length()), rotating);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outPasswd))).isEqualTo("rw-------");
      AclPolicy before = AclPolicy.parse(acl);
      AclPolicy after = AclPolicy.parse(outAcl);
      for (ClientIdentity who : List.of(ClientIdentity.of("press-1", "p"), ClientIdentity.of("dashboard", "d"),
          ClientIdentity.of(null, "anon"))) {
        for (String topic : List.of("status/a", "devices/press-1/x", "factory/press-1/t", "factory/press-1/secret",
            "factory/press-2/t")) {
          for (Action action : Action.values()) {
            assertThat(after.check(who, action, topic).allowed()).as("%s %s %s", who, action, topic)
                .isEqualTo(before.check(who, action, topic).allowed());
          }
        }
      }
      // a second import replaces the rules and keeps users the file does not name
      Files.writeString(acl, "user press-1\ntopic read x/#\n");
      Files.writeString(passwd, "newcomer:" + hash("n") + "\n");
      assertThat(a.importFiles(passwd, acl)).containsExactly(1, 1);
      assertThat(a.users()).extracting(Credential::username).containsExactly("dashboard", "newcomer", "press-1");
    }
  }

  @Test
  void aBrokenFile_importsNothing() throws Exception {
    Path passwd = Files.writeString(dir.resolve("passwd"), "ok:" + hash("x") + "\n");
    Path acl = Files.writeString(dir.resolve("acl.conf"), "user u\ntopic reed x\n");
    try (StoreAdmin a = admin()) {
      assertThatThrownBy(() -> a.importFiles(passwd, acl)).hasMessageStartingWith(acl + ":2:");
      assertThat(a.users()).isEmpty();
    }
  }

  @Test
  void usersAreAdded_replacedOnlyWhenAsked_rotated_andRemoved() throws Exception {
    try (StoreAdmin a = admin()) {
      assertThat(a.put("press-1", CHEAP.hash("a".getBytes(StandardCharsets.UTF_8)), false)).isFalse();
      assertThatThrownBy(() -> a.put("press-1", CHEAP.hash("b".getBytes(StandardCharsets.UTF_8)), false))
          .hasMessage("user \"press-1\" is in the store already (replace it to reset the password)");
      Instant until = Instant.now().plus(Duration.ofDays(1));
      a.rotate("press-1", CHEAP.hash("c".getBytes(StandardCharsets.UTF_8)), until);
      Credential rotated = a.users().get(0);
      assertThat(rotated.previous().orElseThrow().verify("a".getBytes(StandardCharsets.UTF_8))).isTrue();
      assertThat(rotated.hash().verify("c".getBytes(StandardCharsets.UTF_8))).isTrue();
      assertThat(a.put("press-1", CHEAP.hash("d".getBytes(StandardCharsets.UTF_8)), true)).isTrue();
      assertThat(a.users().get(0).previous()).as("a reset ends the rotation").isEmpty();
      assertThatThrownBy(() -> a.rotate("ghost", CHEAP.hash("x".getBytes(StandardCharsets.UTF_8)), until))
          .hasMessage("no user \"ghost\" in the store to rotate");
      assertThatThrownBy(() -> a.put("bad:name", CHEAP.hash("x".getBytes(StandardCharsets.UTF_8)), false))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("':'");
      assertThat(a.remove("press-1")).isTrue();
      assertThat(a.remove("press-1")).isFalse();
    }
  }

  @Test
  void aSchemaWithoutTheStore_saysToInitIt_andInitMakesIt() throws Exception {
    String fresh = db.schema + "_fresh";
    try (StoreAdmin a = StoreAdmin.connect(db.url, db.user, db.password, fresh)) {
      assertThatThrownBy(a::users).hasMessage("no mqtt-sec store in schema " + fresh + ": run mqtt-sec store init "
          + "first");
      assertThat(a.init()).isZero();
      assertThat(a.init()).isEqualTo(StoreSchema.VERSION);
      assertThat(a.users()).isEmpty();
    } finally {
      db.sql("DROP SCHEMA IF EXISTS " + fresh + " CASCADE");
    }
  }
}
