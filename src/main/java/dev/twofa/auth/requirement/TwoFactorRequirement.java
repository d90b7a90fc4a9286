package dev.twofa.auth.requirement;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.config.TwoFactorRules;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * TWOFA_REQUIRE_2FA, the requirement room: who must turn 2FA on (nobody, accounts with the support role, or
 * everybody), by when (TWOFA_REQUIRE_2FA_GRACE_DAYS from the first time the rule is seen to apply to the account,
 * stamped then and kept), and the reminder mails seven days before and on the last day. Past that day the account is
 * "held": the session room lets its sessions do nothing but turn 2FA on. An account with 2FA on is never held.
 */
@Door
public final class TwoFactorRequirement {
  /** The reminders, by how many days are left at most when each goes out. */
  private static final int FIRST_REMINDER_DAYS = 7;
  private static final int LAST_REMINDER_DAYS = 1;
  private static final int REMINDERS_PER_RUN = 200;
  private final Pool pool;
  private final UserRepository users;
  private final RequirementRepository rows = new RequirementRepository();
  private final TwoFactorRules rules;
  private final Mailer mailer;
  private final Clock clock;

  public TwoFactorRequirement(Pool pool, UserRepository users, TwoFactorRules rules, Mailer mailer, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.rules = rules;
    this.mailer = mailer;
    this.clock = clock;
  }

  /** When the grace period ends, the whole days left (rounded up, 0 once over), and whether it is over. */
  public record Due(Instant dueAt, int daysLeft, boolean held) {
  }

  /** The one definition of "the rule applies": the account is in scope and has no second factor. */
  boolean applies(UserRow user) {
    boolean inScope = switch (rules.requirement()) {
      case NONE -> false;
      case STAFF -> user.support();
      case ALL -> true;
    };
    return inScope && !user.twoFactorEnabled();
  }

  /** The account's deadline while the rule applies to it (stamping when it first does), else empty. */
  public Future<Optional<Due>> due(UserRow user) {
    if (!applies(user)) {
      return Future.succeededFuture(Optional.empty());
    }
    Instant now = clock.instant();
    return rows.stamp(pool, user.id(), now).map(since -> Optional.of(due(since, now)));
  }

  /** True when the account's grace period is over and it still has no 2FA (no statement for most accounts). */
  public Future<Boolean> holds(UserRow user) {
    return due(user).map(due -> due.map(Due::held).orElse(false));
  }

  private Due due(Instant since, Instant now) {
    Instant dueAt = since.plus(rules.grace());
    Duration left = Duration.between(now, dueAt);
    long days = left.isNegative() || left.isZero() ? 0 : (left.toSeconds() + 86_399) / 86_400;
    return new Due(dueAt, (int) days, !now.isBefore(dueAt));
  }

  /**
   * Mails the reminders that are due ("within 7 days", then "within 1 day"), each once: the mark and the mail are
   * one commit, and a mark another node made first means no mail. Accounts that turned 2FA on (or left the rule's
   * scope) get none. Run on a timer; returns how many mails it wrote.
   */
  public Future<Integer> remind() {
    Instant now = clock.instant();
    Instant stampedBy = now.plus(Duration.ofDays(FIRST_REMINDER_DAYS)).minus(rules.grace());
    return rows.owedReminders(pool, stampedBy, REMINDERS_PER_RUN).compose(owed -> {
      Future<Integer> sent = Future.succeededFuture(0);
      for (RequirementRepository.Stamped stamped : owed) {
        sent = sent.compose(count -> remind(stamped, now).map(mailed -> mailed ? count + 1 : count));
      }
      return sent;
    }).onSuccess(count -> {
      if (count > 0) {
        mailer.nudge();
      }
    });
  }

  private Future<Boolean> remind(RequirementRepository.Stamped stamped, Instant now) {
    Due due = due(stamped.appliesSince(), now);
    int reminder = due.daysLeft() <= LAST_REMINDER_DAYS ? 2 : due.daysLeft() <= FIRST_REMINDER_DAYS ? 1 : 0;
    if (due.held()) {
      // Past its day: no reminder is owed any more (and the row leaves this query).
      return rows.markReminded(pool, stamped.userId(), 2).map(false);
    }
    if (reminder <= stamped.reminded()) {
      return Future.succeededFuture(false);
    }
    return users.findById(pool, stamped.userId()).compose(user -> user.isEmpty() || !applies(user.get())
      ? rows.markReminded(pool, stamped.userId(), 2).map(false)
      : pool.withTransaction(tx -> rows.markReminded(tx, stamped.userId(), reminder).compose(marked -> marked
        ? mailer.twoFactorRequired(tx, user.get(), due.daysLeft(), due.dueAt()).map(true)
        : Future.succeededFuture(false))));
  }
}
