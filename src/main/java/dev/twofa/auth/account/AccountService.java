package dev.twofa.auth.account;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.Activity;
import dev.twofa.bus.AuthRequests.PasswordChange;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.Signup;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.credential.password.PasswordStrength;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.notify.SignInNotices;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SignedIn;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.bus.ActivityPage;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.AuthReplies.User;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Sign-up, the session's user and Activity, and password change. */
@Door
public final class AccountService {
  private final Pool pool;
  private final UserRepository users;
  private final Throttle throttle;
  private final SessionService sessions;
  private final Passwords passwords;
  private final PasswordStrength strength;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Mailer mailer;
  private final SignInNotices signIns;
  private final Clock clock;
  /** Verification links a signed-in user may ask for (each one replaces the last). */
  static final ThrottlePolicy VERIFICATION_RESENDS = new ThrottlePolicy(3, Duration.ofHours(1));

  public AccountService(Pool pool, UserRepository users, Throttle throttle, SessionService sessions,
                        Passwords passwords, PasswordStrength strength, Auditor auditor, LoginPolicy policy,
                        Mailer mailer, SignInNotices signIns, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.throttle = throttle;
    this.sessions = sessions;
    this.passwords = passwords;
    this.strength = strength;
    this.auditor = auditor;
    this.policy = policy;
    this.mailer = mailer;
    this.signIns = signIns;
    this.clock = clock;
  }

  public Future<LoginOutcome> signup(Signup request) {
    return signup(request.sessionToken(), request.email(), request.password(), request.language(), request.timeZone(),
      request.client());
  }

  private Future<LoginOutcome> signup(String presentedToken, String email, String password, String language,
                                      String timeZone, ClientInfo client) {
    Optional<String> canonical = Emails.canonical(email);
    if (canonical.isEmpty()) {
      return BusFailure.fail(ErrorCode.INVALID_EMAIL);
    }
    // Sign-ups are limited per address (a flood of accounts is not free), counted once they succeed.
    List<Limit> signups = List.of(new Limit(Throttle.signupsAddressKey(client.network()), policy.signupsPerAddress()));
    return passwords.admissible(client.network(), canonical.get())
      .compose(admissible -> throttle.checkAll(signups))
      .compose(ok -> strongHash(password, canonical.get(), client))
      // The account and its verification mail exist together or not at all.
      .compose(hash -> pool.withTransaction(tx -> users.insert(tx, canonical.get(), hash,
          Mailer.language(language), Mailer.timeZone(timeZone, language), clock.instant())
        .compose(id -> users.findById(tx, id))
        .map(Optional::orElseThrow)
        .compose(user -> mailer.verification(tx, user, client).map(user))
        .compose(user -> signIns.signedUp(tx, user, client).map(user))))
      .onSuccess(user -> mailer.nudge())
      .compose(user -> throttle.recordAll(signups).map(user))
      .compose(user -> sessions.endPresented(presentedToken)
        .compose(ended -> sessions.open(pool, user, user.sessionEpoch(), null, client))
        .compose(token -> auditor.record(user.id(), SecurityEvent.SIGNUP, true, client)
          .map(new LoginOutcome(SessionState.authenticated(user.toUser()), token))));
  }

  public Future<Void> verifyEmail(LinkToken request) {
    return verifyEmail(request.token(), request.client());
  }

  /**
   * Uses a verification link and records {@code email.verified} in the same transaction; fails INVALID_TOKEN when
   * the link is unknown, used, replaced or expired. Such a link is still used up: that transaction commits (it
   * only deleted the row) and the failure comes after it.
   */
  private Future<Void> verifyEmail(String linkToken, ClientInfo client) {
    return pool.withTransaction(tx -> mailer.useVerification(tx, linkToken)
        .compose(verified -> verified
          .map(userId -> auditor.recordWithin(tx, SecurityEvent.of(userId, SecurityEvent.EMAIL_VERIFIED, true, client)))
          .orElseGet(Future::succeededFuture)
          .map(verified)))
      .compose(verified -> verified.isPresent() ? auditor.flush() : BusFailure.fail(ErrorCode.INVALID_TOKEN));
  }

  public Future<Void> sendVerification(Session request) {
    return sendVerification(request.sessionToken(), request.client());
  }

  /** A new verification link for the signed-in user (nothing when already verified), at most 3 an hour. */
  private Future<Void> sendVerification(String token, ClientInfo client) {
    return sessions.signedIn(token).compose(session -> {
      UserRow user = session.user();
      if (user.emailVerified()) {
        return Future.succeededFuture();
      }
      List<Limit> resends = List.of(new Limit(Throttle.emailVerificationKey(user.id()), VERIFICATION_RESENDS));
      return throttle.checkAll(resends)
        .compose(ok -> pool.withTransaction(tx -> mailer.verification(tx, user, client)))
        .compose(sent -> throttle.recordAll(resends))
        .onSuccess(sent -> mailer.nudge());
    });
  }

  /** The Account page's user, with the end of a security hold while one lasts. */
  public Future<User> currentUser(Session request) {
    return sessions.signedIn(request.sessionToken()).map(session -> session.user().toUser(clock.instant()));
  }

