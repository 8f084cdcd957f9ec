/**
 * The security of one MQTT broker as plain Java, which any broker adapter drives: {@link
 * io.mqttsec.broker.BrokerSecurity}.
 */
module io.mqttsec.broker {
  requires transitive io.mqttsec.api;
  requires transitive io.mqttsec.acl;
  requires transitive io.mqttsec.creds;
  requires transitive io.mqttsec.tls;
  requires java.xml;

  exports io.mqttsec.broker;
}
