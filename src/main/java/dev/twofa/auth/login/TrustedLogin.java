package dev.twofa.auth.login;

import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.oidc.OidcService;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.auth.trust.TrustedBrowserService;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The password step of an account with 2FA on a browser its owner trusted: the code step is skipped, only when
 * the option is on, the browser holds a live trust of this account, and the OpenID Connect request the login is
 * for (if any) did not ask for the code itself. The login is written like a password-only one, in one commit
 * that also re-checks and records the trust (a removal committed first wins; one waiting for it comes after).
 * Its session is never a step-up (the session room's rule).
 */
final class TrustedLogin {
  /** The login.password event's secondFactor detail when a trusted browser skipped the code step. */
  static final String SKIPPED = SessionService.TRUSTED_BROWSER;
  private final Pool pool;
  private final Throttle throttle;
  private final SessionService sessions;
  private final Auditor auditor;
  private final TrustedBrowserService trust;
  private final OidcService oidc;

  TrustedLogin(Pool pool, Throttle throttle, SessionService sessions, Auditor auditor, TrustedBrowserService trust,
               OidcService oidc) {
    this.pool = pool;
    this.throttle = throttle;
    this.sessions = sessions;
    this.auditor = auditor;
    this.trust = trust;
    this.oidc = oidc;
  }

  /** The completed login, or empty when the code step must be asked for (the usual case: one short read). */
  Future<Optional<LoginOutcome>> complete(UserRow user, PasswordAttempt attempt, Throttle.Reservation reservation,
                                          ClientInfo client, UUID loginId, String authorization) {
    return trust.holds(user, client).compose(holds -> !holds ? Future.succeededFuture(false)
        : oidc.asksForCode(authorization).map(asks -> !asks))
      .compose(skip -> !skip ? Future.succeededFuture(Optional.<LoginOutcome>empty()) : write(user, attempt, reservation,
        client, loginId));
  }

  private Future<Optional<LoginOutcome>> write(UserRow user, PasswordAttempt attempt, Throttle.Reservation reservation,
                                               ClientInfo client, UUID loginId) {
    SecurityEvent event = new SecurityEvent(user.id(), SecurityEvent.LOGIN_PASSWORD, true, client, null,
      Map.of(SecurityEvent.LOGIN_ID, loginId.toString(), SecurityEvent.SECOND_FACTOR, SKIPPED), null);
    return pool.withTransaction(tx -> trust.use(tx, user, client).compose(used -> !used
      ? Future.failedFuture(new NotTrusted())
      : throttle.release(tx, reservation)
        .compose(released -> throttle.recordAll(tx, List.of(attempt.logins()), attempt.accountAddress().key()))
        .compose(counted -> sessions.openTrusted(tx, user, client))
        .compose(token -> auditor.recordWithin(tx, event)
          .map(Optional.of(new LoginOutcome(SessionState.authenticated(user.toUser()), token))))))
      .onSuccess(written -> auditor.nudge())
      // Ended between the read and the commit (removed, expired, a password change): the code step, as usual.
      .recover(error -> error instanceof NotTrusted ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(error));
  }

  /** Rolls the transaction back when the trust was gone by the time it was written. */
  private static final class NotTrusted extends RuntimeException {
    NotTrusted() {
      super("trust ended", null, false, false);
    }
  }
}
