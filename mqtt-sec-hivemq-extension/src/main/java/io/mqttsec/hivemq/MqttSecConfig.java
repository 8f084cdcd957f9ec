package io.mqttsec.hivemq;

import io.mqttsec.acl.SubscribeMode;
import io.mqttsec.api.MqttSecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The extension's configuration, {@code conf/mqtt-sec.xml}:
 *
 * <pre>{@code
 * <mqtt-sec>
 *   <password-file>passwd</password-file>            <!-- mosquitto password_file; relative to this file -->
 *   <acl-file>acl.conf</acl-file>                     <!-- mosquitto acl_file -->
 *   <subscribe-mode>strict</subscribe-mode>           <!-- or filter-on-delivery -->
 *   <authentication default="password">               <!-- password | certificate | certificate-and-password -->
 *     <listener name="mtls" mode="certificate" identity="cn"/>   <!-- identity: cn | subject -->
 *   </authentication>
 *   <trusted-certificates>ca.pem</trusted-certificates>   <!-- needed by certificate modes -->
 *   <crl>ca.crl</crl>                                 <!-- optional; revocation for certificate modes -->
 *   <crl-grace-period>PT0S</crl-grace-period>
 *   <anonymous>false</anonymous>
 *   <brute-force-guard>true</brute-force-guard>
 *   <credential-cache>true</credential-cache>
 *   <reload-interval>PT2S</reload-interval>
 * </mqtt-sec>
 * }</pre>
 *
 * <p>Reading is strict: an unknown element, a missing file, a bad value or a contradiction is an error, and
 * all errors are collected so that one failed start lists every problem. The XML parser refuses DTDs and
 * external entities (no XXE).
 */
public final class MqttSecConfig {

  /** How clients of a listener prove who they are. */
  public enum AuthMode {
    /** User name and password from the CONNECT packet, checked against the password file. */
    PASSWORD,
    /** The client certificate's CN (or subject) is the user name; no password is needed. */
    CERTIFICATE,
    /** A trusted certificate and a password, and the certificate must name the user. */
    CERTIFICATE_AND_PASSWORD
  }

  /** Which part of the certificate becomes the user name (mosquitto's two options). */
  public enum IdentitySource {
    /** {@code use_identity_as_username}: the CN. */
    CN,
    /** {@code use_subject_as_username}: the RFC 2253 subject DN. */
    SUBJECT
  }

  /** A listener's authentication. */
  public record ListenerAuth(AuthMode mode, IdentitySource identity) {
  }

  private static final Set<String> ELEMENTS = Set.of("password-file", "acl-file", "subscribe-mode",
      "authentication", "trusted-certificates", "crl", "crl-grace-period", "anonymous", "brute-force-guard",
      "credential-cache", "reload-interval");

  private final Path source;
  private Path passwordFile;
  private Path aclFile;
  private SubscribeMode subscribeMode = SubscribeMode.STRICT;
  private ListenerAuth defaultAuth = new ListenerAuth(AuthMode.PASSWORD, IdentitySource.CN);
  private final Map<String, ListenerAuth> listenerAuth = new HashMap<>();
  private Path trustedCertificates;
  private Path crl;
  private Duration crlGrace = Duration.ZERO;
  private boolean anonymous;
  private boolean bruteForceGuard = true;
  private boolean credentialCache = true;
  private Duration reloadInterval = Duration.ofSeconds(2);

  private MqttSecConfig(Path source) {
    this.source = source;
  }

