/**
 * The vocabulary shared by every mqtt-sec module: who a client is, what it asks to do, what was decided, the
 * events a security component reports, the exception hierarchy, and the MQTT topic rules.
 */
module io.mqttsec.api {
  exports io.mqttsec.api;
}
