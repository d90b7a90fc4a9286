package dev.twofa.auth.login;

import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.passkey.PasskeyService.Verified;
import dev.twofa.auth.credential.passkey.PasskeySignIns;
import dev.twofa.auth.credential.passkey.PasskeySignIns.SignInCheck;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.events.EventOutbox;
import dev.twofa.auth.login.SecondStepRepository.Budget;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.auth.throttle.Throttle.Reservation;
import dev.twofa.auth.throttle.Throttle.Slot;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A login with a passkey and no password: a discoverable credential whose authenticator verified its owner (UV)
 * is both factors in one step. Refusals spend the address's budget (reserved before the check) and, once the
 * passkey names an account, that account's second-factor budget, the one wrong codes spend. The account's locks
 * are the password's ({@link AccountService#passwordUsable}), asked once the passkey proved right.
 */
final class PasskeySignIn {
  /** The session's second-factor method, read by OpenID Connect's amr: "passwordless_hwk" or "passwordless_swk". */
  static final String METHOD_PREFIX = "passwordless_";
  private final Pool pool;
  private final Throttle throttle;
  private final SessionService sessions;
  private final PasskeySignIns passkeys;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Clock clock;
  private final BiFunction<UserRow, ClientInfo, Future<Void>> completed;
  private final PasskeySignInRepository writes = new PasskeySignInRepository();

  /** {@code completed}: what the login room does after any completed login's commit (the new-browser notice). */
  PasskeySignIn(Pool pool, Throttle throttle, SessionService sessions, PasskeySignIns passkeys, Auditor auditor,
                LoginPolicy policy, Clock clock, BiFunction<UserRow, ClientInfo, Future<Void>> completed) {
    this.pool = pool;
    this.throttle = throttle;
    this.sessions = sessions;
    this.passkeys = passkeys;
    this.auditor = auditor;
    this.policy = policy;
    this.clock = clock;
    this.completed = completed;
  }

  Future<LoginOutcome> signIn(String presentedToken, String assertion, ClientInfo client) {
    Limit address = new Limit(Throttle.passkeySignInAddressKey(client.network()), policy.secondFactor());
    return throttle.reserveAll(List.of(Slot.reserved(address)))
      .compose(reserved -> !reserved.admitted() ? reserved.<LoginOutcome>refusal()
        : passkeys.check(assertion, client).compose(check -> check.user().isEmpty()
          // Names no account of ours: counted under the address only.
          ? BusFailure.<LoginOutcome>fail(ErrorCode.PASSKEY_REFUSED)
          // A right passkey meets the account's locks, the password's own rule; a wrong one is only counted.
          : check.verified().isEmpty() ? write(check, reserved, presentedToken, client)
            : AccountService.passwordUsable(check.user().get()).compose(
              usable -> write(check, reserved, presentedToken, client),
              refusal -> locked(check.user().get(), reserved, client, refusal))));
  }

  /**
   * The right passkey of an account "This wasn't me" locked: refused like its right password (its own code, in
   * Activity, nothing opened), and not counted as a guess.
   */
  private Future<LoginOutcome> locked(UserRow user, Reservation reserved, ClientInfo client, Throwable refusal) {
    String reason = refusal instanceof BusFailure failure ? failure.code().code() : "locked";
    auditor.recordUnwaited(new SecurityEvent(user.id(), SecurityEvent.LOGIN_PASSKEY_SIGN_IN, false, client, null,
      Map.of(SecurityEvent.REASON, reason), null));
    return throttle.release(reserved).compose(released -> Future.failedFuture(refusal));
  }

  private Future<LoginOutcome> write(SignInCheck check, Reservation reserved, String presentedToken, ClientInfo client) {
    UserRow user = check.user().get();
    Verified verified = check.verified().orElse(null);
    Instant now = clock.instant();
    ThrottlePolicy budget = policy.secondFactor();
    Budget spent = new Budget(Throttle.secondFactorKey(user.id()), budget.maxAttempts(), now.minus(budget.window()));
    SessionService.Opening session = sessions.opening(user, client);
    // One step, so no loginId: Activity shows it as a login of its own.
    Map<String, String> details = new HashMap<>();
    if (verified != null) {
      details.put(SecurityEvent.PASSKEY, verified.name());
    } else {
      details.put(SecurityEvent.REASON, check.refusal());
    }
    var succeeded = EventOutbox.row(new SecurityEvent(user.id(), SecurityEvent.LOGIN_PASSKEY_SIGN_IN, true, client, null, details, null));
    var failed = EventOutbox.row(new SecurityEvent(user.id(), SecurityEvent.LOGIN_PASSKEY_SIGN_IN, false, client, null, details, null));
    // A browser that was signed in as someone else (or half way through a password login) leaves that behind.
    Future<Void> ended = verified == null ? Future.succeededFuture() : sessions.endPresented(presentedToken);
    return ended.compose(done -> writes.write(pool, user.id(), verified == null ? null : verified.passkeyId(),
        verified == null ? null : verified.signCount(), spent, reserved, session.row(),
        verified == null ? null : METHOD_PREFIX + verified.keyBinding(), succeeded, failed, now))
      .compose(written -> {
        auditor.nudge();
        return switch (written.outcome()) {
          case PasskeySignInRepository.COMPLETED -> completed.apply(user, client)
            .map(noticed -> new LoginOutcome(SessionState.authenticated(user.toUser()), session.token()));
          case PasskeySignInRepository.RATE_LIMITED -> Future.failedFuture(
            BusFailure.rateLimited(Throttle.retryAfter(written.budgetOldest(), budget, now)));
          default -> BusFailure.fail("user_not_verified".equals(check.refusal())
            ? ErrorCode.PASSKEY_USER_NOT_VERIFIED : ErrorCode.PASSKEY_REFUSED);
        };
      });
  }
}
