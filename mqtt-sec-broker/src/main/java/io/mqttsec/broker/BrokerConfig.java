/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.acl.SubscribeMode;
import io.mqttsec.api.MqttSecException;
import io.mqttsec.internal.Checks;
import io.mqttsec.internal.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * A broker's mqtt-sec configuration, {@code mqtt-sec.xml}, as every adapter reads it:
 *
 * <pre>{@code
 * <mqtt-sec>
 *   <password-file>passwd</password-file>            <!-- mosquitto password_file; relative to this file -->
 *   <acl-file>acl.conf</acl-file>                     <!-- mosquitto acl_file -->
 *   <subscribe-mode>strict</subscribe-mode>           <!-- or filter-on-delivery -->
 *   <authentication default="password">               <!-- password | certificate | certificate-and-password -->
 *     <listener name="mtls" mode="certificate" identity="cn"/>
 *     <!-- identity: cn | subject | san-dns | san-uri | san-email | sha256 -->
 *   </authentication>
 *   <trusted-certificates>ca.pem</trusted-certificates>   <!-- needed by certificate modes -->
 *   <crl>ca.crl</crl>                                 <!-- optional; revocation for certificate modes -->
 *   <crl-grace-period>PT0S</crl-grace-period>
 *   <client-id-policy>owned</client-id-policy>        <!-- owned | username (separator="-") | any -->
 *   <session-owners>session-owners.log</session-owners>
 *   <anonymous>false</anonymous>
 *   <brute-force-guard>true</brute-force-guard>
 *   <credential-cache>true</credential-cache>
 *   <upgrade-on-login>false</upgrade-on-login>
 *   <reload-interval>PT2S</reload-interval>
 *   <limits>                                          <!-- if absent, Limits.DEFAULT; see LimitsConfig -->
 *     <clients message-rate="50" message-burst="100" max-message-bytes="1048576" max-connections="10"/>
 *     <user name="gateway-*" message-rate="500"/>
 *     <address connect-rate="20" connect-burst="40"/>
 *   </limits>
 *   <server-tls>                                      <!-- optional: the broker's own certificate, for a -->
 *     <certificate>server.pem</certificate>           <!-- broker that reads PKCS#12 key stores (HiveMQ) -->
 *     <key>server.key</key>
 *     <keystore>broker.p12</keystore>                 <!-- written now and whenever the PEM files change -->
 *     <truststore>trust.p12</truststore>              <!-- optional: the trusted CAs, for mutual TLS -->
 *     <store-password-file>store-password</store-password-file>
 *   </server-tls>
 *   <audit format="ecs" file="audit.jsonl"/>          <!-- mqtt-sec | ecs | ocsf; without file=, the broker's -->
 *   <audit format="mqtt-sec"/>                        <!-- log; max-file-bytes="104857600" keep-files="5" -->
 *   <detection>                                       <!-- if absent, Detection.DEFAULT; see DetectionConfig -->
 *     <brute-force failures="10" window="PT1M"/>
 *   </detection>
 * </mqtt-sec>
 * }</pre>
 *
 * <p>Reading is strict: an unknown element, a missing file, a bad value or a contradiction is an error, and
 * all errors are collected so that one failed start lists every problem. The XML parser refuses DTDs and
 * external entities (no XXE).
 */
public final class BrokerConfig {

  /** The default name of the session owners journal, beside the configuration file. */
  public static final String DEFAULT_SESSION_OWNERS = "session-owners.log";

  /** The broker's own TLS material, kept in the key stores the broker reads. */
  public record ServerTlsFiles(Path certificate, Path key, Path keystore, Optional<Path> truststore,
                               Path storePasswordFile) {
  }

