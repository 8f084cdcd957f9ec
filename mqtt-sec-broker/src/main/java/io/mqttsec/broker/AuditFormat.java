/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.api.SecurityEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;

/**
 * How an {@link AuditLog} writes its lines: one JSON object a line in every format, each field bounded to
 * {@value AuditLog#MAX_FIELD_BYTES} bytes of UTF-8.
 *
 * <ul>
 *   <li>{@link #MQTT_SEC}: mqtt-sec's own flat fields ({@code time}, {@code event}, {@code clientId}, ...),
 *       stable across releases;</li>
 *   <li>{@link #ECS}: Elastic Common Schema 9.4 ({@code @timestamp}, {@code event.kind/category/type/outcome},
 *       {@code user.name}, {@code source.ip}, {@code tls.client.*}, with mqtt-sec's own fields under
 *       {@code mqtt.*}), for Elasticsearch, OpenSearch and any ECS-aware pipeline;</li>
 *   <li>{@link #OCSF}: Open Cybersecurity Schema Framework 1.8 events (Authentication 3002, API Activity 6003,
 *       Network Activity 4001, Application Lifecycle 6002, Detection Finding 2004), for Splunk, Security Lake and
 *       any OCSF-aware pipeline.</li>
 * </ul>
 *
 * <p>The broker module's README maps every event to its fields in each format.
 */
public enum AuditFormat {
  /** mqtt-sec's own flat JSON lines. */
  MQTT_SEC("mqtt-sec", new MqttSecEncoder()),
  /** Elastic Common Schema. */
  ECS("ecs", new EcsEncoder()),
  /** Open Cybersecurity Schema Framework. */
  OCSF("ocsf", new OcsfEncoder());

  /** The ECS version the {@link #ECS} lines follow, as their {@code ecs.version}. */
  public static final String ECS_VERSION = "9.4.0";
  /** The OCSF version the {@link #OCSF} lines follow, as their {@code metadata.version}. */
  public static final String OCSF_VERSION = "1.8.0";

  private final String configName;
  private final AuditEncoder encoder;

  AuditFormat(String configName, AuditEncoder encoder) {
    this.configName = configName;
    this.encoder = encoder;
  }

  /** The name in {@code mqtt-sec.xml} and on the command line: {@code mqtt-sec}, {@code ecs} or {@code ocsf}. */
  public String configName() {
    return configName;
  }

  /**
   * The format named {@code name} ({@link #configName()}, any case).
   *
   * @throws IllegalArgumentException naming the formats there are
   */
  public static AuditFormat named(String name) {
    for (AuditFormat f : values()) {
      if (f.configName.equals(name.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new IllegalArgumentException("\"" + name + "\" is not an audit format (known: mqtt-sec, ecs, ocsf)");
  }

  /** {@code event} as one line of this format, without a line break. */
  public String encode(SecurityEvent event) {
    return encoder.encode(event, null);
  }

  /** As {@link #encode(SecurityEvent)}, naming the listener the client connected through. */
  public String encode(SecurityEvent event, String listener) {
    return encoder.encode(event, listener);
  }

  AuditEncoder encoder() {
    return encoder;
  }

  /** The version of mqtt-sec, as the audit lines name it; {@code "unknown"} outside a build. */
  static final String PRODUCT_VERSION = readVersion();

  private static String readVersion() {
    try (InputStream in = AuditFormat.class.getResourceAsStream("mqtt-sec.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
