/**
 * Password hashes, mosquitto-compatible credential files, the password authenticator and its brute-force
 * guard: {@link io.mqttsec.creds.CredentialFile}, {@link io.mqttsec.creds.PasswordAuthenticator}.
 */
module io.mqttsec.creds {
  requires transitive io.mqttsec.api;
  requires com.github.benmanes.caffeine;
  requires org.bouncycastle.provider;

  exports io.mqttsec.creds;
}
