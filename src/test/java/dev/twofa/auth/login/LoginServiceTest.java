package dev.twofa.auth.login;

import dev.twofa.bus.AuthRequests;
import dev.twofa.auth.AuthFixture;
import dev.twofa.auth.AuthFixture.Enrolled;
import dev.twofa.auth.AuthFixture.SignedUp;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.twofa.auth.AuthFixture.PASSWORD;
import static dev.twofa.auth.AuthFixture.await;
import static dev.twofa.auth.AuthFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-step login through LoginService's door on a real PostgreSQL, the clock under the test's control and
 * TOTP codes computed as the user's app computes them. Limits are set low and unlike the defaults: 3 password
 * failures per account and address in 15 minutes, 3 wrong codes per pending login, 6 second-factor attempts per
 * account an hour.
 */
class LoginServiceTest {
  private static final int PASSWORD_FAILURES = 3;
  private static final int CODE_FAILURES = 3;
  private static final int SECOND_FACTOR_BUDGET = 6;
  private static AuthFixture auth;
  private static LoginService logins;
  private static SessionService sessions;

  @BeforeAll
  static void rooms() {
    auth = AuthFixture.start(Map.of(
      "TWOFA_PASSWORD_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS", String.valueOf(PASSWORD_FAILURES),
      "TWOFA_PENDING_LOGIN_MAX_FAILURES", String.valueOf(CODE_FAILURES),
      "TWOFA_SECOND_FACTOR_MAX_ATTEMPTS", String.valueOf(SECOND_FACTOR_BUDGET),
      "TWOFA_SECOND_FACTOR_WINDOW_HOURS", "1"));
    logins = auth.logins();
    sessions = auth.sessions();
  }

  @AfterAll
  static void close() {
    auth.close();
  }

  @Test
  void theRightPasswordOfAnAccountWithout2faOpensASession() {
    SignedUp account = auth.signedUp();
    LoginOutcome outcome = await(logins.password(new AuthRequests.Credentials(null, " " + account.email().toUpperCase() + " ", PASSWORD,
      account.client())));
    assertEquals("authenticated", outcome.session().state());
    assertEquals(account.email(), outcome.session().user().email());
    var session = await(sessions.signedIn(outcome.sessionToken()));
    assertEquals(account.user().id(), session.user().id());
    assertFalse(session.secondFactor());
    assertTrue(auth.eventTypes(account.user().id()).contains(SecurityEvent.LOGIN_PASSWORD));
  }