  private static final Set<String> ELEMENTS = Set.of("password-file", "acl-file", "subscribe-mode",
      "authentication", "trusted-certificates", "crl", "crl-grace-period", "anonymous", "brute-force-guard",
      "credential-cache", "upgrade-on-login", "reload-interval", "client-id-policy", "session-owners",
      "server-tls", "limits", "audit", "detection", "store");
  private static final Set<String> AUDIT = Set.of("format", "file", "max-file-bytes", "keep-files");
  private static final Set<String> SERVER_TLS = Set.of("certificate", "key", "keystore", "truststore",
      "store-password-file");

  private final Path source;
  private Path passwordFile;
  private Path aclFile;
  private SubscribeMode subscribeMode = SubscribeMode.STRICT;
  private ListenerAuth defaultAuth = ListenerAuth.password();
  private final Map<String, ListenerAuth> listenerAuth = new HashMap<>();
  private Path trustedCertificates;
  private Path crl;
  private Duration crlGrace = Duration.ZERO;
  private boolean anonymous;
  private boolean bruteForceGuard = true;
  private boolean credentialCache = true;
  private boolean upgradeOnLogin;
  private Duration reloadInterval = Duration.ofSeconds(2);
  private ClientIdPolicy clientIdPolicy = ClientIdPolicy.OWNED;
  private Path sessionOwners;
  private ServerTlsFiles serverTls;
  private Limits limits = Limits.DEFAULT;
  private final List<AuditOutput> audits = new ArrayList<>();
  private Detection detection = Detection.DEFAULT;
  private StoreSettings store;

  /**
   * A {@code <store>}: the kind of store (its element's name, such as {@code postgres}) and its attributes, with
   * {@code password-file} made absolute against the configuration's folder.
   */
  public record StoreSettings(String kind, Map<String, String> settings) {
    public StoreSettings {
      Objects.requireNonNull(kind, "kind");
      settings = Map.copyOf(settings);
    }
  }

  private BrokerConfig(Path source) {
    this.source = source;
  }

  /**
   * Reads and checks {@code file}.
   *
   * @throws InvalidConfigException listing every problem found
   */
  public static BrokerConfig read(Path file) {
    BrokerConfig config = new BrokerConfig(file);
    List<String> errors = new ArrayList<>();
    Element root = parse(file, errors);
    if (root != null) {
      config.load(root, errors);
    }
    if (!errors.isEmpty()) {
      throw new InvalidConfigException(file, errors);
    }
    return config;
  }

