package dev.twofa.auth.session;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.RevokeSession;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.SignInNotices;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.bus.AuthReplies.Pending;
import dev.twofa.bus.AuthReplies.SessionInfo;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.AuthReplies.Sessions;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Sessions as auth owns them: resolved from the cookie's value, opened at each change of login state, listed,
 * revoked, and purged once past their idle or absolute limit.
 */
@Door
public final class SessionService {
  private final SessionStore store;
  private final Throttle throttle;
  private final Auditor auditor;
  private final SignInNotices signIns;
  private final LoginPolicy login;
  private final Duration idle;
  private final Duration maxAge;
  private final Function<UserRow, Future<Boolean>> held;
  private final Clock clock;

  /** The session room, on its own tables in {@code pool}. */
  public static SessionService create(Pool pool, Throttle throttle, Auditor auditor, SignInNotices signIns,
                                      LoginPolicy login, Duration idle, Duration maxAge, Clock clock) {
    return create(pool, throttle, auditor, signIns, login, idle, maxAge, user -> Future.succeededFuture(false), clock);
  }

  /**
   * The same, with {@code held}: whether an account must turn 2FA on before its sessions may do anything else
   * (the requirement room's rule, TWOFA_REQUIRE_2FA).
   */
  public static SessionService create(Pool pool, Throttle throttle, Auditor auditor, SignInNotices signIns,
                                      LoginPolicy login, Duration idle, Duration maxAge,
                                      Function<UserRow, Future<Boolean>> held, Clock clock) {
    return new SessionService(new SessionStore(pool, new SessionRepository(), new PendingLoginRepository()), throttle,
      auditor, signIns, login, idle, maxAge, held, clock);
  }

  private SessionService(SessionStore store, Throttle throttle, Auditor auditor, SignInNotices signIns,
                         LoginPolicy login, Duration idle, Duration maxAge, Function<UserRow, Future<Boolean>> held,
                         Clock clock) {
    this.store = store;
    this.throttle = throttle;
    this.auditor = auditor;
    this.signIns = signIns;
    this.login = login;
    this.idle = idle;
    this.maxAge = maxAge;
    this.held = held;
    this.clock = clock;
  }

  /**
   * The live session named by the cookie's value, or UNAUTHENTICATED (anonymous, pending, expired or ended); or
   * TWO_FACTOR_REQUIRED when its account must turn 2FA on first (decided from the row for most accounts).
   */
  public Future<SignedIn> signedIn(String token) {
    return signedInEvenIfHeld(token).compose(session -> held.apply(session.user())
      .compose(mustEnrol -> mustEnrol ? BusFailure.fail(ErrorCode.TWO_FACTOR_REQUIRED) : Future.succeededFuture(session)));
  }

  /** The live session, even of an account that must turn 2FA on first: for turning it on, step-up and logout. */
  public Future<SignedIn> signedInEvenIfHeld(String token) {
    return store.sessions().resolve(store.pool(), SessionTokens.hash(token), clock.instant(), idle)
      .compose(session -> session.map(Future::succeededFuture).orElseGet(() -> BusFailure.fail(ErrorCode.UNAUTHENTICATED)));
  }

  /** {@link #steppedUp}, even of an account that must turn 2FA on first (its set-up). */
  public Future<SignedIn> steppedUpEvenIfHeld(String token) {
    return signedInEvenIfHeld(token).compose(this::requireStepUp);
  }

  /**
   * The live session, provided it proved its password (and second factor) within the step-up validity; else
   * STEP_UP_REQUIRED, which the browser answers by asking for them in place and trying again.
   */
  public Future<SignedIn> steppedUp(String token) {
    return signedIn(token).compose(this::requireStepUp);
  }

  public Future<SignedIn> requireStepUp(SignedIn session) {
    return session.steppedUpSince(clock.instant().minus(login.stepUpValidity()))
      ? Future.succeededFuture(session)
      : BusFailure.fail(ErrorCode.STEP_UP_REQUIRED);
  }

  /**
   * When {@code session} was opened, i.e. when its user last logged in (OpenID Connect's auth_time), and with which
   * second factor ({@code totp}, {@code recovery_code}, or null).
   */
  public record Login(Instant at, String secondFactorMethod) {
  }

  /**
   * Sessions last seen at or before this are over (idle): what another room passes to {@code session_live}
   * (R__session.sql) beside {@code now}.
   */
  public Instant idleCutoff(Instant now) {
    return now.minus(idle);
  }

  public Future<Login> login(SignedIn session) {
    return store.sessions().login(store.pool(), session.tokenHash());
  }

