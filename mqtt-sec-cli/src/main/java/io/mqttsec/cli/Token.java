/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * A device key kept in a PKCS#11 token (a TPM, a smart card, an HSM) instead of a key file, through the JDK's own
 * {@code SunPKCS11} provider: made there, named there with its certificate, and only ever asked to sign.
 */
final class Token {

  @Option(names = "--pkcs11", paramLabel = "CONFIG", description = "Keep the key in a PKCS#11 token instead of a "
      + "file: the JDK SunPKCS11 provider's configuration (name, library, slot; its attributes(generate, ...) lines "
      + "decide that a key made there stays there).")
  Path config;

  @Option(names = "--pin-file", paramLabel = "FILE",
      description = "With --pkcs11: the token's PIN, on the first line of FILE (default: asked on the terminal).")
  Path pinFile;

  @Option(names = "--alias", paramLabel = "NAME",
      description = "With --pkcs11: the key's name in the token (default: the certificate's CN).")
  String alias;

  private KeyStore store;

  /** Whether a token was named; {@code --pin-file} and {@code --alias} without one are refused. */
  boolean used() {
    if (config == null && (pinFile != null || alias != null)) {
      throw CliException.input((pinFile != null ? "--pin-file" : "--alias") + " is for a key in a token: "
          + "name its configuration with --pkcs11");
    }
    return config != null;
  }

  /** The name of the key: {@code --alias}, else {@code commonName}. */
  String alias(String commonName) {
    return alias != null ? alias : commonName;
  }

  /**
   * Logs in to the token and installs its provider, so that every signature with one of its keys (the request,
   * the TLS handshake) finds it.
   */
  Token open(Terminal terminal) {
    if (!Files.isRegularFile(config)) {
      throw CliException.input("--pkcs11 " + config + ": no such file (the SunPKCS11 provider's configuration)");
    }
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw CliException.failed("this Java has no SunPKCS11 provider (jdk.crypto.cryptoki)");
    }
    Provider provider;
    try {
      provider = base.configure(config.toString());
    } catch (RuntimeException e) {
      throw CliException.input("--pkcs11 " + config + ": the token cannot be reached (" + rootCause(e) + ")");
    }
    char[] pin = pinFile != null ? Options.firstLine(pinFile, "token PIN")
        : terminal.secret("token PIN", false, false, "give it with --pin-file");
    try {
      KeyStore keys = KeyStore.getInstance("PKCS11", provider);
      keys.load(null, pin);
      store = keys;
    } catch (IOException e) {
      throw CliException.input("--pkcs11 " + config + ": the token refused the login (" + rootCause(e) + ")");
    } catch (GeneralSecurityException | RuntimeException e) {
      throw CliException.input("--pkcs11 " + config + ": the token cannot be opened (" + rootCause(e) + ")");
    } finally {
      Arrays.fill(pin, '\0');
    }
    Security.addProvider(provider);
    return this;
  }

  /** Whether the token holds a key of that name. */
  boolean holds(String name) {
    try {
      return store.isKeyEntry(name);
    } catch (GeneralSecurityException e) {
      throw CliException.failed("the token cannot be read (" + rootCause(e) + ")");
    }
  }

  /** A new EC P-256 key pair made inside the token. */
  KeyPair newKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", store.getProvider());
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw CliException.failed("the token cannot make an EC P-256 key (" + rootCause(e) + ")");
    }
  }

  /** The key named {@code name}, which never leaves the token. */
  PrivateKey key(String name) {
    try {
      Key key = store.getKey(name, null);
      if (key instanceof PrivateKey p) {
        return p;
      }
    } catch (GeneralSecurityException e) {
      throw CliException.failed("the token cannot read the key \"" + name + "\" (" + rootCause(e) + ")");
    }
    throw CliException.input("the token holds no key \"" + name + "\" (--alias names it)");
  }

  /** The certificate chain stored with the key named {@code name}. */
  List<X509Certificate> chain(String name) {
    try {
      Certificate[] chain = store.getCertificateChain(name);
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : chain == null ? new Certificate[0] : chain) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw CliException.input("the token holds no certificate for the key \"" + name + "\"");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw CliException.failed("the token cannot read the certificate of \"" + name + "\" (" + rootCause(e) + ")");
    }
  }

  /** Names {@code key} {@code name} in the token, with its certificate chain; an entry of that name is replaced. */
  void keep(String name, PrivateKey key, List<X509Certificate> chain) throws IOException {
    try {
      store.setKeyEntry(name, key, null, chain.toArray(new Certificate[0]));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IOException("the token cannot keep the key \"" + name + "\" with its certificate ("
          + rootCause(e) + ")", e);
    }
  }

  /** Removes the entry named {@code name}, its key and certificates, if there is one. */
  void remove(String name) throws IOException {
    try {
      if (store.containsAlias(name)) {
        store.deleteEntry(name);
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("the token cannot remove \"" + name + "\" (" + rootCause(e) + ")", e);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }
}