  @Test
  void theRightPasswordOfAnAccountWith2faOpensAPendingLoginAndEndsThePresentedSession() {
    Enrolled account = auth.enrolled();
    LoginOutcome outcome = await(logins.password(new AuthRequests.Credentials(account.sessionToken(), account.email(), PASSWORD, account.client())));
    assertEquals(SessionState.PENDING_2FA, outcome.session().state());
    assertEquals(CODE_FAILURES, outcome.session().pending().triesLeft());
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(outcome.sessionToken())).code(),
      "a pending login is no session");
    assertEquals(SessionState.PENDING_2FA, await(sessions.state(new AuthRequests.Session(outcome.sessionToken(), ClientInfo.UNKNOWN))).state());
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(account.sessionToken())).code(),
      "the cookie the browser came with is ended");
  }

  @Test
  void aWrongPasswordAnUnknownEmailAndAMalformedOneGetTheSameAnswer() {
    SignedUp account = auth.signedUp();
    ClientInfo client = AuthFixture.newClient();
    BusFailure wrong = failure(logins.password(new AuthRequests.Credentials(null, account.email(), "not-" + PASSWORD, client)));
    BusFailure unknown = failure(logins.password(new AuthRequests.Credentials(null, AuthFixture.uniqueEmail(), PASSWORD, client)));
    BusFailure malformed = failure(logins.password(new AuthRequests.Credentials(null, "not an email", PASSWORD, client)));
    assertEquals(ErrorCode.INVALID_CREDENTIALS, wrong.code());
    for (BusFailure other : List.of(unknown, malformed)) {
      assertEquals(wrong.code(), other.code());
      assertEquals(wrong.text(), other.text());
      assertEquals(wrong.retryAfterSeconds(), other.retryAfterSeconds());
    }
    assertEquals(3, attempts(Throttle.passwordAddressKey(client.ip())), "each counts against the address");
    assertEquals(1, attempts(Throttle.passwordAccountAddressKey(account.email(), client.ip())));
  }

  /**
   * After "This wasn't me" (the flag set here directly): the right password is refused with its own code and is
   * not a guess, so more refusals than the failure limit leave a wrong password its ordinary answer; they count
   * under the address's logins, and nothing is opened.
   */
  @Test
  void theRightPasswordOfALockedAccountIsRefusedWithItsOwnCodeAndIsNotCountedAsAGuess() {
    SignedUp account = auth.signedUp();
    auth.query("UPDATE users SET password_reset_required = true WHERE id = $1 RETURNING id", account.user().id());
    ClientInfo stranger = AuthFixture.newClient();
    int sessionsBefore = auth.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", account.user().id());
    for (int i = 0; i <= PASSWORD_FAILURES; i++) {
      assertEquals(ErrorCode.PASSWORD_RESET_REQUIRED,
        failure(logins.password(new AuthRequests.Credentials(null, account.email(), PASSWORD, stranger))).code());
    }
    assertEquals(ErrorCode.INVALID_CREDENTIALS,
      failure(logins.password(new AuthRequests.Credentials(null, account.email(), "wrong-" + PASSWORD, stranger))).code());
    assertEquals(1, attempts(Throttle.passwordAccountAddressKey(account.email(), stranger.ip())), "only the wrong one");
    assertEquals(PASSWORD_FAILURES + 1, attempts(Throttle.loginsAddressKey(stranger.ip())));
    assertEquals(sessionsBefore, auth.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", account.user().id()),
      "no session opened");
  }

  @Test
  void passwordFailuresAreThrottledPerAccountAndAddressUntilTheWindowPasses() {
    SignedUp account = auth.signedUp();
    ClientInfo guesser = AuthFixture.newClient();
    for (int i = 0; i < PASSWORD_FAILURES; i++) {
      assertEquals(ErrorCode.INVALID_CREDENTIALS,
        failure(logins.password(new AuthRequests.Credentials(null, account.email(), "wrong-" + i, guesser))).code());
      auth.clock().advance(Duration.ofSeconds(10));
    }
    BusFailure locked = failure(logins.password(new AuthRequests.Credentials(null, account.email(), PASSWORD, guesser)));
    assertEquals(ErrorCode.RATE_LIMITED, locked.code());
    assertEquals(Duration.ofMinutes(15).minusSeconds(30).toSeconds(), locked.retryAfterSeconds(),
      "until the first failure leaves the 15-minute window");
    assertEquals("authenticated", await(logins.password(new AuthRequests.Credentials(null, account.email(), PASSWORD, AuthFixture.newClient())))
      .session().state(), "the owner, from elsewhere, is not locked out");

    auth.clock().advance(Duration.ofSeconds(locked.retryAfterSeconds()));
    assertEquals("authenticated", await(logins.password(new AuthRequests.Credentials(null, account.email(), PASSWORD, guesser))).session().state());
    assertEquals(0, attempts(Throttle.passwordAccountAddressKey(account.email(), guesser.ip())),
      "a success forgets this address's failures on the account");
  }

  @Test
  void aCorrectTotpCodeCompletesTheLoginWithATwoFactorSession() {
    Enrolled account = auth.enrolled();
    String pending = pendingLogin(account);
    long step = auth.clock().instant().getEpochSecond() / 30;
    LoginOutcome outcome = await(logins.totp(new AuthRequests.Code(pending, auth.currentCode(account), account.client())));
    assertEquals("authenticated", outcome.session().state());
    assertTrue(await(sessions.signedIn(outcome.sessionToken())).secondFactor());
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))), "the pending login is used up");
    assertEquals(step, auth.user(account.email()).totpLastStep());

    List<Row> steps = auth.query("""
        SELECT event->>'type' AS type, event->'details'->>'loginId' AS login_id FROM event_outbox
        WHERE (event->>'userId')::bigint = $1 AND event->>'type' IN ('login.password', 'login.totp') ORDER BY id
        """, account.user().id());
    assertEquals(List.of(SecurityEvent.LOGIN_PASSWORD, SecurityEvent.LOGIN_TOTP),
      steps.stream().map(row -> row.getString("type")).toList());
    assertEquals(steps.get(0).getString("login_id"), steps.get(1).getString("login_id"), "one attempt, one loginId");
  }

  @Test
  void theSameCodeTwiceIsRefusedAsAReplay() {
    Enrolled account = auth.enrolled();
    String code = auth.currentCode(account);
    await(logins.totp(new AuthRequests.Code(pendingLogin(account), code, account.client())));
    String again = pendingLogin(account);
    assertEquals(ErrorCode.INVALID_CODE, failure(logins.totp(new AuthRequests.Code(again, code, account.client()))).code());
    assertEquals(CODE_FAILURES - 1, await(sessions.state(new AuthRequests.Session(again, ClientInfo.UNKNOWN))).pending().triesLeft(), "the replay counts as wrong");
  }

  @Test
  void aWrongCodeIsCountedAgainstThePendingLoginAndTheAccountsBudget() {
    Enrolled account = auth.enrolled();
    String pending = pendingLogin(account);
    assertEquals(ErrorCode.INVALID_CODE, failure(logins.totp(new AuthRequests.Code(pending, auth.wrongCode(account), account.client()))).code());
    assertEquals(ErrorCode.INVALID_CODE, failure(logins.recoveryCode(new AuthRequests.Code(pending, "zzzzz-22222", account.client()))).code());
    assertEquals(CODE_FAILURES - 2, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))).pending().triesLeft());
    assertEquals(2, attempts(Throttle.secondFactorKey(account.user().id())));

    await(logins.totp(new AuthRequests.Code(pending, auth.currentCode(account), account.client())));
    assertEquals(0, attempts(Throttle.secondFactorKey(account.user().id())), "a correct code clears the budget");
  }

  @Test
  void thePendingLoginIsDroppedAtItsMaxFailures() {
    Enrolled account = auth.enrolled();
    String pending = pendingLogin(account);
    for (int i = 0; i < CODE_FAILURES; i++) {
      assertEquals(ErrorCode.INVALID_CODE, failure(logins.totp(new AuthRequests.Code(pending, auth.wrongCode(account), account.client()))).code());
    }
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))));
    assertEquals(ErrorCode.NO_PENDING_LOGIN,
      failure(logins.totp(new AuthRequests.Code(pending, auth.currentCode(account), account.client()))).code(), "even the right code is too late");
    List<Row> abandoned = auth.query("""
        SELECT event->'details'->>'reason' AS reason, event->'details'->>'failures' AS failures FROM event_outbox
        WHERE (event->>'userId')::bigint = $1 AND event->>'type' = 'login.abandoned'
        """, account.user().id());
    assertEquals(1, abandoned.size());
    assertEquals("too_many_codes", abandoned.get(0).getString("reason"));
    assertEquals(String.valueOf(CODE_FAILURES), abandoned.get(0).getString("failures"));
    assertEquals("authenticated", await(logins.totp(new AuthRequests.Code(pendingLogin(account), auth.currentCode(account), account.client())))
      .session().state(), "redoing the password step works");
  }

  @Test
  void aRecoveryCodeCompletesOneLoginOnly() {
    Enrolled account = auth.enrolled();
    String code = account.recoveryCodes().get(3);
    LoginOutcome outcome = await(logins.recoveryCode(new AuthRequests.Code(pendingLogin(account), code.toUpperCase(), account.client())));
    assertEquals("authenticated", outcome.session().state());
    assertEquals(account.recoveryCodes().size() - 1, outcome.session().user().recoveryCodesRemaining());
    assertEquals(account.recoveryCodes().size() - 1,
      auth.count("SELECT count(*)::int FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", account.user().id()));
    assertEquals(ErrorCode.RECOVERY_CODE_USED, failure(logins.recoveryCode(new AuthRequests.Code(pendingLogin(account), code, account.client()))).code());
    assertEquals("authenticated", await(logins.recoveryCode(new AuthRequests.Code(pendingLogin(account), account.recoveryCodes().get(4),
      account.client()))).session().state(), "another code still works");
  }

  @Test
  void anExhaustedSecondFactorBudgetIsRateLimitedWithTheWaitThenFreesUp() {
    Enrolled account = auth.enrolled();
    Instant first = auth.clock().instant();
    for (int round = 0; round < SECOND_FACTOR_BUDGET / CODE_FAILURES; round++) {
      String pending = pendingLogin(account);
      for (int i = 0; i < CODE_FAILURES; i++) {
        assertEquals(ErrorCode.INVALID_CODE, failure(logins.totp(new AuthRequests.Code(pending, auth.wrongCode(account), account.client()))).code());
      }
      auth.clock().advance(Duration.ofMinutes(1));
    }
    String pending = pendingLogin(account);
    BusFailure refused = failure(logins.totp(new AuthRequests.Code(pending, auth.currentCode(account), account.client())));
    assertEquals(ErrorCode.RATE_LIMITED, refused.code());
    long expectedWait = Duration.between(auth.clock().instant(), first.plus(Duration.ofHours(1))).toSeconds();
    assertEquals(expectedWait, refused.retryAfterSeconds(), "until the first wrong code leaves the hour");
    assertEquals(ErrorCode.RATE_LIMITED,
      failure(logins.recoveryCode(new AuthRequests.Code(pending, account.recoveryCodes().get(0), account.client()))).code());
    assertEquals(CODE_FAILURES, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))).pending().triesLeft(), "a refused attempt is not a wrong code");
    assertEquals(SECOND_FACTOR_BUDGET, attempts(Throttle.secondFactorKey(account.user().id())));

    auth.clock().advance(Duration.ofSeconds(refused.retryAfterSeconds()));
    assertEquals("authenticated", await(logins.totp(new AuthRequests.Code(pendingLogin(account), auth.currentCode(account),
      account.client()))).session().state());
  }

  @Test
  void concurrentSecondStepsWithOneCodeCompleteExactlyOnce() {
    Enrolled account = auth.enrolled();
    int attempts = SECOND_FACTOR_BUDGET;   // the losers' wrong codes stay within the budget
    List<String> pendings = IntStream.range(0, attempts).mapToObj(i -> pendingLogin(account)).toList();
    String code = auth.currentCode(account);
    int sessionsBefore = auth.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", account.user().id());

    List<Future<String>> outcomes = pendings.stream()
      .map(pending -> logins.totp(new AuthRequests.Code(pending, code, account.client()))
        .map(outcome -> outcome.session().state())
        .recover(error -> Future.succeededFuture(error instanceof BusFailure failure ? failure.code().code() : error.toString())))
      .toList();
    List<String> answers = await(Future.all(outcomes)).list();
    assertEquals(1, answers.stream().filter("authenticated"::equals).count(), answers.toString());
    assertEquals(attempts - 1, answers.stream().filter(ErrorCode.INVALID_CODE.code()::equals).count(), answers.toString());
    assertEquals(sessionsBefore + 1, auth.count("SELECT count(*)::int FROM sessions WHERE user_id = $1",
      account.user().id()));
  }

  /** Passes the password step of the account (2FA on) from its own client; returns the pending login's cookie value. */
  private static String pendingLogin(Enrolled account) {
    LoginOutcome outcome = await(logins.password(new AuthRequests.Credentials(null, account.email(), PASSWORD, account.client())));
    assertEquals(SessionState.PENDING_2FA, outcome.session().state());
    assertNotEquals(0, auth.count("SELECT count(*)::int FROM pending_logins WHERE token_hash = $1",
      Buffer.buffer(SessionTokens.hash(outcome.sessionToken()))));
    return outcome.sessionToken();
  }

  private static int attempts(String key) {
    return auth.count("SELECT count(*)::int FROM throttle_attempts WHERE key = $1", key);
  }
}