  /**
   * Opens the session of a completed login or a sign-up for {@code user} under {@code epoch}; returns its cookie
   * value. The login counts as the session's first step-up, and the user's oldest sessions beyond
   * {@link LoginPolicy#maxSessionsPerUser()} end.
   */
  public Future<String> open(SqlClient db, UserRow user, int epoch, Instant secondFactorAt, ClientInfo client) {
    return store.sessions().open(db, user, epoch, secondFactorAt, client, clock.instant(), maxAge,
      login.maxSessionsPerUser());
  }

  /**
   * Opens the session of a login whose code step a trusted browser skipped: it counts as two factors for what
   * the session may see, but never as a step-up (session_open leaves its step-up empty).
   */
  public Future<String> openTrusted(SqlClient db, UserRow user, ClientInfo client) {
    Instant now = clock.instant();
    return store.sessions().open(db, user, user.sessionEpoch(), now, TRUSTED_BROWSER, client, now, maxAge,
      login.maxSessionsPerUser());
  }

  /** The second-factor method of a session a trusted browser opened (OpenID Connect's amr says so too). */
  public static final String TRUSTED_BROWSER = "trusted_browser";

  /**
   * Carries {@code session} on under a new cookie value once its user's epoch moved on to {@code epoch} (2FA
   * enabled, the password or the authenticator changed), in the caller's transaction: not a new login, so its
   * login time, absolute expiry and last step-up stay. A second factor proven by the change (null: none) is
   * recorded. Fails UNAUTHENTICATED when the session ended meanwhile, which rolls the change back.
   */
  public Future<String> renew(SqlClient tx, SignedIn session, int epoch, Instant secondFactorAt, ClientInfo client) {
    return store.sessions().renew(tx, session.tokenHash(), epoch, secondFactorAt, client, clock.instant())
      .compose(token -> token.map(Future::succeededFuture).orElseGet(() -> BusFailure.fail(ErrorCode.UNAUTHENTICATED)));
  }

  /**
   * A session for {@code user} to be opened by a statement that does more than open it (the second step's): its
   * cookie value and the row to insert.
   */
  public record Opening(String token, NewSession row) {
  }

  public Opening opening(UserRow user, ClientInfo client) {
    String token = SessionTokens.newToken();
    return new Opening(token, new NewSession(SessionTokens.hash(token), UUID.randomUUID(),
      user.sessionEpoch(), clock.instant().plus(maxAge), client.ip(), client.userAgent(), login.maxSessionsPerUser()));
  }

  public Future<SessionState> state(Session request) {
    return state(request.sessionToken());
  }

  /** The session's state; a pending login found expired is dropped (and reported) here, and answers anonymous. */
  private Future<SessionState> state(String token) {
    byte[] hash = SessionTokens.hash(token);
    Instant now = clock.instant();
    return store.sessions().resolve(store.pool(), hash, now, idle).compose(session -> session.isPresent()
      ? Future.succeededFuture(SessionState.authenticated(session.get().user().toUser()))
      : store.pendingLogins().find(store.pool(), hash).compose(pending -> pending.isEmpty()
          ? Future.succeededFuture(SessionState.ANONYMOUS)
          : expiresAt(pending.get()).isAfter(now)
            ? Future.succeededFuture(pendingState(pending.get()))
            : dropIfExpired(hash).map(SessionState.ANONYMOUS)));
  }

