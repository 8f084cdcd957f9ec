/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.DistinguishedNames;
import io.mqttsec.internal.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * An enrollment server for devices (EST, RFC 7030, the part a device fleet needs) over HTTPS, on the JDK's own
 * HTTP server: {@code GET /.well-known/est/cacerts} (the CA certificate), {@code POST .../simpleenroll} (a first
 * certificate, on a one-time password from {@link BootstrapPasswords}, sent as HTTP basic authentication with the
 * CN as the user name, or on a bootstrap certificate this CA issued the device) and {@code POST .../simplereenroll} (a renewal, on the device's current certificate in the
 * TLS handshake, for the same CN). Requests are base64 PKCS#10, answers base64 PKCS#7 certs-only, as RFC 7030
 * says, so {@code curl} and {@code openssl} enroll as well as any EST client.
 *
 * <pre>{@code
 * CertificateAuthority ca = CertificateAuthority.load(caFolder, passphrase);
 * try (EstServer est = EstServer.builder(ca, caFolder).port(8443).listener(audit).start()) {
 *   ...                                   // est.port(): where it listens, on 127.0.0.1 unless told otherwise
 * }
 * }</pre>
 *
 * <p>Every enrollment, issued or refused, is delivered to the listener ({@link SecurityEvent.CertificateEnrolled},
 * {@link SecurityEvent.EnrollmentRefused}) with the reason; a refusal issues nothing. Certificates issued here are
 * recorded in the CA folder's {@link Inventory} like any other. A re-enrolling device's certificate must be one of
 * that inventory (byte for byte), within its validity, and not revoked in {@code ca.state} as it is at the time of
 * the request (a {@code mqtt-sec ca revoke} run beside the server counts at once). The TLS layer takes any client
 * certificate the client proves it holds the key of; the check above is made by the handler, so a refusal says why
 * instead of ending the handshake. An address with too many refusals is held off for a while
 * ({@link Builder#refusalLimit}).
 */
public final class EstServer implements AutoCloseable {

  /** Where the operations are, as RFC 7030 names them. */
  public static final String PATH = "/.well-known/est/";

  /** The largest request body read: the CA's bound on a certificate request. */
  public static final int MAX_REQUEST_BYTES = CertificateAuthority.MAX_REQUEST_BYTES;

  private static final String CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";
  private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";
  private static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";

  /**
   * How long a connection may take to deliver one request, TLS handshake, headers and body, before the JDK's HTTP
   * server closes it ({@value} seconds), unless the operator set {@code sun.net.httpserver.maxReqTime}.
   */
  public static final int REQUEST_SECONDS = 30;

  /** How many requests are served at once (issuance itself is one at a time). */
  public static final int WORKERS = 16;

  /** How many refused enrollments an address may have in {@link #DEFAULT_REFUSAL_WINDOW} before it is held off. */
  public static final int DEFAULT_MAX_REFUSALS = 10;

  /** The window refusals are counted in, and how long an address that reached the limit is held off. */
  public static final Duration DEFAULT_REFUSAL_WINDOW = Duration.ofMinutes(10);

  private final CertificateAuthority ca;
  private final Path folder;
  private final BootstrapPasswords passwords;
  private final Duration validity;
  private final SecurityEventListener listener;
  private final Clock clock;
  private final HttpsServer server;
  private final ExecutorService executor;
  private final Object issuing = new Object();
  private final RefusalLimit refusals;

  private EstServer(Builder b) throws IOException {
    this.ca = b.ca;
    this.folder = b.folder;
    this.passwords = new BootstrapPasswords(b.folder);
    this.validity = b.validity == null ? Duration.ofDays(397) : b.validity;
    this.listener = b.listener == null ? SecurityEventListener.none() : b.listener;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.refusals = new RefusalLimit(b.maxRefusals, b.refusalWindow == null ? DEFAULT_REFUSAL_WINDOW
        : b.refusalWindow);
    // a TLS server, like mqtt-sec-tls' ServerTls: client-initiated TLS 1.2 renegotiation (a full handshake each,
    // for the client to burn the server's CPU) refused, unless the operator set the JDK's switch; the JDK reads it
    // once, at the first server handshake in the process
    if (System.getProperty(REJECT_RENEGOTIATION) == null) {
      System.setProperty(REJECT_RENEGOTIATION, "true");
    }
    // a worker is held by a connection for as long as its request takes: without a bound, as many clients as
    // workers that stall mid-handshake, mid-headers or mid-body stop every enrollment; the JDK's server has one,
    // off by default and read once, when the first of its servers in the process is made
    if (System.getProperty(MAX_REQUEST_TIME) == null) {
      System.setProperty(MAX_REQUEST_TIME, Integer.toString(REQUEST_SECONDS));
    }
    SSLContext tls = serverContext(b.key, b.chain, ca.certificate());
    server = HttpsServer.create(new InetSocketAddress(b.address == null ? InetAddress.getLoopbackAddress()
        : b.address, b.port), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = tls.getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        p.setWantClientAuth(true); // a certificate re-enrolls; a password enrolls without one
        params.setSSLParameters(p);
      }
    });
    server.createContext(PATH, this::handle);
    executor = Executors.newFixedThreadPool(WORKERS, r -> {
      Thread t = new Thread(r, "mqtt-sec-est");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
  }

  /** Starts describing a server that enrolls with {@code ca}, whose folder is {@code caFolder}. */
  public static Builder builder(CertificateAuthority ca, Path caFolder) {
    return new Builder(ca, caFolder);
  }

  /** The address it listens on. */
  public InetAddress address() {
    return server.getAddress().getAddress();
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving; requests under way get a second to finish. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }

  /** A refusal: the HTTP status, and the reason both the device and the audit get. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refusal(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String operation = exchange.getRequestURI().getPath().substring(PATH.length());
      InetAddress address = exchange.getRemoteAddress().getAddress();
      switch (operation) {
        case "cacerts" -> {
          if (!requireMethod(exchange, "GET")) {
            return;
          }
          respond(exchange, 200, "application/pkcs7-mime", pkcs7(List.of(ca.certificate())));
        }
        case "simpleenroll", "simplereenroll" -> {
          if (!requireMethod(exchange, "POST")) {
            return;
          }
          boolean renewal = operation.equals("simplereenroll");
          String kind = renewal ? "reenroll" : "enroll";
          String[] claimed = {""};
          try {
            Duration wait = refusals.heldOff(address, clock.instant());
            if (wait != null) {
              long seconds = Math.max(1, wait.toSeconds());
              exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
              throw new Refusal(429, "too many refused enrollments from " + address.getHostAddress() + " ("
                  + refusals.max + " in " + Durations.describe(refusals.window) + "); held off "
                  + "for " + seconds + " s more, nothing read");
            }
            X509Certificate issued = renewal ? reenroll((HttpsExchange) exchange, claimed)
                : enroll(exchange, claimed);
            listener.deliver(new SecurityEvent.CertificateEnrolled(clock.instant(), address, claimed[0],
                issued.getSerialNumber().toString(16), kind));
            respond(exchange, 200, CERTS_ONLY, pkcs7(List.of(issued)));
          } catch (Refusal r) {
            if (r.status != 429) {
              refusals.refused(address, clock.instant());
            }
            listener.deliver(new SecurityEvent.EnrollmentRefused(clock.instant(), address, claimed[0], kind,
                r.getMessage()));
            if (r.status == 401 && !renewal) {
              exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"mqtt-sec EST\"");
            }
            respond(exchange, r.status, "text/plain; charset=utf-8", (r.getMessage() + "\n")
                .getBytes(StandardCharsets.UTF_8));
          } catch (RuntimeException e) {
            // fail closed: nothing issued, and no internals to the device
            listener.deliver(new SecurityEvent.EnrollmentRefused(clock.instant(), address, claimed[0], kind,
                "internal error: " + e.getClass().getSimpleName()));
            respond(exchange, 500, "text/plain; charset=utf-8", "internal error; nothing issued\n"
                .getBytes(StandardCharsets.UTF_8));
          }
        }
        default -> respond(exchange, 404, "text/plain; charset=utf-8", ("no EST operation \"" + operation
            + "\" here: cacerts, simpleenroll, simplereenroll\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static boolean requireMethod(HttpExchange exchange, String method) throws IOException {
    if (exchange.getRequestMethod().equals(method)) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", method);
    respond(exchange, 405, "text/plain; charset=utf-8", (method + " only\n").getBytes(StandardCharsets.UTF_8));
    return false;
  }

  /** A first certificate, on the device's one-time password. */
  private X509Certificate enroll(HttpExchange exchange, String[] claimed) throws Refusal, IOException {
    if (exchange.getRequestHeaders().getFirst("Authorization") == null && peer((HttpsExchange) exchange) != null) {
      // a bootstrap certificate: one this CA issued the device (at manufacture, say), valid and not revoked
      String cn = certified((HttpsExchange) exchange, claimed);
      CertificateAuthority.Issue request = request(exchange, cn);
      synchronized (issuing) {
        return request.clientAuth().validity(validity).sign().get(0);
      }
    }
    String[] basic = basicCredentials(exchange);
    claimed[0] = basic[0];
    CertificateAuthority.Issue request = request(exchange, basic[0]);
    synchronized (issuing) {
      try {
        passwords.check(basic[0], basic[1], clock.instant());
      } catch (BootstrapPasswords.Refused e) {
        throw new Refusal(401, e.getMessage());
      }
      X509Certificate issued = request.clientAuth().validity(validity).sign().get(0);
      passwords.useUp(basic[0]);
      return issued;
    }
  }

  /** A renewal, on the device's current certificate. */
  private X509Certificate reenroll(HttpsExchange exchange, String[] claimed) throws Refusal, IOException {
    if (peer(exchange) == null) {
      throw new Refusal(401, "re-enrollment needs the device's current certificate in the TLS handshake");
    }
    CertificateAuthority.Issue request = request(exchange, certified(exchange, claimed));
    synchronized (issuing) {
      return request.clientAuth().validity(validity).sign().get(0);
    }
  }

  /** The certificate the client proved it holds in the handshake, or null. */
  private static X509Certificate peer(HttpsExchange exchange) {
    try {
      Certificate[] chain = exchange.getSSLSession().getPeerCertificates();
      return chain.length == 0 ? null : (X509Certificate) chain[0];
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /**
   * The CN of the client's certificate, if it is one of this CA's inventory byte for byte, valid now, and not
   * revoked in {@code ca.state} as it is now.
   */
  private String certified(HttpsExchange exchange, String[] claimed) throws Refusal {
    X509Certificate current = peer(exchange);
    String cn = DistinguishedNames.commonName(current.getSubjectX500Principal()).orElse("");
    claimed[0] = cn;
    Inventory.Entry entry = Inventory.lookup(folder, current.getSerialNumber())
        .filter(e -> e.certificate().equals(current))
        .orElseThrow(() -> new Refusal(403, "the certificate " + current.getSerialNumber().toString(16)
            + " was not issued by this CA"));
    switch (entry.status(clock.instant())) {
      case REVOKED -> throw new Refusal(403, "the certificate " + entry.serial().toString(16) + " was revoked at "
          + entry.revokedAt().orElseThrow());
      case EXPIRED -> throw new Refusal(403, "the certificate " + entry.serial().toString(16) + " expired at "
          + entry.notAfter());
      case NOT_YET_VALID -> throw new Refusal(403, "the certificate " + entry.serial().toString(16)
          + " is not valid yet");
      case VALID -> { }
      default -> throw new IllegalStateException();
    }
    return cn;
  }

  /** The request in the body, verified, for {@code commonName} only. */
  private CertificateAuthority.Issue request(HttpExchange exchange, String commonName) throws Refusal,
      IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/pkcs10")) {
      throw new Refusal(415, "the request must be application/pkcs10 (base64 DER), not " + type);
    }
    byte[] body = readBody(exchange.getRequestBody());
    byte[] der;
    try {
      // line breaks allowed, as MIME writes them; anything else that is not base64 refused (a MIME decoder
      // would skip it, and decode whatever letters remain)
      der = Base64.getDecoder().decode(new String(body, StandardCharsets.ISO_8859_1).replaceAll("[\r\n\t ]", ""));
    } catch (IllegalArgumentException e) {
      throw new Refusal(400, "the body is not base64 (" + e.getMessage() + ")");
    }
    String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
    CertificateAuthority.Issue issue;
    try {
      issue = ca.request(pem, "the request");
    } catch (TlsConfigException e) {
      throw new Refusal(400, e.getMessage().replace("the request:1: ", "the request: "));
    }
    if (!issue.commonName().equals(commonName)) {
      throw new Refusal(403, "the request is for CN \"" + issue.commonName() + "\", but the credential is for \""
          + commonName + "\"");
    }
    return issue;
  }

  private static byte[] readBody(InputStream in) throws Refusal, IOException {
    byte[] body = in.readNBytes(MAX_REQUEST_BYTES + 1);
    if (body.length > MAX_REQUEST_BYTES) {
      throw new Refusal(413, "the request is over " + MAX_REQUEST_BYTES + " bytes");
    }
    return body;
  }

  /** The CN and password of HTTP basic authentication. */
  private static String[] basicCredentials(HttpExchange exchange) throws Refusal {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw new Refusal(401, "enrollment needs the device's CN and one-time password (HTTP basic "
          + "authentication), or a certificate this CA issued it");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Refusal(401, "the basic authentication header is not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new Refusal(401, "the basic authentication header names no CN");
    }
    return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    if (type.startsWith("application/pkcs7-mime")) {
      exchange.getResponseHeaders().set("Content-Transfer-Encoding", "base64");
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** A base64 PKCS#7 certs-only structure, as RFC 7030 answers (the JDK writes the PKCS#7). */
  static byte[] pkcs7(List<X509Certificate> certificates) {
    try {
      byte[] der = CertificateFactory.getInstance("X.509").generateCertPath(certificates).getEncoded("PKCS7");
      // lines end in LF alone: EST clients take either, and base64 -d (coreutils) refuses a CR
      return (Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n")
          .getBytes(StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot write PKCS#7", e);
    }
  }

  private static SSLContext serverContext(PrivateKey key, List<X509Certificate> chain, X509Certificate caCert) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] none = new char[0];
      store.setKeyEntry("est", key, none, chain.toArray(new Certificate[0]));
      KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
      keys.init(store, none);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {new AnyClientCertificate(caCert)},
          null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException("cannot set up the EST server's TLS (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Takes any client certificate at the handshake (the client still proves it holds its key), asking for ones this
   * CA issued: the re-enrollment handler checks the certificate against the inventory and the revocations and
   * refuses with a reason, where a trust manager could only end the handshake.
   */
  private static final class AnyClientCertificate extends X509ExtendedTrustManager {
    private final X509Certificate[] issuers;

    AnyClientCertificate(X509Certificate caCert) {
      this.issuers = new X509Certificate[] {caCert};
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // checked by the handler
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      // checked by the handler
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      // checked by the handler
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws
        java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("a server's trust manager checks no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws
        java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws
        java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return issuers.clone();
    }
  }

  @Override
  public String toString() {
    return "EstServer{" + ca + ", port " + port() + "}";
  }

  /** Settings of an {@link EstServer}; {@link #start()} opens it. */
  public static final class Builder {
    private final CertificateAuthority ca;
    private final Path folder;
    private PrivateKey key;
    private List<X509Certificate> chain;
    private InetAddress address;
    private int port;
    private Duration validity;
    private SecurityEventListener listener;
    private Clock clock;
    private int maxRefusals = DEFAULT_MAX_REFUSALS;
    private Duration refusalWindow;

    private Builder(CertificateAuthority ca, Path folder) {
      this.ca = Objects.requireNonNull(ca, "ca");
      this.folder = Objects.requireNonNull(folder, "caFolder");
    }

    /** The server's own key and certificate chain (default: a certificate for 127.0.0.1 and localhost from the CA). */
    public Builder identity(PrivateKey privateKey, List<X509Certificate> certificateChain) {
      this.key = Objects.requireNonNull(privateKey, "privateKey");
      this.chain = List.copyOf(certificateChain);
      return this;
    }

    /** The address to listen on (default 127.0.0.1). */
    public Builder address(InetAddress listenAddress) {
      this.address = Objects.requireNonNull(listenAddress, "address");
      return this;
    }

    /** The port (default 0: a free one, see {@link EstServer#port()}). */
    public Builder port(int listenPort) {
      if (listenPort < 0 || listenPort > 65_535) {
        throw new IllegalArgumentException("a port is 0 to 65535, not " + listenPort);
      }
      this.port = listenPort;
      return this;
    }

    /** How long the certificates it issues are valid (default 397 days). */
    public Builder validity(Duration certificateValidity) {
      if (certificateValidity.isNegative() || certificateValidity.isZero()) {
        throw new IllegalArgumentException("a validity must be positive, not " + certificateValidity);
      }
      this.validity = certificateValidity;
      return this;
    }

    /** Where enrollments, issued and refused, are reported. */
    public Builder listener(SecurityEventListener eventListener) {
      this.listener = Objects.requireNonNull(eventListener, "listener");
      return this;
    }

    /**
     * Holds off an address that had {@code maxRefusals} enrollments refused within {@code window} (a wrong or used
     * password, a foreign certificate, a malformed request...): for {@code window} from the one that reached the
     * limit, its enrollments are answered 429 with {@code Retry-After}, before any credential or request is read
     * (default {@value #DEFAULT_MAX_REFUSALS} in 10 minutes). Issued enrollments never count, so devices enrolling
     * behind one address are held off only by refusals.
     */
    public Builder refusalLimit(int maxRefusals, Duration window) {
      if (maxRefusals < 1) {
        throw new IllegalArgumentException("a refusal limit is 1 or more, not " + maxRefusals);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("a refusal window must be positive, not " + window);
      }
      this.maxRefusals = maxRefusals;
      this.refusalWindow = window;
      return this;
    }

    /** The clock that dates events and decides expiry (default the system's). */
    public Builder clock(Clock eventClock) {
      this.clock = Objects.requireNonNull(eventClock, "clock");
      return this;
    }

    /**
     * Opens the port and serves.
     *
     * @throws IOException if the port cannot be opened
     */
    public EstServer start() throws IOException {
      if (key == null) {
        HeldCertificate own = ca.issue("localhost").dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth()
            .issue();
        key = own.privateKey();
        chain = own.chain();
      }
      EstServer est = new EstServer(this);
      est.server.start();
      return est;
    }
  }
}
