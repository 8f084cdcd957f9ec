/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.postgres;

import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.broker.BrokerConfig;
import io.mqttsec.broker.SharedStore;
import io.mqttsec.broker.StoreProvider;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code <store><postgres url="jdbc:postgresql://HOST:PORT/DB" user="ROLE" password-file="FILE" schema="NAME"/>
 * </store>} in mqtt-sec.xml: a {@link PostgresStore} with the configuration's subscribe mode. The role's password
 * comes from {@code password-file}, else {@code PGPASSWORD}, never from the file itself.
 */
public final class PostgresStoreProvider implements StoreProvider {

  private static final Set<String> KNOWN = Set.of("url", "user", "password-file", "schema");

  @Override
  public String kind() {
    return "postgres";
  }

  @Override
  public SharedStore open(Map<String, String> settings, BrokerConfig config, SecurityEventListener events) {
    Set<String> unknown = new HashSet<>(settings.keySet());
    unknown.removeAll(KNOWN);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown attribute " + unknown.stream().sorted().toList() + " (known: "
          + KNOWN.stream().sorted().toList() + ")");
    }
    if (PostgresStore.carriesPassword(settings.get("url"))) {
      throw new IllegalArgumentException("url= carries a password; give it in password-file= (or PGPASSWORD), "
          + "never in mqtt-sec.xml");
    }
    PostgresStore.Builder b = PostgresStore.builder(settings.get("url")).listener(events)
        .subscribeMode(config.subscribeMode());
    if (settings.containsKey("user")) {
      b.user(settings.get("user"));
    }
    if (settings.containsKey("schema")) {
      b.schema(settings.get("schema"));
    }
    if (settings.containsKey("password-file")) {
      b.passwordFile(Path.of(settings.get("password-file")));
    } else if (System.getenv("PGPASSWORD") != null) {
      b.password(System.getenv("PGPASSWORD").toCharArray());
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "PostgresStoreProvider{" + List.of(kind()) + '}';
  }
}
