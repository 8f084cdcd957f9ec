/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.HttpsURLConnection;

/**
 * A device's side of EST (RFC 7030), on the JDK alone: the CA certificates ({@code cacerts}), a first certificate on
 * a one-time password ({@code simpleenroll}, HTTP basic authentication with the CN as the user name) and a renewal on
 * the current certificate ({@code simplereenroll}). Requests are base64 PKCS#10 ({@link CertificateRequest}), answers
 * base64 PKCS#7 certs-only, read by the JDK's {@link CertificateFactory}.
 *
 * <p>TLS is the {@link ClientTls} given: the server must be trusted by it and, unless it was built with
 * {@code insecureSkipHostnameVerification()}, named by its certificate; a renewal presents its current identity.
 *
 * <pre>{@code
 * EstClient est = EstClient.of(URI.create("https://est.factory.local:8443"), tls);
 * List<X509Certificate> chain = est.enroll(CertificateRequest.der("press-42", keys.getPublic(), keys.getPrivate()),
 *     "press-42", password);
 * }</pre>
 */
public final class EstClient {

  /** How long a connection or an answer may take. */
  private static final int TIMEOUT_MILLIS = 30_000;
  /** The largest answer read: a chain of a few certificates is a few KiB. */
  private static final int MAX_ANSWER_BYTES = 256 * 1024;

  private final URI base;
  private final ClientTls tls;

  private EstClient(URI base, ClientTls tls) {
    this.base = base;
    this.tls = tls;
  }

  /**
   * A client of the EST server at {@code server}: {@code https://host:port}, with or without the
   * {@code /.well-known/est/} the operations are under.
   *
   * @throws IllegalArgumentException if {@code server} is not an https URI
   */
  public static EstClient of(URI server, ClientTls tls) {
    Objects.requireNonNull(tls, "tls");
    if (!"https".equals(server.getScheme()) || server.getHost() == null) {
      throw new IllegalArgumentException("an EST server is an https URI, not " + server);
    }
    String path = server.getPath() == null ? "" : server.getPath();
    int wellKnown = path.indexOf("/.well-known/est");
    if (wellKnown >= 0) {
      path = path.substring(0, wellKnown); // given as the server prints it
    }
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new EstClient(URI.create("https://" + server.getRawAuthority() + path), tls);
  }

  /** The server refused: its HTTP status and the reason it gave. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String reason) {
      super("the EST server refused (" + status + "): " + reason);
      this.status = status;
    }

    /** The HTTP status (400 a bad request, 401 no or a wrong credential, 403 refused, 5xx its own trouble). */
    public int status() {
      return status;
    }

    /** Whether trying again later may work: the server's own trouble, not the request's. */
    public boolean retryable() {
      return status >= 500 || status == 429;
    }
  }

  /** The CA certificates the server publishes. */
  public List<X509Certificate> cacerts() throws IOException {
    return certificates(exchange("cacerts", null, null));
  }

  /**
   * A first certificate for the request, on the device's one-time password.
   *
   * @throws Refused with the server's reason (a used or wrong password, a request for another CN, ...)
   */
  public List<X509Certificate> enroll(byte[] request, String commonName, char[] password) throws IOException {
    if (commonName.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a CN that enrolls with a password must not hold ':'");
    }
    CharBuffer credentials = CharBuffer.allocate(commonName.length() + 1 + password.length);
    credentials.put(commonName).put(':').put(password).flip();
    var bytes = StandardCharsets.UTF_8.encode(credentials);
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    String header = "Basic " + Base64.getEncoder().encodeToString(raw);
    Arrays.fill(raw, (byte) 0);
    Arrays.fill(credentials.array(), '\0');
    return certificates(exchange("simpleenroll", request, header));
  }

  /**
   * A renewal for the request, on the certificate the {@link ClientTls} presents now.
   *
   * @throws Refused with the server's reason (revoked, expired, a request for another CN, ...)
   */
  public List<X509Certificate> reenroll(byte[] request) throws IOException {
    return certificates(exchange("simplereenroll", request, null));
  }

  private byte[] exchange(String operation, byte[] request, String authorization) throws IOException {
    HttpsURLConnection c = (HttpsURLConnection) base.resolve(base.getPath() + "/.well-known/est/" + operation)
        .toURL().openConnection();
    try {
      c.setSSLSocketFactory(tls.sslContext().getSocketFactory());
      if (!tls.verifiesHostname()) {
        c.setHostnameVerifier((host, session) -> true);
      }
      c.setConnectTimeout(TIMEOUT_MILLIS);
      c.setReadTimeout(TIMEOUT_MILLIS);
      c.setUseCaches(false);
      c.setInstanceFollowRedirects(false);
      if (authorization != null) {
        c.setRequestProperty("Authorization", authorization);
      }
      if (request != null) {
        byte[] body = (Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(request) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
        c.setRequestMethod("POST");
        c.setRequestProperty("Content-Type", "application/pkcs10");
        c.setRequestProperty("Content-Transfer-Encoding", "base64");
        c.setDoOutput(true);
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      int status = c.getResponseCode();
      if (status != HttpURLConnection.HTTP_OK) {
        InputStream error = c.getErrorStream();
        String reason = error == null ? c.getResponseMessage() : new String(error.readNBytes(4096),
            StandardCharsets.UTF_8).strip();
        throw new Refused(status, reason);
      }
      try (InputStream in = c.getInputStream()) {
        byte[] answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
        if (answer.length > MAX_ANSWER_BYTES) {
          throw new IOException("the EST server's answer is over " + MAX_ANSWER_BYTES + " bytes");
        }
        return answer;
      }
    } finally {
      c.disconnect();
    }
  }

  /** The certificates of a base64 PKCS#7 certs-only answer, leaf first as the server ordered them. */
  private static List<X509Certificate> certificates(byte[] answer) throws IOException {
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(answer);
    } catch (IllegalArgumentException e) {
      throw new IOException("the EST server's answer is not base64 (" + e.getMessage() + ")", e);
    }
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(
          new ByteArrayInputStream(der))) {
        out.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new IOException("the EST server's answer is not PKCS#7 certificates (" + e.getMessage() + ")", e);
    }
    if (out.isEmpty()) {
      throw new IOException("the EST server's answer holds no certificate");
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "EstClient{" + base + "}";
  }
}
