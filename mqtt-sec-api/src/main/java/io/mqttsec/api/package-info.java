/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The vocabulary shared by every mqtt-sec module.
 *
 * <ul>
 *   <li>{@link io.mqttsec.api.ClientIdentity}, {@link io.mqttsec.api.Action}, {@link io.mqttsec.api.Decision}:
 *       who asks, for what, and the answer with the rule that gave it.
 *   <li>{@link io.mqttsec.api.Authorizer}, {@link io.mqttsec.api.Authenticator}: the two questions a broker
 *       asks; every implementation fails closed.
 *   <li>{@link io.mqttsec.api.SecurityEvent}, {@link io.mqttsec.api.SecurityEventListener}: what library code
 *       reports instead of logging.
 *   <li>{@link io.mqttsec.api.Topics}, {@link io.mqttsec.api.SharedSubscription}: the MQTT topic rules.
 *   <li>{@link io.mqttsec.api.MqttSecException} and its subclasses: every deliberate exception.
 * </ul>
 */
package io.mqttsec.api;