  /**
   * Reads and checks {@code file}.
   *
   * @throws InvalidConfigException listing every problem found
   */
  public static MqttSecConfig read(Path file) {
    MqttSecConfig config = new MqttSecConfig(file);
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

  /** Every problem found in a configuration file, in the order found. */
  public static final class InvalidConfigException extends MqttSecException {
    private final List<String> problems;

    InvalidConfigException(Path file, List<String> problems) {
      super(file + ": " + problems.size() + " problem(s): " + String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    /** The problems, each naming the element and what is wrong. */
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
    } catch (NoSuchFileException e) {
      errors.add("no such file");
    } catch (SAXParseException e) {
      errors.add("line " + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
    } catch (IOException | SAXException | ParserConfigurationException e) {
      errors.add("cannot read (" + e.getMessage() + ")");
    }
    return null;
  }

  private void load(Element root, List<String> errors) {
    Set<String> seen = new HashSet<>();
    Path base = source.toAbsolutePath().getParent();
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element e)) {
        continue;
      }
      String name = e.getTagName();
      String text = e.getTextContent().strip();
      if (!ELEMENTS.contains(name)) {
        errors.add("<" + name + ">: unknown element (known: " + String.join(", ", ELEMENTS.stream().sorted()
            .toList()) + ")");
        continue;
      }
      if (!seen.add(name)) {
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
        case "authentication" -> authentication(e, errors);
        default -> throw new IllegalStateException(name);
      }
    }
    if (aclFile == null) {
      errors.add("<acl-file> is required: without an ACL every publish and subscription would be refused");
    }
    boolean usesPassword = defaultAuth.mode != AuthMode.CERTIFICATE
        || listenerAuth.values().stream().anyMatch(a -> a.mode != AuthMode.CERTIFICATE);
    boolean usesCertificates = defaultAuth.mode != AuthMode.PASSWORD
        || listenerAuth.values().stream().anyMatch(a -> a.mode != AuthMode.PASSWORD);
    if (usesPassword && passwordFile == null && !seen.contains("password-file")) {
      errors.add("<password-file> is required by the password authentication mode");
    }
    if (usesCertificates && trustedCertificates == null && !seen.contains("trusted-certificates")) {
      errors.add("<trusted-certificates> is required by the certificate authentication modes");
    }
    if (crl != null && !usesCertificates) {
      errors.add("<crl> is set but no listener uses a certificate mode, so it would never be checked");
    }
    if (reloadInterval.compareTo(Duration.ofMillis(10)) < 0) {
      errors.add("<reload-interval>: must be at least PT0.01S, was " + reloadInterval);
    }
  }

  private void authentication(Element e, List<String> errors) {
    if (e.hasAttribute("default")) {
      defaultAuth = new ListenerAuth(mode("authentication default", e.getAttribute("default"), errors),
          identity("authentication", e.getAttribute("identity"), errors));
    }
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element l)) {
        continue;
      }
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

  private static AuthMode mode(String where, String value, List<String> errors) {
    return switch (value) {
      case "password" -> AuthMode.PASSWORD;
      case "certificate" -> AuthMode.CERTIFICATE;
      case "certificate-and-password" -> AuthMode.CERTIFICATE_AND_PASSWORD;
      default -> {
        errors.add("<" + where + ">: mode \"" + value + "\" is not password, certificate or "
            + "certificate-and-password");
        yield AuthMode.PASSWORD;
      }
    };
  }

  private static IdentitySource identity(String where, String value, List<String> errors) {
    return switch (value) {
      case "", "cn" -> IdentitySource.CN;
      case "subject" -> IdentitySource.SUBJECT;
      default -> {
        errors.add("<" + where + ">: identity \"" + value + "\" is not cn or subject");
        yield IdentitySource.CN;
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

  /** The duration in {@code text}, or (after noting the error) {@code fallback}, so one error is reported once. */
  private static Duration duration(String name, String text, Duration fallback, List<String> errors) {
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative()) {
        errors.add("<" + name + ">: must not be negative, was " + text);
        return fallback;
      }
      return d;
    } catch (DateTimeParseException e) {
      errors.add("<" + name + ">: \"" + text + "\" is not an ISO-8601 duration such as PT2S");
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

  /** The mosquitto-format ACL file. */
  public Path aclFile() {
    return aclFile;
  }

  /** How SUBSCRIBE is authorized. If unset, strict. */
  public SubscribeMode subscribeMode() {
    return subscribeMode;
  }

  /** The authentication of the named listener, or the default. */
  public ListenerAuth authFor(String listenerName) {
    return listenerAuth.getOrDefault(listenerName, defaultAuth);
  }

  /** Whether the default or any listener uses a certificate mode. */
  public boolean usesCertificates() {
    return defaultAuth.mode != AuthMode.PASSWORD
        || listenerAuth.values().stream().anyMatch(a -> a.mode != AuthMode.PASSWORD);
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

  /** How often watched files are polled. If unset, 2 seconds. */
  public Duration reloadInterval() {
    return reloadInterval;
  }
}
