package dev.twofa.auth.login;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.Credentials;
import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.UserRepository;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.account.Emails;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.credential.passkey.PasskeyService;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.events.EventOutbox;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.notify.SignInNotices;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.auth.oidc.OidcService;
import dev.twofa.auth.trust.TrustedBrowserService;

import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.auth.session.PendingLogin;
import dev.twofa.auth.login.SecondStepRepository.Budget;
import dev.twofa.auth.login.SecondStepRepository.Code;
import dev.twofa.auth.login.SecondStepRepository.Events;
import dev.twofa.auth.login.SecondStepRepository.Written;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Stream;

/** The two-step login: password, then a TOTP code or a recovery code. Each step answers with a new cookie value. */
@Door
public final class LoginService {
  private static final Logger LOG = LoggerFactory.getLogger(LoginService.class);
  private final Pool pool;
  private final UserRepository users;
  private final Throttle throttle;
  private final SecondStepRepository secondSteps;
  private final PasswordStepRepository passwordSteps = new PasswordStepRepository();
  private final SessionService sessions;
  private final Passwords passwords;
  private final SecondFactor secondFactor;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Mailer mailer;
  private final SignInNotices signIns;
  private final PasskeyService passkeys;
  private final TrustedBrowserService trust;
  private final TrustedLogin trustedLogin;
  private final PasskeySignIn passkeySignIn;
  private final Clock clock;

  public LoginService(Pool pool, UserRepository users, Throttle throttle, SessionService sessions, Passwords passwords,
                      SecondFactor secondFactor, Auditor auditor, LoginPolicy policy, Mailer mailer,
                      SignInNotices signIns, PasskeyService passkeys, TrustedBrowserService trust, OidcService oidc,
                      Clock clock) {
    this.pool = pool;
    this.secondSteps = new SecondStepRepository(pool);
    this.users = users;
    this.throttle = throttle;
    this.sessions = sessions;
    this.passwords = passwords;
    this.secondFactor = secondFactor;
    this.auditor = auditor;
    this.policy = policy;
    this.mailer = mailer;
    this.signIns = signIns;
    this.passkeys = passkeys;
    this.trust = trust;
    this.trustedLogin = new TrustedLogin(pool, throttle, sessions, auditor, trust, oidc);
    this.clock = clock;
    this.passkeySignIn = new PasskeySignIn(pool, throttle, sessions, passkeys.signIns(), auditor, policy, clock,
      (user, client) -> newBrowserNoticed(user, client, null).mapEmpty());
  }

  public Future<LoginOutcome> password(Credentials request) {
    return password(request.sessionToken(), request.email(), request.password(), request.client(), request.authorization());
  }

  private Future<LoginOutcome> password(String presentedToken, String email, String password, ClientInfo client,
                                        String authorization) {
    // Unknown and malformed emails take the same path as a wrong password: same answer, same hashing time.
    String canonical = Emails.canonical(email).orElse("");
    PasswordAttempt attempt = new PasswordAttempt(canonical, client, policy);
    // Excess attempts are refused before any hashing, and before the account is read (a crowd's refusals cost it
    // one statement); past the account's ceiling, a browser the account knows gets a second look.
    return passwords.admissible(client.network(), canonical)
      .compose(admissible -> throttle.reserveAll(attempt.slots(true)))
      .compose(first -> first.admitted()
        ? users.findByEmail(pool, canonical).map(user -> new Reserved(user, first))
        : attempt.mayPassTheCeiling(first) ? knownBrowserPastCeiling(attempt, first) : first.refusal())
      // An unknown account is admitted under its canonical email like a known one (a malformed one under "").
      .compose(reserved -> passwords.verify(reserved.user().map(UserRow::id).orElse(null),
          reserved.user().map(UserRow::passwordHash).orElse(null), password, client.network(), canonical)
        .recover(error -> throttle.release(reserved.reservation()).transform(released -> Future.failedFuture(error)))
        .compose(valid -> !valid ? fail(reserved, attempt, client)
          : AccountService.passwordUsable(reserved.user().get())
            .compose(usable -> succeed(reserved.user().get(), presentedToken, attempt, reserved.reservation(), client,
                authorization)
                // A hash at another cost than the configured one is replaced after the answer, never over a newer one.
                .onSuccess(done -> rehashIfOutdated(reserved.user().get(), password, attempt)),
              locked -> locked(reserved, attempt, locked))));
  }

  private void rehashIfOutdated(UserRow user, String password, PasswordAttempt attempt) {
    passwords.rehashIfOutdated(user.id(), user.passwordHash(), password, attempt.client().network(),
      attempt.canonical(), fresh -> users.replacePasswordHash(pool, user.id(), user.passwordHash(), fresh));
  }