  public Future<User> currentUser(String token) {
    return sessions.signedIn(token).map(session -> session.user().toUser());
  }

  public Future<ActivityPage> activity(Activity request) {
    return activity(request.sessionToken(), request.limit(), request.before());
  }

  /** A page of the signed-in user's own Activity, read from audit. */
  private Future<ActivityPage> activity(String token, int limit, Long before) {
    return sessions.signedIn(token)
      .compose(session -> auditor.activity(new ActivityQuery(session.user().id(), limit, before, false)));
  }

  public Future<LoginOutcome> changePassword(PasswordChange request) {
    return changePassword(request.sessionToken(), request.currentPassword(), request.newPassword(), request.client());
  }

  /**
   * Verifies the current password, sets the new one, voids any reset link and moves the epoch on, which ends
   * every other session; this one carries on under a new cookie value (see {@link SessionService#renew}). The
   * current password typed on the form is the proof: without 2FA it is a whole step-up; with 2FA on it is the
   * password part, and the session still needs a recent step-up (or login) for its second factor.
   */
  private Future<LoginOutcome> changePassword(String token, String currentPassword, String newPassword, ClientInfo client) {
    Optional<String> tooLong = strength.lengthProblem(newPassword);
    return sessions.signedIn(token).compose(this::readyForPasswordChange).compose(session -> {
      UserRow user = session.user();
      if (tooLong.isPresent()) {
        return Future.failedFuture(new BusFailure(ErrorCode.WEAK_PASSWORD, tooLong.get()));
      }
      Future<LoginOutcome> changed = verifyPassword(session, currentPassword, client)
        .compose(ok -> strongHash(newPassword, user.email(), client))
        .compose(hash -> pool.withTransaction(tx -> users.changePassword(tx, user.id(), user.sessionEpoch(), hash)
          // A reset link mailed for the old password would set one over the owner's new choice.
          .compose(epoch -> mailer.voidPasswordReset(tx, user.id()).map(epoch))
          .compose(epoch -> sessions.endOthers(tx, user.id(), session.tokenHash())
            .compose(ended -> mailer.notice(tx, user, Mailer.PASSWORD_CHANGED, client, null))
            .compose(mailed -> sessions.renew(tx, session, epoch, null, client)))))
        .onSuccess(committed -> mailer.nudge())
        .map(newToken -> new LoginOutcome(SessionState.authenticated(user.toUser()), newToken));
      return auditor.outcome(changed, user.id(), SecurityEvent.PASSWORD_CHANGED, client);
    });
  }

  /** Without 2FA the form's current password is the whole proof; with 2FA on the session owes its second factor. */
  private Future<SignedIn> readyForPasswordChange(SignedIn session) {
    return session.user().twoFactorEnabled() ? sessions.requireStepUp(session) : Future.succeededFuture(session);
  }

  /**
   * Re-checks the password of a signed-in session; fails INVALID_CREDENTIALS. Guesses count per session (a
   * stranger's failures elsewhere never block the owner here), reserved before the check so concurrent guesses
   * cannot overshoot it, and against the account's ceiling, which never refuses a signed-in session.
   */
  public Future<Void> verifyPassword(SignedIn session, String password, ClientInfo client) {
    List<Throttle.Slot> slots = List.of(
      Throttle.Slot.reserved(new Limit(Throttle.passwordSessionKey(session.handle()), policy.passwordPerSession())),
      Throttle.Slot.counted(new Limit(Throttle.passwordAccountKey(session.user().email()), policy.passwordPerAccount())));
    return throttle.reserveAll(slots).compose(reserved -> !reserved.admitted() ? reserved.<Void>refusal()
      : passwords.verify(session.user().id(), session.user().passwordHash(), password, client.network(),
          session.user().email())
        .recover(error -> throttle.release(reserved).transform(released -> Future.failedFuture(error)))
        .compose(valid -> valid
          ? throttle.release(reserved).compose(released -> passwordUsable(session.user()))
          : BusFailure.fail(ErrorCode.INVALID_CREDENTIALS)));
  }

  /**
   * After "This wasn't me" the password, right as it may be, opens nothing until a mailed link sets a new one.
   * Asked only once the password proved right, so someone without it learns nothing from the answer.
   */
  public static Future<Void> passwordUsable(UserRow user) {
    return user.passwordResetRequired() ? BusFailure.fail(ErrorCode.PASSWORD_RESET_REQUIRED) : Future.succeededFuture();
  }

  /**
   * The Argon2id hash of a password that passed the length and guessability checks (both off the event loop,
   * both admitted on the hashing threads for this address and account).
   */
  public Future<String> strongHash(String password, String email, ClientInfo client) {
    Optional<String> length = strength.lengthProblem(password);
    if (length.isPresent()) {
      return Future.failedFuture(new BusFailure(ErrorCode.WEAK_PASSWORD, length.get()));
    }
    return passwords.onHashingThreads(client.network(), email, () -> strength.problem(password, email))
      .compose(problem -> problem.isPresent()
        ? Future.failedFuture(new BusFailure(ErrorCode.WEAK_PASSWORD, problem.get()))
        : passwords.hash(password, client.network(), email));
  }
}
