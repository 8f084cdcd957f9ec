/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdCommandTest {

  @TempDir
  Path dir;

  Cli.Result passwd(String stdin, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "passwd";
    System.arraycopy(args, 0, all, 1, args.length);
    return Cli.input(stdin, all);
  }

  @Test
  void add_verify_delete_withExitCodesAndMessages() throws Exception {
    String file = dir.resolve("passwd").toString();
    Cli.Result add = passwd("s3cret-press\n", "add", file, "press-42", "--stdin", "--iterations", "1000");
    assertThat(add.exit()).isZero();
    assertThat(add.out()).isEqualTo("added press-42 to " + file + "\n");
    assertThat(add.err()).contains("warning: 1000 iterations is below the 210000 OWASP recommends");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(file)))).isEqualTo("rw-------");
    assertThat(Files.readString(Path.of(file))).startsWith("press-42:$7$1000$").doesNotContain("s3cret");

    assertThat(passwd("s3cret-press\n", "verify", file, "press-42", "--stdin"))
        .isEqualTo(new Cli.Result(0, "password ok for press-42\n", ""));
    assertThat(passwd("guess\n", "verify", file, "press-42", "--stdin"))
        .isEqualTo(new Cli.Result(1, "", "mqtt-sec: wrong password for press-42\n"));
    assertThat(passwd("x\n", "verify", file, "nobody", "--stdin"))
        .isEqualTo(new Cli.Result(1, "", "mqtt-sec: " + file + ": no user nobody\n"));

    Cli.Result again = passwd("other\n", "add", file, "press-42", "--stdin", "--iterations", "1000");
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).endsWith("mqtt-sec: " + file + ": user press-42 exists; use --replace to reset the "
        + "password or 'passwd rotate' to give devices a grace period\n");

    assertThat(passwd("", "delete", file, "press-42")).isEqualTo(new Cli.Result(0, "deleted press-42 from " + file
        + "\n", ""));
    assertThat(passwd("", "delete", file, "press-42").exit()).isEqualTo(1);
  }

  @Test
  void generate_printsThePasswordOnce_andItVerifies() throws Exception {
    String file = dir.resolve("passwd").toString();
    Cli.Result add = passwd("", "add", file, "gw-01", "--generate", "--iterations", "1000");
    assertThat(add.exit()).isZero();
    String password = add.out().lines().filter(l -> l.startsWith("generated password for gw-01: ")).findFirst()
        .orElseThrow().substring("generated password for gw-01: ".length());
    assertThat(password).hasSize(32);
    assertThat(passwd(password + "\n", "verify", file, "gw-01", "--stdin").exit()).isZero();
  }

  @Test
  void mosquitto20_usesTheSaltSizeMosquitto20Reads() {
    Path file = dir.resolve("passwd");
    assertThat(passwd("pw\n", "add", file.toString(), "press-1", "--stdin", "--iterations", "1000", "--mosquitto-2.0")
        .exit()).isZero();
    assertThat(CredentialFile.load(file).lookup("press-1").orElseThrow().hash().saltBytes()).isEqualTo(12);
    assertThat(passwd("pw\n", "add", file.toString(), "press-2", "--stdin", "--iterations", "1000").exit()).isZero();
    assertThat(CredentialFile.load(file).lookup("press-2").orElseThrow().hash().saltBytes()).isEqualTo(64);
  }

  @Test
  void noTerminalAndNoStdin_isAUsageError() {
    Cli.Result r = passwd("", "add", dir.resolve("passwd").toString(), "press-1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("mqtt-sec: no terminal to ask for the password; pass it on standard input with "
        + "--stdin, or use --generate\n");
    assertThat(passwd("", "add", dir.resolve("passwd").toString(), "press-1", "--stdin").exit()).isEqualTo(2);
    assertThat(dir.resolve("passwd")).as("no password, no user: no empty file left behind").doesNotExist();
    passwd("pw\n", "add", dir.resolve("passwd").toString(), "press-9", "--stdin", "--iterations", "1000");
    assertThat(passwd("", "verify", dir.resolve("passwd").toString(), "press-9").err()).as("verify has no --generate")
        .isEqualTo("mqtt-sec: no terminal to ask for the password; pass it on standard input with --stdin\n");
    assertThat(passwd("", "add", dir.resolve("passwd").toString(), "press-1", "--stdin").err())
        .isEqualTo("mqtt-sec: standard input holds no password (expected it on the first line)\n");
  }

  @Test
  void rotate_keepsTheOldPasswordForTheGracePeriod_andListShowsIt() throws Exception {
    String file = dir.resolve("passwd").toString();
    passwd("old-pw\n", "add", file, "gw-01", "--stdin", "--iterations", "1000");
    passwd("pw-2\n", "add", file, "dashboard", "--stdin", "--iterations", "1000");
    Instant before = Instant.now();
    Cli.Result rotate = passwd("new-pw\n", "rotate", file, "gw-01", "--stdin", "--iterations", "1000", "--grace",
        "2d");
    assertThat(rotate.exit()).as(rotate.err()).isZero();
    assertThat(rotate.out()).startsWith("rotated gw-01 in " + file + "; the old password works until ");
    Instant until = CredentialFile.load(Path.of(file)).lookup("gw-01").orElseThrow().previousUntil().orElseThrow();
    assertThat(until).as("whole seconds, for people to read").isEqualTo(until.truncatedTo(ChronoUnit.SECONDS))
        .isBetween(before.plus(Duration.ofDays(2)).minusSeconds(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(passwd("new-pw\n", "verify", file, "gw-01", "--stdin").out()).isEqualTo("password ok for gw-01\n");
    assertThat(passwd("old-pw\n", "verify", file, "gw-01", "--stdin").out())
        .startsWith("password ok for gw-01 (the previous one, valid until ");
    List<String> list = passwd("", "list", file).out().lines().toList();
    assertThat(list).hasSize(3);
    assertThat(list.get(0)).isEqualTo(String.format("%-24s %s", "dashboard",
        "pbkdf2-sha512, 1000 iterations, weak for a typed password"));
    assertThat(list.get(1)).startsWith(String.format("%-24s %s", "gw-01",
        "pbkdf2-sha512, 1000 iterations, weak for a typed password")
        + "  rotating: old password valid until ");
    assertThat(list.get(2)).isEqualTo("2 user(s)");
    assertThat(passwd("x\n", "rotate", file, "nobody", "--stdin").exit()).isEqualTo(2);
  }

  @Test
  void rotate_graceIsADurationAsPeopleWriteIt_andABadOneSaysWhichFormsWork() {
    String file = dir.resolve("passwd").toString();
    passwd("old-pw\n", "add", file, "gw-01", "--stdin", "--iterations", "1000");
    assertThat(passwd("new-pw\n", "rotate", file, "gw-01", "--stdin", "--grace", "1 day")).isEqualTo(
        new Cli.Result(2, "", "mqtt-sec: --grace \"1 day\" is not a duration (such as 30d, 12h, 90m, 45s, 500ms, "
            + "1h30m, or ISO-8601 P1D, PT2S)\n"));
    assertThat(passwd("new-pw\n", "rotate", file, "gw-01", "--stdin", "--grace", "0d")).isEqualTo(
        new Cli.Result(2, "", "mqtt-sec: --grace 0d: must be longer than zero\n"));
    assertThat(passwd("new-pw\n", "rotate", file, "gw-01", "--stdin", "--iterations", "1000", "--grace", "P1D")
        .exit()).isZero();
  }

  @Test
  void aSecondRotation_whileOneIsUnderWay_isRefusedUnlessForced_andSaysWhichPasswordEnds() throws Exception {
    String file = dir.resolve("passwd").toString();
    passwd("first\n", "add", file, "gw-01", "--stdin", "--iterations", "1000");
    passwd("second\n", "rotate", file, "gw-01", "--stdin", "--iterations", "1000", "--grace", "12h");
    Instant running = CredentialFile.load(Path.of(file)).lookup("gw-01").orElseThrow().previousUntil()
        .orElseThrow();
    byte[] before = Files.readAllBytes(Path.of(file));

    Cli.Result refused = passwd("third\n", "rotate", file, "gw-01", "--stdin");
    assertThat(refused).isEqualTo(new Cli.Result(2, "", "mqtt-sec: " + file + ": gw-01 is already rotating: its old "
        + "password works until " + running + ", and a second rotation would end it now, cutting off devices that "
        + "have not moved yet. Rotate again after " + running + ", or add --force\n"));
    assertThat(Files.readAllBytes(Path.of(file))).as("nothing written").isEqualTo(before);
    assertThat(passwd("first\n", "verify", file, "gw-01", "--stdin").exit()).isZero();

    Cli.Result forced = passwd("third\n", "rotate", file, "gw-01", "--stdin", "--iterations", "1000", "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(forced.out()).endsWith("\nthe password before it (valid until " + running + ") no longer works\n");
    assertThat(passwd("first\n", "verify", file, "gw-01", "--stdin").exit()).isEqualTo(1);
    assertThat(passwd("second\n", "verify", file, "gw-01", "--stdin").out()).startsWith("password ok for gw-01 (the "
        + "previous one");
    assertThat(passwd("third\n", "verify", file, "gw-01", "--stdin").out()).isEqualTo("password ok for gw-01\n");
  }

  @Test
  void aTypedPassword_keepsOwaspsCost_aGeneratedSecret_isStoredCheaply_andListSaysWhich() throws Exception {
    Path file = dir.resolve("passwd");
    Cli.Result typed = passwd("a person's password\n", "add", file.toString(), "operator", "--stdin");
    assertThat(typed.exit()).as(typed.err()).isZero();
    assertThat(typed.err()).as("no warning at the default cost").isEmpty();
    assertThat(CredentialFile.load(file).lookup("operator").orElseThrow().hash().iterations())
        .isGreaterThanOrEqualTo(210_000).isEqualTo(PasswordHasher.DEFAULT_PBKDF2_ITERATIONS);

    Cli.Result generated = passwd("", "add", file.toString(), "sensor-1", "--generate");
    assertThat(generated.exit()).as(generated.err()).isZero();
    assertThat(generated.out()).contains("Stored as a generated secret");
    String secret = generated.out().lines().findFirst().orElseThrow().replace("generated password for sensor-1: ", "");
    var hash = CredentialFile.load(file).lookup("sensor-1").orElseThrow().hash();
    assertThat(hash.iterations()).isEqualTo(PasswordHasher.GENERATED_SECRET_ITERATIONS);
    assertThat(hash.isGeneratedSecretCost()).isTrue();
    assertThat(hash.encoded()).as("mosquitto's $7$ form").startsWith("$7$100$");
    assertThat(hash.verify(secret.getBytes(StandardCharsets.UTF_8))).isTrue();

    Cli.Result rotated = passwd("", "rotate", file.toString(), "sensor-1", "--generate", "--grace", "1h");
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(CredentialFile.load(file).lookup("sensor-1").orElseThrow().hash().isGeneratedSecretCost()).isTrue();
    Cli.Result explicit = passwd("", "add", file.toString(), "sensor-2", "--generate", "--iterations", "5000");
    assertThat(CredentialFile.load(file).lookup("sensor-2").orElseThrow().hash().iterations()).isEqualTo(5000);
    assertThat(explicit.err()).isEmpty();

    List<String> list = passwd("", "list", file.toString()).out().lines().toList();
    assertThat(list).containsExactly(
        String.format("%-24s %s", "operator", "pbkdf2-sha512, 210000 iterations, typed"),
        list.get(1),
        String.format("%-24s %s", "sensor-2", "pbkdf2-sha512, 5000 iterations, weak for a typed password"),
        "3 user(s)");
    assertThat(list.get(1)).startsWith(String.format("%-24s %s", "sensor-1", "pbkdf2-sha512, 100 iterations, "
        + "generated  rotating: old password valid until "));
  }

  @Test
  void provision_hashesAFleet_writesOwnerOnlyCsv_andThePasswordsWork() throws Exception {
    Path file = dir.resolve("passwd");
    Path csv = dir.resolve("creds.csv");
    Cli.Result r = passwd("", "provision", file.toString(), "--count", "20", "--prefix", "sensor_", "--out",
        csv.toString(), "--iterations", "1000");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("added 20 users (sensor_01 .. sensor_20) to " + file + "; passwords in " + csv
        + " (owner-only: move them to the devices, then delete it)\n");
    assertThat(r.err()).contains("hashing [##############################] 20/20");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(csv))).isEqualTo("rw-------");
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(21).first().isEqualTo("user,password");
    String[] seventh = lines.get(7).split(",");
    assertThat(seventh[0]).isEqualTo("sensor_07");
    CredentialFile store = CredentialFile.load(file);
    assertThat(store.size()).isEqualTo(20);
    assertThat(store.lookup("sensor_07").orElseThrow().hash().verify(seventh[1].getBytes(StandardCharsets.UTF_8)))
        .isTrue();

    Cli.Result again = passwd("", "provision", file.toString(), "--count", "5", "--prefix", "sensor_", "--out",
        csv.toString(), "--iterations", "1000");
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).isEqualTo("mqtt-sec: " + csv + ": exists; refusing to overwrite a file of passwords\n");
    Cli.Result clash = passwd("", "provision", file.toString(), "--count", "5", "--prefix", "sensor_", "--out",
        dir.resolve("more.csv").toString(), "--iterations", "1000", "--start", "18");
    assertThat(clash.exit()).isEqualTo(2);
    assertThat(clash.err()).contains("user sensor_18 exists");
    assertThat(dir.resolve("more.csv")).doesNotExist();
  }

  @Test
  void malformedPasswordFile_exits2NamingFileAndLine() throws Exception {
    String hash = PasswordHasher.pbkdf2Sha512(1000).hash("a".getBytes(StandardCharsets.UTF_8)).encoded();
    Path file = Files.writeString(dir.resolve("passwd"), "alice:" + hash + "\nbob\n");
    for (String[] args : List.of(new String[] {"list", file.toString()},
        new String[] {"delete", file.toString(), "alice"},
        new String[] {"verify", file.toString(), "alice", "--stdin"},
        new String[] {"add", file.toString(), "carol", "--stdin"})) {
      Cli.Result r = passwd("pw\n", args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", args)).startsWith("mqtt-sec: " + file + ":2:");
    }
  }

  @Test
  void usageErrors_exit2() {
    assertThat(Cli.run().exit()).isEqualTo(2);
    assertThat(Cli.run("passwd").exit()).isEqualTo(2);
    assertThat(Cli.run("passwd", "add").err()).contains("Missing required parameter: 'FILE USER'");
    Cli.Result help = Cli.run("passwd", "provision", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--count", "--prefix", "--out");
  }
}
