/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.acl.LiveAcl;
import io.mqttsec.acl.ReloadingAcl;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.api.TlsConfigException;
import io.mqttsec.creds.BruteForceGuard;
import io.mqttsec.creds.CredentialFile;
import io.mqttsec.creds.CredentialStore;
import io.mqttsec.creds.PasswordAuthenticator;
import io.mqttsec.internal.Checks;
import io.mqttsec.tls.ClientCertificateVerifier;
import io.mqttsec.tls.ServerTls;
import io.mqttsec.tls.TlsContexts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;

/** {@link BrokerSecurity#open}: every component a {@link BrokerConfig} names, built and checked together. */
final class ConfiguredSecurity {

  private ConfiguredSecurity() {
  }

  static BrokerSecurity open(BrokerConfig config, SecurityEventListener events, BrokerSpi broker) {
    List<String> problems = new ArrayList<>();
    List<AutoCloseable> built = new ArrayList<>();
    List<AuditLog> auditFiles = new ArrayList<>();
    for (AuditOutput output : config.auditFiles()) {
      try {
        AuditFile file = AuditFile.open(output.file().orElseThrow(), output.maxFileBytes(), output.keepFiles());
        built.add(file);
        auditFiles.add(AuditLog.of(output.format(), file));
      } catch (RuntimeException e) {
        problems.add("<audit>: " + e.getMessage());
      }
    }
    // what components report while they start (a certificate about to expire) goes to every audit output
    Forwarder forward = new Forwarder(auditFiles.isEmpty() ? events : e -> {
      events.deliver(e);
      auditFiles.forEach(a -> a.deliver(e));
    });
    LiveAcl acl = null;
    CredentialStore passwd = null;
    SharedStore store = null;
    ClientCertificateVerifier certificates = null;
    SessionOwners owners = null;
    if (config.store().isPresent()) {
      try {
        store = openStore(config, forward);
        built.add(store);
        acl = store.acl();
        passwd = store.credentials();
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    } else {
      try {
        acl = ReloadingAcl.builder(config.aclFile()).subscribeMode(config.subscribeMode()).listener(forward)
            .pollInterval(config.reloadInterval()).requireValidAtStart().build();
        built.add(acl);
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    if (config.passwordFile().isPresent()) {
      try {
        passwd = CredentialFile.builder(config.passwordFile().get()).listener(forward).reloadOnChange()
            .pollInterval(config.reloadInterval()).build();
        built.add(passwd);
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    if (config.usesCertificates()) {
      try {
        ClientCertificateVerifier.Builder b = ClientCertificateVerifier.builder(config.trustedCertificates()
            .orElseThrow()).crlGracePeriod(config.crlGracePeriod()).reloadOnChange()
            .pollInterval(config.reloadInterval()).listener(forward);
        config.crl().ifPresent(b::crl);
        if (store != null) {
          b.revocations(store.revocations());
        }
        certificates = b.build();
        built.add(certificates);
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    try {
      owners = SessionOwners.file(config.sessionOwners());
      built.add(owners);
    } catch (RuntimeException e) {
      problems.add(e.getMessage());
    }
    if (config.serverTls().isPresent()) {
      try {
        built.add(serverTls(config, config.serverTls().get(), forward, certificates != null));
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      closeAll(built);
      throw new BrokerConfig.InvalidConfigException(config.source(), problems);
    }
    BrokerSecurity.Builder b = BrokerSecurity.builder().acl(acl).broker(broker).audit(events)
        .clientIdPolicy(config.clientIdPolicy()).sessionOwners(owners).anonymous(config.anonymous())
        .defaultAuthentication(config.defaultAuth()).limits(config.limits()).detection(config.detection());
    auditFiles.forEach(b::audit);
    if (passwd != null) {
      for (String unused : config.limits().overridesMatchingNone(passwd.users())) {
        b.warning(config.source() + ": <limits><user name=\"" + unused + "\"> matches no user in "
            + passwd.source() + (config.usesCertificates() ? " (a user who connects by certificate is not there)"
            : ""));
      }
    }
    config.listenerAuth().forEach(b::listener);
    if (passwd != null) {
      PasswordAuthenticator.Builder auth = PasswordAuthenticator.builder(passwd).listener(forward);
      if (!config.credentialCache()) {
        auth.noCache();
      }
      if (!config.bruteForceGuard()) {
        auth.noBruteForceGuard();
      } else if (store != null && store.guardSharing().isPresent()) {
        // a spray over the fleet's brokers is counted as if it hit one
        auth.bruteForceGuard(BruteForceGuard.builder().listener(forward).sharing(store.guardSharing().get())
            .build());
      }
      if (config.upgradeOnLogin()) {
        auth.upgradeOnLogin();
      }
      b.authenticator(auth.build()).credentials(passwd);
    }
    if (certificates != null) {
      b.tls(certificates);
    }
    built.forEach(b::closing);
    BrokerSecurity security;
    try {
      security = b.build();
    } catch (RuntimeException e) {
      closeAll(built);
      throw e;
    }
    forward.target = security.componentEvents();
    return security;
  }

  /** The {@code <store>}'s provider, found by {@link ServiceLoader}, opens it; none found is a problem. */
  private static SharedStore openStore(BrokerConfig config, SecurityEventListener events) {
    BrokerConfig.StoreSettings settings = config.store().orElseThrow();
    List<String> kinds = new ArrayList<>();
    for (StoreProvider p : ServiceLoader.load(StoreProvider.class, StoreProvider.class.getClassLoader())) {
      if (p.kind().equals(settings.kind())) {
        try {
          return p.open(settings.settings(), config, events);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("<store><" + settings.kind() + ">: " + e.getMessage(), e);
        }
      }
      kinds.add(p.kind());
    }
    throw new IllegalArgumentException("<store><" + settings.kind() + ">: no such store on the class path ("
        + (kinds.isEmpty() ? "none is: add mqtt-sec-postgres for <postgres>" : "known: " + String.join(", ",
        kinds)) + ")");
  }

  /**
   * The broker's own certificate, written into the key stores the broker reads, now and after every change to
   * the PEM files (HiveMQ CE re-reads a changed key store within 10 seconds).
   */
  private static ServerTls serverTls(BrokerConfig config, BrokerConfig.ServerTlsFiles files,
                                     SecurityEventListener events, boolean verifierWarnsForCas) {
    char[] password = readPassword(files);
    // the verifier already warns before a CA expires; the broker's certificate is this one's to watch
    SecurityEventListener listener = verifierWarnsForCas ? e -> {
      if (!(e instanceof SecurityEvent.CertificateExpiring x && x.what().equals("CA"))) {
        events.deliver(e);
      }
    } : events;
    TlsContexts.ServerBuilder b = TlsContexts.forServer(files.certificate(), files.key()).reloadOnChange(true)
        .pollInterval(config.reloadInterval()).listener(listener);
    if (files.truststore().isPresent()) {
      b.trustedCertificates(config.trustedCertificates().orElseThrow());
    }
    ServerTls tls = b.build();
    Runnable write = () -> {
      tls.toPkcs12(files.keystore(), password);
      files.truststore().ifPresent(t -> tls.trustStoreToPkcs12(t, password));
    };
    try {
      write.run();
    } catch (RuntimeException e) {
      tls.close();
      throw e;
    }
    tls.onReload(() -> {
      try {
        write.run();
      } catch (RuntimeException e) {
        events.deliver(new SecurityEvent.PolicyReloadFailed(Instant.now(), files.keystore().toString(),
            e.getMessage()));
      }
    });
    return tls;
  }

  private static char[] readPassword(BrokerConfig.ServerTlsFiles files) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(files.storePasswordFile());
    } catch (IOException e) {
      throw new TlsConfigException(files.storePasswordFile() + ": cannot read the key store "
          + "password (" + e.getMessage() + ")", e);
    }
    try {
      if (Checks.startsWithByteOrderMark(bytes)) {
        throw new TlsConfigException(files.storePasswordFile() + ":1:1: " + Checks.BYTE_ORDER_MARK);
      }
      int end = bytes.length;
      while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
        end--;
      }
      if (end == 0) {
        throw new TlsConfigException(files.storePasswordFile() + ": the key store password is "
            + "empty");
      }
      CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
      char[] password = Arrays.copyOf(chars.array(), chars.limit());
      Arrays.fill(chars.array(), '\0');
      return password;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static void closeAll(List<AutoCloseable> built) {
    for (AutoCloseable c : built) {
      try {
        c.close();
      } catch (Exception e) {
        // closing what a failed start built; the start already reports why it failed
      }
    }
  }

  /** Events of components built before the security that routes them exists. */
  private static final class Forwarder implements SecurityEventListener {
    private final SecurityEventListener early;
    volatile SecurityEventListener target;

    Forwarder(SecurityEventListener early) {
      this.early = early;
    }

    @Override
    public void on(SecurityEvent event) {
      SecurityEventListener t = target;
      (t != null ? t : early).deliver(event);
    }
  }
}