  /**
   * The right password of an account secured by "This wasn't me": refused with its own code, and in Activity as a
   * refused login (not a wrong password). Not a guess, so its reservation is given back; counted under the
   * address's logins like a success (each costs a hash); nothing is opened or voided.
   */
  private Future<LoginOutcome> locked(Reserved reserved, PasswordAttempt attempt, Throwable refusal) {
    auditor.recordUnwaited(new SecurityEvent(reserved.user().get().id(), SecurityEvent.LOGIN_PASSWORD, false,
      attempt.client(), null, Map.of(SecurityEvent.REASON, ErrorCode.PASSWORD_RESET_REQUIRED.code()), null));
    return throttle.release(reserved.reservation())
      .compose(released -> throttle.recordAll(List.of(attempt.logins())))
      .compose(counted -> Future.failedFuture(refusal));
  }

  /** The user (if any) and the attempt reserved under the password limits, ready to be checked. */
  private record Reserved(Optional<UserRow> user, Throttle.Reservation reservation) {
  }

  /**
   * Refused by the account's ceiling alone: a browser the account knows (notify's known_devices, through its door)
   * is reserved again without it; any other stays refused.
   */
  private Future<Reserved> knownBrowserPastCeiling(PasswordAttempt attempt, Throttle.Reservation refused) {
    return users.findByEmail(pool, attempt.canonical())
      .compose(user -> user.isEmpty() ? refused.<Reserved>refusal()
        : signIns.knows(user.get().id(), attempt.client()).compose(known -> known
          ? throttle.reserveAll(attempt.slots(false)).compose(again -> again.admitted()
            ? Future.succeededFuture(new Reserved(user, again)) : again.<Reserved>refusal())
          : refused.<Reserved>refusal()));
  }

  private Future<LoginOutcome> succeed(UserRow user, String presentedToken, PasswordAttempt attempt,
                                       Throttle.Reservation reservation, ClientInfo client, String authorization) {
    String accountAddressKey = attempt.accountAddress().key();
    Limit logins = attempt.logins();
    // The attempt's id ties this step to its second step (or its abandonment) in Activity.
    UUID loginId = UUID.randomUUID();
    Instant now = clock.instant();
    Map<String, String> details = user.twoFactorEnabled()
      ? Map.of(SecurityEvent.LOGIN_ID, loginId.toString(), SecurityEvent.SECOND_FACTOR, "required")
      : Map.of(SecurityEvent.LOGIN_ID, loginId.toString());
    SecurityEvent event = new SecurityEvent(user.id(), SecurityEvent.LOGIN_PASSWORD, true, client, null, details, null);
    Optional<Completion> completion = user.twoFactorEnabled() ? Optional.empty() : completionWrites(user, client, 0);
    // A success counts against the address's logins, gives back the attempt reserved as a failure and clears this
    // address's failures on the account (the account-wide count only decays), in the commit that makes the login.
    Future<LoginOutcome> committed = sessions.endPresented(presentedToken).compose(ended -> user.twoFactorEnabled()
      // A browser the owner trusted skips the code step (TrustedLogin says when it may); else the code step.
      ? trustedLogin.complete(user, attempt, reservation, client, loginId, authorization).compose(trusted -> trusted
        .map(Future::succeededFuture).orElseGet(() -> passwordSteps.passed(pool, logins, accountAddressKey, reservation,
          user.id(), loginId, client, EventOutbox.row(event), now)
        .map(token -> new LoginOutcome(sessions.pendingState(new PendingLogin(user.id(), user.email(), loginId, now, 0)), token))))
      : pool.withTransaction(tx -> throttle.release(tx, reservation)
        .compose(released -> throttle.recordAll(tx, List.of(logins), accountAddressKey))
        .compose(counted -> sessions.open(tx, user, user.sessionEpoch(), null, client))
        // A reset link outlives a completed login: whoever else knows the password must not void the owner's.
        .compose(token -> completion.map(writes -> writes.write(tx)).orElseGet(Future::succeededFuture)
          .map(new LoginOutcome(SessionState.authenticated(user.toUser()), token)))
        .compose(outcome -> auditor.recordWithin(tx, event).map(outcome))));
    return committed
      .onSuccess(written -> {
        auditor.nudge();
        if (completion.isPresent()) {
          mailer.nudge();
        }
      })
      .compose(outcome -> outcome.session().pending() != null ? Future.succeededFuture(outcome)
        : newBrowserNoticed(user, client, outcome));
  }

  /**
   * After a login's commit, one statement tells whether its browser is new to the account (and writes the mail
   * when it is). Kept out of the completing transaction so the second step stays one statement; a failure here
   * costs at most that mail, never the login.
   */
  private Future<LoginOutcome> newBrowserNoticed(UserRow user, ClientInfo client, LoginOutcome outcome) {
    return signIns.completed(pool, user, client)
      .recover(error -> {
        LOG.warn("event=mail.new_sign_in_unwritten user={} error={}", user.id(), error.toString());
        return Future.succeededFuture();
      })
      .map(outcome);
  }

