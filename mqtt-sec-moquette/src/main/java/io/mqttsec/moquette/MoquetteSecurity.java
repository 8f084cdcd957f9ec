/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.moquette;

import io.mqttsec.acl.SubscribeMode;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.broker.AuditLog;
import io.mqttsec.broker.AuditOutput;
import io.mqttsec.broker.BrokerConfig;
import io.mqttsec.broker.BrokerSecurity;
import io.mqttsec.tls.ClientAuth;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * mqtt-sec inside an embedded Moquette broker: the same {@code mqtt-sec.xml}, password file and ACL as the HiveMQ
 * extension, decided by the same {@link BrokerSecurity}.
 *
 * <pre>{@code
 * MoquetteSecurity security = MoquetteSecurity.builder(Path.of("mqtt-sec.xml"))
 *     .serverCertificate(Path.of("server.pem"), Path.of("server.key")).build();
 * Properties moquette = new Properties();
 * moquette.setProperty("host", "0.0.0.0");
 * moquette.setProperty("ssl_port", "8883");
 * Server server = security.start(moquette);
 * ...
 * server.stopServer();
 * security.close();
 * }</pre>
 *
 * <p>Moquette gets one TLS listener, mqtt-sec's: client certificates are asked for but optional, and a
 * connection that presents one is decided as arriving on the certificate listener (default {@code mtls}), one
 * without as arriving on the password listener (default {@code tls}), each with the mode {@code mqtt-sec.xml}
 * gives it. Moquette's plain TCP and websocket listeners, its persistence, its anonymous mode and its telemetry
 * are turned off whatever the properties say; see the module README for what Moquette cannot enforce.
 */
public final class MoquetteSecurity implements AutoCloseable {

  private final BrokerSecurity security;
  private final ServerTls tls;
  private final MoquetteBroker broker;
  private final MoquetteAuth auth;
  private final MoquetteEvents events;
  private final ExecutorService executor;
  private final int maxPacketBytes;

  private MoquetteSecurity(BrokerSecurity security, ServerTls tls, MoquetteBroker broker, MoquetteAuth auth,
                           ExecutorService executor, int maxPacketBytes) {
    this.security = security;
    this.tls = tls;
    this.broker = broker;
    this.auth = auth;
    this.events = new MoquetteEvents(security, broker);
    this.executor = executor;
    this.maxPacketBytes = maxPacketBytes;
  }

  /** A builder reading {@code mqttSecXml}, the configuration the HiveMQ extension reads. */
  public static Builder builder(Path mqttSecXml) {
    return new Builder(Objects.requireNonNull(mqttSecXml, "mqttSecXml"));
  }

  /** Whether mqtt-sec allowed {@code clientId}'s subscription to {@code filter} (for tests to wait on). */
  boolean allowedSubscription(String clientId, String filter) {
    return broker.subscriptions(clientId).contains(filter);
  }

  /** The broker layer, for counters and warnings. */
  public BrokerSecurity security() {
    return security;
  }

