package dev.twofa.auth.account;

import dev.twofa.auth.Door;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.SecurityHoldPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import static dev.twofa.db.SqlTime.utc;

/**
 * The security hold on an account ({@code users.security_hold_until}): started in the transaction of a risky change
 * (a password reset, an authenticator or passkey change, "This wasn't me", a support reset), and while it lasts
 * twofa refuses turning 2FA off, new recovery codes and a new anti-phishing phrase. Nothing else waits for it.
 */
@Door
public final class SecurityHold {
  private final SecurityHoldPolicy policy;
  private final Clock clock;

  public SecurityHold(SecurityHoldPolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /** The one rule of when a hold is on: its end is still ahead. */
  public static Optional<Instant> activeUntil(OffsetDateTime until, Instant now) {
    return until != null && until.toInstant().isAfter(now) ? Optional.of(until.toInstant()) : Optional.empty();
  }

  /** When a hold started now (after a change) would end: also when a new phrase takes effect. */
  public Instant endOfNewHold() {
    return clock.instant().plus(policy.afterChange());
  }

  /** Starts (or lengthens, never shortens) the account's hold after a risky change, in the caller's transaction. */
  public Future<Void> afterChange(SqlClient tx, long userId) {
    return hold(tx, userId, endOfNewHold());
  }

  /** The longer hold after the support desk turned 2FA off (its caller proved the least). */
  public Future<Void> afterSupportReset(SqlClient tx, long userId) {
    return hold(tx, userId, clock.instant().plus(policy.afterSupportReset()));
  }

  private Future<Void> hold(SqlClient tx, long userId, Instant until) {
    // greatest() ignores a null: a 24-hour hold never shortens a 48-hour one still running.
    return tx.preparedQuery("UPDATE users SET security_hold_until = greatest(security_hold_until, $2) WHERE id = $1")
      .execute(Tuple.of(userId, utc(until))).mapEmpty();
  }

  /**
   * Fails SECURITY_HOLD while the account's hold lasts. Reads under the user's row lock, in the caller's
   * transaction: a change that starts a hold commits either before this read (refused) or after this transaction.
   */
  public Future<Void> refuseDuring(SqlClient tx, long userId) {
    return tx.preparedQuery("SELECT security_hold_until FROM users WHERE id = $1 FOR UPDATE")
      .execute(Tuple.of(userId))
      .compose(rows -> {
        OffsetDateTime until = rows.size() == 1 ? rows.iterator().next().getOffsetDateTime("security_hold_until") : null;
        return activeUntil(until, clock.instant())
          .<Future<Void>>map(end -> Future.failedFuture(new BusFailure(ErrorCode.SECURITY_HOLD,
            "Sensitive changes are paused on this account until "
              + DateTimeFormatter.ISO_INSTANT.format(end.atOffset(ZoneOffset.UTC))
              + ", after a recent security change. Try again then.")))
          .orElseGet(Future::succeededFuture);
      });
  }
}
