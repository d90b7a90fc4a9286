package dev.twofa.auth;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.LoginState;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.bus.SessionRef;
import dev.twofa.config.LoginPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/** The two-step login: password, then a TOTP code or a recovery code. */
final class LoginService {
  private final AuthStore store;
  private final Passwords passwords;
  private final SecondFactor secondFactor;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Clock clock;

  LoginService(AuthStore store, Passwords passwords, SecondFactor secondFactor, Auditor auditor, LoginPolicy policy,
               Clock clock) {
    this.store = store;
    this.passwords = passwords;
    this.secondFactor = secondFactor;
    this.auditor = auditor;
    this.policy = policy;
    this.clock = clock;
  }

  Future<LoginState> password(String email, String password, ClientInfo client) {
    // Unknown and malformed emails take the same path as a wrong password: same answer, same hashing time.
    String canonical = Emails.canonical(email).orElse("");
    String accountKey = Throttle.passwordAccountKey(canonical);
    String addressKey = Throttle.passwordAddressKey(client.ip());
    return store.throttle().check(accountKey, policy.passwordPerAccount())
      .compose(ok -> store.throttle().check(addressKey, policy.passwordPerAddress()))
      .compose(ok -> store.users().findByEmail(store.pool(), canonical))
      .compose(user -> passwords.verify(user.map(UserRow::passwordHash).orElse(null), password)
        .compose(valid -> valid
          ? succeed(user.get(), accountKey, client)
          : fail(user, accountKey, addressKey, client)));
  }

  private Future<LoginState> succeed(UserRow user, String accountKey, ClientInfo client) {
    Future<LoginState> state = user.twoFactorEnabled()
      ? store.pendingLogins().create(store.pool(), user.id(), clock.instant(), policy.pendingLoginTtl())
          .map(id -> LoginState.pending(id.toString()))
      : Future.succeededFuture(LoginState.authenticated(new SessionRef(user.id(), user.sessionEpoch(), false), user.toUserJson()));
    return store.throttle().reset(accountKey)
      .compose(reset -> state)
      .compose(result -> auditor.record(user.id(), SecurityEvent.LOGIN_PASSWORD, true, client).map(result));
  }

  private Future<LoginState> fail(Optional<UserRow> user, String accountKey, String addressKey, ClientInfo client) {
    // The failure event is not waited for: an unknown email has none, and the answer must not take longer
    // for a known one.
    user.ifPresent(u -> auditor.record(u.id(), SecurityEvent.LOGIN_PASSWORD, false, client));
    return store.throttle().recordFailure(accountKey, policy.passwordPerAccount())
      .compose(ok -> store.throttle().recordFailure(addressKey, policy.passwordPerAddress()))
      .compose(ok -> BusFailure.fail(ErrorCode.INVALID_CREDENTIALS));
  }

  Future<LoginState> totp(String pendingLoginId, String code, ClientInfo client) {
    return secondStep(pendingLoginId, SecurityEvent.LOGIN_TOTP, client, 0,
      (user, db) -> secondFactor.acceptTotp(db, user, code));
  }

  Future<LoginState> recoveryCode(String pendingLoginId, String code, ClientInfo client) {
    return secondStep(pendingLoginId, SecurityEvent.LOGIN_RECOVERY_CODE, client, 1,
      (user, db) -> secondFactor.acceptRecoveryCode(db, user, code));
  }

  /**
   * The shared shape of both second steps: find the live pending login and its user, then in one transaction
   * spend an attempt of the account's second-factor budget, check the code, and complete the login or count
   * the failure. The transaction commits either way (a spent attempt stays spent), except when a concurrent
   * request completed the same pending login first: then the code's use is rolled back.
   */
  private Future<LoginState> secondStep(String pendingLoginId, String eventType, ClientInfo client, int codesUsed,
                                        BiFunction<UserRow, SqlClient, Future<Boolean>> check) {
    Optional<UUID> pendingId = parse(pendingLoginId);
    if (pendingId.isEmpty()) {
      return BusFailure.fail(ErrorCode.NO_PENDING_LOGIN);
    }
    UUID id = pendingId.get();
    return store.users().findByPendingLogin(store.pool(), id, clock.instant().minus(policy.pendingLoginTtl()))
      .compose(user -> user.filter(UserRow::twoFactorEnabled).map(Future::succeededFuture)
        .orElseGet(() -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN)))
      .compose(user -> auditor.outcome(attempt(id, user, codesUsed, check), user.id(), eventType, client));
  }

  private Future<LoginState> attempt(UUID pendingId, UserRow user, int codesUsed,
                                     BiFunction<UserRow, SqlClient, Future<Boolean>> check) {
    String budgetKey = Throttle.secondFactorKey(user.id());
    return store.pool().withTransaction(tx -> store.throttle().reserve(tx, budgetKey, policy.secondFactor())
        .compose(admitted -> check.apply(user, tx))
        .compose(accepted -> accepted
          ? completeOnce(tx, pendingId).compose(done -> store.throttle().reset(tx, budgetKey)).map(true)
          : store.pendingLogins().recordFailure(tx, pendingId, policy.pendingLoginMaxFailures()).map(false)))
      .compose(completed -> completed
        ? Future.succeededFuture(authenticated(user, codesUsed))
        : BusFailure.fail(ErrorCode.INVALID_CODE));
  }

  /** Ends the pending login; if a concurrent request already did, fails so the code's use is rolled back. */
  private Future<Boolean> completeOnce(SqlClient tx, UUID pendingId) {
    return store.pendingLogins().complete(tx, pendingId)
      .compose(completed -> completed ? Future.succeededFuture(true) : BusFailure.fail(ErrorCode.NO_PENDING_LOGIN));
  }

  /** The signed-in state from the row read before the check (less the recovery code just used, if any). */
  private static LoginState authenticated(UserRow user, int codesUsed) {
    return LoginState.authenticated(new SessionRef(user.id(), user.sessionEpoch(), true),
      user.toUserJson().put("recoveryCodesRemaining", user.recoveryCodesRemaining() - codesUsed));
  }

  private static Optional<UUID> parse(String id) {
    try {
      return id == null ? Optional.empty() : Optional.of(UUID.fromString(id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