  /** Every problem found in a configuration, in the order found. */
  public static final class InvalidConfigException extends MqttSecException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    /** {@code problems} of {@code file}; public so that a broker adapter reports what its broker cannot do alike. */
    public InvalidConfigException(Path file, List<String> problems) {
      super(file + ": " + problems.size() + " problem(s): " + String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    /** The problems, each naming the element (or file and line) and what is wrong. */
    public List<String> problems() {
      return problems;
    }
  }

  private static Element parse(Path file, List<String> errors) {
    try (InputStream in = Files.newInputStream(file)) {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      Document doc = builder.parse(in);
      Element root = doc.getDocumentElement();
      if (!root.getTagName().equals("mqtt-sec")) {
        errors.add("the root element must be <mqtt-sec>, not <" + root.getTagName() + ">");
        return null;
      }
      return root;
    } catch (SAXParseException e) {
      errors.add("line " + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
    } catch (IOException e) {
      errors.add(Checks.cannotRead(e));
    } catch (SAXException | ParserConfigurationException e) {
      errors.add("cannot read (" + e.getMessage() + ")");
    }
    return null;
  }

  private void load(Element root, List<String> errors) {
    Set<String> seen = new HashSet<>();
    Path base = source.toAbsolutePath().getParent();
    for (Element e : children(root)) {
      String name = e.getTagName();
      String text = e.getTextContent().strip();
      if (!ELEMENTS.contains(name)) {
        errors.add("<" + name + ">: unknown element (known: " + String.join(", ", ELEMENTS.stream().sorted()
            .toList()) + ")");
        continue;
      }
      if (!seen.add(name) && !name.equals("audit")) {
        errors.add("<" + name + ">: given twice");
        continue;
      }
      switch (name) {
        case "password-file" -> passwordFile = existingFile(base, name, text, errors);
        case "acl-file" -> aclFile = existingFile(base, name, text, errors);
        case "trusted-certificates" -> trustedCertificates = existingFile(base, name, text, errors);
        case "crl" -> crl = existingFile(base, name, text, errors);
        case "subscribe-mode" -> subscribeMode = switch (text) {
          case "strict" -> SubscribeMode.STRICT;
          case "filter-on-delivery" -> SubscribeMode.FILTER_ON_DELIVERY;
          default -> {
            errors.add("<subscribe-mode>: \"" + text + "\" is not strict or filter-on-delivery");
            yield SubscribeMode.STRICT;
          }
        };
        case "crl-grace-period" -> crlGrace = duration(name, text, crlGrace, errors);
        case "reload-interval" -> reloadInterval = duration(name, text, reloadInterval, errors);
        case "anonymous" -> anonymous = bool(name, text, errors);
        case "brute-force-guard" -> bruteForceGuard = bool(name, text, errors);
        case "credential-cache" -> credentialCache = bool(name, text, errors);
        case "upgrade-on-login" -> upgradeOnLogin = bool(name, text, errors);
        case "authentication" -> authentication(e, errors);
        case "client-id-policy" -> clientIdPolicy(e, text, errors);
        case "session-owners" -> sessionOwners = writableFile(base, name, text, errors);
        case "server-tls" -> serverTls(e, base, errors);
        case "limits" -> limits = LimitsConfig.read(e, errors);
        case "audit" -> audit(e, base, errors);
        case "detection" -> detection = DetectionConfig.read(e, errors);
        case "store" -> store(e, base, errors);
        default -> throw new IllegalStateException(name);
      }
    }
    if (seen.contains("store")) {
      for (String replaced : List.of("password-file", "acl-file")) {
        if (seen.contains(replaced)) {
          errors.add("<" + replaced + ">: a <store> holds the users and the ACL; remove one of the two");
        }
      }
    } else if (aclFile == null && !seen.contains("acl-file")) {
      errors.add("<acl-file> is required: without an ACL every publish and subscription would be refused");
    }
    if (usesPassword() && passwordFile == null && !seen.contains("password-file") && !seen.contains("store")) {
      errors.add("<password-file> is required by the password authentication mode");
    }
    if (usesCertificates() && trustedCertificates == null && !seen.contains("trusted-certificates")) {
      errors.add("<trusted-certificates> is required by the certificate authentication modes");
    }
    if (crl != null && !usesCertificates()) {
      errors.add("<crl> is set but no listener uses a certificate mode, so it would never be checked");
    }
    if (upgradeOnLogin && !usesPassword()) {
      errors.add("<upgrade-on-login> is set but no listener checks passwords");
    }
    if (reloadInterval.compareTo(Duration.ofMillis(10)) < 0) {
      errors.add("<reload-interval>: must be at least 10ms, was " + Durations.describe(reloadInterval));
    }
    if (serverTls != null && serverTls.truststore().isPresent() && trustedCertificates == null) {
      errors.add("<server-tls>: <truststore> needs <trusted-certificates>, the CAs it would hold");
    }
    if (sessionOwners == null && !seen.contains("session-owners")) {
      sessionOwners = base.resolve(DEFAULT_SESSION_OWNERS);
    }
  }

  /** {@code <store><KIND attribute="..."/></store>}: one kind, its attributes as given. */
  private void store(Element e, Path base, List<String> errors) {
    List<Element> kinds = children(e);
    if (kinds.size() != 1) {
      errors.add("<store>: name one store, such as <postgres url=\"jdbc:postgresql://HOST:PORT/DB\"/>");
      return;
    }
    Element kind = kinds.get(0);
    Map<String, String> settings = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kind.getAttributes().getLength(); i++) {
      Node a = kind.getAttributes().item(i);
      settings.put(a.getNodeName(), a.getNodeValue().strip());
    }
    if (!settings.containsKey("url")) {
      errors.add("<store><" + kind.getTagName() + ">: needs url=");
    }
    if (settings.containsKey("password-file")) {
      Path file = existingFile(base, "store><" + kind.getTagName() + " password-file", settings.get(
          "password-file"), errors);
      if (file == null) {
        return;
      }
      settings.put("password-file", file.toString());
    }
    store = new StoreSettings(kind.getTagName(), settings);
  }

  private void audit(Element e, Path base, List<String> errors) {
    for (int i = 0; i < e.getAttributes().getLength(); i++) {
      String attribute = e.getAttributes().item(i).getNodeName();
      if (!AUDIT.contains(attribute)) {
        errors.add("<audit>: unknown attribute " + attribute + " (known: " + String.join(", ", AUDIT.stream()
            .sorted().toList()) + ")");
      }
    }
    AuditFormat format = AuditFormat.MQTT_SEC;
    if (e.hasAttribute("format")) {
      try {
        format = AuditFormat.named(e.getAttribute("format").strip());
      } catch (IllegalArgumentException ex) {
        errors.add("<audit format=\"" + e.getAttribute("format") + "\">: not mqtt-sec, ecs or ocsf");
      }
    }
    long maxBytes = AuditFile.DEFAULT_MAX_BYTES;
    if (e.hasAttribute("max-file-bytes")) {
      String v = e.getAttribute("max-file-bytes").strip();
      try {
        maxBytes = Long.parseLong(v);
      } catch (NumberFormatException ex) {
        maxBytes = -1;
      }
      if (maxBytes < 1024) {
        errors.add("<audit max-file-bytes=\"" + v + "\">: must be a whole number of bytes, 1024 at least");
        maxBytes = AuditFile.DEFAULT_MAX_BYTES;
      }
    }
    int keep = AuditFile.DEFAULT_KEEP;
    if (e.hasAttribute("keep-files")) {
      String v = e.getAttribute("keep-files").strip();
      try {
        keep = Integer.parseInt(v);
      } catch (NumberFormatException ex) {
        keep = -1;
      }
      if (keep < 0 || keep > 1000) {
        errors.add("<audit keep-files=\"" + v + "\">: must be a whole number from 0 to 1000");
        keep = AuditFile.DEFAULT_KEEP;
      }
    }
    Optional<Path> file = Optional.empty();
    if (e.hasAttribute("file")) {
      Path f = writableFile(base, "audit", e.getAttribute("file").strip(), errors);
      if (f == null) {
        return;
      }
      file = Optional.of(f);
      for (AuditOutput other : audits) {
        if (other.file().equals(file)) {
          errors.add("<audit file=\"" + e.getAttribute("file") + "\">: given twice");
          return;
        }
      }
    } else if (e.hasAttribute("max-file-bytes") || e.hasAttribute("keep-files")) {
      errors.add("<audit>: max-file-bytes and keep-files need file=");
      return;
    } else if (audits.stream().anyMatch(a -> a.file().isEmpty())) {
      errors.add("<audit>: only one <audit> may go to the broker's log (the others need file=)");
      return;
    }
    audits.add(new AuditOutput(format, file, maxBytes, keep));
  }

  private static List<Element> children(Element parent) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }

