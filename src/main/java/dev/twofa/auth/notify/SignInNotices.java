package dev.twofa.auth.notify;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.session.PendingLogin;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo.Device;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * The two mails about logins themselves: a login completed from a browser not seen on the account in 90 days,
 * and a login whose password step passed but whose second step never did (someone has the password). Both are
 * routine notices ({@link Mailer#reaches}: verified addresses only), and both are capped so that a stranger with the password cannot flood the inbox.
 */
@Door
public final class SignInNotices {
  private static final Logger LOG = LoggerFactory.getLogger(SignInNotices.class);
  /** A browser not seen on the account for this long is new again. */
  static final Duration UNSEEN = Duration.ofDays(90);
  /** At most one new-sign-in mail per account and browser in this time. */
  static final Duration NEW_SIGN_IN_GAP = Duration.ofHours(1);
  /**
   * New-sign-in mails per account: a script that drops its device cookie is a new browser every login, so the
   * per-browser gap alone let it mail once per login. Past this, sign-ins are counted for one digest mail.
   */
  static final ThrottlePolicy NEW_SIGN_IN_MAILS = new ThrottlePolicy(5, Duration.ofHours(1));
  /** A digest goes this long after the first sign-in it tells of. */
  static final Duration DIGEST_AFTER = Duration.ofHours(1);
  /** Abandoned logins mailed per account (the rest are in Activity only). */
  static final ThrottlePolicy ABANDONED_MAILS = new ThrottlePolicy(3, Duration.ofHours(1));
  private final Pool pool;
  private final UserRepository users;
  private final Throttle throttle;
  private final KnownDeviceRepository devices;
  private final Auditor auditor;
  private final Mailer mailer;
  private final Clock clock;

  public static SignInNotices create(Pool pool, UserRepository users, Throttle throttle, Auditor auditor, Mailer mailer,
                                     Clock clock) {
    return new SignInNotices(pool, users, throttle, new KnownDeviceRepository(), auditor, mailer, clock);
  }

  SignInNotices(Pool pool, UserRepository users, Throttle throttle, KnownDeviceRepository devices, Auditor auditor,
                Mailer mailer, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.throttle = throttle;
    this.devices = devices;
    this.auditor = auditor;
    this.mailer = mailer;
    this.clock = clock;
  }

  /** The browser that created the account is known to it from the start. */
  public Future<Void> signedUp(SqlClient tx, UserRow user, ClientInfo client) {
    return devices.remember(tx, user.id(), SessionTokens.hash(device(client).id()), clock.instant());
  }

  /**
   * A login of {@code user} completed from {@code client}: one statement records the browser, and only when it is
   * news is a mail written, in the same transaction: one of the account's {@link #NEW_SIGN_IN_MAILS}, or past
   * those a count for the digest. {@code db} is the pool (its own transaction) or the caller's transaction.
   * A browser that keeps no cookies is new every time; its mails are counted by its IP address and user agent.
   */
  public Future<Void> completed(SqlClient db, UserRow user, ClientInfo client) {
    Future<Boolean> mailed = db instanceof Pool own ? own.withTransaction(tx -> noticeIfNews(tx, user, client))
      : noticeIfNews(db, user, client);
    return mailed.compose(written -> {
      if (written) {
        afterCommit(db);
      }
      return Future.succeededFuture();
    });
  }

  private Future<Boolean> noticeIfNews(SqlClient tx, UserRow user, ClientInfo client) {
    Device device = device(client);
    byte[] deviceHash = SessionTokens.hash(device.id());
    byte[] browserHash = device.issued() ? SessionTokens.hash("client\n" + client.network() + "\n" + client.userAgent()) : deviceHash;
    Instant now = clock.instant();
    return devices.seen(tx, user.id(), deviceHash, browserHash, now, now.minus(UNSEEN), now.minus(NEW_SIGN_IN_GAP))
      .compose(news -> !news || !Mailer.reaches(user, Mailer.NEW_SIGN_IN) ? Future.succeededFuture(false)
        // The budget's key stays locked until the commit, so concurrent logins cannot overdraw it.
        : throttle.reserve(tx, "mail:new-sign-in:" + user.id(), NEW_SIGN_IN_MAILS)
          .compose(admitted -> mailer.notice(tx, user, Mailer.NEW_SIGN_IN, client, null).map(true))
          .recover(error -> error instanceof BusFailure failure && failure.code() == ErrorCode.RATE_LIMITED
            ? devices.hold(tx, user.id(), now).map(false)
            : Future.failedFuture(error)));
  }

  /**
   * Writes the digests that are due ("N more sign-ins in the last hour"), each with its own "This wasn't me" link;
   * on the mail timer. Never fails (a failure is logged; the rows stay for the next round).
   */
  public Future<Void> mailDueDigests() {
    return pool.withTransaction(tx -> devices.takeDue(tx, clock.instant().minus(DIGEST_AFTER))
        .compose(due -> {
          Future<Integer> written = Future.succeededFuture(0);
          for (KnownDeviceRepository.Digest digest : due) {
            written = written.compose(count -> users.findById(tx, digest.userId())
              .compose(user -> user.map(owner -> mailer.notice(tx, owner, Mailer.NEW_SIGN_IN_DIGEST, ClientInfo.UNKNOWN,
                  digest.held()).map(count + 1))
                .orElseGet(() -> Future.succeededFuture(count))));
          }
          return written;
        }))
      .onSuccess(written -> {
        if (written > 0) {
          mailer.nudge();
        }
      })
      .<Void>mapEmpty()
      .recover(error -> {
        LOG.warn("event=mail.sign_in_digest_delayed error={}", error.toString());
        return Future.succeededFuture();
      });
  }

  /**
   * True when {@code client}'s browser is one the account knows: its signed device cookie (one it brought, not one
   * just issued) completed a login on the account, or created it, within {@link #UNSEEN}. Such a browser is the
   * owner's, and the account-wide password ceiling does not stop it.
   */
  public Future<Boolean> knows(long userId, ClientInfo client) {
    Device device = client.device();
    if (device == null || device.issued()) {
      return Future.succeededFuture(false);
    }
    return devices.known(pool, userId, SessionTokens.hash(device.id()), clock.instant().minus(UNSEEN));
  }

  /**
   * The account's password-failure ceiling just filled: new browsers are refused until it drains. Mails a verified
   * owner once per {@code window} (the ceiling's), however often it fills again; never fails, like {@link #abandoned}.
   */
  public Future<Void> ceilingReached(long userId, ClientInfo client, Duration window) {
    return mailWithinBudget(userId, "mail:password-ceiling:" + userId, new ThrottlePolicy(1, window),
      UserRow::emailVerified, (tx, owner) -> mailer.notice(tx, owner, Mailer.PASSWORD_CEILING, client, null),
      "mail.password_ceiling_unwritten");
  }

  /**
   * A pending login was dropped (too many wrong codes, or expired): records it in Activity and mails the owner
   * where and when its password step happened, at most {@link #ABANDONED_MAILS} an hour. Never fails: the mail
   * is not worth failing the request or the purge that found the login.
   */
  public Future<Void> abandoned(PendingLogin pending, String reason, ClientInfo client) {
    return auditor.abandoned(pending, reason, client).compose(recorded -> mailAbandoned(pending));
  }

  /** Mails the owner of a dropped pending login whose event is already recorded; never fails, like {@link #abandoned}. */
  public Future<Void> mailAbandoned(PendingLogin pending) {
    return mailWithinBudget(pending.userId(), "mail:login-abandoned:" + pending.userId(), ABANDONED_MAILS,
      owner -> Mailer.reaches(owner, Mailer.LOGIN_ABANDONED),
      (tx, owner) -> mailer.noticeAt(tx, owner, Mailer.LOGIN_ABANDONED, pending.client(), pending.createdAt()),
      "mail.login_abandoned_unwritten");
  }

  /**
   * Writes one mail to the account's owner within a budget per account, when {@code reaches} says it goes to them,
   * and nudges the outbox once committed. Never fails: the mail is not worth failing the request or the purge that
   * asked for it (logged, unless the budget refused it).
   */
  private Future<Void> mailWithinBudget(long userId, String budget, ThrottlePolicy policy, Predicate<UserRow> reaches,
                                        BiFunction<SqlConnection, UserRow, Future<?>> write, String unwritten) {
    return pool.withTransaction(tx -> users.findById(tx, userId)
        .compose(user -> user.filter(reaches)
          // The budget is spent only on mails that go out; the reservation holds its key until the commit.
          .map(owner -> throttle.reserve(tx, budget, policy).compose(admitted -> write.apply(tx, owner)).map(true))
          .orElseGet(() -> Future.succeededFuture(false))))
      .onSuccess(mailed -> {
        if (mailed) {
          mailer.nudge();
        }
      })
      .<Void>mapEmpty()
      .recover(error -> {
        if (!(error instanceof BusFailure failure && failure.code() == ErrorCode.RATE_LIMITED)) {
          LOG.warn("event={} user={} error={}", unwritten, userId, error.toString());
        }
        return Future.succeededFuture();
      });
  }

  /** Deletes what no longer matters: devices unseen for {@link #UNSEEN}, mail marks older than an hour. */
  public Future<Integer> purge() {
    Instant now = clock.instant();
    return devices.purge(pool, now.minus(UNSEEN), now.minus(NEW_SIGN_IN_GAP));
  }

  /** The request's device; a request that came without one (not through HTTP) counts as a browser without cookies. */
  private static Device device(ClientInfo client) {
    return Optional.ofNullable(client.device()).orElseGet(() -> new Device(SessionTokens.newToken(), true));
  }

  /** Sends the mail once {@code db}'s transaction commits (at once when {@code db} is the pool: it has). */
  private void afterCommit(SqlClient db) {
    Transaction tx = db instanceof SqlConnection connection ? connection.transaction() : null;
    if (tx == null) {
      mailer.nudge();
    } else {
      tx.completion().onSuccess(committed -> mailer.nudge());
    }
  }
}
