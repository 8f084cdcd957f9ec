/**
 * TLS for MQTT: an internal CA for a device fleet ({@link io.mqttsec.tls.CertificateAuthority}) and the
 * identity a client certificate carries ({@link io.mqttsec.tls.CertificateIdentity}).
 */
module io.mqttsec.tls {
  requires transitive io.mqttsec.api;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;

  exports io.mqttsec.tls;
}