  private void authentication(Element e, List<String> errors) {
    if (e.hasAttribute("default")) {
      defaultAuth = new ListenerAuth(mode("authentication default", e.getAttribute("default"), errors),
          identity("authentication", e.getAttribute("identity"), errors));
    }
    for (Element l : children(e)) {
      if (!l.getTagName().equals("listener") || !l.hasAttribute("name")) {
        errors.add("<authentication>: expected <listener name=\"...\" mode=\"...\"/>, found <" + l.getTagName()
            + ">");
        continue;
      }
      String listener = l.getAttribute("name");
      ListenerAuth auth = new ListenerAuth(mode("listener " + listener, l.getAttribute("mode"), errors),
          identity("listener " + listener, l.getAttribute("identity"), errors));
      if (listenerAuth.put(listener, auth) != null) {
        errors.add("<authentication>: listener \"" + listener + "\" is given twice");
      }
    }
  }

  private void clientIdPolicy(Element e, String text, List<String> errors) {
    boolean separated = e.hasAttribute("separator");
    switch (text) {
      case "owned" -> clientIdPolicy = ClientIdPolicy.OWNED;
      case "any" -> clientIdPolicy = ClientIdPolicy.ANY;
      case "username" -> {
        if (!separated) {
          clientIdPolicy = ClientIdPolicy.USERNAME;
        } else if (e.getAttribute("separator").isEmpty()) {
          errors.add("<client-id-policy>: separator=\"\" is empty; leave it out for \"the user name exactly\"");
        } else {
          clientIdPolicy = ClientIdPolicy.usernamePrefix(e.getAttribute("separator"));
        }
        return;
      }
      default -> {
        errors.add("<client-id-policy>: \"" + text + "\" is not owned, username or any");
        return;
      }
    }
    if (separated) {
      errors.add("<client-id-policy>: separator=\"...\" belongs to the username policy, not " + text);
    }
  }

