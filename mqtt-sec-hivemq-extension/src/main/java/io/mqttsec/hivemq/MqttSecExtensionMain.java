package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.mqttsec.acl.ReloadingAcl;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.creds.Credential;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.tls.ClientCertificateVerifier;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The HiveMQ extension: authenticates CONNECTs against a mosquitto-format password file, authorizes every
 * PUBLISH and SUBSCRIBE against a mosquitto-format ACL, and writes an audit line for each security event.
 *
 * <p>Configuration is {@code conf/mqtt-sec.xml} in the extension's folder, or the file given to
 * {@link #MqttSecExtensionMain(Path)} (an embedded extension's home folder is a temporary one). Every error in
 * it, or in the files it names, is collected and handed to {@code preventExtensionStartup}: the broker never
 * runs with a half-configured security extension.
 *
 * <p>Live changes reach connected clients: after an ACL reload, subscriptions the new ACL no longer allows are
 * removed; after a password file reload, clients whose user is gone or whose password was reset are
 * disconnected.
 */
public final class MqttSecExtensionMain implements ExtensionMain {

  private final Path explicitConfig;
  private final SecurityEventListener audit;
  private final Clock clock = Clock.systemUTC();
  /** The audit log and the metrics: every security event goes to both. */
  private SecurityEventListener events;
  private volatile SecurityMetrics metrics;
  /** Authenticated clients by client id, for live changes. */
  private final Map<String, ClientIdentity> connected = new ConcurrentHashMap<>();
  private ReloadingAcl acl;
  private volatile String aclSource;
  private CredentialFile passwd;
  private ClientCertificateVerifier certificates;
  private MqttSecConfig config;

  /** Reads {@code conf/mqtt-sec.xml} from the extension's folder; audit lines go to SLF4J. */
  public MqttSecExtensionMain() {
    this(null, AuditLog.toSlf4j());
  }

  /** Reads the given configuration file; audit lines go to SLF4J. For an embedded broker. */
  public MqttSecExtensionMain(Path configFile) {
    this(configFile, AuditLog.toSlf4j());
  }

  /** As {@link #MqttSecExtensionMain(Path)}, with audit lines (JSON) handed to {@code auditSink}. */
  public MqttSecExtensionMain(Path configFile, Consumer<String> auditSink) {
    this(configFile, new AuditLog(auditSink));
  }

  private MqttSecExtensionMain(Path configFile, SecurityEventListener audit) {
    this.explicitConfig = configFile;
    this.audit = audit;
  }

  /**
   * Starts the extension, or refuses with every problem listed. Any unexpected exception also refuses: an
   * extension that throws here leaves the broker running without it.
   */
  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    try {
      start(input, output);
    } catch (RuntimeException e) {
      close();
      output.preventExtensionStartup("mqtt-sec refuses to start, so the broker does not run unprotected: "
          + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private void start(ExtensionStartInput input, ExtensionStartOutput output) {
    Path file = explicitConfig != null ? explicitConfig
        : input.getExtensionInformation().getExtensionHomeFolder().toPath().resolve("conf").resolve("mqtt-sec.xml");
    List<String> problems = new ArrayList<>();
    try {
      config = MqttSecConfig.read(file);
    } catch (MqttSecConfig.InvalidConfigException e) {
      e.problems().forEach(p -> problems.add(file + ": " + p));
    }
    this.events = e -> {
      audit.deliver(e);
      SecurityMetrics m = metrics;
      if (m != null) {
        m.deliver(e);
      }
    };
    if (config != null) {
      // reloads also sweep live subscriptions and connections
      SecurityEventListener libraryEvents = this::onEvent;
      aclSource = config.aclFile().toString();
      try {
        acl = ReloadingAcl.builder(config.aclFile()).subscribeMode(config.subscribeMode()).listener(libraryEvents)
            .pollInterval(config.reloadInterval()).requireValidAtStart().build();
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
      if (config.passwordFile().isPresent()) {
        try {
          passwd = CredentialFile.builder(config.passwordFile().get()).listener(libraryEvents).reloadOnChange()
              .pollInterval(config.reloadInterval()).build();
          passwd.onUsersChanged(this::onUsersChanged);
        } catch (RuntimeException e) {
          problems.add(e.getMessage());
        }
      }
      if (config.usesCertificates()) {
        try {
          ClientCertificateVerifier.Builder b = ClientCertificateVerifier.builder(config.trustedCertificates()
              .orElseThrow()).crlGracePeriod(config.crlGracePeriod()).reloadOnChange()
              .pollInterval(config.reloadInterval()).listener(libraryEvents);
          config.crl().ifPresent(b::crl);
          if (config.crl().isEmpty()) {
            LoggerFactory.getLogger(MqttSecExtensionMain.class).warn("mqtt-sec: certificate authentication without "
                + "<crl>: a revoked device keeps access until its certificate expires");
          }
          certificates = b.build();
          certificates.onReload(this::sweepCertificates);
        } catch (RuntimeException e) {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      close();
      output.preventExtensionStartup("mqtt-sec refuses to start, so the broker does not run unprotected:\n  "
          + String.join("\n  ", problems));
      return;
    }
    metrics = new SecurityMetrics(Services.metricRegistry());
    PasswordAuthenticator passwords = null;
    if (passwd != null) {
      PasswordAuthenticator.Builder auth = PasswordAuthenticator.builder(passwd).listener(events);
      if (!config.credentialCache()) {
        auth.noCache();
      }
      if (!config.bruteForceGuard()) {
        auth.noBruteForceGuard();
      }
      passwords = auth.build();
    }
    MqttSecAuthenticator authenticator = new MqttSecAuthenticator(passwords, certificates, config::authFor,
        config.anonymous(), Services.extensionExecutorService(), events, clock);
    MqttSecAuthorizer authorizer = new MqttSecAuthorizer(acl, events, clock, metrics);
    Services.securityRegistry().setAuthenticatorProvider(i -> authenticator);
    Services.securityRegistry().setAuthorizerProvider(i -> authorizer);
    if (config.subscribeMode() == io.mqttsec.acl.SubscribeMode.FILTER_ON_DELIVERY) {
      Services.initializerRegistry().setClientInitializer((i, client) -> client.addPublishOutboundInterceptor(
          authorizer));
    }
    Services.eventRegistry().setClientLifecycleEventListener(i -> new Lifecycle());
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    close();
  }

  private void close() {
    if (metrics != null) {
      SecurityMetrics.unregister(Services.metricRegistry());
    }
    if (certificates != null) {
      certificates.close();
    }
    if (acl != null) {
      acl.close();
    }
    if (passwd != null) {
      passwd.close();
    }
  }

  /** Library events go to the audit log and the metrics; an ACL reload also sweeps live subscriptions. */
  private void onEvent(SecurityEvent event) {
    events.deliver(event);
    if (event instanceof SecurityEvent.PolicyReloaded reloaded && acl != null
        && reloaded.source().equals(aclSource)) {
      sweepSubscriptions();
    }
  }

  /** Removes each subscription the ACL in force no longer allows. */
  private void sweepSubscriptions() {
    Services.subscriptionStore().iterateAllSubscriptions((context, result) -> {
      ClientIdentity who = connected.getOrDefault(result.getClientId(), ClientIdentity.of(null,
          result.getClientId()));
      Set<String> refused = new HashSet<>();
      result.getSubscriptions().forEach(s -> {
        Decision d = acl.authorize(who, Action.SUBSCRIBE, s.getTopicFilter());
        if (d.denied()) {
          refused.add(s.getTopicFilter());
          events.deliver(new SecurityEvent.AccessDenied(clock.instant(), who, Action.SUBSCRIBE, s.getTopicFilter(),
              d.reason() + " (subscription removed after an ACL reload)"));
        }
      });
      if (!refused.isEmpty()) {
        Services.subscriptionStore().removeSubscriptions(result.getClientId(), refused);
      }
    });
  }

  /**
   * Disconnects clients whose credential is gone: the user was removed, or its password was replaced outright
   * (a reset, which revokes the old password). A rotation keeps the previous password valid for its window, so
   * those clients stay and move to the new password when they next connect.
   */
  private void onUsersChanged(Set<String> users) {
    Instant now = clock.instant();
    connected.forEach((clientId, who) -> {
      String user = who.username().orElse(null);
      if (user == null || !users.contains(user)) {
        return;
      }
      Optional<Credential> entry = passwd.lookup(user);
      if (entry.isEmpty() || !entry.get().acceptsPrevious(now)) {
        Services.clientService().disconnectClient(clientId, false, DisconnectReasonCode.NOT_AUTHORIZED,
            entry.isEmpty() ? "credential removed" : "password replaced");
      }
    });
  }

  /** Disconnects clients whose certificate the CRLs now in force revoke (or the CAs no longer trust). */
  private void sweepCertificates() {
    connected.forEach((clientId, who) -> {
      if (!who.certificateChain().isEmpty()
          && certificates.check(who.certificateChain().toArray(new X509Certificate[0])).denied()) {
        Services.clientService().disconnectClient(clientId, false, DisconnectReasonCode.NOT_AUTHORIZED,
            "certificate revoked");
      }
    });
  }

  /** Tracks authenticated clients for live changes. */
  private final class Lifecycle implements ClientLifecycleEventListener {
    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {
    }

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
      String clientId = input.getClientInformation().getClientId();
      ConnectionInformation connection = input.getConnectionInformation();
      ClientIdentity who = MqttSecAuthorizer.identity(connection, clientId);
      String listener = connection.getListener().map(Listener::getName).orElse("unknown");
      if (config.authFor(listener).mode() != MqttSecConfig.AuthMode.PASSWORD) {
        X509Certificate[] chain = connection.getClientTlsInformation()
            .flatMap(ClientTlsInformation::getClientCertificateChain).orElse(null);
        if (chain != null) {
          who = who.withCertificateChain(chain);
        }
      }
      connected.put(clientId, who);
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
      // a taken-over session's old connection ends after (or while) the new one with the same client id
      // authenticates: removing the entry then would hide the new connection from live revocation
      if (input.getReasonCode().filter(DisconnectedReasonCode.SESSION_TAKEN_OVER::equals).isEmpty()) {
        connected.remove(input.getClientInformation().getClientId());
      }
    }
  }
}
