/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The compiled policy (tries for long lists, scanned lists for short ones) and each identity's {@link AclView}
 * against {@link ReferenceAcl} on random rule sets, identities, topics and filters: the same decision and the
 * same reason, for all three actions and both subscribe modes, and across reloads.
 */
class AclDifferentialTest {

  private static final List<String> LEVELS = List.of("a", "b", "", "$s", "$SYS", "%u", "%c");

  private static Arbitrary<String> filter(boolean placeholders) {
    Arbitrary<String> level = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of(LEVELS)),
        Tuple.of(3, Arbitraries.just("+")));
    return Combinators.combine(level.list().ofMinSize(1).ofMaxSize(4), Arbitraries.integers().between(0, 3))
        .as((levels, hash) -> {
          List<String> all = new ArrayList<>(levels);
          if (hash == 0) {
            all.set(all.size() - 1, "#");
          }
          String f = String.join("/", all);
          return f.isEmpty() ? "a" : f;
        });
  }

  @Provide
  Arbitrary<String> aclText() {
    Arbitrary<String> access = Arbitraries.of("read ", "write ", "readwrite ", "deny ", "deny ", "");
    Arbitrary<String> rule = Combinators.combine(Arbitraries.of("topic ", "topic ", "pattern "), access,
        filter(true)).as((kind, a, f) -> kind + a + f);
    Arbitrary<String> user = Arbitraries.of("user a", "user b", "user u+", "user %c", "user $s");
    Arbitrary<String> line = Arbitraries.frequencyOf(Tuple.of(6, rule), Tuple.of(2, user),
        Tuple.of(1, Arbitraries.of("# comment", "")));
    return line.list().ofMaxSize(14).map(lines -> String.join("\n", lines));
  }

  @Provide
  Arbitrary<ClientIdentity> identities() {
    Arbitrary<String> users = Arbitraries.of(null, "", "a", "b", "u+", "x/y", "%c", "$s", "c#");
    Arbitrary<String> ids = Arbitraries.of("", "a", "b", "c#", "%u", "d", "$s", "x/y");
    return Combinators.combine(users, ids).as(ClientIdentity::of);
  }

  @Provide
  Arbitrary<String> requests() {
    Arbitrary<String> level = Arbitraries.of("a", "b", "", "$s", "$SYS", "%u", "%c", "x", "d", "$share", "+", "#");
    Arbitrary<String> plain = level.list().ofMinSize(1).ofMaxSize(5).map(ls -> String.join("/", ls));
    return Arbitraries.frequencyOf(
        Tuple.of(8, plain),
        Tuple.of(1, plain.map(p -> "$share/g/" + p)),
        Tuple.of(1, Arbitraries.of("$share/g", "$SYS/broker/connection/x/state", "$sharex/a", "a/+b")));
  }

  /** Level names enough to give a node more children than a short list holds, so its hash table is used. */
  private static final List<String> WIDE = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "l" + i).toList();

  @Provide
  Arbitrary<String> wideAclText() {
    Arbitrary<String> level = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(WIDE)),
        Tuple.of(1, Arbitraries.just("+")), Tuple.of(1, Arbitraries.of("%u", "%c")));
    Arbitrary<String> filter = Combinators.combine(level.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(true,
        false)).as((levels, hash) -> "w/" + String.join("/", levels) + (hash ? "/#" : ""));
    Arbitrary<String> rule = Combinators.combine(Arbitraries.of("topic ", "pattern "),
        Arbitraries.of("read ", "write ", "readwrite ", "deny "), filter).as((kind, a, f) -> kind + a + f);
    Arbitrary<String> line = Arbitraries.frequencyOf(Tuple.of(12, rule), Tuple.of(1, Arbitraries.of("user a",
        "user b")));
    return line.list().ofMinSize(10).ofMaxSize(80).map(lines -> String.join("\n", lines));
  }

  @Provide
  Arbitrary<String> wideRequests() {
    Arbitrary<String> level = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(WIDE)),
        Tuple.of(1, Arbitraries.of("+", "#", "a", "b", "x")));
    return level.list().ofMinSize(1).ofMaxSize(4).map(ls -> "w/" + String.join("/", ls));
  }

  /** The same agreement on wide tries: nodes with up to 40 literal children, looked up through their table. */
  @Property(tries = 2_000)
  void compiled_agreesWithReference_onWideTries(
      @ForAll("wideAclText") String text,
      @ForAll("identities") ClientIdentity who,
      @ForAll("wideRequests") String request) {
    compiled_agreesWithReference(text, who, request);
  }

  /**
   * Levels a lookup could confuse: equal level hashes, for levels packed in one long ("frhlnsey", "mkalpkkt"), in
   * two ("oufihximmm", "yjjsqayqak") and for longer ones compared as text ("AaAaAaAaAaAaAaAaA",
   * "BBBBAaAaAaAaAaAaA"); levels whose last 8 chars pack alike ("abcdefgh", "xabcdefgh"), with equal hashes too
   * ("cjeyabcdefgh", "zlrwabcdefgh"); 8, 9, 16 and 17 chars alike but for the last; a Latin-1 and a wider char; a
   * prefix of another level.
   */
  private static final List<String> LOOKALIKES = List.of("frhlnsey", "mkalpkkt", "oufihximmm", "yjjsqayqak",
      "AaAaAaAaAaAaAaAaA", "BBBBAaAaAaAaAaAaA", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefghj", "xabcdefgh",
      "cjeyabcdefgh", "zlrwabcdefgh", "ponmlkjiabcdefgh", "ponmlkjiabcdefgi", "qponmlkjiabcdefgh", "abcdefgh€",
      "é", "e", "€", "ab", "a");

  @Provide
  Arbitrary<String> lookalikeAclText() {
    Arbitrary<String> level = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(LOOKALIKES)),
        Tuple.of(3, Arbitraries.of(WIDE)), Tuple.of(1, Arbitraries.of("+", "%u", "%c")));
    Arbitrary<String> filter = Combinators.combine(level.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(true,
        false)).as((ls, hash) -> String.join("/", ls) + (hash ? "/#" : ""));
    Arbitrary<String> rule = Combinators.combine(Arbitraries.of("topic ", "pattern "),
        Arbitraries.of("read ", "write ", "readwrite ", "deny "), filter).as((kind, a, f) -> kind + a + f);
    Arbitrary<String> line = Arbitraries.frequencyOf(Tuple.of(12, rule),
        Tuple.of(1, Arbitraries.of("user frhlnsey", "user AaAaAaAaAaAaAaAaA", "user xabcdefgh", "user €")));
    return line.list().ofMaxSize(60).map(lines -> String.join("\n", lines));
  }

  @Provide
  Arbitrary<ClientIdentity> lookalikeIdentities() {
    Arbitrary<String> names = Arbitraries.of("frhlnsey", "mkalpkkt", "AaAaAaAaAaAaAaAaA", "abcdefghi",
        "xabcdefgh", "cjeyabcdefgh", "abcdefgh€", "é", "€", "a+");
    return Combinators.combine(names.injectNull(0.2), names).as(ClientIdentity::of);
  }

  @Provide
  Arbitrary<String> lookalikeRequests() {
    Arbitrary<String> level = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(LOOKALIKES)),
        Tuple.of(2, Arbitraries.of(WIDE)), Tuple.of(1, Arbitraries.of("+", "#", "abcdefg", "abcdefghij")));
    return level.list().ofMinSize(1).ofMaxSize(4).map(ls -> String.join("/", ls));
  }

  /** The same agreement where levels look alike to the lookup: equal hashes, near-equal long levels, wide chars. */
  @Property(tries = 2_000)
  void compiled_agreesWithReference_onLookalikeLevels(
      @ForAll("lookalikeAclText") String text,
      @ForAll("lookalikeIdentities") ClientIdentity who,
      @ForAll("lookalikeRequests") String request) {
    compiled_agreesWithReference(text, who, request);
  }

  @Property(tries = 10_000)
  void compiled_agreesWithReference(
      @ForAll("aclText") String text,
      @ForAll("identities") ClientIdentity who,
      @ForAll("requests") String request) {
    AclPolicy strict = AclPolicy.parse(text, "acl.conf");
    AclPolicy onDelivery = strict.withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY);
    ReferenceAcl refStrict = ReferenceAcl.parse(text, "acl.conf", false);
    ReferenceAcl refOnDelivery = ReferenceAcl.parse(text, "acl.conf", true);
    AclView strictView = strict.viewFor(who);
    for (Action action : Action.values()) {
      Decision expected = refStrict.check(who, action, request);
      assertThat(strict.check(who, action, request))
          .as("%s %s %s with\n%s", who, action, request, text)
          .isEqualTo(expected);
      assertThat(strictView.authorize(action, request))
          .as("view of %s (%s rules) %s %s with\n%s", who, strictView.size(), action, request, text)
          .isEqualTo(expected);
    }
    Decision expected = refOnDelivery.check(who, Action.SUBSCRIBE, request);
    assertThat(onDelivery.check(who, Action.SUBSCRIBE, request))
        .as("%s SUBSCRIBE (filter on delivery) %s with\n%s", who, request, text)
        .isEqualTo(expected);
    assertThat(onDelivery.viewFor(who).authorize(Action.SUBSCRIBE, request))
        .as("view of %s SUBSCRIBE (filter on delivery) %s with\n%s", who, request, text)
        .isEqualTo(expected);
  }
}
