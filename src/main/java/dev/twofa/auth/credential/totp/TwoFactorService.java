package dev.twofa.auth.credential.totp;

import dev.twofa.auth.Door;
import dev.twofa.config.TotpPolicy;
import dev.twofa.config.KeyRing;
import dev.twofa.bus.AuthRequests.Code;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.auth.credential.recovery.RecoveryCodeRepository;
import dev.twofa.auth.account.UserRepository;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.recovery.RecoveryCodes;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SignedIn;

import dev.twofa.bus.AuthReplies.AuthenticatorChanged;
import dev.twofa.bus.AuthReplies.Enrollment;
import dev.twofa.bus.AuthReplies.EnrollmentOutcome;
import dev.twofa.bus.AuthReplies.NewRecoveryCodes;
import dev.twofa.bus.AuthReplies.TotpKey;
import dev.twofa.bus.AuthReplies.UserResult;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * Enrollment (setup, then enable with a first code), changing the authenticator app (start, then confirm with a
 * code from the new app) and recovery-code regeneration.
 */
@Door
public final class TwoFactorService {
  /** A reload of the setup screen within this time, in the same session, shows the same key. */
  static final Duration STABLE_KEY = Duration.ofMinutes(15);
  private final Pool pool;
  private final UserRepository users;
  private final RecoveryCodeRepository recoveryCodeRows;
  private final SessionService sessions;
  private final AccountService accounts;
  private final SecretBox secretBox;
  private final TotpKeys keys;
  private final TotpVerifier verifier;
  private final RecoveryCodes recoveryCodes;
  private final Auditor auditor;
  private final Mailer mailer;
  private final Clock clock;

  public static TwoFactorService create(Pool pool, UserRepository users, SessionService sessions,
                                        AccountService accounts, KeyRing keys, TotpPolicy totp, Auditor auditor, Mailer mailer, Clock clock) {
    return new TwoFactorService(pool, users, new RecoveryCodeRepository(), sessions, accounts, new SecretBox(keys),
      new TotpKeys(totp), new TotpVerifier(totp, clock), new RecoveryCodes(keys), auditor, mailer, clock);
  }

  TwoFactorService(Pool pool, UserRepository users, RecoveryCodeRepository recoveryCodeRows, SessionService sessions,
                   AccountService accounts, SecretBox secretBox, TotpKeys keys, TotpVerifier verifier,
                   RecoveryCodes recoveryCodes, Auditor auditor, Mailer mailer, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.recoveryCodeRows = recoveryCodeRows;
    this.sessions = sessions;
    this.accounts = accounts;
    this.secretBox = secretBox;
    this.keys = keys;
    this.verifier = verifier;
    this.recoveryCodes = recoveryCodes;
    this.auditor = auditor;
    this.mailer = mailer;
    this.clock = clock;
  }

  public Future<TotpKey> setup(Session request) {
    return setup(request.sessionToken());
  }

  /**
   * After a recent step-up (a login counts), the pending key for a first enrollment, as base32 and as an otpauth
   * URI: a session that is only a cookie (stolen, or an unattended browser) cannot enrol its own authenticator.
   */
  private Future<TotpKey> setup(String token) {
    return sessions.steppedUpEvenIfHeld(token).compose(session -> session.user().hasTotp()
      ? BusFailure.fail(ErrorCode.ALREADY_ENABLED)
      : pendingKey(session, false));
  }

  public Future<TotpKey> changeStart(Session request) {
    return changeStart(request.sessionToken());
  }

  /** The pending key of a new authenticator app; the current one keeps working until it is confirmed. */
  private Future<TotpKey> changeStart(String token) {
    return sessions.steppedUp(token).compose(session -> session.user().hasTotp()
      ? pendingKey(session, true)
      : BusFailure.fail(ErrorCode.NOT_ENABLED));
  }

  /**
   * The session's own pending key while it is younger than {@link #STABLE_KEY} (a reload must not leave a dead
   * entry in the user's app), else a new one replacing any other.
   */
  private Future<TotpKey> pendingKey(SignedIn session, boolean change) {
    UserRow user = session.user();
    Instant now = clock.instant();
    if (user.pendingSecretBox() != null && session.handle().equals(user.pendingSession())
      && user.pendingCreatedAt() != null && user.pendingCreatedAt().toInstant().isAfter(now.minus(STABLE_KEY))) {
      String secret = secretBox.openBase32(user.pendingSecretBox(), user.id());
      return Future.succeededFuture(new TotpKey(secret, keys.uri(secret, user.email())));
    }
    String secret = keys.newSecret();
    byte[] sealed = secretBox.seal(secret.getBytes(StandardCharsets.US_ASCII), user.id());
    return users.setPendingSecret(pool, user.id(), user.sessionEpoch(), sealed, session.handle(), now, change)
      .compose(stored -> stored
        ? Future.succeededFuture(new TotpKey(secret, keys.uri(secret, user.email())))
        : BusFailure.fail(change ? ErrorCode.NOT_ENABLED : ErrorCode.ALREADY_ENABLED));
  }

  public Future<EnrollmentOutcome> enable(Code request) {
    return enable(request.sessionToken(), request.code(), request.client());
  }

