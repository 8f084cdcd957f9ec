package io.mqttsec.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void isShared_onlyWithSlashAfterShare() {
    assertThat(SharedSubscription.isShared("$share/g/a")).isTrue();
    assertThat(SharedSubscription.isShared("$share")).isFalse();
    assertThat(SharedSubscription.isShared("$shared/g/a")).isFalse();
  }
}
