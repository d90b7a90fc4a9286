package dev.twofa.auth.session;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.StepUp;
import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.credential.passkey.PasskeyService;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import dev.twofa.auth.notify.Mailer;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/**
 * "Confirm it's you": a signed-in session proves its password again, and with 2FA on a second factor too, and
 * is then trusted with sensitive actions for {@link LoginPolicy#stepUpValidity()}. Password guesses count per
 * session and against the account's ceiling; code guesses spend the account's second-factor budget; a
 * recovery code used here is consumed as at login.
 */
@Door
public final class StepUpService {
  private final Pool pool;
  private final Throttle throttle;
  private final SessionService sessions;
  private final AccountService accounts;
  private final SecondFactor secondFactor;
  private final PasskeyService passkeys;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Clock clock;
  private final Mailer mailer;

  public StepUpService(Pool pool, Throttle throttle, SessionService sessions, AccountService accounts,
                       SecondFactor secondFactor, PasskeyService passkeys, Auditor auditor, LoginPolicy policy,
                       Clock clock, Mailer mailer) {
    this.mailer = mailer;
    this.pool = pool;
    this.throttle = throttle;
    this.sessions = sessions;
    this.accounts = accounts;
    this.secondFactor = secondFactor;
    this.passkeys = passkeys;
    this.auditor = auditor;
    this.policy = policy;
    this.clock = clock;
  }

  public Future<Void> stepUp(StepUp request) {
    return stepUp(request.sessionToken(), request.password(), request.code(), request.recoveryCode(), request.passkey(),
      request.client());
  }

  private Future<Void> stepUp(String token, String password, String code, String recoveryCode, String passkey,
                              ClientInfo client) {
    return sessions.signedInEvenIfHeld(token).compose(session -> {
      UserRow user = session.user();
      boolean hasCode = code != null && !code.isBlank();
      boolean hasRecoveryCode = recoveryCode != null && !recoveryCode.isBlank();
      boolean hasPasskey = passkey != null && !passkey.isBlank();
      if (user.twoFactorEnabled() && !hasCode && !hasRecoveryCode && !hasPasskey) {
        return BusFailure.fail(ErrorCode.SECOND_FACTOR_REQUIRED);
      }
      Future<Void> proven = accounts.verifyPassword(session, password, client).compose(ok -> !user.twoFactorEnabled()
        ? sessions.markSteppedUp(pool, session.tokenHash())
        : hasPasskey && !hasCode && !hasRecoveryCode ? withPasskey(session, passkey, client)
        : withSecondFactor(session, hasCode ? code : null, hasCode ? null : recoveryCode, client));
      return auditor.outcome(proven, user.id(), SecurityEvent.STEP_UP, client);
    });
  }

  /**
   * The passkey's assertion is verified against this session's step-up options first (its challenge spent either
   * way); then, in one transaction, an attempt of the second-factor budget is spent, the counter moved forward and
   * the session marked, like a code.
   */
  private Future<Void> withPasskey(SignedIn session, String assertion, ClientInfo client) {
    UserRow user = session.user();
    String budgetKey = Throttle.secondFactorKey(user.id());
    return passkeys.verifyForStepUp(user, session.tokenHash(), assertion, client)
      .compose(verified -> pool.withTransaction(tx -> throttle.reserve(tx, budgetKey, policy.secondFactor())
        .compose(admitted -> verified.isPresent() ? passkeys.accept(tx, user, verified.get()) : Future.succeededFuture(false))
        .compose(accepted -> accepted
          ? throttle.reset(tx, budgetKey).compose(reset -> sessions.markSteppedUp(tx, session.tokenHash())).map(true)
          : Future.succeededFuture(false))))
      .compose(accepted -> accepted ? Future.succeededFuture() : BusFailure.fail(ErrorCode.INVALID_CODE));
  }

  /** A recovery code used here that leaves few or none asks for new ones by mail, as at login (in the same commit). */
  private Future<Void> fewCodesMail(SqlClient tx, SignedIn session, ClientInfo client) {
    return secondFactor.recoveryCodesLeft(tx, session.user().id()).compose(left -> {
      String kind = Mailer.recoveryCodeUsed(left);
      return Mailer.RECOVERY_CODE_USED.equals(kind) ? Future.succeededFuture()
        : mailer.notice(tx, session.user(), kind, client, left);
    });
  }

  /** Spends a second-factor attempt, checks the code and marks the session, in one transaction. */
  private Future<Void> withSecondFactor(SignedIn session, String code, String recoveryCode, ClientInfo client) {
    UserRow user = session.user();
    String budgetKey = Throttle.secondFactorKey(user.id());
    return pool.withTransaction(tx -> throttle.reserve(tx, budgetKey, policy.secondFactor())
        .compose(admitted -> code != null
          ? (user.hasTotp() ? secondFactor.acceptTotp(tx, user, code) : Future.succeededFuture(false))
          : secondFactor.acceptRecoveryCode(tx, user, recoveryCode))
        .compose(accepted -> accepted
          ? throttle.reset(tx, budgetKey)
              .compose(reset -> sessions.markSteppedUp(tx, session.tokenHash()))
              .compose(marked -> code == null ? fewCodesMail(tx, session, client) : Future.succeededFuture())
              .map(true)
          : Future.succeededFuture(false)))
      .compose(accepted -> accepted ? Future.succeededFuture()
        : secondFactor.refusal(pool, user.id(), recoveryCode).compose(Future::failedFuture));
  }
}
