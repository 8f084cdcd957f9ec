/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SharedSubscriptionTest {

  @Test
  void parse_validShare_splitsGroupAndFilter() {
    SharedSubscription s = SharedSubscription.parse("$share/dashboards/factory/+/temp");
    assertThat(s.group()).isEqualTo("dashboards");
    assertThat(s.filter()).isEqualTo("factory/+/temp");
    assertThat(s).hasToString("$share/dashboards/factory/+/temp");
  }

  @Test
  void parse_filterWithDollarAndHash_kept() {
    assertThat(SharedSubscription.parse("$share/g/#").filter()).isEqualTo("#");
    assertThat(SharedSubscription.parse("$share/g//a").filter()).isEqualTo("/a");
  }

  @Test
  void parse_malformed_namesProblem() {
    assertThatThrownBy(() -> SharedSubscription.parse("$share/g"))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessage("shared subscription \"$share/g\": has no topic filter after the share name");
    assertThatThrownBy(() -> SharedSubscription.parse("$share//a"))
        .hasMessage("shared subscription \"$share//a\": the share name must not be empty");
    assertThatThrownBy(() -> SharedSubscription.parse("$share/g+/a"))
        .hasMessage("shared subscription \"$share/g+/a\": '+' at index 8 is not allowed in a share name");
    assertThatThrownBy(() -> SharedSubscription.parse("$share/g/"))
        .hasMessage("shared subscription \"$share/g/\": topic filter: must not be empty");
    assertThatThrownBy(() -> SharedSubscription.parse("$share/g/a/#/b"))
        .hasMessage("shared subscription \"$share/g/a/#/b\": topic filter: '#' at index 2 must be the last level")
        .satisfies(e -> assertThat(((InvalidTopicException) e).index()).isEqualTo(11));
    assertThatThrownBy(() -> SharedSubscription.parse("a/b"))
        .hasMessage("shared subscription \"a/b\": must start with $share/");
  }

  @Test
  void tryParse_wireInput_emptyInsteadOfException() {
    assertThat(SharedSubscription.tryParse("$share/g/a/+")).contains(new SharedSubscription("g", "a/+"));
    assertThat(SharedSubscription.tryParse("$share/g")).isEmpty();
    assertThat(SharedSubscription.tryParse("a/b")).isEmpty();
    assertThat(SharedSubscription.tryParse(null)).isEmpty();
  }

  @Test
  void innerFilter_wireInput_nullInsteadOfException() {
    assertThat(SharedSubscription.innerFilter("$share/g/factory/+/temp")).isEqualTo("factory/+/temp");
    assertThat(SharedSubscription.innerFilter("$share/g")).isNull();
    assertThat(SharedSubscription.innerFilter("$share/g+/a")).isNull();
    assertThat(SharedSubscription.innerFilter("$share/g/a/#/b")).isNull();
    assertThat(SharedSubscription.innerFilter("a/b")).isNull();
  }

  @Provide
  Arbitrary<String> shareLike() {
    return Arbitraries.of("$share", "/", "g", "+", "#", "a", "", "\u0000").list().ofMaxSize(7)
        .map(parts -> String.join("", parts));
  }

  /** The throwing and the wire path decide alike, so they cannot drift apart. */
  @Property(tries = 2000)
  void parseAndInnerFilter_agree(@ForAll("shareLike") String text) {
    String inner = SharedSubscription.innerFilter(text);
    try {
      assertThat(inner).isEqualTo(SharedSubscription.parse(text).filter());
      assertThat(SharedSubscription.tryParse(text)).contains(SharedSubscription.parse(text));
    } catch (InvalidTopicException e) {
      assertThat(inner).isNull();
      assertThat(SharedSubscription.tryParse(text)).isEmpty();
    }
  }

  @Test
  void isShared_onlyWithSlashAfterShare() {
    assertThat(SharedSubscription.isShared("$share/g/a")).isTrue();
    assertThat(SharedSubscription.isShared("$share")).isFalse();
    assertThat(SharedSubscription.isShared("$shared/g/a")).isFalse();
  }
}