  /**
   * Turns 2FA on once {@code code} proves the app holds the pending secret this session was given (after its
   * step-up); returns the first recovery codes. Every other session ends (the epoch moves on) and this one carries
   * on as a two-factor session under a new cookie value, its lifetime unchanged.
   */
  private Future<EnrollmentOutcome> enable(String token, String code, ClientInfo client) {
    return sessions.signedInEvenIfHeld(token).compose(session -> {
      UserRow user = session.user();
      if (user.hasTotp()) {
        return BusFailure.fail(ErrorCode.ALREADY_ENABLED);
      }
      if (user.pendingSecretBox() == null || !session.handle().equals(user.pendingSession())) {
        return BusFailure.fail(ErrorCode.NO_PENDING_SETUP);
      }
      OptionalLong step = pendingStep(user, code);
      if (step.isEmpty()) {
        return auditor.outcome(BusFailure.fail(ErrorCode.INVALID_CODE), user.id(), SecurityEvent.TWO_FACTOR_ENABLED, client);
      }
      List<String> codes = recoveryCodes.generate();
      return pool.withTransaction(tx -> users.enableTotp(tx, user.id(), user.pendingSecretBox(),
            step.getAsLong(), clock.instant())
          .compose(epoch -> recoveryCodeRows.replaceAll(tx, user.id(), recoveryCodes.currentKeyId(), recoveryCodes.digests(user.id(), codes))
            .compose(stored -> sessions.endOthers(tx, user.id(), session.tokenHash()))
            .compose(ended -> mailer.notice(tx, user, Mailer.TWO_FACTOR_ENABLED, client, null))
            .compose(mailed -> sessions.renew(tx, session, epoch, clock.instant(), client))))
        .onSuccess(committed -> mailer.nudge())
        .compose(newToken -> auditor.record(user.id(), SecurityEvent.TWO_FACTOR_ENABLED, true, client)
          .compose(recorded -> accounts.currentUser(newToken))
          .map(enabled -> new EnrollmentOutcome(new Enrollment(codes, enabled), newToken)));
    });
  }

  public Future<AuthenticatorChanged> changeConfirm(Code request) {
    return changeConfirm(request.sessionToken(), request.code(), request.client());
  }

  /**
   * Replaces the authenticator app once {@code code} proves the new app holds this session's pending key. Every
   * other session ends; recovery codes stay as they are.
   */
  private Future<AuthenticatorChanged> changeConfirm(String token, String code, ClientInfo client) {
    return sessions.signedIn(token).compose(session -> {
      UserRow user = session.user();
      if (!user.hasTotp()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      if (user.pendingSecretBox() == null || !session.handle().equals(user.pendingSession())) {
        return BusFailure.fail(ErrorCode.NO_PENDING_SETUP);
      }
      OptionalLong step = pendingStep(user, code);
      if (step.isEmpty()) {
        return auditor.outcome(BusFailure.fail(ErrorCode.INVALID_CODE), user.id(), SecurityEvent.TWO_FACTOR_CHANGED, client);
      }
      return pool.withTransaction(tx -> users.changeTotp(tx, user.id(), user.pendingSecretBox(),
            step.getAsLong(), clock.instant())
          .compose(epoch -> users.hold().afterChange(tx, user.id()).map(epoch))
          .compose(epoch -> sessions.endOthers(tx, user.id(), session.tokenHash())
            .compose(ended -> mailer.notice(tx, user, Mailer.TWO_FACTOR_CHANGED, client, null))
            .compose(mailed -> sessions.renew(tx, session, epoch, clock.instant(), client))))
        .onSuccess(committed -> mailer.nudge())
        .compose(newToken -> auditor.record(user.id(), SecurityEvent.TWO_FACTOR_CHANGED, true, client)
          .compose(recorded -> accounts.currentUser(newToken))
          .map(changed -> new AuthenticatorChanged(new UserResult(changed), newToken)));
    });
  }

  /**
   * The step of {@code code} under the user's pending key, if it matches. The pending key has its own replay floor,
   * which is empty: no code of it was ever accepted (the first one promotes it, once, and becomes its floor), while
   * the user's floor belongs to the old key and is moved past the current step by a recovery code or a step-up.
   */
  private OptionalLong pendingStep(UserRow user, String code) {
    if (user.pendingSecretBox() == null) {
      return OptionalLong.empty();
    }
    byte[] secret = secretBox.openTotpSecret(user.pendingSecretBox(), user.id());
    return verifier.matchingStep(secret, TotpVerifier.normalize(code), null);
  }

  public Future<NewRecoveryCodes> regenerateRecoveryCodes(Session request) {
    return regenerateRecoveryCodes(request.sessionToken(), request.client());
  }

  /**
   * After a recent step-up, a fresh set of recovery codes; every earlier code stops working and every other
   * session ends (this one stays).
   */
  private Future<NewRecoveryCodes> regenerateRecoveryCodes(String token, ClientInfo client) {
    return sessions.steppedUp(token).compose(session -> {
      UserRow user = session.user();
      if (!user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      List<String> codes = recoveryCodes.generate();
      Future<Void> replaced = pool.withTransaction(tx -> users.hold().refuseDuring(tx, user.id())
        .compose(free -> recoveryCodeRows.replaceAll(tx, user.id(), recoveryCodes.currentKeyId(), recoveryCodes.digests(user.id(), codes)))
          .compose(stored -> sessions.endOthers(tx, user.id(), session.tokenHash()))
          .compose(ended -> mailer.notice(tx, user, Mailer.RECOVERY_CODES_REGENERATED, client, null)))
        .onSuccess(committed -> mailer.nudge());
      return auditor.outcome(replaced, user.id(), SecurityEvent.RECOVERY_CODES_REGENERATED, client)
        .map(done -> new NewRecoveryCodes(codes));
    });
  }
}