  /**
   * "Ask support to turn off 2FA" is open at the code step: the pending login now ends the form's time from now
   * (never sooner than it would have), so writing a message does not run into the code step's clock. Its wrong
   * codes still count: a longer wait gives a stranger no more tries.
   */
  public Future<SessionState> holdForSupportForm(Session request) {
    return store.pendingLogins().hold(store.pool(), SessionTokens.hash(request.sessionToken()), clock.instant(),
        login.pendingLoginTtl(), login.supportFormTtl())
      .compose(held -> held.map(p -> Future.succeededFuture(pendingState(p)))
        .orElseGet(() -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN)));
  }

  /** What the code step shows while a login is pending: its deadline, the wrong codes it still allows, the email. */
  public SessionState pendingState(PendingLogin pending) {
    Instant expires = expiresAt(pending);
    return SessionState.pending(new Pending(expires.toString(),
      Math.max(0, Duration.between(clock.instant(), expires).toSeconds()),
      Math.max(0, login.pendingLoginMaxFailures() - pending.failures()), pending.email()));
  }

  /** Drops the pending login named by {@code hash} if it has expired, reporting it as abandoned. */
  public Future<Void> dropIfExpired(byte[] hash) {
    return store.pendingLogins().dropIfExpired(store.pool(), hash, clock.instant(), login.pendingLoginTtl())
      .compose(dropped -> dropped.map(p -> signIns.abandoned(p, "expired", ClientInfo.UNKNOWN))
        .orElseGet(Future::succeededFuture));
  }

  private Instant expiresAt(PendingLogin pending) {
    return pending.createdAt().plus(login.pendingLoginTtl());
  }

  /** Ends whatever the browser's current cookie names (a session or a pending login) as it logs in afresh. */
  public Future<Void> endPresented(String token) {
    if (token == null || token.isEmpty()) {
      return Future.succeededFuture();
    }
    return store.sessions().endSessionOrPendingLogin(store.pool(), SessionTokens.hash(token), clock.instant());
  }

  public Future<Void> logout(Session request) {
    return logout(request.sessionToken(), request.client());
  }

  private Future<Void> logout(String token, ClientInfo client) {
    return signedInEvenIfHeld(token)
      .compose(session -> store.sessions().end(store.pool(), session.tokenHash(), clock.instant())
        .compose(ended -> auditor.record(session.user().id(), SecurityEvent.LOGOUT, true, client)))
      .recover(notSignedIn -> endPresented(token));
  }

  public Future<Sessions> list(Session request) {
    return list(request.sessionToken());
  }

  private Future<Sessions> list(String token) {
    return signedIn(token).compose(current -> store.sessions().list(store.pool(), current, clock.instant(), idle))
      .map(rows -> new Sessions(rows.stream().map(row -> new SessionInfo(row.handle().toString(), row.current(),
        row.createdAt().toString(), row.lastSeenAt().toString(), row.ip(), row.userAgent(), row.secondFactor())).toList()));
  }

  public Future<Void> revoke(RevokeSession request) {
    return revoke(request.sessionToken(), request.id(), request.client());
  }

  private Future<Void> revoke(String token, String id, ClientInfo client) {
    Optional<UUID> handle = parse(id);
    return signedIn(token).compose(current -> handle
      .map(h -> store.sessions().revoke(store.pool(), current.user().id(), h, clock.instant()))
      .orElseGet(() -> Future.succeededFuture(false))
      .compose(revoked -> revoked
        ? auditor.record(current.user().id(), SecurityEvent.SESSION_REVOKED, true, client)
        : BusFailure.fail(ErrorCode.SESSION_NOT_FOUND)));
  }

  public Future<Void> revokeOthers(Session request) {
    return revokeOthers(request.sessionToken(), request.client());
  }

  /**
   * Ends every other session of the user, and any login of theirs waiting for its second factor. With other
   * sessions alive it needs a step-up: a stolen session must not be able to throw the owner out.
   */
  private Future<Void> revokeOthers(String token, ClientInfo client) {
    return signedIn(token)
      .compose(current -> store.sessions().countOthers(store.pool(), current, clock.instant(), idle)
        .compose(others -> others == 0 ? Future.succeededFuture(current) : requireStepUp(current)))
      .compose(current -> store.pool().withTransaction(tx ->
          endOthers(tx, current.user().id(), current.tokenHash()))
        .compose(done -> auditor.record(current.user().id(), SecurityEvent.OTHER_SESSIONS_REVOKED, true, client)));
  }

  /** Marks the session as having just proven its password (and second factor): see {@link StepUpService}. */
  public Future<Void> markSteppedUp(SqlClient db, byte[] tokenHash) {
    return store.sessions().markSteppedUp(db, tokenHash, clock.instant());
  }

  /**
   * Ends every session of the user but {@code keepHash}'s (none when null), and any login of theirs waiting for its
   * second factor: what every change of a credential or of who holds the account does, in its transaction.
   */
  public Future<Void> endOthers(SqlClient tx, long userId, byte[] keepHash) {
    return store.sessions().revokeOthers(tx, userId, keepHash, clock.instant())
      .compose(ended -> store.pendingLogins().deleteForUser(tx, userId));
  }

  /**
   * Deletes sessions and pending logins past their limits, and attempts older than every throttle window (run on
   * a timer; any auth node may). Each expired pending login is reported as abandoned by the node whose DELETE
   * returned it.
   */
  public Future<Integer> purge() {
    Instant now = clock.instant();
    Duration longestWindow = Stream.of(login.secondFactor(), login.passwordPerAccountAndAddress(), login.passwordPerAccount(),
        login.passwordPerAddress(), login.passwordPerSession(), login.loginsPerAddress(), login.signupsPerAddress(),
        login.supportResetsPerStaff())
      .map(ThrottlePolicy::window).max(Duration::compareTo).orElseThrow();
    return store.sessions().purge(store.pool(), now, idle)
      .compose(purged -> store.pendingLogins().purge(store.pool(), now, login.pendingLoginTtl())
        .compose(dropped -> Future.all(dropped.stream().map(p -> signIns.abandoned(p, "expired", ClientInfo.UNKNOWN)).toList()))
        .map(purged))
      .compose(purged -> throttle.purge(longestWindow).map(purged));
  }

  private static Optional<UUID> parse(String id) {
    try {
      return id == null ? Optional.empty() : Optional.of(UUID.fromString(id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
