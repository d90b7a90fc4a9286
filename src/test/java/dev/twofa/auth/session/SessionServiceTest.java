package dev.twofa.auth.session;

import dev.twofa.bus.AuthRequests;
import dev.twofa.auth.AuthFixture;
import dev.twofa.auth.AuthFixture.SignedUp;
import dev.twofa.auth.account.UserRow;
import dev.twofa.bus.AuthReplies.SessionInfo;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.auth.AuthFixture.await;
import static dev.twofa.auth.AuthFixture.failure;
import static dev.twofa.db.SqlTime.utc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session room's door on a real PostgreSQL, with the clock under the test's control: sessions opened,
 * resolved, expiring when idle and at their absolute limit, revoked, ended together, logged out and purged, and
 * the pending login's state up to its drop. Sessions idle out after 10 minutes and last 1 hour at most here;
 * pending logins last 4 minutes and allow 3 wrong codes, so no number passes by matching a default.
 */
class SessionServiceTest {
  private static final Duration IDLE = Duration.ofMinutes(10);
  private static final Duration MAX_AGE = Duration.ofHours(1);
  private static final Duration PENDING_TTL = Duration.ofMinutes(4);
  private static AuthFixture auth;
  private static SessionService sessions;

  @BeforeAll
  static void rooms() {
    auth = AuthFixture.start(Map.of(
      "TWOFA_SESSION_TIMEOUT_MINUTES", "10",
      "TWOFA_SESSION_MAX_HOURS", "1",
      "TWOFA_PENDING_LOGIN_MINUTES", "4",
      "TWOFA_PENDING_LOGIN_MAX_FAILURES", "3"));
    sessions = auth.sessions();
  }

  @AfterAll
  static void close() {
    auth.close();
  }

