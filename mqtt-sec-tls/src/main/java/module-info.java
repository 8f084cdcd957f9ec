/**
 * TLS for MQTT: server and client contexts with mutual TLS, CRLs and hot rotation
 * ({@link io.mqttsec.tls.TlsContexts}), PEM files ({@link io.mqttsec.tls.Pem}), an internal CA for a device
 * fleet ({@link io.mqttsec.tls.CertificateAuthority}) and the identity a client certificate carries
 * ({@link io.mqttsec.tls.CertificateIdentity}).
 */
module io.mqttsec.tls {
  requires transitive io.mqttsec.api;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires com.github.benmanes.caffeine;

  exports io.mqttsec.tls;
}