  /**
   * "Don't ask for a code on this browser", ticked at a code step that passed: written after its commit (the step
   * stays one statement); a failure here costs the trust, never the login.
   */
  private Future<Void> trusted(boolean asked, UserRow user, ClientInfo client) {
    return !asked ? Future.succeededFuture() : trust.trust(user, client).recover(error -> {
      LOG.warn("event=trusted_browser.unwritten user={} error={}", user.id(), error.toString());
      return Future.succeededFuture();
    });
  }

  /** Writes that complete a login beyond its session and event, inside the transaction that completes it. */
  private interface Completion {
    Future<Void> write(SqlClient tx);
  }

  /**
   * The one place that decides what else a completed login writes (password-only, or after its second step), in
   * the commit that completes it: a spent recovery code tells the owner how many are left. Empty in the common
   * case, where the second step stays one statement.
   */
  private Optional<Completion> completionWrites(UserRow user, ClientInfo client, int codesUsed) {
    if (codesUsed > 0) {
      return Optional.of(tx -> secondFactor.recoveryCodesLeft(tx, user.id())
        .compose(left -> mailer.notice(tx, user, Mailer.recoveryCodeUsed(left), client, left)));
    }
    return Optional.empty();
  }

  private Future<LoginOutcome> fail(Reserved reserved, PasswordAttempt attempt, ClientInfo client) {
    // The failure is already counted (reserved before the check). Its event, and the owner's one mail when this
    // failure filled the account's ceiling, are not waited for: an unknown email has neither, and the answer must
    // not take longer for a known one.
    reserved.user().ifPresent(u -> {
      auditor.recordUnwaited(SecurityEvent.of(u.id(), SecurityEvent.LOGIN_PASSWORD, false, client));
      if (reserved.reservation().fills(attempt.ceiling())) {
        signIns.ceilingReached(u.id(), client, attempt.ceiling().policy().window());
      }
    });
    return BusFailure.fail(ErrorCode.INVALID_CREDENTIALS);
  }

  public Future<LoginOutcome> totp(dev.twofa.bus.AuthRequests.Code request) {
    return totp(request.sessionToken(), request.code(), request.client(), request.trustBrowser());
  }

  private Future<LoginOutcome> totp(String pendingToken, String code, ClientInfo client, boolean trustBrowser) {
    return secondStep(pendingToken, SecurityEvent.LOGIN_TOTP, client, 0, trustBrowser, user -> {
      // An account whose second factor is a passkey only has no app: any code is wrong (and counted).
      OptionalLong step = user.hasTotp() ? secondFactor.totpStep(user, code) : OptionalLong.empty();
      return Future.succeededFuture(Code.totp(step.isPresent() ? step.getAsLong() : null));
    });
  }

  public Future<LoginOutcome> recoveryCode(dev.twofa.bus.AuthRequests.Code request) {
    return recoveryCode(request.sessionToken(), request.code(), request.client());
  }

  private Future<LoginOutcome> recoveryCode(String pendingToken, String code, ClientInfo client) {
    java.util.concurrent.atomic.AtomicReference<UserRow> checked = new java.util.concurrent.atomic.AtomicReference<>();
    return secondStep(pendingToken, SecurityEvent.LOGIN_RECOVERY_CODE, client, 1, false, user -> {
      checked.set(user);
      return Future.succeededFuture(secondFactor.recoveryDigests(user.id(), code)
        .map(digests -> Code.recovery(digests, secondFactor.burnThroughStep()))
        .orElse(Code.none()));
    })
      // Refused after the write (counted like any wrong code): a code of this set used before says when.
      .recover(error -> error instanceof BusFailure refused && refused.code() == ErrorCode.INVALID_CODE && checked.get() != null
        ? secondFactor.refusal(pool, checked.get().id(), code).compose(Future::failedFuture)
        : Future.failedFuture(error));
  }

  /** A login with a passkey alone (no password): see {@link PasskeySignIn}. */
  public Future<LoginOutcome> passkeySignIn(dev.twofa.bus.AuthRequests.PasskeyAssertion request) {
    return passkeySignIn.signIn(request.sessionToken(), request.credential(), request.client());
  }

  public Future<LoginOutcome> passkey(dev.twofa.bus.AuthRequests.PasskeyAssertion request) {
    return passkey(request.sessionToken(), request.credential(), request.client(), request.trustBrowser());
  }