  private void serverTls(Element e, Path base, List<String> errors) {
    Map<String, Path> files = new HashMap<>();
    for (Element c : children(e)) {
      String name = c.getTagName();
      if (!SERVER_TLS.contains(name)) {
        errors.add("<server-tls>: unknown element <" + name + "> (known: " + String.join(", ", SERVER_TLS.stream()
            .sorted().toList()) + ")");
        continue;
      }
      String text = c.getTextContent().strip();
      Path p = name.equals("keystore") || name.equals("truststore") ? writableFile(base, "server-tls " + name,
          text, errors) : existingFile(base, "server-tls " + name, text, errors);
      if (files.put(name, p) != null) {
        errors.add("<server-tls>: <" + name + "> given twice");
      }
    }
    List<String> missing = new ArrayList<>();
    for (String required : List.of("certificate", "key", "keystore", "store-password-file")) {
      if (!files.containsKey(required)) {
        missing.add("<" + required + ">");
      }
    }
    if (!missing.isEmpty()) {
      errors.add("<server-tls>: needs " + String.join(", ", missing));
      return;
    }
    if (!files.containsValue(null)) { // a bad path was reported where it was read
      serverTls = new ServerTlsFiles(files.get("certificate"), files.get("key"), files.get("keystore"),
          Optional.ofNullable(files.get("truststore")), files.get("store-password-file"));
    }
  }

  private static ListenerAuth.Mode mode(String where, String value, List<String> errors) {
    return switch (value) {
      case "password" -> ListenerAuth.Mode.PASSWORD;
      case "certificate" -> ListenerAuth.Mode.CERTIFICATE;
      case "certificate-and-password" -> ListenerAuth.Mode.CERTIFICATE_AND_PASSWORD;
      default -> {
        errors.add("<" + where + ">: mode \"" + value + "\" is not password, certificate or "
            + "certificate-and-password");
        yield ListenerAuth.Mode.PASSWORD;
      }
    };
  }

  private static ListenerAuth.Identity identity(String where, String value, List<String> errors) {
    return switch (value) {
      case "", "cn" -> ListenerAuth.Identity.CN;
      case "subject" -> ListenerAuth.Identity.SUBJECT;
      case "san-dns" -> ListenerAuth.Identity.SAN_DNS;
      case "san-uri" -> ListenerAuth.Identity.SAN_URI;
      case "san-email" -> ListenerAuth.Identity.SAN_EMAIL;
      case "sha256" -> ListenerAuth.Identity.SHA256;
      default -> {
        errors.add("<" + where + ">: identity \"" + value + "\" is not cn, subject, san-dns, san-uri, san-email "
            + "or sha256");
        yield ListenerAuth.Identity.CN;
      }
    };
  }

