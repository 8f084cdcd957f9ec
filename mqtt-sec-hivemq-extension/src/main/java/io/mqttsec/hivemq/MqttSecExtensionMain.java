/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.hivemq;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.mqttsec.acl.SubscribeMode;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.broker.AuditLog;
import io.mqttsec.broker.AuditOutput;
import io.mqttsec.broker.BrokerConfig;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.tls.TlsContexts;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HiveMQ extension: HiveMQ's callbacks wired to {@link BrokerSecurity}, which holds every decision. Each
 * CONNECT is authenticated and its client id checked against its owner, every PUBLISH and SUBSCRIBE authorized,
 * wills held and checked again when due, every connect and disconnect audited as one JSON line (mqtt-sec's
 * format, ECS or OCSF) on the SLF4J logger {@code io.mqttsec.audit} and in the files {@code <audit file=...>}
 * names, alerts raised by the {@code <detection>} rules among them; reloads of the ACL, password file and CRLs reach connected clients and offline
 * sessions.
 *
 * <p>Configuration is {@code conf/mqtt-sec.xml} in the extension's folder ({@link BrokerConfig}), or the file
 * given to {@link #MqttSecExtensionMain(Path)} (an embedded extension's home folder is a temporary one). Every
 * error in it, or in the files it names, is collected and handed to {@code preventExtensionStartup}: the broker
 * never runs with a half-configured security extension.
 */
public final class MqttSecExtensionMain implements ExtensionMain {

  /** The SLF4J logger of the audit lines. */
  public static final String AUDIT_LOGGER = "io.mqttsec.audit";
  private static final Logger LOG = LoggerFactory.getLogger(MqttSecExtensionMain.class);
  private static final String REFUSED = "mqtt-sec refuses to start, so the broker does not run unprotected:";

  private final Path explicitConfig;
  private final Consumer<String> auditSink;
  private final List<AuditOutput> addedAudits;
  private BrokerSecurity security;

  /** Reads {@code conf/mqtt-sec.xml} from the extension's folder; audit lines go to SLF4J. */
  public MqttSecExtensionMain() {
    this(null);
  }

  /** Reads the given configuration file; audit lines go to SLF4J. For an embedded broker. */
  public MqttSecExtensionMain(Path configFile) {
    this(configFile, LoggerFactory.getLogger(AUDIT_LOGGER)::info);
  }

  /** As {@link #MqttSecExtensionMain(Path)}, with audit lines (JSON) handed to {@code auditSink}. */
  public MqttSecExtensionMain(Path configFile, Consumer<String> auditSink) {
    this(configFile, auditSink, List.of());
  }

  /**
   * As {@link #MqttSecExtensionMain(Path, Consumer)}, also writing the audit files {@code addedAudits} names beside
   * those of the configuration (the {@code broker} command's {@code --audit-format}).
   */
  public MqttSecExtensionMain(Path configFile, Consumer<String> auditSink, List<AuditOutput> addedAudits) {
    this.explicitConfig = configFile;
    this.auditSink = auditSink;
    this.addedAudits = List.copyOf(addedAudits);
  }

  /**
   * Starts the extension, or refuses with every problem listed. Any unexpected exception also refuses: an
   * extension that throws here leaves the broker running without it.
   */
  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    try {
      List<String> problems = start(input);
      if (!problems.isEmpty()) {
        close();
        output.preventExtensionStartup(REFUSED + "\n  " + String.join("\n  ", problems));
      }
    } catch (RuntimeException e) {
      close();
      output.preventExtensionStartup(REFUSED + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Starts everything, or returns the problems that prevent it. */
  private List<String> start(ExtensionStartInput input) {
    Path file = explicitConfig != null ? explicitConfig
        : input.getExtensionInformation().getExtensionHomeFolder().toPath().resolve("conf").resolve("mqtt-sec.xml");
    if (!TlsContexts.refuseClientInitiatedRenegotiation()) {
      LOG.warn("mqtt-sec: -Djdk.tls.rejectClientInitiatedRenegotiation=false lets TLS 1.2 clients renegotiate, "
          + "a full handshake each, as often as they like");
    }
    BrokerConfig config;
    try {
      config = BrokerConfig.read(file);
      for (AuditOutput added : addedAudits) {
        config = config.withAudit(added);
      }
    } catch (BrokerConfig.InvalidConfigException e) {
      return e.problems().stream().map(p -> file + ": " + p).toList();
    }
    if (config.usesCertificates() && config.crl().isEmpty()) {
      LOG.warn("mqtt-sec: certificate authentication without <crl>: a revoked device keeps access until its "
          + "certificate expires");
    }
    try {
      // the <audit> without a file (by default mqtt-sec's format) goes to SLF4J; those with one, to their files
      SecurityEventListener log = config.logAuditFormat().<SecurityEventListener>map(f -> AuditLog.of(f, auditSink))
          .orElse(SecurityEventListener.none());
      security = BrokerSecurity.open(config, log, new HiveMqBroker());
    } catch (BrokerConfig.InvalidConfigException e) {
      return e.problems();
    }
    security.warnings().forEach(w -> LOG.warn("mqtt-sec: {}", w));
    SecurityMetrics.register(Services.metricRegistry(), security.counters());
    Wills wills = new Wills();
    MqttSecAuthenticator authenticator = new MqttSecAuthenticator(security, wills);
    MqttSecAuthorizer authorizer = new MqttSecAuthorizer(security);
    Services.interceptorRegistry().setConnectInboundInterceptorProvider(i -> wills);
    Services.securityRegistry().setAuthenticatorProvider(i -> authenticator);
    Services.securityRegistry().setAuthorizerProvider(i -> authorizer);
    Limiter limiter = new Limiter(security);
    boolean deliveries = config.subscribeMode() == SubscribeMode.FILTER_ON_DELIVERY;
    Services.initializerRegistry().setClientInitializer((i, client) -> {
      client.addPublishInboundInterceptor(limiter);
      client.addUnsubscribeInboundInterceptor(limiter);
      if (deliveries) {
        client.addPublishOutboundInterceptor(authorizer);
      }
    });
    Lifecycle lifecycle = new Lifecycle(security, wills);
    Services.eventRegistry().setClientLifecycleEventListener(i -> lifecycle);
    return List.of();
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    close();
  }

  private void close() {
    if (security != null) {
      SecurityMetrics.unregister(Services.metricRegistry());
      security.close();
      security = null;
    }
  }
}
