/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import io.mqttsec.acl.LiveAcl;
import io.mqttsec.api.Action;
import io.mqttsec.api.AuthResult;
import io.mqttsec.api.Authenticator;
import io.mqttsec.api.Authorizer;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.SecurityEvent;
import io.mqttsec.api.SecurityEventListener;
import io.mqttsec.creds.Credential;
import io.mqttsec.creds.CredentialStore;
import io.mqttsec.internal.Checks;
import io.mqttsec.tls.ClientCertificateVerifier;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The security of one MQTT broker, whatever the broker: a broker adapter translates its broker's callbacks into
 * these calls, implements {@link BrokerSpi} for the few things mqtt-sec asks of the broker, and holds no policy
 * of its own.
 *
 * <pre>{@code
 * BrokerSecurity security = BrokerSecurity.open(BrokerConfig.read(Path.of("mqtt-sec.xml")), audit, adapter);
 * ConnectResult r = security.connect(ConnectRequest.builder("tls", clientId).username(u).password(p).build());
 * Decision d = security.publish(r.session().orElseThrow(), "factory/press-42/temp");
 * security.disconnected(session, SecurityEvent.Initiator.CLIENT, "NORMAL_DISCONNECTION", false);
 * }</pre>
 *
 * <h2>The connection lifecycle</h2>
 * <ol>
 *   <li><b>CONNECT</b> ({@link #connect}): the credentials the listener asks for ({@link ListenerAuth}: a
 *       password, a certificate whose CN, subject, SAN or fingerprint is the user name, or both); then the
 *       {@link ClientIdPolicy} (a client id another identity's session owns is refused, live or persisted);
 *       then the will topic against the ACL. An accepted CONNECT records the session's owner, cancels (or, for a
 *       clean start, publishes) a will still pending for the client id, and writes {@code connect.success};
 *       every refusal writes one audit line saying why.</li>
 *   <li><b>PUBLISH, SUBSCRIBE, delivery</b> ({@link #publish}, {@link #subscribe}, {@link #deliver}): the ACL
 *       with the session's authenticated identity; a denial is audited.</li>
 *   <li><b>Disconnect</b> ({@link #disconnected}): audited with who ended the connection ({@code client},
 *       {@code broker} or {@code mqtt-sec}) and why; the will, if due, is checked again against the rules and
 *       credentials in force when it falls due (after its delay) and published or suppressed. A connection that
 *       mqtt-sec ended publishes no will.</li>
 * </ol>
 *
 * <h2>Live changes</h2>
 * <ul>
 *   <li>After an ACL reload, every session, connected or offline, loses the subscriptions the new ACL refuses,
 *       each judged with its own identity: a connected session's, or an offline one's owner.</li>
 *   <li>After a password file change, a connection whose user was removed or whose password was replaced
 *       outright is ended (a rotation keeps it for its window; an upgrade-on-login rehash keeps it).</li>
 *   <li>After a CRL or CA reload, a connection whose certificate is no longer accepted is ended.</li>
 * </ul>
 *
 * <p><b>Fail closed.</b> Every error on a decision path denies: an exception in a check, an unknown session, a
 * broker that cannot say whether a session exists, an owner record that cannot be written. Nothing here logs;
 * everything is published as a {@link SecurityEvent}. No event, exception or {@code toString()} carries a
 * password.
 *
 * <p>Thread-safe: adapters call it from any thread. {@link #connect} may hash a password (hundreds of
 * milliseconds by design), so adapters call it off their network threads.
 */
public final class BrokerSecurity implements AutoCloseable {

  private static final ThreadLocal<Context> CONTEXT = new ThreadLocal<>();
  private static final Duration AUDIT_FLUSH = Duration.ofSeconds(10);
  /**
   * How long a connection that ended normally can still have packets judged: a broker may report a DISCONNECT
   * before it has authorized the PUBLISH the client sent just before it (mosquitto_pub does exactly that).
   */
  static final Duration IN_FLIGHT = Duration.ofSeconds(30);

  private final Authorizer acl;
  private final Authenticator passwords;
  private final CredentialStore credentials;
  private final ClientCertificateVerifier certificates;
  private final ListenerAuth defaultAuth;
  private final Map<String, ListenerAuth> listeners;
  private final boolean anonymous;
  private final ClientIdPolicy clientIds;
  private final SessionOwners owners;
  private final BrokerSpi broker;
  private final SecurityEventListener downstream;
  private final Clock clock;
  private final SecurityCounters counters = new SecurityCounters();
  private final List<AutoCloseable> closeables;
  private final List<AuditLog> auditLogs;
  private final Detector detector;
  private final ScheduledExecutorService scheduler;
  private final LoginLanes lanes;
  private final Object[] stripes = new Object[64];
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Live> byId = new ConcurrentHashMap<>();
  private final Map<String, Live> byClientId = new ConcurrentHashMap<>();
  /** Sessions that ended normally, still answering for their in-flight packets for {@link #IN_FLIGHT}. */
  private final Map<String, ClientSession> ended = new ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Limits limits;
  private final ConnectGate gate;
  /** Milliseconds, advanced by the scheduler: the clock of the checks and the meters. */
  private volatile long tick = System.nanoTime() / 1_000_000;
  private final Map<String, UserConnections> users = new ConcurrentHashMap<>();
  private final List<String> warnings;

  private BrokerSecurity(Builder b) {
    this.acl = b.acl;
    this.passwords = b.passwords;
    this.credentials = b.credentials;
    this.certificates = b.certificates;
    this.defaultAuth = b.defaultAuth == null ? ListenerAuth.password() : b.defaultAuth;
    this.listeners = Map.copyOf(b.listeners);
    this.anonymous = b.anonymous;
    this.clientIds = b.clientIdPolicy == null ? ClientIdPolicy.OWNED : b.clientIdPolicy;
    this.owners = b.owners == null ? SessionOwners.inMemory() : b.owners;
    this.broker = b.broker;
    List<SecurityEventListener> events = List.copyOf(b.events);
    this.downstream = events.size() == 1 ? events.get(0) : e -> events.forEach(l -> l.deliver(e));
    this.auditLogs = events.stream().filter(AuditLog.class::isInstance).map(AuditLog.class::cast).toList();
    Detection detection = b.detection == null ? Detection.DEFAULT : b.detection;
    this.detector = detection == Detection.NONE ? null : Detector.create(detection, this::emit);
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.closeables = List.copyOf(b.closeables);
    this.limits = b.limits == null ? Limits.DEFAULT : b.limits;
    this.warnings = List.copyOf(b.warnings);
    this.gate = new ConnectGate(limits, System.nanoTime());
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
    this.lanes = new LoginLanes(b.loginThreads, RETURNING_LANE, b.loginQueue);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mqtt-sec-broker");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::sweep, AUDIT_FLUSH.toMillis(), AUDIT_FLUSH.toMillis(),
        TimeUnit.MILLISECONDS);
    // reading System.nanoTime() on every PUBLISH would cost more than the rest of the check together: the
    // checks read this tick instead, every millisecond when rates are limited, else every 100 ms (enough for
    // the in-flight window of an ended connection)
    long period = ratesLimited(limits) ? 1 : 100;
    scheduler.scheduleAtFixedRate(() -> tick = System.nanoTime() / 1_000_000, period, period,
        TimeUnit.MILLISECONDS);
    if (acl instanceof LiveAcl live) {
      live.onReload(this::sweepSubscriptions);
    }
    if (credentials != null) {
      credentials.onUsersChanged(this::usersChanged);
    }
    if (certificates != null) {
      certificates.onReload(this::certificatesChanged);
    }
  }

  /** Starts a builder; {@link Builder#acl} and {@link Builder#broker} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds everything {@code config} names (the ACL, the password file and authenticator, the certificate
   * verifier, the session owners, the server's key stores), each reloading on change and publishing to
   * {@code events}, and the security that uses them. Closing it closes them.
   *
   * @param events where every event goes, typically an {@link AuditLog} (whose denial summaries are then
   *               flushed every 10 seconds)
   * @throws BrokerConfig.InvalidConfigException listing every file that is missing or invalid: nothing is
   *     started with half its security
   */
  public static BrokerSecurity open(BrokerConfig config, SecurityEventListener events, BrokerSpi broker) {
    return ConfiguredSecurity.open(config, events, broker);
  }

  // ---------------------------------------------------------------------------------------------- CONNECT

  /** How many known clients coming back may wait for a login thread; far above any fleet's reconnect. */
  static final int RETURNING_LANE = 100_000;

  /**
   * Decides {@code request} and hands the result to {@code done}: on the calling thread when that costs no wait
   * (the authenticator {@linkplain Authenticator#answersAtOnce answers at once}, and recording the session needs
   * neither a disk write nor a question to the broker), otherwise on one of mqtt-sec's login threads. There, under a
   * login storm, a CONNECT that looks like a known client coming back (a certificate listener, or a password the
   * {@link Authenticator#likelyReturning authenticator} says so of) goes before all others; the others, which is
   * what guessing looks like, wait in a lane of at most {@link Builder#loginThreads queue} CONNECTs and are refused
   * at once past it ({@code SERVER_UNAVAILABLE}, audited). The request's password must stay valid until
   * {@code done} runs.
   *
   * @param beforeWaiting run on the calling thread just before the request is handed to a login thread (and not
   *                      at all when it is decided at once): where a broker's callback switches to answering later
   */
  public void connectLater(ConnectRequest request, Runnable beforeWaiting,
                           java.util.function.Consumer<ConnectResult> done) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(beforeWaiting, "beforeWaiting");
    Objects.requireNonNull(done, "done");
    Attempt attempt = new Attempt();
    if (answersAtOnce(request)) {
      ConnectResult now;
      try {
        now = connect(request, attempt);
      } catch (RuntimeException | Error e) {
        now = died(request, e);
      }
      if (now != MUST_WAIT) {
        done.accept(now);
        return;
      }
    }
    attempt.mayWait = true;
    try {
      beforeWaiting.run();
    } catch (RuntimeException e) {
      gate.release(attempt.admitted);
      throw e;
    }
    LoginLanes.Login login = new LoginLanes.Login() {
      @Override
      public void run() {
        ConnectResult result;
        try {
          result = connect(request, attempt);
        } catch (RuntimeException | Error e) {
          result = died(request, e);
        }
        done.accept(result);
      }

      @Override
      public void refuse() {
        gate.release(attempt.admitted);
        done.accept(undecided(request, "the verification queue was full"));
      }
    };
    if (!lanes.offer(login, returning(request))) {
      login.refuse();
    }
  }

  /** The refusal of a CONNECT whose decision died ({@code connect} itself refuses on a RuntimeException). */
  private ConnectResult died(ConnectRequest request, Throwable e) {
    emit(request.listener(), new SecurityEvent.AuthFailed(clock.instant(), identity(request),
        AuthResult.Outcome.ERROR, "internal error (" + e.getClass().getSimpleName() + ") while connecting; refused"));
    return ConnectResult.refused(ConnectResult.Refusal.NOT_AUTHORIZED, "authentication failed");
  }

  /** Whether deciding {@code r} costs no hash worth a login thread; false when unsure. */
  private boolean answersAtOnce(ConnectRequest r) {
    try {
      if (!authFor(r.listener()).usesPassword() || r.username() == null && r.password() == null) {
        return true; // a certificate, or anonymous: checked in memory
      }
      return passwords != null && passwords.answersAtOnce(identity(r), r.password());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Whether a CONNECT looks like a known client coming back; it only orders the work. */
  private boolean returning(ConnectRequest r) {
    try {
      if (!authFor(r.listener()).usesPassword()) {
        return true; // a certificate: no hash to pay, nothing to guess
      }
      return passwords != null && passwords.likelyReturning(identity(r));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * What {@link #connect(ConnectRequest, Attempt)} answers when it would have to wait and {@link Attempt#mayWait}
   * is false: nothing was recorded or reported, and the attempt holds the address's admission for the retry.
   */
  private static final ConnectResult MUST_WAIT = ConnectResult.refused(ConnectResult.Refusal.SERVER_UNAVAILABLE,
      "must wait");

  /** One CONNECT decided in up to two tries: at once, then on a login thread when the first had to wait. */
  private static final class Attempt {
    boolean mayWait;
    /** The connect gate's admission taken by a try that had to wait, for the next one: counted once. */
    ConnectGate.Ticket admitted;
  }

  /**
   * Decides a CONNECT. Never throws for bad input or a failing component: every problem is a refusal, with its
   * audit line. May block for a password hash, for a write of the session owners' journal and for
   * {@link BrokerSpi#sessionExists}.
   */
  public ConnectResult connect(ConnectRequest request) {
    Objects.requireNonNull(request, "request");
    Attempt attempt = new Attempt();
    attempt.mayWait = true;
    return connect(request, attempt);
  }

  private ConnectResult connect(ConnectRequest request, Attempt attempt) {
    Context context = new Context(request.listener(), true);
    Context outer = CONTEXT.get();
    CONTEXT.set(context);
    ClientIdentity who = identity(request);
    ConnectGate.Ticket ticket = attempt.admitted;
    attempt.admitted = null;
    boolean accepted = false;
    try {
      long now = System.nanoTime();
      if (ticket == null) {
        ticket = gate.admit(request.remoteAddress(), now);
        ConnectGate.Stop stop = ticket.stop();
        if (stop != null) {
          ticket = null;
          return stopped(stop, who, now);
        }
      }
      ConnectResult result = decide(request, who, ticket, attempt.mayWait);
      context.deferring = false;
      if (result == MUST_WAIT) {
        attempt.admitted = ticket; // the connect.success it deferred is dropped: the retry reports its own
        ticket = null;
      } else if (result.accepted()) {
        accepted = true;
        context.deferred.forEach(this::emit);
      }
      return result;
    } catch (RuntimeException e) {
      context.deferring = false;
      emit(new SecurityEvent.AuthFailed(clock.instant(), who, AuthResult.Outcome.ERROR, "internal error ("
          + e.getClass().getSimpleName() + ") while connecting; refused"));
      return ConnectResult.refused(ConnectResult.Refusal.NOT_AUTHORIZED, "authentication failed");
    } finally {
      if (!accepted) {
        gate.release(ticket);
      }
      if (outer == null) {
        CONTEXT.remove();
      } else {
        CONTEXT.set(outer);
      }
    }
  }

  private static ClientIdentity identity(ConnectRequest r) {
    ClientIdentity who = ClientIdentity.of(r.username(), r.clientId());
    if (r.remoteAddress() != null) {
      who = who.withRemoteAddress(r.remoteAddress());
    }
    return r.chain() == null ? who : who.withCertificateChain(r.chain());
  }

  /** A CONNECT the gate stopped: its excess reported (about once a minute per address), the refusal. */
  private ConnectResult stopped(ConnectGate.Stop stop, ClientIdentity who, long now) {
    ConnectGate.State state = stop.state();
    LimitWindow.Report report;
    synchronized (state) {
      LimitWindow window = state.window(stop.limit());
      window.who = who;
      report = window.excess(now);
    }
    counters.limitExceeded();
    if (report != null) {
      emit(limitEvent(who, stop.limit().label, scope(stop.limit(), state), "refused", report, now));
    }
    boolean rate = stop.limit() == Limit.ADDRESS_CONNECT_RATE || stop.limit() == Limit.PREFIX_CONNECT_RATE
        || stop.limit() == Limit.BROKER_CONNECT_RATE;
    return ConnectResult.refused(rate ? ConnectResult.Refusal.CONNECTION_RATE_EXCEEDED
        : ConnectResult.Refusal.QUOTA_EXCEEDED, rate ? "connection rate exceeded" : "quota exceeded");
  }

  /** Where a connect limit applies, as its events say: {@code broker}, {@code address A} or {@code prefix P}. */
  private static String scope(Limit limit, ConnectGate.State state) {
    if (limit == Limit.BROKER_CONNECT_RATE) {
      return "broker";
    }
    boolean address = limit == Limit.ADDRESS_CONNECT_RATE || limit == Limit.ADDRESS_CONNECTIONS;
    return (address ? "address " : "prefix ") + state.where;
  }

  /** A {@code limit.exceeded} event for {@code report}, whose times are nanoTimes as {@code now} is. */
  private SecurityEvent.LimitExceeded limitEvent(ClientIdentity who, String limit, String scope, String verdict,
                                                 LimitWindow.Report report, long now) {
    java.time.Instant time = clock.instant();
    return new SecurityEvent.LimitExceeded(time, who, limit, scope, verdict, report.count(),
        time.minusNanos(Math.max(0, now - report.since())));
  }

  private ConnectResult decide(ConnectRequest r, ClientIdentity who, ConnectGate.Ticket ticket, boolean mayWait) {
    ListenerAuth auth = authFor(r.listener());
    AuthResult result;
    String method;
    if (!auth.usesCertificate()) {
      if (r.username() == null && r.password() == null) {
        if (!anonymous) {
          return refuse(who, AuthResult.Outcome.ANONYMOUS_REFUSED, "anonymous access is off");
        }
        result = null;
        method = "anonymous";
      } else if (passwords == null) {
        return refuse(who, AuthResult.Outcome.ERROR, "no password check is configured for listener "
            + r.listener());
      } else {
        result = passwords.authenticate(who, r.password());
        method = "password";
      }
    } else {
      if (r.chain() == null) {
        return refuse(who, AuthResult.Outcome.CERTIFICATE_REJECTED, "listener " + r.listener()
            + " requires a client certificate");
      }
      result = certificate(auth, r.chain());
      if (!result.succeeded()) {
        return refuse(who, result.outcome(), result.reason());
      }
      String certificateUser = result.username().orElseThrow();
      if (auth.mode() == ListenerAuth.Mode.CERTIFICATE) {
        method = "certificate";
        emit(new SecurityEvent.AuthSucceeded(clock.instant(), who.withUsername(certificateUser), method));
      } else {
        String claimed = who.username().orElse(certificateUser);
        if (!claimed.equals(certificateUser)) {
          // a stolen password alone is not enough, nor a stolen certificate alone
          return refuse(who, AuthResult.Outcome.BAD_CREDENTIALS, "the user name " + claimed
              + " is not the certificate's " + certificateUser);
        }
        if (passwords == null) {
          return refuse(who, AuthResult.Outcome.ERROR, "no password check is configured for listener "
              + r.listener());
        }
        result = passwords.authenticate(who.withUsername(certificateUser), r.password());
        method = "certificate and password";
      }
    }
    if (result != null && !result.succeeded()) {
      return ConnectResult.refused(refusal(result.outcome()), result.reason()); // the check audited it
    }
    String user = result == null ? null : result.username().orElseThrow();
    ClientIdentity authenticated = who.withUsername(user);

    String naming = clientIds.namingRefusal(user, r.clientId());
    if (naming != null) {
      emit(new SecurityEvent.AuthFailed(clock.instant(), authenticated, AuthResult.Outcome.REFUSED, naming));
      return ConnectResult.refused(ConnectResult.Refusal.CLIENT_ID_NOT_VALID, naming);
    }
    if (r.will() != null) {
      Decision will = acl.authorize(authenticated, Action.PUBLISH, r.will().topic());
      if (will.denied()) {
        emit(new SecurityEvent.AuthFailed(clock.instant(), authenticated, AuthResult.Outcome.REFUSED,
            "the will topic " + r.will().topic() + " is refused: " + will.reason()));
        return ConnectResult.refused(ConnectResult.Refusal.NOT_AUTHORIZED, "will topic not authorized");
      }
    }
    return register(r, authenticated, method, ticket, mayWait);
  }

  /** The user name {@code chain} carries once it is trusted and not revoked. */
  private AuthResult certificate(ListenerAuth auth, X509Certificate[] chain) {
    if (certificates == null) {
      return AuthResult.failure(AuthResult.Outcome.ERROR, "no certificate check is configured");
    }
    Decision trusted = certificates.check(chain);
    if (trusted.denied()) {
      return AuthResult.failure(AuthResult.Outcome.CERTIFICATE_REJECTED, trusted.reason());
    }
    String[] why = new String[1];
    String name = auth.userName(chain, why);
    return name == null ? AuthResult.failure(AuthResult.Outcome.BAD_CREDENTIALS, why[0])
        : AuthResult.success(name, "certificate " + chain[0].getSubjectX500Principal().getName());
  }

  /**
   * Ownership, then the session is recorded; under the client id's lock, so two CONNECTs cannot both claim it.
   * Unless {@code mayWait}, answers {@link #MUST_WAIT} before changing anything when that would mean asking the
   * broker (another identity's claim, a resumed session's subscriptions to count) or writing the owners' journal.
   */
  private ConnectResult register(ConnectRequest r, ClientIdentity who, String method, ConnectGate.Ticket ticket,
                                 boolean mayWait) {
    String clientId = r.clientId();
    String me = who.username().orElse("");
    ClientLimits clientLimits = limits.forUser(who.username().orElse(null));
    Live live;
    synchronized (stripes[Math.floorMod(clientId.hashCode(), stripes.length)]) {
      Optional<String> owner = owners.owner(clientId);
      boolean otherOwner = owner.isPresent() && !owner.get().equals(me);
      boolean endsWithConnection = r.cleanStart() && r.sessionExpiry().isZero();
      if (!mayWait && (otherOwner || !endsWithConnection && !owners.recordWritesNothing(clientId, me)
          || !r.cleanStart() && clientLimits.maxSubscriptions().isPresent())) {
        return MUST_WAIT;
      }
      if (clientIds.owned() && otherOwner && sessionExists(clientId)) {
        emit(new SecurityEvent.TakeoverRefused(clock.instant(), who, owner.get()));
        return ConnectResult.refused(ConnectResult.Refusal.CLIENT_ID_NOT_VALID,
            "the client id belongs to another identity's session");
      }
      if (!claimConnection(who, clientLimits, clientId)) {
        return ConnectResult.refused(ConnectResult.Refusal.QUOTA_EXCEEDED, "quota exceeded");
      }
      try {
        if (endsWithConnection) {
          owners.recordUntilDisconnect(clientId, me); // ends with the connection: no disk write in a storm
        } else {
          owners.record(clientId, me);
        }
      } catch (RuntimeException e) {
        releaseConnection(who.username().orElse(null), clientLimits);
        throw e;
      }
      String id = Long.toString(ids.incrementAndGet(), 36);
      long excessMillis = limits.excessDisconnectAfter().toMillis();
      // the session right after its meter, nothing allocated between: a PUBLISH reads both, and next to each
      // other they are one cold cache line fewer when a broker holds 100,000 clients
      ClientMeter meter = new ClientMeter(clientLimits, excessMillis, tick);
      ClientSession session = new ClientSession(id, who, r.listener(), method, meter, viewOf(who));
      live = new Live(session, r.will(), r.cleanStart(), r.sessionExpiry(), credentialOf(who, method), meter,
          ticket);
      if (!r.cleanStart() && clientLimits.maxSubscriptions().isPresent()) {
        try {
          broker.subscriptions(clientId).forEach(live.meter::subscribe);
        } catch (RuntimeException e) {
          // the session's earlier subscriptions go uncounted; new ones are still counted and held to the limit
        }
      }
      byId.put(session.id(), live);
      byClientId.put(clientId, live);
      // whoever removes a pending will from the map decides it: this CONNECT, or the timer
      Pending earlier = pending.remove(clientId);
      if (earlier != null) {
        ScheduledFuture<?> timer = earlier.future;
        if (timer != null) {
          timer.cancel(false);
        }
        if (r.cleanStart()) {
          // a clean start ends the old session, and with it the will's delay
          later(() -> publishWill(earlier.live));
        }
      }
      if (otherOwner && !r.cleanStart()) {
        // only under the ANY policy: the session's subscriptions were granted to another identity
        sweep(clientId, who, broker.subscriptions(clientId), "the session changed hands");
      }
    }
    return ConnectResult.accepted(live.session);
  }

  /**
   * Counts one more connection of the user, unless that would pass its limit (a connection about to be taken
   * over by this one, same user and client id, does not count): then reports the excess and returns false.
   */
  private boolean claimConnection(ClientIdentity who, ClientLimits clientLimits, String clientId) {
    String user = who.username().orElse(null);
    Integer max = clientLimits.maxConnections().orElse(null);
    if (user == null || max == null) {
      return true;
    }
    UserConnections u = users.computeIfAbsent(user, k -> new UserConnections());
    long now = System.nanoTime();
    LimitWindow.Report report;
    synchronized (u) {
      Live replaced = byClientId.get(clientId);
      int others = u.open - (replaced != null && replaced.session.identity().username().equals(who.username())
          ? 1 : 0);
      if (others < max) {
        u.open++;
        return true;
      }
      u.window.who = who;
      report = u.window.excess(now);
    }
    counters.limitExceeded();
    if (report != null) {
      emit(limitEvent(who, Limit.USER_CONNECTIONS.label, "user " + user,
          "refused", report, now));
    }
    return false;
  }

  private void releaseConnection(String user, ClientLimits clientLimits) {
    if (user == null || clientLimits.maxConnections().isEmpty()) {
      return;
    }
    UserConnections u = users.get(user);
    if (u != null) {
      synchronized (u) {
        if (u.open > 0) {
          u.open--;
        }
      }
    }
  }

  private boolean sessionExists(String clientId) {
    if (byClientId.containsKey(clientId)) {
      return true; // connected now: no need to ask
    }
    try {
      return broker.sessionExists(clientId);
    } catch (RuntimeException e) {
      return true; // cannot tell: the owner keeps it
    }
  }

  private Credential credentialOf(ClientIdentity who, String method) {
    if (credentials == null || !method.contains("password")) {
      return null;
    }
    return credentials.lookup(who.username().orElseThrow()).orElse(null);
  }

  private ConnectResult refuse(ClientIdentity who, AuthResult.Outcome outcome, String reason) {
    emit(new SecurityEvent.AuthFailed(clock.instant(), who, outcome, reason));
    return ConnectResult.refused(refusal(outcome), reason);
  }

  private static ConnectResult.Refusal refusal(AuthResult.Outcome outcome) {
    return outcome == AuthResult.Outcome.BAD_CREDENTIALS ? ConnectResult.Refusal.BAD_CREDENTIALS
        : ConnectResult.Refusal.NOT_AUTHORIZED;
  }

  private ListenerAuth authFor(String listener) {
    return listeners.getOrDefault(listener, defaultAuth);
  }

  // --------------------------------------------------------------------------------- PUBLISH, SUBSCRIBE

  /** The live session with this {@link ClientSession#id()}, if it is still connected. */
  public Optional<ClientSession> session(String id) {
    Live live = id == null ? null : byId.get(id);
    return live == null ? Optional.empty() : Optional.of(live.session);
  }

  /** The session with this id if it is connected, or ended normally less than {@link #IN_FLIGHT} ago. */
  private ClientSession answering(String id) {
    Live live = byId.get(id);
    if (live != null) {
      return live.endedBy == null ? live.session : null; // mqtt-sec ended it: nothing more from it
    }
    return ended.get(id);
  }

  /**
   * The session with this id, or, when there is none (a connection mqtt-sec did not authenticate, one mqtt-sec
   * ended, or one gone for longer than its in-flight packets can take), a stand-in for {@code clientId} that every
   * check denies and audits. For adapters that look the session up on every packet.
   */
  public ClientSession session(String id, String clientId) {
    ClientSession s = id == null ? null : answering(id);
    return s != null ? s : new ClientSession("", ClientIdentity.of(null, clientId), "unknown", "none", null, null);
  }

  /**
   * The ACL's view of a client that is being accepted, prepared once for all its checks; if the ACL fails to
   * prepare one, a view that denies everything, which the client's every request then reports.
   */
  private Authorizer.View viewOf(ClientIdentity who) {
    try {
      return Objects.requireNonNull(acl.viewFor(who), "the ACL's view");
    } catch (RuntimeException e) {
      Decision refused = Decision.deny("internal error (" + e.getClass().getSimpleName() + ") while preparing the "
          + "client's ACL rules; denied");
      return (action, topic) -> refused;
    }
  }

  /**
   * Refuses a CONNECT the adapter could not hand to {@link #connect}: its verification queue was full, or the
   * check died with an {@link Error}. Writes a {@code connect.failure} line of outcome {@code ERROR} with
   * {@code why}, so no refusal goes unaudited.
   */
  public ConnectResult undecided(ConnectRequest request, String why) {
    emit(request.listener(), new SecurityEvent.AuthFailed(clock.instant(), identity(request),
        AuthResult.Outcome.ERROR, why + "; refused"));
    return ConnectResult.refused(ConnectResult.Refusal.SERVER_UNAVAILABLE, "authentication unavailable");
  }

  /**
   * Whether the session may PUBLISH to {@code topic}. A session mqtt-sec did not authenticate, or ended itself,
   * is denied; one that ended otherwise still answers for packets in flight (for 30 seconds). Never throws.
   */
  public Decision publish(ClientSession session, String topic) {
    return check(session, Action.PUBLISH, topic);
  }

  /**
   * Whether the session may SUBSCRIBE to {@code filter} ({@code $share/GROUP/FILTER} as FILTER): the ACL, then
   * the subscription limit (a filter the session holds already is not one more). Never throws.
   */
  public Verdict subscribe(ClientSession session, String filter) {
    Decision d = check(session, Action.SUBSCRIBE, filter);
    if (d.denied()) {
      return new Verdict(Verdict.Kind.NOT_AUTHORIZED, d.reason());
    }
    Live live = byId.get(session.id());
    if (live == null || live.meter.subscribe(filter)) {
      return Verdict.ALLOWED;
    }
    String reason = "more than " + live.meter.limits.maxSubscriptions().orElseThrow() + " subscriptions";
    exceeded(live, Limit.SUBSCRIPTIONS, "refused", System.nanoTime());
    return new Verdict(Verdict.Kind.QUOTA_EXCEEDED, reason);
  }

  /** The session dropped these subscriptions (UNSUBSCRIBE), so they no longer count against its limit. */
  public void unsubscribed(ClientSession session, Collection<String> filters) {
    Live live = byId.get(session.id());
    if (live != null) {
      live.meter.unsubscribed(Set.copyOf(filters));
    }
  }

  /**
   * Whether a PUBLISH of {@code payloadBytes} to {@code topic} from the session passes its limits (size, topic
   * length and depth, message and byte rate); the ACL is {@link #publish}'s. An excess is counted and reported
   * about once a minute; an oversized message, or a rate exceeded for longer than
   * {@link Limits#excessDisconnectAfter()}, also ends the connection ({@link BrokerSpi#disconnect} with 0x95 or
   * 0x96). Never throws; allocates nothing for a client within its limits.
   */
  public Verdict admit(ClientSession session, String topic, int payloadBytes) {
    ClientMeter meter = session.meter;
    if (meter == null || !meter.limitsPublish()) {
      return Verdict.ALLOWED;
    }
    ClientMeter.Excess e;
    try {
      e = meter.admit(topic, payloadBytes, tick);
    } catch (RuntimeException failure) {
      return new Verdict(Verdict.Kind.QUOTA_EXCEEDED, "internal error (" + failure.getClass().getSimpleName()
          + "); refused");
    }
    if (e == null) {
      return Verdict.ALLOWED;
    }
    Live live = byId.get(session.id());
    if (live == null) {
      return new Verdict(e.kind() == Verdict.Kind.DISCONNECTED ? Verdict.Kind.QUOTA_EXCEEDED : e.kind(),
          e.reason()); // the connection is gone already: refuse, nothing to end or report
    }
    boolean disconnect = e.kind() == Verdict.Kind.DISCONNECTED;
    exceeded(live, e.limit(), disconnect ? "disconnected" : "refused", System.nanoTime());
    if (disconnect && live.endedBy == null) {
      end(live, e.reason(), e.limit() == Limit.MESSAGE_SIZE ? DisconnectReason.PACKET_TOO_LARGE
          : DisconnectReason.MESSAGE_RATE_TOO_HIGH);
    }
    return new Verdict(e.kind(), e.reason());
  }

  /** Counts one excess of a session's limit, and reports it when its window says so. */
  private void exceeded(Live live, Limit limit, String verdict, long now) {
    counters.limitExceeded();
    LimitWindow.Report report;
    synchronized (live.meter) {
      report = live.meter.window(limit).excess(now);
    }
    if (report != null) {
      emit(live.session.listener(), limitEvent(live.session.identity(),
          limit.label, "client", verdict, report, now));
    }
  }

  /** Whether a message on {@code topic} may be delivered to the session (filter-on-delivery). Never throws. */
  public Decision deliver(ClientSession session, String topic) {
    return check(session, Action.RECEIVE, topic);
  }

  private Decision check(ClientSession session, Action action, String topic) {
    // timing every check would cost more than the check: each connection's first of every 64 stands for them
    ClientMeter counted = session.meter;
    boolean timed = counted != null && (counted.checks++ & 63) == 0;
    long start = timed ? System.nanoTime() : 0;
    Decision d;
    try {
      ClientMeter meter = session.meter;
      Authorizer.View rules = session.rules;
      d = meter != null && rules != null && meter.answers(tick, IN_FLIGHT.toMillis())
          ? rules.authorize(action, topic) : Decision.deny("the connection is not authenticated");
    } catch (RuntimeException e) {
      d = Decision.deny("internal error (" + e.getClass().getSimpleName() + "); denied");
    }
    counters.decision(d.allowed());
    if (timed) {
      counters.sampledCheck(System.nanoTime() - start, 64);
    }
    if (d.denied()) {
      emit(session.listener(), new SecurityEvent.AccessDenied(clock.instant(), session.identity(), action, topic,
          d.reason()));
    }
    return d;
  }

  // ------------------------------------------------------------------------------------------ DISCONNECT

  /**
   * A connection ended: audits it and settles its will. Call it once per accepted session, whoever ended it.
   *
   * @param initiator who ended it, as the broker saw it ({@code MQTT_SEC} is recognised here: a connection
   *                  mqtt-sec asked the broker to end is audited as mqtt-sec's, with its reason, whatever this says)
   * @param reason    in the initiator's terms, such as an MQTT reason code's name or {@code connection lost}
   * @param willDue   whether MQTT says the will is now due: the network connection was lost, the broker ended
   *                  it, or the client sent DISCONNECT with reason 0x04; false for a normal DISCONNECT
   */
  public void disconnected(ClientSession session, SecurityEvent.Initiator initiator, String reason,
                           boolean willDue) {
    Live live = byId.remove(session.id());
    if (live == null) {
      return;
    }
    String clientId = session.clientId();
    byClientId.remove(clientId, live);
    gate.release(live.ticket);
    releaseConnection(session.identity().username().orElse(null), live.meter.limits);
    long closedAt = System.nanoTime();
    live.meter.closeWindows(closedAt, true, (limit, report) -> emit(session.listener(),
        limitEvent(session.identity(), limit.label, "client", "refused", report, closedAt)));
    String endedBy = live.endedBy;
    if (endedBy == null) {
      live.meter.goneAt = Math.max(1, tick);
      ended.put(session.id(), session);
      try {
        scheduler.schedule(() -> ended.remove(session.id()), IN_FLIGHT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        ended.remove(session.id());
      }
    }
    SecurityEvent.Initiator by = endedBy != null ? SecurityEvent.Initiator.MQTT_SEC : initiator;
    emit(session.listener(), new SecurityEvent.ClientDisconnected(clock.instant(), session.identity(), by,
        endedBy != null ? endedBy : reason));
    Live newer = byClientId.get(clientId);
    Will will = live.will;
    if (will != null && endedBy != null) {
      emit(session.listener(), new SecurityEvent.WillSuppressed(clock.instant(), session.identity(), will.topic(),
          "mqtt-sec ended the connection (" + endedBy + ")"));
    } else if (will != null && willDue) {
      if (newer != null && !newer.cleanStart && !will.delay().isZero()) {
        return; // MQTT 5: the session goes on in the new connection before the delay ends; no will
      }
      Duration delay = newer != null ? Duration.ZERO : min(will.delay(), live.sessionExpiry);
      if (delay.isZero()) {
        later(() -> publishWill(live));
      } else {
        Pending p = new Pending(live);
        pending.put(clientId, p);
        try {
          p.future = scheduler.schedule(() -> {
            if (pending.remove(clientId, p)) {
              publishWill(live);
            }
          }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
          pending.remove(clientId, p); // a broker that stops drops its pending wills
        }
      }
    }
    if (newer == null && live.sessionExpiry.isZero()) {
      // under the client id's lock, where a CONNECT registers: one that registered since newer was read keeps the
      // owner it recorded (erased, another identity could take the client id over from under it)
      synchronized (stripes[Math.floorMod(clientId.hashCode(), stripes.length)]) {
        if (!byClientId.containsKey(clientId)) {
          owners.forget(clientId);
        }
      }
    }
  }

  /** Runs {@code work} on the mqtt-sec thread, off the adapter's; nothing once closed. */
  private void later(Runnable work) {
    try {
      scheduler.execute(work);
    } catch (RejectedExecutionException closing) {
      // a broker that stops drops its wills
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void publishWill(Live live) {
    ClientSession s = live.session;
    String refusal;
    try {
      refusal = willRefusal(live);
    } catch (RuntimeException e) {
      refusal = "internal error (" + e.getClass().getSimpleName() + ") while checking it";
    }
    if (refusal != null) {
      emit(s.listener(), new SecurityEvent.WillSuppressed(clock.instant(), s.identity(), live.will.topic(),
          refusal));
      return;
    }
    try {
      live.will.publish().run();
    } catch (RuntimeException e) {
      emit(s.listener(), new SecurityEvent.WillSuppressed(clock.instant(), s.identity(), live.will.topic(),
          "the broker failed to publish it (" + e.getClass().getSimpleName() + ")"));
    }
  }

  /** Why the will of {@code live} may not go out now, or null when it may. */
  private String willRefusal(Live live) {
    ClientSession s = live.session;
    if (s.method().contains("password") && credentials != null && !credentialStillValid(live)) {
      return "the password it connected with is no longer valid";
    }
    if (s.method().startsWith("certificate") && certificates != null) {
      Decision d = certificates.check(s.identity().certificateChain().toArray(new X509Certificate[0]));
      if (d.denied()) {
        return "its certificate is no longer accepted: " + d.reason();
      }
    }
    Decision d = acl.authorize(s.identity(), Action.PUBLISH, live.will.topic());
    return d.allowed() ? null : "the ACL in force refuses it: " + d.reason();
  }

  // ---------------------------------------------------------------------------------------- LIVE CHANGES

  /** Removes, from every session, the subscriptions the ACL in force refuses. */
  private void sweepSubscriptions() {
    try {
      broker.forEachSession((clientId, filters) -> sweep(clientId, identityOf(clientId), filters,
          "subscription removed after an ACL reload"));
    } catch (RuntimeException e) {
      emit(new SecurityEvent.PolicyReloadFailed(clock.instant(), "subscriptions", "the new ACL is in force, but "
          + "removing the subscriptions it refuses failed (" + e.getClass().getSimpleName() + ")"));
    }
  }

  private void sweep(String clientId, ClientIdentity who, Set<String> filters, String why) {
    Set<String> refused = new HashSet<>();
    for (String filter : filters) {
      Decision d;
      try {
        d = acl.authorize(who, Action.SUBSCRIBE, filter);
      } catch (RuntimeException e) {
        d = Decision.deny("internal error (" + e.getClass().getSimpleName() + "); denied");
      }
      if (d.denied()) {
        refused.add(filter);
        emit(new SecurityEvent.AccessDenied(clock.instant(), who, Action.SUBSCRIBE, filter, d.reason() + " ("
            + why + ")"));
      }
    }
    if (!refused.isEmpty()) {
      broker.removeSubscriptions(clientId, refused);
      Live live = byClientId.get(clientId);
      if (live != null) {
        live.meter.unsubscribed(refused);
      }
    }
  }

  /** Who a session is: the connected client's identity, else its owner's, else anonymous. */
  private ClientIdentity identityOf(String clientId) {
    Live live = byClientId.get(clientId);
    if (live != null) {
      return live.session.identity();
    }
    return ClientIdentity.of(owners.owner(clientId).orElse(null), clientId);
  }

  private void usersChanged(Set<String> users) {
    for (Live live : byId.values()) {
      String user = live.session.identity().username().orElse(null);
      if (user != null && users.contains(user) && live.session.method().contains("password")
          && !credentialStillValid(live)) {
        end(live, credentials.lookup(user).isEmpty() ? "credential removed" : "password replaced");
      }
    }
  }

  /**
   * Whether the password a session connected with still works: the same entry, that entry hashed again by
   * upgrade-on-login, or a rotation whose window still accepts it.
   */
  private boolean credentialStillValid(Live live) {
    Credential known = live.credential;
    if (known == null) {
      return true; // logged in with no credential file to compare (a builder without one)
    }
    Credential now = credentials.lookup(known.username()).orElse(null);
    if (now == null) {
      return false;
    }
    if (now.equals(known)) {
      return true;
    }
    if (credentials.isRehashOf(now, known)) {
      live.credential = now;
      return true;
    }
    return now.acceptsPrevious(clock.instant()) && now.previous().orElseThrow().equals(known.hash());
  }

  private void certificatesChanged() {
    for (Live live : byId.values()) {
      if (!live.session.method().startsWith("certificate")) {
        continue;
      }
      Decision d = certificates.check(live.session.identity().certificateChain().toArray(new X509Certificate[0]));
      if (d.denied()) {
        end(live, "certificate no longer accepted: " + d.reason());
      }
    }
  }

  /** mqtt-sec ends a connection: no will, and the disconnect is audited as mqtt-sec's. */
  private void end(Live live, String reason) {
    end(live, reason, DisconnectReason.NOT_AUTHORIZED);
  }

  private void end(Live live, String reason, DisconnectReason code) {
    live.endedBy = reason;
    live.meter.endedByMqttSec = true;
    try {
      broker.disconnect(live.session.clientId(), code, reason);
    } catch (RuntimeException e) {
      emit(new SecurityEvent.PolicyReloadFailed(clock.instant(), "disconnect", "could not end the connection of "
          + live.session.clientId() + " (" + e.getClass().getSimpleName() + "): " + reason));
    }
  }

  // ------------------------------------------------------------------------------------------- PLUMBING

  private static boolean ratesLimited(Limits limits) {
    List<ClientLimits> all = new ArrayList<>(limits.users().values());
    all.add(limits.clients());
    return all.stream().anyMatch(c -> c.messageRate().isPresent() || c.byteRate().isPresent());
  }

  /**
   * Every 10 seconds: closes excess windows a minute old, forgets idle addresses, flushes the audit log. Package
   * access so that tests need not wait for the timer.
   */
  void sweep() {
    try {
      long now = System.nanoTime();
      for (Live live : byId.values()) {
        live.meter.closeWindows(now, false, (limit, report) -> emit(live.session.listener(),
            limitEvent(live.session.identity(), limit.label, "client",
                "refused", report, now)));
      }
      gate.sweep(now, (state, limit, report) -> {
        ClientIdentity who = state.window(limit).who;
        emit(limitEvent(who == null ? ClientIdentity.of(null, "") : who, limit.label, scope(limit, state), "refused",
            report, now));
      });
      Instant at = clock.instant();
      auditLogs.forEach(a -> a.flush(at));
      if (detector != null) {
        detector.sweep(at);
      }
    } catch (RuntimeException e) {
      // the next tick tries again; nothing here decides anything
    }
  }

  /** The limits in force. */
  public Limits limits() {
    return limits;
  }

  /**
   * What {@link #open} found odd but not wrong, for the adapter to log: a limit override that names no user of the
   * password file, for one.
   */
  public List<String> warnings() {
    return warnings;
  }

  /** The counters behind a broker's metrics. */
  public SecurityCounters counters() {
    return counters;
  }

  /** How many connections are authenticated now. */
  public int connectedCount() {
    return byId.size();
  }

  /**
   * Stops the will timer (pending wills are dropped, as a broker that stops drops them) and closes what
   * {@link #open} built.
   */
  @Override
  public void close() {
    lanes.close();
    scheduler.shutdownNow();
    Instant end = clock.instant().plus(Duration.ofDays(1));
    auditLogs.forEach(a -> a.flush(end));
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // closing stops watches and timers; nothing to report that would change a decision
      }
    }
    owners.close();
  }

  @Override
  public String toString() {
    return "BrokerSecurity{clientIds=" + clientIds + ", anonymous=" + anonymous + ", connected=" + byId.size()
        + ", owners=" + owners + '}';
  }

  private void emit(SecurityEvent event) {
    Context c = CONTEXT.get();
    if (c != null && c.deferring && event instanceof SecurityEvent.AuthSucceeded) {
      c.deferred.add(event); // connect.success is written once the whole CONNECT is accepted
      return;
    }
    counters.on(event);
    downstream.deliver(event);
    if (detector != null && !(event instanceof SecurityEvent.AlertRaised)) {
      detector.deliver(event); // its alerts come back here, and go where every event goes
    }
  }

  private void emit(String listener, SecurityEvent event) {
    Context outer = CONTEXT.get();
    CONTEXT.set(new Context(listener, false));
    try {
      emit(event);
    } finally {
      if (outer == null) {
        CONTEXT.remove();
      } else {
        CONTEXT.set(outer);
      }
    }
  }

  /**
   * The listener for the components this security uses (the password check, the ACL, a fleet's store): their
   * events go through this security to its audit outputs, so a password check's {@code connect.success} waits for
   * the whole CONNECT, and the counters and the detector see everything. {@link #open} wires the components it
   * builds to it; a component built before this security can forward to it once it exists.
   */
  public SecurityEventListener componentEvents() {
    return this::emit;
  }

  /** The listener of the connection being handled on this thread, for the audit log. */
  static String currentListener() {
    Context c = CONTEXT.get();
    return c == null ? null : c.listener;
  }

  /** What the current thread is doing for which listener. */
  private static final class Context {
    final String listener;
    boolean deferring;
    final List<SecurityEvent> deferred = new ArrayList<>(1);

    Context(String listener, boolean deferring) {
      this.listener = listener;
      this.deferring = deferring;
    }
  }

  /** A connected session and what mqtt-sec keeps for it. */
  private static final class Live {
    final ClientSession session;
    final Will will;
    final boolean cleanStart;
    final Duration sessionExpiry;
    /** The password entry the session logged in with, moved along by rehashes; null without one. */
    volatile Credential credential;
    /** Why mqtt-sec ended this connection, once it has. */
    volatile String endedBy;
    final ClientMeter meter;
    /** The address and prefix connections the gate reserved for this one. */
    final ConnectGate.Ticket ticket;

    Live(ClientSession session, Will will, boolean cleanStart, Duration sessionExpiry, Credential credential,
         ClientMeter meter, ConnectGate.Ticket ticket) {
      this.session = session;
      this.will = will;
      this.cleanStart = cleanStart;
      this.sessionExpiry = sessionExpiry;
      this.credential = credential;
      this.meter = meter;
      this.ticket = ticket;
    }
  }

  /** One user's connections, and its excess window; guarded by itself. */
  private static final class UserConnections {
    int open;
    final LimitWindow window = new LimitWindow();
  }

  /** A will waiting for its delay to end. */
  private static final class Pending {
    final Live live;
    volatile ScheduledFuture<?> future;

    Pending(Live live) {
      this.live = live;
    }
  }

  /** Builds a {@link BrokerSecurity}; each setting may be set once. */
  public static final class Builder {
    private Authorizer acl;
    private Authenticator passwords;
    private int loginThreads = Runtime.getRuntime().availableProcessors();
    private int loginQueue = 1_000;
    private CredentialStore credentials;
    private ClientCertificateVerifier certificates;
    private ListenerAuth defaultAuth;
    private final Map<String, ListenerAuth> listeners = new HashMap<>();
    private boolean anonymous;
    private boolean anonymousSet;
    private ClientIdPolicy clientIdPolicy;
    private SessionOwners owners;
    private BrokerSpi broker;
    private final List<SecurityEventListener> events = new ArrayList<>();
    private Detection detection;
    private Clock clock;
    private Limits limits;
    private final List<String> warnings = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Builder() {
    }

    /**
     * The ACL that decides PUBLISH, SUBSCRIBE, delivery and wills. Required. A {@link LiveAcl} (a reloading file,
     * a fleet's database) also drives the subscription sweep after each replacement of its policy.
     */
    public Builder acl(Authorizer authorizer) {
      Checks.requireUnset("acl", acl);
      acl = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * How many threads decide CONNECTs handed to {@link #connectLater} (default: one per core; a password hash
     * is CPU work) and how many CONNECTs that do not look like a known client coming back may wait for them
     * (default 1,000; past it they are refused at once with {@code SERVER_UNAVAILABLE}).
     */
    public Builder loginThreads(int threads, int queue) {
      if (threads < 1 || queue < 0) {
        throw new IllegalArgumentException("login threads must be 1 or more and the queue 0 or more, not " + threads
            + " and " + queue);
      }
      loginThreads = threads;
      loginQueue = queue;
      return this;
    }

    /** The password check, for listeners that use passwords (a {@code PasswordAuthenticator}, typically). */
    public Builder authenticator(Authenticator authenticator) {
      Checks.requireUnset("password authenticator", passwords);
      passwords = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * The credentials behind {@link #authenticator} (a password file, a fleet's database): with them, a removed
     * user or a reset password ends that user's connections and suppresses its pending wills.
     */
    public Builder credentials(CredentialStore store) {
      Checks.requireUnset("credential store", credentials);
      credentials = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The client certificate check, for listeners that use certificates (HiveMQ CE, for one, checks no CRL); its
     * reloads end the connections of revoked devices.
     */
    public Builder tls(ClientCertificateVerifier verifier) {
      Checks.requireUnset("certificate verifier", certificates);
      certificates = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /** How clients of listeners not named by {@link #listener} authenticate. If unset, by password. */
    public Builder defaultAuthentication(ListenerAuth auth) {
      Checks.requireUnset("default authentication", defaultAuth);
      defaultAuth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** How the clients of the listener called {@code name} authenticate. */
    public Builder listener(String name, ListenerAuth auth) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(auth, "auth");
      if (listeners.containsKey(name)) {
        throw new IllegalStateException("listener " + name + " was already set to " + listeners.get(name));
      }
      listeners.put(name, auth);
      return this;
    }

    /** Whether a client with neither user name nor password may connect on a password listener. If unset, no. */
    public Builder anonymous(boolean allowed) {
      if (anonymousSet) {
        throw new IllegalStateException("anonymous was already set to " + anonymous);
      }
      anonymous = allowed;
      anonymousSet = true;
      return this;
    }

    /** Which identities may use a client id. If unset, {@link ClientIdPolicy#OWNED}. */
    public Builder clientIdPolicy(ClientIdPolicy policy) {
      Checks.requireUnset("client-id policy", clientIdPolicy);
      clientIdPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Where session owners are kept. If unset, in memory: owners are then forgotten on a restart. */
    public Builder sessionOwners(SessionOwners store) {
      Checks.requireUnset("session owners", owners);
      owners = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The broker, as its adapter exposes it. Required. */
    public Builder broker(BrokerSpi spi) {
      Checks.requireUnset("broker", broker);
      broker = Objects.requireNonNull(spi, "spi");
      return this;
    }

    /**
     * Where events go (each call adds one; with none, nowhere). An {@link AuditLog} is flushed every 10 seconds.
     */
    public Builder audit(SecurityEventListener listener) {
      events.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The attack patterns watched for in the events, raising {@code alert.*} events where every event goes. If
     * unset, {@link Detection#DEFAULT}; {@link Detection#NONE} turns detection off.
     */
    public Builder detection(Detection rules) {
      Checks.requireUnset("detection", detection);
      detection = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** The clock for event times and rotation windows. If unset, the UTC system clock. */
    public Builder clock(Clock securityClock) {
      Checks.requireUnset("clock", clock);
      clock = Objects.requireNonNull(securityClock, "securityClock");
      return this;
    }

    /** The limits against floods and connection storms. If unset, {@link Limits#DEFAULT}. */
    public Builder limits(Limits brokerLimits) {
      Checks.requireUnset("limits", limits);
      limits = Objects.requireNonNull(brokerLimits, "brokerLimits");
      return this;
    }

    Builder warning(String warning) {
      warnings.add(warning);
      return this;
    }

    Builder closing(AutoCloseable closeable) {
      closeables.add(closeable);
      return this;
    }

    /**
     * @throws IllegalStateException if the ACL or the broker is missing, or a listener (or the default) uses a
     *     password or certificate without the check for it
     */
    public BrokerSecurity build() {
      if (acl == null) {
        throw new IllegalStateException("an ACL is required: acl(...)");
      }
      if (broker == null) {
        throw new IllegalStateException("the broker is required: broker(...)");
      }
      List<ListenerAuth> all = new ArrayList<>(listeners.values());
      all.add(defaultAuth == null ? ListenerAuth.password() : defaultAuth);
      if (passwords == null && all.stream().anyMatch(ListenerAuth::usesPassword)) {
        throw new IllegalStateException("a listener checks passwords, but no password authenticator is set: "
            + "authenticator(...)");
      }
      if (certificates == null && all.stream().anyMatch(ListenerAuth::usesCertificate)) {
        throw new IllegalStateException("a listener checks certificates, but no certificate verifier is set: "
            + "tls(...)");
      }
      return new BrokerSecurity(this);
    }
  }
}
