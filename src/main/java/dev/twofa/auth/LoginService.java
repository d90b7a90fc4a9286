package dev.twofa.auth;

import dev.twofa.auth.Throttle.Limit;
import dev.twofa.auth.PendingLoginRepository.PendingLogin;
import dev.twofa.auth.UserRepository.PendingUser;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/** The two-step login: password, then a TOTP code or a recovery code. Each step answers with a new cookie value. */
final class LoginService {
  private final AuthStore store;
  private final SessionService sessions;
  private final Passwords passwords;
  private final SecondFactor secondFactor;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Mailer mailer;
  private final SignInNotices signIns;
  private final Clock clock;

  LoginService(AuthStore store, SessionService sessions, Passwords passwords, SecondFactor secondFactor, Auditor auditor,
               LoginPolicy policy, Mailer mailer, SignInNotices signIns, Clock clock) {
    this.store = store;
    this.sessions = sessions;
    this.passwords = passwords;
    this.secondFactor = secondFactor;
    this.auditor = auditor;
    this.policy = policy;
    this.mailer = mailer;
    this.signIns = signIns;
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
    return store.throttle().checkAll(Stream.concat(failures.stream(), Stream.of(logins)).toList())
      .compose(ok -> store.users().findByEmail(store.pool(), canonical))
      // An unknown account is admitted under its canonical email like a known one (a malformed one under "").
      .compose(user -> passwords.verify(user.map(UserRow::passwordHash).orElse(null), password, client.ip(), canonical)
        .compose(valid -> valid
          ? succeed(user.get(), presentedToken, failures.get(0).key(), logins, client)
          : fail(user, failures, client)));
  }

  private Future<LoginOutcome> succeed(UserRow user, String presentedToken, String accountAddressKey, Limit logins,
                                       ClientInfo client) {
    // The attempt's id ties this step to its second step (or its abandonment) in Activity.
    UUID loginId = UUID.randomUUID();
    Instant now = clock.instant();
    Map<String, String> details = user.twoFactorEnabled()
      ? Map.of(SecurityEvent.LOGIN_ID, loginId.toString(), SecurityEvent.SECOND_FACTOR, "required")
      : Map.of(SecurityEvent.LOGIN_ID, loginId.toString());
    // A success clears this address's failures on the account (the account-wide count only decays).
    return store.throttle().reset(accountAddressKey)
      .compose(reset -> store.throttle().recordAll(List.of(logins)))
      .compose(counted -> sessions.endPresented(presentedToken))
      .compose(ended -> user.twoFactorEnabled()
        ? store.pendingLogins().create(store.pool(), user.id(), loginId, now, client)
            .map(token -> new LoginOutcome(sessions.pendingState(new PendingLogin(user.id(), user.email(), loginId, now, 0)), token))
        : sessions.open(store.pool(), user, user.sessionEpoch(), null, client)
            .compose(token -> signIns.completed(store.pool(), user, client).map(token))
            .map(token -> new LoginOutcome(SessionState.authenticated(user.toUser()), token)))
      .compose(result -> auditor.record(user.id(), SecurityEvent.LOGIN_PASSWORD, true, client, details).map(result));
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
      .compose(found -> found.filter(p -> p.user().twoFactorEnabled()).map(Future::succeededFuture)
        .orElseGet(() -> sessions.dropIfExpired(pending).compose(dropped -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN))))
      .compose(found -> {
        // A pending login dropped by this wrong code is reported after the step itself, as it happened.
        AtomicReference<PendingLogin> dropped = new AtomicReference<>();
        return auditor.outcome(attempt(pending, found, codesUsed, check, client, dropped), found.user().id(), eventType,
            client, Map.of(SecurityEvent.LOGIN_ID, found.loginId().toString()))
          .recover(error -> dropped.get() == null ? Future.failedFuture(error)
            : signIns.abandoned(dropped.get(), "too_many_codes", client).compose(reported -> Future.failedFuture(error)));
      });
  }

  /** What a second step's transaction ends with: the new session's cookie value, or the pending login it dropped. */
  private record StepResult(String token, Optional<PendingLogin> dropped) {
  }

  private Future<LoginOutcome> attempt(byte[] pending, PendingUser found, int codesUsed,
                                       BiFunction<UserRow, SqlClient, Future<Boolean>> check, ClientInfo client,
                                       AtomicReference<PendingLogin> dropped) {
    UserRow user = found.user();
    String budgetKey = Throttle.secondFactorKey(user.id());
    return store.pool().withTransaction(tx -> store.throttle().reserve(tx, budgetKey, policy.secondFactor())
        .compose(admitted -> check.apply(user, tx))
        .compose(accepted -> accepted
          ? completeOnce(tx, pending)
              .compose(done -> store.throttle().reset(tx, budgetKey))
              // A recovery code spent: the owner hears of it (with how many are left) in the same commit.
              .compose(reset -> codesUsed == 0 ? Future.<Void>succeededFuture()
                : mailer.notice(tx, user, MailComposer.RECOVERY_CODE_USED, client, user.recoveryCodesRemaining() - codesUsed))
              .compose(mailed -> sessions.open(tx, user, user.sessionEpoch(), clock.instant(), client))
              .compose(token -> signIns.completed(tx, user, client).map(token))
              .map(token -> new StepResult(token, Optional.empty()))
          : store.pendingLogins().recordFailure(tx, pending, policy.pendingLoginMaxFailures())
              .map(gone -> new StepResult(null, gone))))
      .compose(step -> {
        if (step.token() != null && codesUsed > 0) {
          mailer.nudge();
        }
        if (step.token() == null) {
          step.dropped().ifPresent(dropped::set);
          return BusFailure.fail(ErrorCode.INVALID_CODE);
        }
        return Future.succeededFuture(new LoginOutcome(
          SessionState.authenticated(user.toUser(user.recoveryCodesRemaining() - codesUsed)), step.token()));
      });
  }

  /** Ends the pending login; if a concurrent request already did, fails so the code's use is rolled back. */
  private Future<Boolean> completeOnce(SqlClient tx, byte[] pending) {
    return store.pendingLogins().complete(tx, pending)
      .compose(completed -> completed ? Future.succeededFuture(true) : BusFailure.fail(ErrorCode.NO_PENDING_LOGIN));
  }
}
