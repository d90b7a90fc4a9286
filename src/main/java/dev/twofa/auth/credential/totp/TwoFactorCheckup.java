package dev.twofa.auth.credential.totp;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.bus.AuthReplies.Checkup;
import dev.twofa.bus.AuthRequests.Code;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.LoginPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

import static dev.twofa.db.SqlTime.utc;

/**
 * The 2FA check-up, as GitHub runs it: {@link #EVERY} after an authenticator app is added, Account asks for a
 * current code and whether the recovery codes are still kept, so a phone or codes lost unnoticed are found while
 * the account is still open. Taken or put off ("Not now"), it is asked again {@link #EVERY} later. Only accounts
 * with an authenticator app are asked (a passkey-only account has no code to enter).
 */
@Door
public final class TwoFactorCheckup {
  public static final Duration EVERY = Duration.ofDays(28);
  private final Pool pool;
  private final SessionService sessions;
  private final SecondFactor secondFactor;
  private final Throttle throttle;
  private final LoginPolicy policy;
  private final Clock clock;

  public TwoFactorCheckup(Pool pool, SessionService sessions, SecondFactor secondFactor, Throttle throttle,
                          LoginPolicy policy, Clock clock) {
    this.pool = pool;
    this.sessions = sessions;
    this.secondFactor = secondFactor;
    this.throttle = throttle;
    this.policy = policy;
    this.clock = clock;
  }

  /** Whether Account should ask now. */
  public Future<Checkup> state(Session request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      if (!user.hasTotp() || user.totpEnabledAt() == null) {
        return Future.succeededFuture(new Checkup(false));
      }
      return pool.preparedQuery("SELECT done_at FROM twofa_checkups WHERE user_id = $1").execute(Tuple.of(user.id()))
        .map(rows -> {
          Instant since = user.totpEnabledAt().toInstant();
          if (rows.size() > 0) {
            Instant done = rows.iterator().next().getOffsetDateTime("done_at").toInstant();
            since = done.isAfter(since) ? done : since;
          }
          return new Checkup(!clock.instant().isBefore(since.plus(EVERY)));
        });
    });
  }

  /** A current code (spending the second-factor budget like any code, its step used once): the check-up is taken. */
  public Future<Void> confirm(Code request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      if (!user.hasTotp()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      String budget = Throttle.secondFactorKey(user.id());
      return pool.withTransaction(tx -> throttle.reserve(tx, budget, policy.secondFactor())
          .compose(admitted -> secondFactor.acceptTotp(tx, user, request.code()))
          .compose(accepted -> accepted
            ? throttle.reset(tx, budget).compose(reset -> record(tx, user.id(), true)).map(true)
            : Future.succeededFuture(false)))
        .compose(accepted -> accepted ? Future.succeededFuture() : BusFailure.fail(ErrorCode.INVALID_CODE));
    });
  }

  /** "Not now": asked again {@link #EVERY} later. */
  public Future<Void> dismiss(Session request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> record(pool, session.user().id(), false));
  }

  private Future<Void> record(SqlClient db, long userId, boolean confirmed) {
    OffsetDateTime now = utc(clock.instant());
    return db.preparedQuery("""
        INSERT INTO twofa_checkups (user_id, done_at, confirmed) VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO UPDATE SET done_at = excluded.done_at, confirmed = excluded.confirmed
        """).execute(Tuple.of(userId, now, confirmed)).mapEmpty();
  }
}