  /**
   * The second step with a passkey: the assertion is verified (passkey room) against the options this pending
   * login was given, then written like a code (a refused one spends the same budget as a wrong code); the counter
   * it signed is recorded by the same statement, only if it moved forward.
   */
  private Future<LoginOutcome> passkey(String pendingToken, String assertion, ClientInfo client, boolean trustBrowser) {
    return secondStep(pendingToken, SecurityEvent.LOGIN_PASSKEY, client, 0, trustBrowser, user -> passkeys
      .verifyForLogin(user, SessionTokens.hash(pendingToken), assertion, client)
      .map(verified -> verified.map(v -> Code.passkey(v.passkeyId(), v.signCount(), v.keyBinding())).orElse(Code.none())));
  }

  /**
   * The shared shape of both second steps, in two round trips: one statement reads the live pending login with
   * its user; the code is checked here (the TOTP secret is opened in Java only); one more statement
   * ({@link SecondStepRepository}) spends an attempt of the account's budget, uses the code once, and either
   * completes the login (session, event, and any {@link #completionWrites} in the same transaction) or counts
   * the failure (dropping the pending login at its limit), all in one commit. Events are relayed to audit after
   * it, off the request's path.
   */
  private Future<LoginOutcome> secondStep(String pendingToken, String eventType, ClientInfo client, int codesUsed,
                                          boolean trustBrowser, Function<UserRow, Future<Code>> check) {
    if (pendingToken == null || pendingToken.isEmpty()) {
      return BusFailure.fail(ErrorCode.NO_PENDING_LOGIN);
    }
    byte[] pending = SessionTokens.hash(pendingToken);
    Instant now = clock.instant();
    Instant pendingAfter = now.minus(policy.pendingLoginTtl());
    return users.findByPendingLogin(pool, pending, pendingAfter)
      // A pending login whose password "This wasn't me" locked meanwhile is over (one created in that race too).
      .compose(found -> found.filter(p -> p.user().twoFactorEnabled() && !p.user().passwordResetRequired())
        .map(Future::succeededFuture)
        .orElseGet(() -> sessions.dropIfExpired(pending).compose(dropped -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN))))
      .compose(found -> {
        UserRow user = found.user();
        String loginId = found.loginId().toString();
        Map<String, String> attempt = Map.of(SecurityEvent.LOGIN_ID, loginId);
        Events events = new Events(
          EventOutbox.row(new SecurityEvent(user.id(), eventType, true, client, null, attempt, null)),
          EventOutbox.row(new SecurityEvent(user.id(), eventType, false, client, null, attempt, null)),
          EventOutbox.row(new SecurityEvent(user.id(), SecurityEvent.LOGIN_ABANDONED, false, client, null,
            Map.of(SecurityEvent.LOGIN_ID, loginId, SecurityEvent.REASON, "too_many_codes"), null)));
        ThrottlePolicy budget = policy.secondFactor();
        SessionService.Opening session = sessions.opening(user, client);
        return check.apply(user).compose(code -> {
        Budget spent = new Budget(Throttle.secondFactorKey(user.id()), budget.maxAttempts(), now.minus(budget.window()));
        Optional<Completion> completion = completionWrites(user, client, codesUsed);
        // With nothing more to write, the statement's own transaction is enough: one round trip.
        Future<Written> step = completion.isEmpty()
          ? secondSteps.write(pool, pending, pendingAfter, user.id(), code, spent,
              policy.pendingLoginMaxFailures(), session.row(), events, now)
          : pool.withTransaction(tx -> secondSteps.write(tx, pending, pendingAfter, user.id(), code,
                spent, policy.pendingLoginMaxFailures(), session.row(), events, now)
              .compose(written -> Written.COMPLETED.equals(written.outcome())
                ? completion.get().write(tx).map(written) : Future.succeededFuture(written)));
        return step.compose(written -> {
          auditor.nudge();
          return switch (written.outcome()) {
            case Written.COMPLETED -> {
              if (completion.isPresent()) {
                mailer.nudge();
              }
              yield trusted(trustBrowser, user, client).compose(trusted -> newBrowserNoticed(user, client, new LoginOutcome(
                SessionState.authenticated(user.toUser(user.recoveryCodesRemaining() - codesUsed)), session.token())));
            }
            case Written.RATE_LIMITED -> Future.failedFuture(
              BusFailure.rateLimited(Throttle.retryAfter(written.budgetOldest(), budget, now)));
            case Written.NO_PENDING_LOGIN -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN);
            // Its last wrong code dropped the pending login (the event is in the same commit): the owner hears of it.
            case Written.DROPPED -> signIns.mailAbandoned(found.abandoned(written.failures()))
              .compose(mailed -> BusFailure.fail(ErrorCode.INVALID_CODE));
            default -> BusFailure.fail(ErrorCode.INVALID_CODE);
          };
        });
        });
      });
  }
}
