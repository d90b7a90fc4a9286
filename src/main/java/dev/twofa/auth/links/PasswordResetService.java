package dev.twofa.auth.links;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.PasswordReset;
import dev.twofa.bus.AuthRequests.PasswordResetRequest;
import dev.twofa.auth.account.UserRepository;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.account.Emails;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.credential.passkey.PasskeyService;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Password reset by mail ("Forgot password?") and "This wasn't me" from a security notice. Neither ever opens a
 * session. A reset never touches 2FA: the next login still asks for the code. "This wasn't me" locks the password
 * until a reset sets a new one, and turns off a 2FA turned on or changed within the undo window before it.
 */
@Door
public final class PasswordResetService {
  private static final Logger LOG = LoggerFactory.getLogger(PasswordResetService.class);
  /** Requests one client address may make: enough for a household behind one router, not for a crawl of addresses. */
  static final ThrottlePolicy REQUESTS_PER_ADDRESS = new ThrottlePolicy(20, Duration.ofHours(1));
  /** Reset mails one address receives, whoever asks: a stranger cannot flood a mailbox. */
  static final ThrottlePolicy MAILS_PER_EMAIL = new ThrottlePolicy(3, Duration.ofHours(1));
  private final Pool pool;
  private final UserRepository users;
  private final Throttle throttle;
  private final AccountLinkRepository links;
  private final AccountService accounts;
  private final SessionService sessions;
  private final SecondFactor secondFactor;
  private final Auditor auditor;
  private final Mailer mailer;
  /** A 2FA turned on or changed this recently is turned off by "This wasn't me" (TWOFA_SECURE_ACCOUNT_UNDO_HOURS). */
  private final Duration undoWindow;
  private final PasskeyService passkeys;
  private final Clock clock;

  public static PasswordResetService create(Pool pool, UserRepository users, Throttle throttle, AccountService accounts,
                                            SessionService sessions, SecondFactor secondFactor, Auditor auditor,
                                            Mailer mailer, Duration undoWindow, PasskeyService passkeys, Clock clock) {
    return new PasswordResetService(pool, users, throttle, new AccountLinkRepository(), accounts, sessions, secondFactor,
      auditor, mailer, undoWindow, passkeys, clock);
  }

  PasswordResetService(Pool pool, UserRepository users, Throttle throttle, AccountLinkRepository links,
                       AccountService accounts, SessionService sessions, SecondFactor secondFactor, Auditor auditor,
                       Mailer mailer, Duration undoWindow, PasskeyService passkeys, Clock clock) {
    this.passkeys = passkeys;
    this.pool = pool;
    this.users = users;
    this.throttle = throttle;
    this.links = links;
    this.accounts = accounts;
    this.sessions = sessions;
    this.secondFactor = secondFactor;
    this.auditor = auditor;
    this.mailer = mailer;
    this.undoWindow = undoWindow;
    this.clock = clock;
  }

  public Future<Void> request(PasswordResetRequest request) {
    return request(request.email(), request.client());
  }

  /**
   * Answers as soon as the client address is within its limit, the same for every address asked about; the
   * lookup and the mail happen after the answer. Off the response path, a known address cannot answer later than
   * an unknown one (a transaction and an outbox row take measurable time), and nothing padded to a fixed delay
   * has to guess how long the slowest path takes under load.
   */
  private Future<Void> request(String email, ClientInfo client) {
    Optional<String> canonical = Emails.canonical(email);
    if (canonical.isEmpty()) {
      return BusFailure.fail(ErrorCode.INVALID_EMAIL);
    }
    List<Limit> perAddress = List.of(new Limit(Throttle.passwordResetAddressKey(client.network()), REQUESTS_PER_ADDRESS));
    return throttle.checkAll(perAddress)
      .compose(ok -> throttle.recordAll(perAddress))
      .onSuccess(answered -> mailLink(canonical.get(), client));
  }

  /**
   * Mails a reset link if an account has {@code canonical}, within its limit of mails per hour (reserved in the
   * same transaction, so concurrent requests cannot overdraw it; unknown addresses spend it alike). Never fails:
   * a refusal is logged, without the address.
   */
  private void mailLink(String canonical, ClientInfo client) {
    pool.withTransaction(tx -> throttle.reserve(tx, Throttle.passwordResetEmailKey(canonical), MAILS_PER_EMAIL)
        .compose(admitted -> users.findByEmail(tx, canonical))
        .compose(user -> user.isPresent()
          ? mailer.passwordReset(tx, user.get(), Mailer.PASSWORD_RESET, client).map(true)
          : Future.succeededFuture(false)))
      .onSuccess(mailed -> {
        if (mailed) {
          mailer.nudge();
        }
      })
      .onFailure(error -> {
        if (BusFailure.from(error).code() == ErrorCode.RATE_LIMITED) {
          LOG.info("event=password_reset.mail_limited");
        } else {
          LOG.warn("event=password_reset.mail_failed error={}", error.toString());
        }
      });
  }

  public Future<Void> complete(PasswordReset request) {
    return complete(request.token(), request.newPassword(), request.client());
  }