  @Test
  void anOpenedSessionResolvesToItsUserAndOnlyItsHashIsStored() {
    SignedUp account = auth.signedUp();
    UserRow user = account.user();
    Instant now = auth.clock().instant();
    String token = await(sessions.open(auth.db().pool(), user, user.sessionEpoch(), null, account.client()));

    SignedIn session = await(sessions.signedIn(token));
    assertEquals(user.id(), session.user().id());
    assertFalse(session.secondFactor());
    assertArrayEquals(SessionTokens.hash(token), session.tokenHash());
    Row row = auth.query("SELECT * FROM sessions WHERE handle = $1", session.handle()).get(0);
    assertArrayEquals(SessionTokens.hash(token), row.getBuffer("token_hash").getBytes());
    assertEquals(now.plus(MAX_AGE), row.getOffsetDateTime("expires_at").toInstant());
    assertEquals(account.client().ip(), row.getString("ip"));
    assertEquals(0, auth.count("SELECT count(*)::int FROM sessions WHERE token_hash = $1",
      Buffer.buffer(token.getBytes())), "the cookie's value itself is nowhere");

    SessionState state = await(sessions.state(new AuthRequests.Session(token, ClientInfo.UNKNOWN)));
    assertEquals("authenticated", state.state());
    assertEquals(account.email(), state.user().email());
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(SessionTokens.newToken())).code());
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(null)).code());
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(SessionTokens.newToken(), ClientInfo.UNKNOWN))));
  }

  @Test
  void aSessionOpenedAfterASecondFactorSaysSo() {
    SignedUp account = auth.signedUp();
    String token = await(sessions.open(auth.db().pool(), account.user(), account.user().sessionEpoch(),
      auth.clock().instant(), account.client()));
    assertTrue(await(sessions.signedIn(token)).secondFactor());
  }

  @Test
  void openingPreparesTheSessionRowForTheSecondStepsStatement() {
    SignedUp account = auth.signedUp();
    SessionService.Opening opening = sessions.opening(account.user(), account.client());
    assertArrayEquals(SessionTokens.hash(opening.token()), opening.row().tokenHash());
    assertEquals(account.user().sessionEpoch(), opening.row().epoch());
    assertEquals(auth.clock().instant().plus(MAX_AGE), opening.row().expiresAt());
    assertEquals(account.client().ip(), opening.row().ip());
    assertEquals(account.client().userAgent(), opening.row().userAgent());
  }

  @Test
  void aSessionOfAnEarlierEpochNoLongerResolves() {
    SignedUp account = auth.signedUp();
    auth.query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1", account.user().id());
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(account.sessionToken())).code());
  }

  @Test
  void aSessionExpiresWhenIdleForTheTimeoutAndUseKeepsItAlive() {
    SignedUp account = auth.signedUp();
    Instant opened = auth.clock().instant();
    String idleA = open(account);
    String idleB = open(account);
    String used = open(account);

    auth.clock().advance(Duration.ofSeconds(30));
    await(sessions.signedIn(used));
    assertEquals(opened, lastSeen(used), "a read within a minute of the last does not write");
    auth.clock().set(opened.plus(IDLE).minusSeconds(60));
    await(sessions.signedIn(used));
    assertEquals(opened.plus(IDLE).minusSeconds(60), lastSeen(used));

    auth.clock().set(opened.plus(IDLE).minusMillis(1));
    await(sessions.signedIn(idleA));
    auth.clock().set(opened.plus(IDLE));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(idleB)).code(), "idle for exactly the timeout");
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(idleB, ClientInfo.UNKNOWN))));
    await(sessions.signedIn(used));
  }

  @Test
  void aSessionInUseEndsAtItsAbsoluteLimit() {
    SignedUp account = auth.signedUp();
    Instant opened = auth.clock().instant();
    String token = open(account);
    for (Duration at = Duration.ofMinutes(9); at.compareTo(MAX_AGE) < 0; at = at.plusMinutes(9)) {
      auth.clock().set(opened.plus(at));
      await(sessions.signedIn(token));
    }
    auth.clock().set(opened.plus(MAX_AGE).minusMillis(1));
    await(sessions.signedIn(token));
    auth.clock().set(opened.plus(MAX_AGE));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(token)).code());
  }

  @Test
  void revokeEndsOneOfTheUsersOwnSessionsOnly() {
    SignedUp account = auth.signedUp();
    String other = open(account);
    SignedUp stranger = auth.signedUp();
    List<SessionInfo> listed = await(sessions.list(new AuthRequests.Session(account.sessionToken(), ClientInfo.UNKNOWN))).sessions();
    assertEquals(2, listed.size());
    assertTrue(listed.get(0).current(), "the current session comes first");
    String otherHandle = listed.get(1).id();
    String strangersHandle = await(sessions.list(new AuthRequests.Session(stranger.sessionToken(), ClientInfo.UNKNOWN))).sessions().get(0).id();

    await(sessions.revoke(new AuthRequests.RevokeSession(account.sessionToken(), otherHandle, account.client())));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(other)).code());
    await(sessions.signedIn(account.sessionToken()));
    assertEquals(ErrorCode.SESSION_NOT_FOUND,
      failure(sessions.revoke(new AuthRequests.RevokeSession(account.sessionToken(), otherHandle, account.client()))).code(), "already ended");
    assertEquals(ErrorCode.SESSION_NOT_FOUND,
      failure(sessions.revoke(new AuthRequests.RevokeSession(account.sessionToken(), "not-a-handle", account.client()))).code());
    assertEquals(ErrorCode.SESSION_NOT_FOUND,
      failure(sessions.revoke(new AuthRequests.RevokeSession(account.sessionToken(), strangersHandle, account.client()))).code());
    await(sessions.signedIn(stranger.sessionToken()));
    assertEquals(ErrorCode.UNAUTHENTICATED,
      failure(sessions.revoke(new AuthRequests.RevokeSession(other, account.sessionToken(), account.client()))).code(), "an ended session revokes nothing");
    assertEquals(1, auth.eventTypes(account.user().id()).stream().filter(SecurityEvent.SESSION_REVOKED::equals).count());
  }

  @Test
  void endOthersEndsEveryOtherSessionAndTheUsersPendingLoginsAndKeepsTheNamedOne() {
    SignedUp account = auth.signedUp();
    String second = open(account);
    String third = open(account);
    pendingLogin(account);
    pendingLogin(account);
    SignedUp bystander = auth.signedUp();
    String bystandersPending = pendingLogin(bystander);

    await(auth.db().pool().withTransaction(tx ->
      sessions.endOthers(tx, account.user().id(), SessionTokens.hash(account.sessionToken()))));
    await(sessions.signedIn(account.sessionToken()));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(second)).code());
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(third)).code());
    assertEquals(0, auth.count("SELECT count(*)::int FROM pending_logins WHERE user_id = $1", account.user().id()));
    await(sessions.signedIn(bystander.sessionToken()));
    assertEquals("pending_2fa", await(sessions.state(new AuthRequests.Session(bystandersPending, ClientInfo.UNKNOWN))).state());

    await(auth.db().pool().withTransaction(tx -> sessions.endOthers(tx, account.user().id(), null)));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(account.sessionToken())).code(),
      "none kept when none is named");
  }

  @Test
  void logoutEndsTheSessionAndRecordsIt() {
    SignedUp account = auth.signedUp();
    String other = open(account);
    await(sessions.logout(new AuthRequests.Session(account.sessionToken(), account.client())));
    assertEquals(ErrorCode.UNAUTHENTICATED, failure(sessions.signedIn(account.sessionToken())).code());
    await(sessions.signedIn(other));
    assertEquals(1, auth.eventTypes(account.user().id()).stream().filter(SecurityEvent.LOGOUT::equals).count());

    await(sessions.logout(new AuthRequests.Session(account.sessionToken(), account.client())));
    await(sessions.logout(new AuthRequests.Session(SessionTokens.newToken(), ClientInfo.UNKNOWN)));
    assertEquals(1, auth.eventTypes(account.user().id()).stream().filter(SecurityEvent.LOGOUT::equals).count(),
      "logging out of nothing succeeds and records nothing");
  }

  @Test
  void logoutOfAPendingLoginEndsIt() {
    SignedUp account = auth.signedUp();
    String pending = pendingLogin(account);
    await(sessions.logout(new AuthRequests.Session(pending, account.client())));
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))));
    assertEquals(0, auth.count("SELECT count(*)::int FROM pending_logins WHERE user_id = $1", account.user().id()));
  }

  @Test
  void thePendingStateCountsDownTriesAndTimeThenTheExpiredLoginIsDroppedAndReportedOnce() {
    SignedUp account = auth.signedUp();
    Instant created = auth.clock().instant();
    String pending = pendingLogin(account);
    SessionState state = await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN)));
    assertEquals(SessionState.PENDING_2FA, state.state());
    assertEquals(240, state.pending().secondsLeft());
    assertEquals(3, state.pending().triesLeft());
    assertEquals(account.email(), state.pending().email());
    assertEquals(created.plus(PENDING_TTL).toString(), state.pending().expiresAt());

    wrongCode(SessionTokens.hash(pending));
    auth.clock().advance(Duration.ofSeconds(61));
    state = await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN)));
    assertEquals(2, state.pending().triesLeft());
    assertEquals(179, state.pending().secondsLeft());

    auth.clock().set(created.plus(PENDING_TTL).plusSeconds(1));
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))));
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))));
    assertEquals(0, auth.count("SELECT count(*)::int FROM pending_logins WHERE user_id = $1", account.user().id()));
    List<Row> abandoned = abandonedEvents(account);
    assertEquals(1, abandoned.size(), "reported by the call that dropped it, once");
    assertEquals("expired", abandoned.get(0).getString("reason"));
    assertEquals("1", abandoned.get(0).getString("failures"));
  }

  @Test
  void aPendingLoginIsDroppedAtItsMaxFailures() {
    SignedUp account = auth.signedUp();
    String pending = pendingLogin(account);
    byte[] hash = SessionTokens.hash(pending);
    assertEquals(1, wrongCode(hash));
    assertEquals(2, wrongCode(hash));
    assertEquals(3, wrongCode(hash), "the third wrong code drops it");
    assertEquals(0, auth.count("SELECT count(*)::int FROM pending_logins WHERE token_hash = $1", Buffer.buffer(hash)));
    assertEquals(SessionState.ANONYMOUS, await(sessions.state(new AuthRequests.Session(pending, ClientInfo.UNKNOWN))));
  }

  @Test
  void purgeDeletesWhatIsPastItsLimitsAndReportsExpiredPendingLogins() {
    SignedUp account = auth.signedUp();
    Instant t0 = auth.clock().instant();
    String pastMaxAge = open(account);
    String pastIdle = null;
    String oldPending = null;
    for (Duration at = Duration.ofMinutes(9); at.compareTo(MAX_AGE) < 0; at = at.plusMinutes(9)) {
      auth.clock().set(t0.plus(at));
      await(sessions.signedIn(pastMaxAge));   // kept from idling out: only its absolute limit ends it
      if (at.equals(Duration.ofMinutes(45))) {
        pastIdle = open(account);
        oldPending = pendingLogin(account);
      }
    }
    Instant now = t0.plus(MAX_AGE);
    auth.clock().set(now);
    String live = open(account);
    String livePending = pendingLogin(account);
    String key = "test:" + UUID.randomUUID();
    Duration longestWindow = Duration.ofHours(24);   // the second factor's and the account's password window
    auth.query("INSERT INTO throttle_attempts (key, at) VALUES ($1, $2), ($1, $3)", key,
      utc(now.minus(longestWindow).minusSeconds(1)), utc(now.minus(longestWindow).plusSeconds(1)));

    int purged = await(sessions.purge());
    assertTrue(purged >= 2, "at least this test's two sessions: " + purged);
    assertEquals(List.of(live), List.of(pastMaxAge, pastIdle, live).stream()
      .filter(token -> exists("sessions", token)).toList());
    assertFalse(exists("pending_logins", oldPending));
    assertTrue(exists("pending_logins", livePending));
    List<Row> abandoned = abandonedEvents(account);
    assertEquals(1, abandoned.size());
    assertEquals("expired", abandoned.get(0).getString("reason"));
    assertEquals(List.of(now.minus(longestWindow).plusSeconds(1)),
      auth.query("SELECT at FROM throttle_attempts WHERE key = $1", key).stream()
        .map(row -> row.getOffsetDateTime("at").toInstant()).toList());
  }

  private String open(SignedUp account) {
    return await(sessions.open(auth.db().pool(), account.user(), account.user().sessionEpoch(), null, account.client()));
  }

  /** A login of the account waiting for its second factor, created now by the room's own SQL (R__session.sql). */
  private static String pendingLogin(SignedUp account) {
    String token = SessionTokens.newToken();
    auth.query("SELECT pending_login_create($1, $2, $3, $4, $5, $6)", Buffer.buffer(SessionTokens.hash(token)),
      account.user().id(), UUID.randomUUID(), utc(auth.clock().instant()), account.client().ip(),
      account.client().userAgent());
    return token;
  }

  /** A wrong code counted against the pending login as the second step counts it; the failures so far. */
  private static int wrongCode(byte[] pendingHash) {
    return auth.query("SELECT pending_login_fail($1, 3) AS failures", Buffer.buffer(pendingHash)).get(0)
      .getInteger("failures");
  }

  private static Instant lastSeen(String token) {
    return auth.query("SELECT last_seen_at FROM sessions WHERE token_hash = $1", Buffer.buffer(SessionTokens.hash(token)))
      .get(0).getOffsetDateTime("last_seen_at").toInstant();
  }

  private static boolean exists(String table, String token) {
    return auth.count("SELECT count(*)::int FROM " + table + " WHERE token_hash = $1",
      Buffer.buffer(SessionTokens.hash(token))) == 1;
  }

  private static List<Row> abandonedEvents(SignedUp account) {
    return auth.query("""
        SELECT event->'details'->>'reason' AS reason, event->'details'->>'failures' AS failures FROM event_outbox
        WHERE (event->>'userId')::bigint = $1 AND event->>'type' = $2 ORDER BY id
        """, account.user().id(), SecurityEvent.LOGIN_ABANDONED);
  }
}
