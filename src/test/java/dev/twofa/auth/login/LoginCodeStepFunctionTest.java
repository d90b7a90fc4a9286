package dev.twofa.auth.login;

import dev.twofa.auth.MigratedDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The SQL function login_code_step (R__login.sql) on its own: each outcome on rows inserted here into a freshly migrated
 * database, called as a prepared statement with no Java service, and the rows it leaves behind. The call is in
 * {@link #secondStep} only, so a change of the function's signature is a change there.
 */
class LoginCodeStepFunctionTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:15Z");
  private static final Duration PENDING_TTL = Duration.ofMinutes(5);
  private static final Duration WINDOW = Duration.ofHours(1);
  private static final int BUDGET = 5;
  private static final int MAX_FAILURES = 3;
  private static final long LAST_STEP = NOW.getEpochSecond() / 30 - 1;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static MigratedDatabase db;

  @BeforeAll
  static void database() {
    db = MigratedDatabase.start(2);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  /** The code as the Java side checked it: the TOTP step it matched, or a recovery code's candidate digests. */
  record Code(Long totpStep, List<byte[]> recoveryDigests, Long burnThrough) {
    static Code totp(long step) {
      return new Code(step, null, null);
    }

    static Code recovery(List<byte[]> digests, long burnThrough) {
      return new Code(null, digests, burnThrough);
    }
  }

  /** A user with 2FA on, three recovery codes, a reset link, and one pending login. */
  record Seeded(long userId, byte[] pendingHash, List<byte[]> recoveryDigests, String budgetKey) {
  }

  /** What the function answered, and the session it was offered (opened only when the login completes). */
  record Result(String outcome, Instant budgetOldest, int failures, byte[] sessionHash, UUID sessionHandle) {
  }

  @Test
  void aCorrectTotpCodeCompletesTheLogin() {
    Seeded user = seed(NOW.minusSeconds(60), 0);
    addAttempts(user, NOW.minusSeconds(600), NOW.minusSeconds(60));
    Result result = secondStep(user, Code.totp(LAST_STEP + 1));

    assertEquals("completed", result.outcome());
    assertNull(result.budgetOldest());
    assertEquals(0, result.failures());
    Row session = db.query("SELECT * FROM sessions WHERE user_id = $1", user.userId()).get(0);
    assertArrayEquals(result.sessionHash(), session.getBuffer("token_hash").getBytes());
    assertEquals(result.sessionHandle(), session.getUUID("handle"));
    assertEquals(7, session.getInteger("epoch"));
    assertEquals(NOW, instant(session, "second_factor_at"));
    assertEquals(NOW, instant(session, "created_at"));
    assertEquals(NOW, instant(session, "last_seen_at"));
    assertEquals(NOW.plus(Duration.ofHours(12)), instant(session, "expires_at"));
    assertEquals("192.0.2.1", session.getString("ip"));
    assertEquals("test agent", session.getString("user_agent"));
    assertEquals(0, pendingLogins(user));
    assertEquals(List.of(), attempts(user), "a correct code clears the budget");
    assertEquals(LAST_STEP + 1, lastStep(user));
    assertEquals(3, recoveryCodes(user));
    assertEquals(1, db.count("SELECT count(*)::int FROM account_links WHERE user_id = $1", user.userId()),
      "a completed login leaves the reset link: whoever else knows the password must not void the owner's");
    assertEquals(List.of("test.succeeded"), events(user));
  }

  @Test
  void aRecoveryCodeCompletesTheLoginOnceAndBurnsTheTotpStepsThroughTheGivenOne() {
    Seeded user = seed(NOW.minusSeconds(60), 1);
    byte[] used = user.recoveryDigests().get(1);
    Result result = secondStep(user, Code.recovery(List.of(randomBytes(), used), LAST_STEP + 2));

    assertEquals("completed", result.outcome());
    assertEquals(1, db.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", user.userId()));
    assertEquals(0, pendingLogins(user));
    assertEquals(2, recoveryCodes(user));
    assertEquals(1, db.count("SELECT count(*)::int FROM recovery_codes WHERE user_id = $1 AND digest = $2 AND used_at = $3",
      user.userId(), Buffer.buffer(used), NOW.atOffset(java.time.ZoneOffset.UTC)), "kept as a tombstone");
    assertEquals(LAST_STEP + 2, lastStep(user));
    assertEquals(List.of("test.succeeded"), events(user));
  }

  @Test
  void aRecoveryLoginNeverMovesTheLastStepBack() {
    Seeded user = seed(NOW.minusSeconds(60), 0);
    assertEquals("completed", secondStep(user, Code.recovery(user.recoveryDigests().subList(0, 1), LAST_STEP - 5)).outcome());
    assertEquals(LAST_STEP, lastStep(user));
  }

  @Test
  void aReplayedStepOrAnUnknownRecoveryCodeIsAnInvalidCodeThatCounts() {
    Seeded user = seed(NOW.minusSeconds(60), 0);
    Result replay = secondStep(user, Code.totp(LAST_STEP));
    assertEquals("invalid_code", replay.outcome());
    assertEquals(1, replay.failures());
    Result unknown = secondStep(user, Code.recovery(List.of(randomBytes()), LAST_STEP + 2));
    assertEquals("invalid_code", unknown.outcome());
    assertEquals(2, unknown.failures());

    assertEquals(2, db.count("SELECT failures FROM pending_logins WHERE user_id = $1", user.userId()));
    assertEquals(List.of(NOW, NOW), attempts(user));
    assertEquals(LAST_STEP, lastStep(user));
    assertEquals(3, recoveryCodes(user));
    assertEquals(0, db.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", user.userId()));
    assertEquals(1, db.count("SELECT count(*)::int FROM account_links WHERE user_id = $1", user.userId()));
    assertEquals(List.of("test.failed", "test.failed"), events(user));
  }

  @Test
  void aTotpStepIsRefusedOnceTheAccountHasNoAuthenticator() {
    Seeded user = seed(NOW.minusSeconds(60), 0);
    db.query("UPDATE users SET totp_secret = NULL WHERE id = $1", user.userId());
    assertEquals("invalid_code", secondStep(user, Code.totp(LAST_STEP + 1)).outcome());
    assertEquals(0, db.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", user.userId()));
  }

  @Test
  void theLastWrongCodeDropsThePendingLoginAndQueuesItsAbandonment() {
    Seeded user = seed(NOW.minusSeconds(60), MAX_FAILURES - 1);
    Result result = secondStep(user, Code.totp(LAST_STEP));

    assertEquals("dropped", result.outcome());
    assertEquals(MAX_FAILURES, result.failures());
    assertEquals(0, pendingLogins(user));
    assertEquals(List.of(NOW), attempts(user));
    assertEquals(LAST_STEP, lastStep(user));
    assertEquals(0, db.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", user.userId()));
    assertEquals(List.of("test.failed", "test.abandoned"), events(user));
    JsonObject details = db.query("""
        SELECT event->'details' AS details FROM event_outbox
        WHERE (event->>'userId')::bigint = $1 AND event->>'type' = 'test.abandoned'
        """, user.userId()).get(0).getJsonObject("details");
    assertEquals(new JsonObject().put("reason", "too_many_codes").put("failures", String.valueOf(MAX_FAILURES)), details);
  }

  @Test
  void aFullBudgetIsRateLimitedBeforeTheCodeIsLookedAt() {
    Seeded user = seed(NOW.minusSeconds(60), 1);
    Instant oldestInWindow = NOW.minus(WINDOW).plusSeconds(1);
    addAttempts(user, NOW.minus(WINDOW).minusSeconds(10), NOW.minus(WINDOW), oldestInWindow, NOW.minusSeconds(900),
      NOW.minusSeconds(600), NOW.minusSeconds(300), NOW.minusSeconds(1));
    List<Instant> before = attempts(user);
    Result result = secondStep(user, Code.totp(LAST_STEP + 1));

    assertEquals("rate_limited", result.outcome());
    assertEquals(oldestInWindow, result.budgetOldest());
    assertEquals(0, result.failures());
    assertEquals(before, attempts(user), "a refused attempt is not counted");
    assertEquals(LAST_STEP, lastStep(user), "the code is not used");
    assertEquals(1, db.count("SELECT failures FROM pending_logins WHERE user_id = $1", user.userId()));
    assertEquals(0, db.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", user.userId()));
    assertEquals(List.of("test.failed"), events(user));

    Result recovery = secondStep(user, Code.recovery(user.recoveryDigests().subList(0, 1), LAST_STEP + 2));
    assertEquals("rate_limited", recovery.outcome());
    assertEquals(3, recoveryCodes(user));
  }

  @Test
  void anAttemptAtTheWindowStartNoLongerCounts() {
    Seeded user = seed(NOW.minusSeconds(60), 0);
    addAttempts(user, NOW.minus(WINDOW), NOW.minusSeconds(900), NOW.minusSeconds(600), NOW.minusSeconds(300),
      NOW.minusSeconds(1));
    assertEquals("completed", secondStep(user, Code.totp(LAST_STEP + 1)).outcome());
  }

  @Test
  void noLiveLoginUnderTheHashIsNoPendingLoginAndChangesNothing() {
    Seeded user = seed(NOW.minus(PENDING_TTL).minusSeconds(1), 0);
    Result expired = secondStep(user, Code.totp(LAST_STEP + 1));
    Result unknown = secondStep(new Seeded(user.userId(), randomBytes(), user.recoveryDigests(), user.budgetKey()),
      Code.totp(LAST_STEP + 1));

    for (Result result : List.of(expired, unknown)) {
      assertEquals("no_pending_login", result.outcome());
      assertNull(result.budgetOldest());
      assertEquals(0, result.failures());
    }
    assertEquals(1, pendingLogins(user), "an expired pending login is left to the purge");
    assertEquals(0, db.count("SELECT failures FROM pending_logins WHERE user_id = $1", user.userId()));
    assertEquals(List.of(), attempts(user));
    assertEquals(LAST_STEP, lastStep(user));
    assertEquals(0, db.count("SELECT count(*)::int FROM sessions WHERE user_id = $1", user.userId()));
    assertEquals(List.of("test.failed", "test.failed"), events(user));
  }

  @Test
  void aPendingLoginCreatedExactlyAtTheCutOffIsStillLive() {
    Seeded user = seed(NOW.minus(PENDING_TTL), 0);
    assertEquals("completed", secondStep(user, Code.totp(LAST_STEP + 1)).outcome());
  }

  /**
   * The one call of login_code_step: the pending login of {@code user} (expired if created
   * before NOW - PENDING_TTL), its budget of BUDGET attempts in WINDOW, MAX_FAILURES wrong codes, and a session
   * of epoch 7 for 12 hours offered.
   */
  private static Result secondStep(Seeded user, Code code) {
    byte[] sessionHash = randomBytes();
    UUID sessionHandle = UUID.randomUUID();
    Buffer[] digests = code.recoveryDigests() == null ? null
      : code.recoveryDigests().stream().map(Buffer::buffer).toArray(Buffer[]::new);
    Row row = db.query("""
        SELECT step_outcome, budget_oldest, failure_count FROM login_code_step(
          $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
        """,
      Buffer.buffer(user.pendingHash()), utc(NOW.minus(PENDING_TTL)), user.userId(), code.totpStep(), digests,
      code.burnThrough(), user.budgetKey(), BUDGET, utc(NOW), utc(NOW.minus(WINDOW)), MAX_FAILURES,
      Buffer.buffer(sessionHash), sessionHandle, 7, utc(NOW.plus(Duration.ofHours(12))), "192.0.2.1", "test agent", 50,
      event(user, "test.succeeded"), event(user, "test.failed"),
      event(user, "test.abandoned").put("details", new JsonObject().put("reason", "too_many_codes"))).get(0);
    OffsetDateTime oldest = row.getOffsetDateTime("budget_oldest");
    return new Result(row.getString("step_outcome"), oldest == null ? null : oldest.toInstant(),
      row.getInteger("failure_count"), sessionHash, sessionHandle);
  }

  /** A user (2FA on, last step LAST_STEP, session epoch 7) with its rows, and a pending login created at {@code pendingAt}. */
  private static Seeded seed(Instant pendingAt, int failures) {
    long userId = db.query("""
        INSERT INTO users (email, password_hash, created_at, session_epoch, totp_secret, totp_last_step, totp_enabled_at)
        VALUES ($1, 'not a hash', $2, 7, $3, $4, $2) RETURNING id
        """, "user-" + UUID.randomUUID() + "@example.com", utc(NOW.minus(Duration.ofDays(1))), Buffer.buffer(randomBytes()),
      LAST_STEP).get(0).getLong("id");
    List<byte[]> digests = List.of(randomBytes(), randomBytes(), randomBytes());
    for (byte[] digest : digests) {
      db.query("INSERT INTO recovery_codes (user_id, digest, key_id) VALUES ($1, $2, '00000000')", userId,
        Buffer.buffer(digest));
    }
    db.query("""
        INSERT INTO account_links (token_hash, user_id, purpose, email, created_at, expires_at)
        VALUES ($1, $2, 'password_reset', 'someone@example.com', $3, $4)
        """, Buffer.buffer(randomBytes()), userId, utc(NOW.minusSeconds(600)), utc(NOW.plusSeconds(3000)));
    byte[] pendingHash = randomBytes();
    db.query("""
        INSERT INTO pending_logins (token_hash, user_id, login_id, created_at, failures, ip, user_agent)
        VALUES ($1, $2, $3, $4, $5, '192.0.2.1', 'test agent')
        """, Buffer.buffer(pendingHash), userId, UUID.randomUUID(), utc(pendingAt), failures);
    return new Seeded(userId, pendingHash, digests, "second-factor:" + userId);
  }

  private static void addAttempts(Seeded user, Instant... at) {
    Arrays.stream(at).forEach(instant ->
      db.query("INSERT INTO throttle_attempts (key, at) VALUES ($1, $2)", user.budgetKey(), utc(instant)));
  }

  private static JsonObject event(Seeded user, String type) {
    return new JsonObject().put("userId", user.userId()).put("type", type).put("eventId", UUID.randomUUID().toString());
  }

  private static List<Instant> attempts(Seeded user) {
    return db.query("SELECT at FROM throttle_attempts WHERE key = $1 ORDER BY at", user.budgetKey()).stream()
      .map(row -> instant(row, "at")).toList();
  }

  private static List<String> events(Seeded user) {
    return db.query("SELECT event->>'type' AS type FROM event_outbox WHERE (event->>'userId')::bigint = $1 ORDER BY id",
      user.userId()).stream().map(row -> row.getString("type")).toList();
  }

  private static int pendingLogins(Seeded user) {
    return db.count("SELECT count(*)::int FROM pending_logins WHERE user_id = $1", user.userId());
  }

  private static int recoveryCodes(Seeded user) {
    return db.count("SELECT count(*)::int FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", user.userId());
  }

  private static long lastStep(Seeded user) {
    return db.query("SELECT totp_last_step FROM users WHERE id = $1", user.userId()).get(0).getLong(0);
  }

  private static Instant instant(Row row, String column) {
    return row.getOffsetDateTime(column).toInstant();
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