  /**
   * Sets a new password through a reset link: the link is checked first and the password (strength and hash, on
   * the hashing threads) before the link is used, so a weak password does not cost the link. Then, in one
   * transaction: the link is used (of two concurrent requests one wins), the password set, every session and
   * pending login ended, the account's password-failure ceiling emptied, the event recorded and the "password
   * changed" notice written.
   */
  private Future<Void> complete(String token, String newPassword, ClientInfo client) {
    byte[] hash = SessionTokens.hash(token);
    return links.find(pool, hash, AccountLinkRepository.PASSWORD_RESET, clock.instant())
      .compose(found -> found.isPresent()
        ? users.findById(pool, found.get()).map(Optional::orElseThrow)
        : BusFailure.<UserRow>fail(ErrorCode.INVALID_TOKEN))
      .compose(user -> accounts.strongHash(newPassword, user.email(), client)
        .compose(passwordHash -> pool.withTransaction(tx -> useLink(tx, hash, AccountLinkRepository.PASSWORD_RESET, user)
          .compose(used -> users.resetPassword(tx, user.id(), passwordHash, clock.instant()))
          .compose(reset -> users.hold().afterChange(tx, user.id()))
          // The guesses at the old password no longer matter: new browsers may log in with the new one.
          .compose(reset -> throttle.reset(tx, Throttle.passwordAccountKey(user.email())))
          .compose(forgotten -> sessions.endOthers(tx, user.id(), null))
          .compose(ended -> auditor.recordWithin(tx, SecurityEvent.of(user.id(), SecurityEvent.PASSWORD_RESET, true, client)))
          // Read again: the reset proved the address, so the notice goes to it.
          .compose(recorded -> users.findById(tx, user.id()).map(Optional::orElseThrow))
          .compose(updated -> mailer.notice(tx, updated, Mailer.PASSWORD_CHANGED, client, null)))))
      .compose(done -> {
        mailer.nudge();
        return auditor.flush();
      });
  }

  public Future<Void> secureAccount(LinkToken request) {
    return secureAccount(request.token(), request.client());
  }

  /**
   * "This wasn't me", in one transaction: uses the notice's link; locks the password until a mailed link sets a new
   * one (a login or step-up with it answers PASSWORD_RESET_REQUIRED); ends every session and pending login of the
   * account; turns off a 2FA turned on or changed within the undo window, with its recovery codes (one of the ended
   * sessions may have been a stranger's, whose authenticator would lock the owner out); records it; and mails a
   * reset link. Logs no one in, whoever calls.
   */
  private Future<Void> secureAccount(String token, ClientInfo client) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> links.use(tx, SessionTokens.hash(token), AccountLinkRepository.SECURE_ACCOUNT, now)
        .compose(userId -> userId.isPresent()
          ? users.findById(tx, userId.get()).map(Optional::orElseThrow)
          : BusFailure.<UserRow>fail(ErrorCode.INVALID_TOKEN))
        // The hold never blocks "This wasn't me"; it starts one, so a stranger still inside cannot turn 2FA off.
        .compose(user -> users.hold().afterChange(tx, user.id())
          // A changed anti-phishing phrase still waiting for its time is dropped: mails keep the one the owner knows.
          .compose(held -> user.phrasePending(now) ? users.dropPendingPhrase(tx, user.id(), user.phrasePendingBox())
            : Future.<Void>succeededFuture())
          .compose(dropped -> users.secure(tx, user.id(), now.minus(undoWindow)))
          // Passkeys added in the window go like an app turned on in it: they may be the stranger's.
          .compose(appReverted -> passkeys.forgetAddedSince(tx, user.id(), now.minus(undoWindow)).compose(forgotten -> {
            boolean reverted = appReverted || forgotten.removed() > 0;
            boolean noneLeft = (appReverted || !user.hasTotp()) && forgotten.left() == 0;
            return sessions.endOthers(tx, user.id(), null)
              .compose(ended -> auditor.recordWithin(tx, SecurityEvent.of(user.id(), SecurityEvent.ACCOUNT_SECURED, true, client)))
              .compose(recorded -> reverted ? undoTwoFactor(tx, user.id(), client, noneLeft) : Future.succeededFuture())
              .compose(undone -> mailer.passwordReset(tx, user,
                reverted && noneLeft ? Mailer.ACCOUNT_SECURED_2FA_OFF : Mailer.ACCOUNT_SECURED, client));
          }))))
      .compose(done -> {
        mailer.nudge();
        return auditor.flush();
      });
  }

  /**
   * The rest of undoing a second factor "This wasn't me" found in the window: with none left its recovery codes
   * go, and Activity says why.
   */
  private Future<Void> undoTwoFactor(SqlClient tx, long userId, ClientInfo client, boolean noneLeft) {
    return (noneLeft ? secondFactor.forgetRecoveryCodes(tx, userId) : Future.<Void>succeededFuture())
      .compose(forgotten -> auditor.recordWithin(tx, SecurityEvent.of(userId, SecurityEvent.TWO_FACTOR_REVERTED, true, client)));
  }

  /** Deletes expired links (on auth's purge timer). */
  public Future<Integer> purge() {
    return links.purge(pool, clock.instant());
  }

  /** Uses the link; fails INVALID_TOKEN (rolling the transaction back) when a concurrent request used it first. */
  private Future<Void> useLink(SqlClient tx, byte[] hash, String purpose, UserRow user) {
    return links.use(tx, hash, purpose, clock.instant())
      .compose(used -> used.filter(id -> id == user.id()).isPresent()
        ? Future.<Void>succeededFuture()
        : BusFailure.fail(ErrorCode.INVALID_TOKEN));
  }

}
