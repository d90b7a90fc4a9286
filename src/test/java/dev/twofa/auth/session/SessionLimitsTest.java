package dev.twofa.auth.session;

import dev.twofa.auth.AuthFixture;
import dev.twofa.auth.AuthFixture.Enrolled;
import dev.twofa.auth.AuthFixture.SignedUp;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.support.Totp;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session's lifetime across its renewals (enable 2FA, a password or app change give it a new cookie value, not
 * a new life) and the cap on a user's live sessions, also under concurrent logins. Sessions idle out after 10
 * minutes and last 1 hour at most here, and a user has at most 3.
 */
class SessionLimitsTest {
  private static final Duration MAX_AGE = Duration.ofHours(1);
  private static final int CAP = 3;
  private static AuthFixture auth;
  private static SessionService sessions;

  @BeforeAll
  static void rooms() {
    auth = AuthFixture.start(Map.of(
      "TWOFA_SESSION_TIMEOUT_MINUTES", "10",
      "TWOFA_SESSION_MAX_HOURS", "1",
      "TWOFA_MAX_SESSIONS_PER_USER", String.valueOf(CAP)));
    sessions = auth.sessions();
  }

  @AfterAll
  static void close() {
    auth.close();
  }

  @Test
  void aPasswordChangeRenewsTheSessionWithoutExtendingIt() {
    SignedUp account = auth.signedUp();
    Instant opened = auth.clock().instant();
    Row before = row(account.sessionToken());
    keepAliveUntil(account.sessionToken(), opened, Duration.ofMinutes(50));

    LoginOutcome changed = await(auth.accounts().changePassword(new AuthRequests.PasswordChange(
      account.sessionToken(), PASSWORD, "copper-lantern-meadow-4412", account.client())));
    String renewed = changed.sessionToken();
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(account.sessionToken())).code(), "the old value is dead");
    Row after = row(renewed);
    assertEquals(before.getUUID("handle"), after.getUUID("handle"), "the same session under a new value");
    assertEquals(instant(before, "created_at"), instant(after, "created_at"), "its login time (auth_time) stays");
    assertEquals(opened.plus(MAX_AGE), instant(after, "expires_at"), "and so does its absolute expiry");

    keepAliveUntil(renewed, auth.clock().instant(), Duration.ofMinutes(9));
    auth.clock().set(opened.plus(MAX_AGE).minusMillis(1));
    await(sessions.signedIn(renewed));
    auth.clock().set(opened.plus(MAX_AGE));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(renewed)).code());
  }

  @Test
  void enabling2faAndChangingTheAppRenewTheSessionWithoutExtendingIt() {
    SignedUp account = auth.signedUp();
    Instant opened = auth.clock().instant();
    String token = account.sessionToken();
    String secret = await(auth.twoFactor().setup(new AuthRequests.Session(token, account.client()))).secret();
    keepAliveUntil(token, opened, Duration.ofMinutes(30));
    token = await(auth.twoFactor().enable(new AuthRequests.Code(token, Totp.code(secret, auth.clock().instant()),
      account.client()))).sessionToken();
    assertEquals(opened.plus(MAX_AGE), instant(row(token), "expires_at"));
    assertEquals(opened, instant(row(token), "created_at"));

    auth.nextStep();
    await(sessionsStepUp(token, Totp.code(secret, auth.clock().instant()), account.client()));
    String newSecret = await(auth.twoFactor().changeStart(new AuthRequests.Session(token, account.client()))).secret();
    token = await(auth.twoFactor().changeConfirm(new AuthRequests.Code(token,
      Totp.code(newSecret, auth.clock().instant()), account.client()))).sessionToken();
    assertEquals(opened.plus(MAX_AGE), instant(row(token), "expires_at"));
    assertEquals(opened, instant(row(token), "created_at"));
  }

  @Test
  void openingOneMoreThanTheCapEndsTheLeastRecentlyUsed() {
    SignedUp account = auth.signedUp();
    String second = open(account);
    String third = open(account);
    auth.clock().advance(Duration.ofMinutes(2));
    await(sessions.signedIn(account.sessionToken()));
    await(sessions.signedIn(third));
    String fourth = open(account);
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(second)).code(), "the one unused longest ends");
    for (String live : List.of(account.sessionToken(), third, fourth)) {
      await(sessions.signedIn(live));
    }
    assertEquals(CAP, liveSessions(account.user().id()));
  }

  @Test
  void concurrentLoginsNeverLeaveMoreThanTheCap() {
    SignedUp account = auth.signedUp();
    List<Future<String>> opened = IntStream.range(0, 12).mapToObj(i -> sessions.open(auth.db().pool(),
      account.user(), account.user().sessionEpoch(), null, AuthFixture.newClient())).toList();
    await(Future.all(opened));
    assertEquals(CAP, liveSessions(account.user().id()));
  }

  @Test
  void concurrentSecondStepsNeverLeaveMoreThanTheCap() {
    Enrolled account = auth.enrolled();
    List<String> pending = IntStream.range(0, 6).mapToObj(i -> await(auth.logins().password(
      new AuthRequests.Credentials(null, account.email(), PASSWORD, account.client()))).sessionToken()).toList();
    List<Future<LoginOutcome>> logins = IntStream.range(0, pending.size()).mapToObj(i -> auth.logins().recoveryCode(
      new AuthRequests.Code(pending.get(i), account.recoveryCodes().get(i), account.client()))).toList();
    await(Future.all(logins));
    assertEquals(CAP, liveSessions(account.user().id()));
    assertTrue(logins.stream().allMatch(Future::succeeded), "every login completes; the oldest sessions end");
  }

  private static Future<Void> sessionsStepUp(String token, String code, ClientInfo client) {
    return auth.stepUp().stepUp(new AuthRequests.StepUp(token, PASSWORD, code, null, client));
  }

  private static String open(SignedUp account) {
    return await(sessions.open(auth.db().pool(), account.user(), account.user().sessionEpoch(), null, account.client()));
  }

  /** Uses the session every 9 minutes (it idles out after 10) up to {@code from + until}. */
  private static void keepAliveUntil(String token, Instant from, Duration until) {
    for (Duration at = Duration.ofMinutes(9); at.compareTo(until) < 0; at = at.plusMinutes(9)) {
      auth.clock().set(from.plus(at));
      await(sessions.signedIn(token));
    }
    auth.clock().set(from.plus(until));
    await(sessions.signedIn(token));
  }

  private static int liveSessions(long userId) {
    return auth.count("SELECT count(*)::int FROM sessions s JOIN users u ON u.id = s.user_id "
      + "WHERE s.user_id = $1 AND s.epoch = u.session_epoch", userId);
  }

  private static Row row(String token) {
    return auth.query("SELECT handle, created_at, expires_at FROM sessions WHERE token_hash = $1",
      Buffer.buffer(SessionTokens.hash(token))).get(0);
  }

  private static Instant instant(Row row, String column) {
    return row.getOffsetDateTime(column).toInstant();
  }
}