  /**
   * Starts Moquette with {@code properties} (its own configuration keys: {@code host}, {@code ssl_port},
   * {@code persistent_client_expiration}, ...) and mqtt-sec's authenticator, authorizer, TLS and interceptor.
   * {@code ssl_port} is required; {@code port} and {@code websocket_port} are set to {@code disabled},
   * {@code allow_anonymous} to true (mqtt-sec decides on anonymous clients: Moquette would let them in without
   * asking), {@code allow_zero_byte_client_id} to true (Moquette then assigns an id, and mqtt-sec decides),
   * {@code persistence_enabled} and {@code telemetry_enabled} to false, and {@code netty.mqtt.message_size} to just
   * above the largest message any client may send.
   *
   * @throws IllegalArgumentException without {@code ssl_port}
   * @throws IOException if Moquette cannot start
   */
  public Server start(Properties properties) throws IOException {
    Properties p = new Properties();
    p.putAll(properties);
    if (p.getProperty(IConfig.SSL_PORT_PROPERTY_NAME) == null) {
      throw new IllegalArgumentException("Moquette's properties need ssl_port: mqtt-sec serves TLS only");
    }
    p.setProperty(IConfig.PORT_PROPERTY_NAME, "disabled");
    p.setProperty(IConfig.WEB_SOCKET_PORT_PROPERTY_NAME, "disabled");
    p.remove(IConfig.WSS_PORT_PROPERTY_NAME);
    p.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
    // a client that sends no id gets one from Moquette, as from any MQTT 3.1.1 broker; mosquitto's clients do
    p.setProperty(BrokerConstants.ALLOW_ZERO_BYTE_CLIENT_ID_PROPERTY_NAME, "true");
    p.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
    p.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
    p.remove(IConfig.PASSWORD_FILE_PROPERTY_NAME);
    p.remove(IConfig.ACL_FILE_PROPERTY_NAME);
    p.remove(IConfig.AUTHENTICATOR_CLASS_NAME);
    p.remove(IConfig.AUTHORIZATOR_CLASS_NAME);
    if (maxPacketBytes > 0) {
      p.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, String.valueOf(maxPacketBytes));
    }
    Server server = new Server();
    broker.server = server;
    server.startServer(new MemoryConfig(p), List.of(events), () -> new TappedSslContext(tls, auth::ended), auth,
        auth);
    return server;
  }

  /** Closes mqtt-sec's side (file watches, audit files); stop the Moquette server first. */
  @Override
  public void close() {
    broker.server = null;
    security.close();
    tls.close();
    executor.shutdown();
  }

  /** Builds a {@link MoquetteSecurity}; {@link #build()} refuses a configuration Moquette cannot enforce. */
  public static final class Builder {
    private final Path config;
    private Path certificate;
    private Path key;
    private String passwordListener = "tls";
    private String certificateListener = "mtls";
    private Consumer<String> auditSink = LoggerFactory.getLogger("io.mqttsec.audit")::info;
    private final List<AuditOutput> audits = new ArrayList<>();

    private Builder(Path config) {
      this.config = config;
    }

    /** The broker's certificate chain and key (PEM); re-read when they change. Required. */
    public Builder serverCertificate(Path chainPem, Path keyPem) {
      this.certificate = Objects.requireNonNull(chainPem, "chainPem");
      this.key = Objects.requireNonNull(keyPem, "keyPem");
      return this;
    }

    /** The listener name, in {@code mqtt-sec.xml}, of connections without a client certificate. Default tls. */
    public Builder passwordListener(String name) {
      this.passwordListener = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The listener name, in {@code mqtt-sec.xml}, of connections with a client certificate. Default mtls. */
    public Builder certificateListener(String name) {
      this.certificateListener = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Where the audit lines without a file go (JSON); default the SLF4J logger {@code io.mqttsec.audit}. */
    public Builder auditSink(Consumer<String> sink) {
      this.auditSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** An audit file besides those of the configuration. */
    public Builder audit(AuditOutput output) {
      audits.add(Objects.requireNonNull(output, "output"));
      return this;
    }

    /**
     * Reads the configuration and its files, and opens everything.
     *
     * @throws BrokerConfig.InvalidConfigException listing every problem, including what Moquette cannot
     *                                             enforce ({@code filter-on-delivery})
     */
    public MoquetteSecurity build() {
      if (certificate == null) {
        throw new IllegalStateException("serverCertificate(chainPem, keyPem) is required: Moquette serves TLS only");
      }
      BrokerConfig c = BrokerConfig.read(config);
      for (AuditOutput a : audits) {
        c = c.withAudit(a);
      }
      if (c.subscribeMode() == SubscribeMode.FILTER_ON_DELIVERY) {
        throw new BrokerConfig.InvalidConfigException(config, List.of("<subscribe-mode>filter-on-delivery: Moquette "
            + "has no hook to withhold a delivered message, so only strict can be enforced"));
      }
      TlsContexts.ServerBuilder tb = TlsContexts.forServer(certificate, key).reloadOnChange(true)
          .pollInterval(c.reloadInterval());
      if (c.trustedCertificates().isPresent()) {
        tb.trustedCertificates(c.trustedCertificates().get()).clientAuth(ClientAuth.OPTIONAL);
      }
      ServerTls tls = tb.build();
      MoquetteBroker broker = new MoquetteBroker();
      BrokerSecurity security;
      try {
        Consumer<String> sink = auditSink;
        SecurityEventListener log = c.logAuditFormat().<SecurityEventListener>map(f -> AuditLog.of(f, sink))
            .orElse(SecurityEventListener.none());
        security = BrokerSecurity.open(c, log, broker);
      } catch (RuntimeException e) {
        tls.close();
        throw e;
      }
      ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mqtt-sec-moquette");
        t.setDaemon(true);
        return t;
      });
      MoquetteAuth auth = new MoquetteAuth(security, broker, passwordListener, certificateListener, executor);
      return new MoquetteSecurity(security, tls, broker, auth, executor, (int) Math.min(Integer.MAX_VALUE, c.limits().maxPacketBytes()));
    }
  }
}
