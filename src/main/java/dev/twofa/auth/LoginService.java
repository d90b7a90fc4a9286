package dev.twofa.auth;

import dev.twofa.auth.Throttle.Limit;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/** The two-step login: password, then a TOTP code or a recovery code. Each step answers with a new cookie value. */
final class LoginService {
  private final AuthStore store;
  private final SessionService sessions;
  private final Passwords passwords;
  private final SecondFactor secondFactor;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Clock clock;

  LoginService(AuthStore store, SessionService sessions, Passwords passwords, SecondFactor secondFactor, Auditor auditor,
               LoginPolicy policy, Clock clock) {
    this.store = store;
    this.sessions = sessions;
    this.passwords = passwords;
    this.secondFactor = secondFactor;
    this.auditor = auditor;
    this.policy = policy;
    this.clock = clock;
  }

  Future<LoginOutcome> password(String presentedToken, String email, String password, ClientInfo client) {
    // Unknown and malformed emails take the same path as a wrong password: same answer, same hashing time.
    String canonical = Emails.canonical(email).orElse("");
    List<Limit> failures = List.of(
      new Limit(Throttle.passwordAccountAddressKey(canonical, client.ip()), policy.passwordPerAccountAndAddress()),
      new Limit(Throttle.passwordAccountKey(canonical), policy.passwordPerAccount()),
      new Limit(Throttle.passwordAddressKey(client.ip()), policy.passwordPerAddress()));
    Limit logins = new Limit(Throttle.loginsAddressKey(client.ip()), policy.loginsPerAddress());
    return store.throttle().checkAll(List.of(failures.get(0), failures.get(1), failures.get(2), logins))
      .compose(ok -> store.users().findByEmail(store.pool(), canonical))
      .compose(user -> passwords.verify(user.map(UserRow::passwordHash).orElse(null), password)
        .compose(valid -> valid
          ? succeed(user.get(), presentedToken, failures.get(0).key(), logins, client)
          : fail(user, failures, client)));
  }

  private Future<LoginOutcome> succeed(UserRow user, String presentedToken, String accountAddressKey, Limit logins,
                                       ClientInfo client) {
    Future<LoginOutcome> outcome = user.twoFactorEnabled()
      ? store.pendingLogins().create(store.pool(), user.id(), clock.instant(), policy.pendingLoginTtl())
          .map(token -> new LoginOutcome(SessionState.PENDING, token))
      : sessions.open(store.pool(), user, user.sessionEpoch(), null, client)
          .map(token -> new LoginOutcome(SessionState.authenticated(user.toUser()), token));
    // A success clears this address's failures on the account (the account-wide count only decays).
    return store.throttle().reset(accountAddressKey)
      .compose(reset -> store.throttle().recordAll(List.of(logins)))
      .compose(counted -> sessions.endPresented(presentedToken))
      .compose(ended -> outcome)
      .compose(result -> auditor.record(user.id(), SecurityEvent.LOGIN_PASSWORD, true, client).map(result));
  }

  private Future<LoginOutcome> fail(Optional<UserRow> user, List<Limit> failures, ClientInfo client) {
    // The failure event is not waited for: an unknown email has none, and the answer must not take longer
    // for a known one.
    user.ifPresent(u -> auditor.record(u.id(), SecurityEvent.LOGIN_PASSWORD, false, client));
    return store.throttle().recordAll(failures).compose(ok -> BusFailure.fail(ErrorCode.INVALID_CREDENTIALS));
  }

  Future<LoginOutcome> totp(String pendingToken, String code, ClientInfo client) {
    return secondStep(pendingToken, SecurityEvent.LOGIN_TOTP, client, 0,
      (user, db) -> secondFactor.acceptTotp(db, user, code));
  }

  Future<LoginOutcome> recoveryCode(String pendingToken, String code, ClientInfo client) {
    return secondStep(pendingToken, SecurityEvent.LOGIN_RECOVERY_CODE, client, 1,
      (user, db) -> secondFactor.acceptRecoveryCode(db, user, code));
  }

  /**
   * The shared shape of both second steps: find the live pending login and its user, then in one transaction
   * spend an attempt of the account's second-factor budget, check the code, and either complete the login
   * (opening its session) or count the failure. The transaction commits either way (a spent attempt stays
   * spent), except when a concurrent request completed the same pending login first: then the code's use is
   * rolled back.
   */
  private Future<LoginOutcome> secondStep(String pendingToken, String eventType, ClientInfo client, int codesUsed,
                                          BiFunction<UserRow, SqlClient, Future<Boolean>> check) {
    if (pendingToken == null || pendingToken.isEmpty()) {
      return BusFailure.fail(ErrorCode.NO_PENDING_LOGIN);
    }
    byte[] pending = SessionTokens.hash(pendingToken);
    return store.users().findByPendingLogin(store.pool(), pending, clock.instant().minus(policy.pendingLoginTtl()))
      .compose(user -> user.filter(UserRow::twoFactorEnabled).map(Future::succeededFuture)
        .orElseGet(() -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN)))
      .compose(user -> auditor.outcome(attempt(pending, user, codesUsed, check, client), user.id(), eventType, client));
  }

  private Future<LoginOutcome> attempt(byte[] pending, UserRow user, int codesUsed,
                                       BiFunction<UserRow, SqlClient, Future<Boolean>> check, ClientInfo client) {
    String budgetKey = Throttle.secondFactorKey(user.id());
    return store.pool().withTransaction(tx -> store.throttle().reserve(tx, budgetKey, policy.secondFactor())
        .compose(admitted -> check.apply(user, tx))
        .compose(accepted -> accepted
          ? completeOnce(tx, pending)
              .compose(done -> store.throttle().reset(tx, budgetKey))
              .compose(reset -> sessions.open(tx, user, user.sessionEpoch(), clock.instant(), client))
          : store.pendingLogins().recordFailure(tx, pending, policy.pendingLoginMaxFailures()).map((String) null)))
      .compose(token -> token != null
        ? Future.succeededFuture(new LoginOutcome(
            SessionState.authenticated(user.toUser(user.recoveryCodesRemaining() - codesUsed)), token))
        : BusFailure.fail(ErrorCode.INVALID_CODE));
  }

  /** Ends the pending login; if a concurrent request already did, fails so the code's use is rolled back. */
  private Future<Boolean> completeOnce(SqlClient tx, byte[] pending) {
    return store.pendingLogins().complete(tx, pending)
      .compose(completed -> completed ? Future.succeededFuture(true) : BusFailure.fail(ErrorCode.NO_PENDING_LOGIN));
  }
}
