package dev.twofa.auth;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.LoginState;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.bus.SessionRef;
import dev.twofa.config.LoginPolicy;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.Optional;

/** Sign-up, the session's user, logout and password change. */
final class AccountService {
  private final AuthStore store;
  private final Passwords passwords;
  private final PasswordStrength strength;
  private final WorkerExecutor workers;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Clock clock;

  AccountService(AuthStore store, Passwords passwords, PasswordStrength strength, WorkerExecutor workers,
                 Auditor auditor, LoginPolicy policy, Clock clock) {
    this.store = store;
    this.passwords = passwords;
    this.strength = strength;
    this.workers = workers;
    this.auditor = auditor;
    this.policy = policy;
    this.clock = clock;
  }

  Future<LoginState> signup(String email, String password, ClientInfo client) {
    Optional<String> canonical = Emails.canonical(email);
    if (canonical.isEmpty()) {
      return BusFailure.fail(ErrorCode.INVALID_EMAIL);
    }
    return strongHash(password, canonical.get())
      .compose(hash -> store.users().insert(store.pool(), canonical.get(), hash, clock.instant()))
      .compose(id -> store.users().findById(store.pool(), id))
      .map(Optional::orElseThrow)
      .compose(user -> auditor.record(user.id(), SecurityEvent.SIGNUP, true, client)
        .map(LoginState.authenticated(new SessionRef(user.id(), user.sessionEpoch(), false), user.toUserJson())));
  }

  Future<JsonObject> currentUser(SessionRef session) {
    return store.users().findBySession(store.pool(), session.userId(), session.epoch()).map(UserRow::toUserJson);
  }

  Future<Void> logout(SessionRef session, ClientInfo client) {
    return store.users().findBySession(store.pool(), session.userId(), session.epoch())
      .compose(user -> auditor.record(user.id(), SecurityEvent.LOGOUT, true, client));
  }

  /** Verifies the current password, sets the new one and moves the epoch on, which ends every other session. */
  Future<SessionRef> changePassword(SessionRef session, String currentPassword, String newPassword, ClientInfo client) {
    Optional<String> tooLong = strength.lengthProblem(newPassword);
    return store.users().findBySession(store.pool(), session.userId(), session.epoch())
      .compose(user -> tooLong.isPresent()
        ? Future.failedFuture(new BusFailure(ErrorCode.WEAK_PASSWORD, tooLong.get()))
        : auditor.outcome(verifyPassword(user, currentPassword)
            .compose(ok -> strongHash(newPassword, user.email()))
            .compose(hash -> store.users().changePassword(store.pool(), user.id(), user.sessionEpoch(), hash))
            .compose(epoch -> store.pendingLogins().deleteForUser(store.pool(), user.id())
              .map(session.withEpoch(epoch))),
          user.id(), SecurityEvent.PASSWORD_CHANGED, client));
  }

  /** Re-checks the password of a signed-in user (counted like a login attempt); fails INVALID_CREDENTIALS. */
  Future<Void> verifyPassword(UserRow user, String password) {
    String accountKey = Throttle.passwordAccountKey(user.email());
    return store.throttle().check(accountKey, policy.passwordPerAccount())
      .compose(ok -> passwords.verify(user.passwordHash(), password))
      .compose(valid -> valid
        ? Future.succeededFuture()
        : store.throttle().recordFailure(accountKey, policy.passwordPerAccount())
            .compose(counted -> BusFailure.fail(ErrorCode.INVALID_CREDENTIALS)));
  }

  /** The Argon2id hash of a password that passed the length and guessability checks (both off the event loop). */
  private Future<String> strongHash(String password, String email) {
    Optional<String> length = strength.lengthProblem(password);
    if (length.isPresent()) {
      return Future.failedFuture(new BusFailure(ErrorCode.WEAK_PASSWORD, length.get()));
    }
    return workers.executeBlocking(() -> strength.problem(password, email), false)
      .compose(problem -> problem.isPresent()
        ? Future.failedFuture(new BusFailure(ErrorCode.WEAK_PASSWORD, problem.get()))
        : passwords.hash(password));
  }
}