  private static Path existingFile(Path base, String name, String text, List<String> errors) {
    if (text.isEmpty()) {
      errors.add("<" + name + ">: empty; give a file path");
      return null;
    }
    Path file = base.resolve(text).normalize();
    if (!Files.isRegularFile(file)) {
      errors.add("<" + name + ">: " + file + " does not exist or is not a file");
      return null;
    }
    return file;
  }

  /** A file mqtt-sec writes: it may be missing, but its folder must exist. */
  private static Path writableFile(Path base, String name, String text, List<String> errors) {
    if (text.isEmpty()) {
      errors.add("<" + name + ">: empty; give a file path");
      return null;
    }
    Path file = base.resolve(text).normalize();
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      errors.add("<" + name + ">: the folder of " + file + " does not exist");
      return null;
    }
    if (Files.isDirectory(file)) {
      errors.add("<" + name + ">: " + file + " is a folder, not a file");
      return null;
    }
    return file;
  }

  /** The duration in {@code text}, or (after noting the error) {@code fallback}, so one error is reported once. */
  private static Duration duration(String name, String text, Duration fallback, List<String> errors) {
    try {
      Duration d = Durations.parse(text);
      if (d.isNegative()) {
        errors.add("<" + name + ">: must not be negative, was " + text);
        return fallback;
      }
      return d;
    } catch (IllegalArgumentException e) {
      errors.add("<" + name + ">: " + e.getMessage());
      return fallback;
    }
  }

  private static boolean bool(String name, String text, List<String> errors) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> {
        errors.add("<" + name + ">: \"" + text + "\" is not true or false");
        yield false;
      }
    };
  }

  /** The file this configuration was read from. */
  public Path source() {
    return source;
  }

  /** The mosquitto-format password file, when a password mode is used. */
  public Optional<Path> passwordFile() {
    return Optional.ofNullable(passwordFile);
  }

  /** The mosquitto-format ACL file; null when a {@linkplain #store() store} holds the ACL. */
  public Path aclFile() {
    return aclFile;
  }

  /** How SUBSCRIBE is authorized. If unset, strict. */
  public SubscribeMode subscribeMode() {
    return subscribeMode;
  }

  /** The authentication of the named listener, or the default. If unset, password. */
  public ListenerAuth authFor(String listenerName) {
    return listenerAuth.getOrDefault(listenerName, defaultAuth);
  }

  /** The default authentication, for listeners not named in {@code <authentication>}. */
  public ListenerAuth defaultAuth() {
    return defaultAuth;
  }

  /** The listeners named in {@code <authentication>}, each with its authentication. */
  public Map<String, ListenerAuth> listenerAuth() {
    return Map.copyOf(listenerAuth);
  }

  /** Whether the default or any listener checks a password. */
  public boolean usesPassword() {
    return defaultAuth.usesPassword() || listenerAuth.values().stream().anyMatch(ListenerAuth::usesPassword);
  }

  /** Whether the default or any listener uses a certificate mode. */
  public boolean usesCertificates() {
    return defaultAuth.usesCertificate() || listenerAuth.values().stream().anyMatch(ListenerAuth::usesCertificate);
  }

  /** CAs for client certificates. */
  public Optional<Path> trustedCertificates() {
    return Optional.ofNullable(trustedCertificates);
  }

  /** The CRL file for client certificates. */
  public Optional<Path> crl() {
    return Optional.ofNullable(crl);
  }

  /** How long an overdue CRL is still used. If unset, zero (fail closed). */
  public Duration crlGracePeriod() {
    return crlGrace;
  }

  /** Whether clients with neither user name nor password (nor certificate) may connect. If unset, false. */
  public boolean anonymous() {
    return anonymous;
  }

  /** Whether failed logins lock out (user, address) pairs and addresses. If unset, true. */
  public boolean bruteForceGuard() {
    return bruteForceGuard;
  }

  /** Whether verified logins are cached (HMAC of user and password). If unset, true. */
  public boolean credentialCache() {
    return credentialCache;
  }

  /** Whether a login that verifies against a weak hash re-hashes it with the current policy. If unset, false. */
  public boolean upgradeOnLogin() {
    return upgradeOnLogin;
  }

  /** How often watched files are polled. If unset, 2 seconds. */
  public Duration reloadInterval() {
    return reloadInterval;
  }

  /** Which identities may use a client id. If unset, {@link ClientIdPolicy#OWNED}. */
  public ClientIdPolicy clientIdPolicy() {
    return clientIdPolicy;
  }

  /** The session owners journal. If unset, {@value #DEFAULT_SESSION_OWNERS} beside this file. */
  public Path sessionOwners() {
    return sessionOwners;
  }

  /** The limits against floods and connection storms. If {@code <limits>} is absent, {@link Limits#DEFAULT}. */
  public Limits limits() {
    return limits;
  }

  /**
   * Where audit lines go, in which format: each {@code <audit>}. Without any, one {@link AuditOutput#log} in
   * mqtt-sec's format.
   */
  public List<AuditOutput> audits() {
    return audits.isEmpty() ? List.of(AuditOutput.log(AuditFormat.MQTT_SEC)) : List.copyOf(audits);
  }

  /**
   * The format of the lines for the broker's own log: that of the {@code <audit>} without a file, else
   * mqtt-sec's. Empty when every {@code <audit>} names a file: the log then gets none.
   */
  public Optional<AuditFormat> logAuditFormat() {
    return audits().stream().filter(a -> a.file().isEmpty()).map(AuditOutput::format).findFirst();
  }

  /**
   * This configuration with one more audit file, as a command line adds one: {@code output} must name a file
   * that no {@code <audit>} names yet.
   *
   * @throws IllegalArgumentException when {@code output} names no file, or one already written
   */
  public BrokerConfig withAudit(AuditOutput output) {
    if (output.file().isEmpty()) {
      throw new IllegalArgumentException("an added audit output needs a file");
    }
    if (audits.stream().anyMatch(a -> a.file().equals(output.file()))) {
      throw new IllegalArgumentException(source + ": <audit file=\"" + output.file().get()
          + "\"> is there already");
    }
    BrokerConfig copy = new BrokerConfig(source);
    copy.passwordFile = passwordFile;
    copy.aclFile = aclFile;
    copy.subscribeMode = subscribeMode;
    copy.defaultAuth = defaultAuth;
    copy.listenerAuth.putAll(listenerAuth);
    copy.trustedCertificates = trustedCertificates;
    copy.crl = crl;
    copy.crlGrace = crlGrace;
    copy.anonymous = anonymous;
    copy.bruteForceGuard = bruteForceGuard;
    copy.credentialCache = credentialCache;
    copy.upgradeOnLogin = upgradeOnLogin;
    copy.reloadInterval = reloadInterval;
    copy.clientIdPolicy = clientIdPolicy;
    copy.sessionOwners = sessionOwners;
    copy.serverTls = serverTls;
    copy.limits = limits;
    copy.detection = detection;
    copy.store = store;
    copy.audits.addAll(audits());
    copy.audits.add(output);
    return copy;
  }

  /** The store that holds the users and the ACL in place of the two files, if any. */
  public Optional<StoreSettings> store() {
    return Optional.ofNullable(store);
  }

  /** The audit lines that go to files. */
  public List<AuditOutput> auditFiles() {
    return audits().stream().filter(a -> a.file().isPresent()).toList();
  }

  /** The attack patterns watched for. If {@code <detection>} is absent, {@link Detection#DEFAULT}. */
  public Detection detection() {
    return detection;
  }

  /** The broker's own TLS material and the key stores to keep it in, when configured. */
  public Optional<ServerTlsFiles> serverTls() {
    return Optional.ofNullable(serverTls);
  }
}
