package io.mqttsec.hivemq;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import java.util.List;

/**
 * The extension's metrics in HiveMQ's registry (so they appear wherever the broker's metrics are exported:
 * JMX, Prometheus extension). Names:
 * <ul>
 *   <li>{@code io.mqttsec.auth.success}, {@code io.mqttsec.auth.failure}: CONNECTs accepted and refused;</li>
 *   <li>{@code io.mqttsec.auth.lockout}, {@code io.mqttsec.auth.address-blocked}: brute-force guard actions;</li>
 *   <li>{@code io.mqttsec.acl.allow}, {@code io.mqttsec.acl.deny}: authorization decisions;</li>
 *   <li>{@code io.mqttsec.acl.check}: a timer of the time one ACL decision takes;</li>
 *   <li>{@code io.mqttsec.reload.failure}: reloads refused because the new file was broken.</li>
 * </ul>
 * The auth counters are driven by the library's events, so every path that writes an audit line counts too.
 */
final class SecurityMetrics implements SecurityEventListener {

  static final String PREFIX = "io.mqttsec.";
  static final List<String> NAMES = List.of("auth.success", "auth.failure", "auth.lockout", "auth.address-blocked",
      "acl.allow", "acl.deny", "acl.check", "reload.failure");

  final Counter authSuccess;
  final Counter authFailure;
  final Counter lockouts;
  final Counter addressBlocks;
  final Counter aclAllow;
  final Counter aclDeny;
  final Timer aclCheck;
  final Counter reloadFailures;

  SecurityMetrics(MetricRegistry registry) {
    authSuccess = registry.counter(PREFIX + "auth.success");
    authFailure = registry.counter(PREFIX + "auth.failure");
    lockouts = registry.counter(PREFIX + "auth.lockout");
    addressBlocks = registry.counter(PREFIX + "auth.address-blocked");
    aclAllow = registry.counter(PREFIX + "acl.allow");
    aclDeny = registry.counter(PREFIX + "acl.deny");
    aclCheck = registry.timer(PREFIX + "acl.check");
    reloadFailures = registry.counter(PREFIX + "reload.failure");
  }

  /** Removes the extension's metrics, so a stopped extension leaves nothing behind in the broker. */
  static void unregister(MetricRegistry registry) {
    NAMES.forEach(n -> registry.remove(PREFIX + n));
  }

  @Override
  public void on(SecurityEvent event) {
    if (event instanceof SecurityEvent.AuthSucceeded) {
      authSuccess.inc();
    } else if (event instanceof SecurityEvent.AuthFailed) {
      authFailure.inc();
    } else if (event instanceof SecurityEvent.ClientLockedOut) {
      lockouts.inc();
    } else if (event instanceof SecurityEvent.AddressBlocked) {
      addressBlocks.inc();
    } else if (event instanceof SecurityEvent.PolicyReloadFailed) {
      reloadFailures.inc();
    }
  }
}
