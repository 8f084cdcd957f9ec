/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.ca;

import io.mqttsec.api.TlsConfigException;
import io.mqttsec.internal.DistinguishedNames;
import io.mqttsec.internal.PemCodec;
import io.mqttsec.internal.SecureFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a CA folder has issued: one PEM file a certificate in its {@code issued} folder, named by the serial in hex,
 * with the revocations of {@code ca.state} beside them. Public data, read without the CA's passphrase.
 *
 * <pre>{@code
 * Inventory inventory = Inventory.read(Path.of("/etc/mqtt/ca"));
 * for (Inventory.Entry e : inventory.expiringWithin(Duration.ofDays(30), Instant.now())) {
 *   System.out.println(e.commonName() + " expires " + e.notAfter());
 * }
 * }</pre>
 *
 * <p>A {@link CertificateAuthority} loaded from (or saved to) a folder writes each certificate it signs here
 * before handing it out, each file atomically, so a crash leaves a certificate recorded whole or not at all.
 */
public final class Inventory {

  /** The folder, inside the CA folder, that holds one file for each certificate issued. */
  public static final String ISSUED_FOLDER = "issued";

  private final List<Entry> entries;

  private Inventory(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Where a certificate stands at a given time. */
  public enum Status {
    /** Within its validity and not revoked. */
    VALID,
    /** Not valid yet. */
    NOT_YET_VALID,
    /** Past its validity. */
    EXPIRED,
    /** Revoked (whatever its validity). */
    REVOKED
  }

  /** One issued certificate, and when it was revoked if it was. */
  public record Entry(X509Certificate certificate, Optional<Instant> revokedAt) {
    public Entry {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(revokedAt, "revokedAt");
    }

    /** The serial number. */
    public BigInteger serial() {
      return certificate.getSerialNumber();
    }

    /** The CN: the device's name (and with mosquitto's rules its MQTT user), or empty if it has no single CN. */
    public String commonName() {
      return DistinguishedNames.commonName(certificate.getSubjectX500Principal()).orElse("");
    }

    /** The end of its validity. */
    public Instant notAfter() {
      return certificate.getNotAfter().toInstant();
    }

    /** Where it stands at {@code now}. */
    public Status status(Instant now) {
      if (revokedAt.isPresent()) {
        return Status.REVOKED;
      }
      if (now.isBefore(certificate.getNotBefore().toInstant())) {
        return Status.NOT_YET_VALID;
      }
      return now.isAfter(notAfter()) ? Status.EXPIRED : Status.VALID;
    }
  }

  /**
   * Reads the inventory of {@code caFolder}: every certificate in its {@code issued} folder (none if there is no such
   * folder), soonest to expire first, with the revocations of its {@code ca.state}.
   *
   * @throws TlsConfigException if the folder holds no CA, or a file in it is malformed or not named by the serial it
   *                            holds (so a file copied in under another name is found, not trusted)
   */
  public static Inventory read(Path caFolder) {
    Map<BigInteger, Instant> revoked = CertificateAuthority.readPublished(caFolder).revocations();
    List<Entry> entries = new ArrayList<>();
    Path issued = caFolder.resolve(ISSUED_FOLDER);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(issued, "*.pem")) {
      for (Path file : files) {
        X509Certificate cert = readOne(file);
        entries.add(new Entry(cert, Optional.ofNullable(revoked.get(cert.getSerialNumber()))));
      }
    } catch (NoSuchFileException e) {
      // nothing issued yet
    } catch (IOException e) {
      throw new TlsConfigException(issued + ": cannot list the issued certificates (" + e.getMessage() + ")", e);
    }
    entries.sort(Comparator.comparing(Entry::notAfter).thenComparing(Entry::serial));
    return new Inventory(entries);
  }

  /**
   * The certificate {@code caFolder} issued with {@code serial}, read alone (one file and {@code ca.state}, not
   * the whole inventory), with its revocation as {@code ca.state} says now.
   *
   * @throws TlsConfigException if the folder holds no CA, or the file is malformed or holds another serial
   */
  public static Optional<Entry> lookup(Path caFolder, BigInteger serial) {
    Map<BigInteger, Instant> revoked = CertificateAuthority.readPublished(caFolder).revocations();
    Path file = caFolder.resolve(ISSUED_FOLDER).resolve(fileName(serial));
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    X509Certificate cert = readOne(file);
    return Optional.of(new Entry(cert, Optional.ofNullable(revoked.get(serial))));
  }

  private static X509Certificate readOne(Path file) {
    List<X509Certificate> certs = PemCodec.readCertificates(file);
    if (certs.size() != 1) {
      throw new TlsConfigException(file + ": expected one certificate, found " + certs.size());
    }
    X509Certificate cert = certs.get(0);
    String expected = fileName(cert.getSerialNumber());
    if (!file.getFileName().toString().equals(expected)) {
      throw new TlsConfigException(file + ": holds serial " + cert.getSerialNumber().toString(16)
          + ", so it should be named " + expected);
    }
    return cert;
  }

  /** Every issued certificate, soonest to expire first. */
  public List<Entry> entries() {
    return entries;
  }

  /** The certificate with this serial, if this CA issued it. */
  public Optional<Entry> find(BigInteger serial) {
    return entries.stream().filter(e -> e.serial().equals(serial)).findFirst();
  }

  /** The valid certificates (not revoked, not expired) whose validity ends within {@code window} of {@code now}. */
  public List<Entry> expiringWithin(Duration window, Instant now) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("the window must not be negative, not " + window);
    }
    Instant until = now.plus(window);
    return entries.stream().filter(e -> e.status(now) == Status.VALID && !e.notAfter().isAfter(until)).toList();
  }

  /** Writes {@code certificate} to {@code caFolder}'s inventory, atomically and forced to disk. */
  static void record(Path caFolder, X509Certificate certificate) {
    Path file = caFolder.resolve(ISSUED_FOLDER).resolve(fileName(certificate.getSerialNumber()));
    try {
      Files.createDirectories(file.getParent());
      SecureFiles.writePublicAtomically(file, PemCodec.encode(List.of(certificate))
          .getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new TlsConfigException(file + ": cannot record the certificate, so it is not issued (" + e.getMessage()
          + ")", e);
    }
  }

  private static String fileName(BigInteger serial) {
    return serial.toString(16) + ".pem";
  }

  @Override
  public String toString() {
    return "Inventory{" + entries.size() + " certificates}";
  }
}
