/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * One store for a fleet of brokers in PostgreSQL, its changes pushed to every node: {@link
 * io.mqttsec.postgres.PostgresStore}.
 */
module io.mqttsec.postgres {
  requires transitive io.mqttsec.broker;
  requires transitive java.sql;
  requires org.postgresql.jdbc;

  exports io.mqttsec.postgres;

  provides io.mqttsec.broker.StoreProvider with io.mqttsec.postgres.PostgresStoreProvider;
}
