package dev.twofa.auth.session;

import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;

import dev.twofa.bus.ClientInfo;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/** SQL over sessions: rows keyed by the SHA-256 of the cookie's value, alive while idle and absolute limits hold. */
final class SessionRepository {
  /** last_seen_at is written at most this often, so reading a session rarely costs a write (and a WAL flush). */
  static final Duration TOUCH_EVERY = Duration.ofSeconds(60);

  /** One row of the sessions list. */
  record Listed(UUID handle, boolean current, Instant createdAt, Instant lastSeenAt, String ip, String userAgent,
                boolean secondFactor) {
  }

  /**
   * Opens a session (ending the user's least recently used ones beyond {@code maxPerUser}) and returns the cookie
   * value that names it (the only place it ever exists in clear).
   */
  Future<String> open(SqlClient db, UserRow user, int epoch, Instant secondFactorAt, ClientInfo client, Instant now,
                      Duration maxAge, int maxPerUser) {
    return open(db, user, epoch, secondFactorAt, null, client, now, maxAge, maxPerUser);
  }

  /** The same, naming the second factor's method (session_open decides what it counts for). */
  Future<String> open(SqlClient db, UserRow user, int epoch, Instant secondFactorAt, String secondFactorMethod,
                      ClientInfo client, Instant now, Duration maxAge, int maxPerUser) {
    String token = SessionTokens.newToken();
    return db.preparedQuery("SELECT session_open($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
      .execute(Tuple.from(Arrays.asList(Buffer.buffer(SessionTokens.hash(token)), UUID.randomUUID(), user.id(), epoch,
        secondFactorAt == null ? null : utc(secondFactorAt), utc(now), utc(now.plus(maxAge)), client.ip(),
        client.userAgent(), maxPerUser, secondFactorMethod)))
      .map(token);
  }

  /**
   * Carries the session named by {@code tokenHash} on under a new cookie value and epoch: the same row, so its login
   * time (created_at, its auth_time), absolute expiry and last step-up stay. Returns the new value, or empty when
   * the session is gone.
   */
  Future<Optional<String>> renew(SqlClient db, byte[] tokenHash, int epoch, Instant secondFactorAt, ClientInfo client,
                                 Instant now) {
    String token = SessionTokens.newToken();
    return db.preparedQuery("""
        UPDATE sessions SET token_hash = $2, epoch = $3, second_factor_at = coalesce($4, second_factor_at),
                            last_seen_at = $5, ip = $6, user_agent = $7
        WHERE token_hash = $1 AND expires_at > $5
        """)
      .execute(Tuple.from(Arrays.asList(Buffer.buffer(tokenHash), Buffer.buffer(SessionTokens.hash(token)), epoch,
        secondFactorAt == null ? null : utc(secondFactorAt), utc(now), client.ip(), client.userAgent())))
      .map(rows -> rows.rowCount() == 1 ? Optional.of(token) : Optional.empty());
  }

  /**
   * The live session named by {@code tokenHash} and its user, in one round trip: the session must be within both
   * limits and opened under the user's current epoch. Its last_seen_at moves on only when a minute old.
   */
  Future<Optional<SignedIn>> resolve(SqlClient db, byte[] tokenHash, Instant now, Duration idle) {
    return db.preparedQuery("""
        WITH s AS (
          SELECT user_id, epoch, handle, second_factor_at, step_up_at FROM sessions
          WHERE token_hash = $1 AND last_seen_at > $3 AND expires_at > $2),
        touched AS (
          UPDATE sessions SET last_seen_at = $2
          WHERE token_hash = $1 AND last_seen_at > $3 AND last_seen_at < $4 AND expires_at > $2)
        SELECT %s, s.handle, s.second_factor_at, s.step_up_at
        FROM s CROSS JOIN LATERAL account_user(s.user_id) users WHERE users.session_epoch = s.epoch
        """.formatted(UserRepository.COLUMNS))
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now), utc(now.minus(idle)), utc(now.minus(TOUCH_EVERY))))
      .map(rows -> first(rows, tokenHash));
  }

  /** When the session named by {@code tokenHash} was opened, and with which second factor. */
  Future<SessionService.Login> login(SqlClient db, byte[] tokenHash) {
    return db.preparedQuery("SELECT created_at, second_factor_method FROM sessions WHERE token_hash = $1")
      .execute(Tuple.of(Buffer.buffer(tokenHash)))
      .map(rows -> rows.iterator().hasNext()
        ? new SessionService.Login(instant(rows.iterator().next(), "created_at"), rows.iterator().next().getString("second_factor_method"))
        : new SessionService.Login(Instant.EPOCH, null));
  }

  /** The user's live sessions: this one first, then the most recently used. */
  Future<List<Listed>> list(SqlClient db, SignedIn current, Instant now, Duration idle) {
    return db.preparedQuery("""
        SELECT handle, token_hash = $2 AS current, created_at, last_seen_at, ip, user_agent, second_factor_at
        FROM sessions WHERE user_id = $1 AND epoch = $3 AND last_seen_at > $4 AND expires_at > $5
        ORDER BY token_hash = $2 DESC, last_seen_at DESC, created_at DESC
        """)
      .execute(Tuple.of(current.user().id(), Buffer.buffer(current.tokenHash()), current.user().sessionEpoch(),
        utc(now.minus(idle)), utc(now)))
      .map(rows -> {
        List<Listed> sessions = new ArrayList<>();
        for (Row row : rows) {
          sessions.add(new Listed(row.getUUID("handle"), row.getBoolean("current"), instant(row, "created_at"),
            instant(row, "last_seen_at"), row.getString("ip"), row.getString("user_agent"),
            row.getOffsetDateTime("second_factor_at") != null));
        }
        return sessions;
      });
  }

  /** Records a fresh proof of the password (and second factor) on this session. */
  Future<Void> markSteppedUp(SqlClient db, byte[] tokenHash, Instant now) {
    return db.preparedQuery("UPDATE sessions SET step_up_at = $2 WHERE token_hash = $1")
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now))).mapEmpty();
  }

  /** How many other live sessions the user has. */
  Future<Integer> countOthers(SqlClient db, SignedIn current, Instant now, Duration idle) {
    return db.preparedQuery("""
        SELECT count(*)::int AS others FROM sessions
        WHERE user_id = $1 AND token_hash <> $2 AND epoch = $3 AND last_seen_at > $4 AND expires_at > $5
        """)
      .execute(Tuple.of(current.user().id(), Buffer.buffer(current.tokenHash()), current.user().sessionEpoch(),
        utc(now.minus(idle)), utc(now)))
      .map(rows -> rows.iterator().next().getInteger("others"));
  }

  /**
   * Runs {@code delete} (a DELETE of sessions, with {@code params}) as every statement that ends sessions runs: the
   * same statement, so the same transaction, tells the OpenID provider which sessions ended (oidc_sessions_ended in
   * R__oidc.sql queues their applications' back-channel logouts). Returns how many ended.
   */
  private static Future<Integer> ended(SqlClient db, String delete, Instant now, Object... params) {
    List<Object> values = new ArrayList<>(Arrays.asList(params));
    values.add(utc(now));
    return db.preparedQuery("WITH ended AS (" + delete + " RETURNING handle) SELECT count(*)::int AS ended, "
        + "oidc_sessions_ended(array_agg(handle), $" + values.size() + ") FROM ended")
      .execute(Tuple.from(values)).map(rows -> rows.iterator().next().getInteger("ended"));
  }

  /** Ends the user's session with this handle: false when there is none. */
  Future<Boolean> revoke(SqlClient db, long userId, UUID handle, Instant now) {
    return ended(db, "DELETE FROM sessions WHERE user_id = $1 AND handle = $2", now, userId, handle).map(ended -> ended == 1);
  }

  /** Ends every session of the user but the one named by {@code keepHash} (null: all of them). */
  public Future<Void> revokeOthers(SqlClient db, long userId, byte[] keepHash, Instant now) {
    return ended(db, "DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)", now, userId,
      keepHash == null ? null : Buffer.buffer(keepHash)).mapEmpty();
  }

  /** Ends the session named by {@code tokenHash}, if any (logout). */
  Future<Void> end(SqlClient db, byte[] tokenHash, Instant now) {
    return ended(db, "DELETE FROM sessions WHERE token_hash = $1", now, Buffer.buffer(tokenHash)).mapEmpty();
  }

  /** Ends whatever {@code tokenHash} names, a session or a pending login, in one round trip. */
  Future<Void> endSessionOrPendingLogin(SqlClient db, byte[] tokenHash, Instant now) {
    // As ended() does, with the pending login's delete beside it.
    return db.preparedQuery("""
        WITH pending AS (DELETE FROM pending_logins WHERE token_hash = $1),
             ended AS (DELETE FROM sessions WHERE token_hash = $1 RETURNING handle)
        SELECT oidc_sessions_ended(array_agg(handle), $2) FROM ended
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now))).mapEmpty();
  }

  /** Deletes sessions past either limit; returns how many. */
  Future<Integer> purge(SqlClient db, Instant now, Duration idle) {
    return ended(db, "DELETE FROM sessions WHERE last_seen_at <= $1 OR expires_at <= $2", now, utc(now.minus(idle)), utc(now));
  }

  private static Optional<SignedIn> first(RowSet<Row> rows, byte[] tokenHash) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    Row row = it.next();
    return Optional.of(new SignedIn(UserRow.from(row), tokenHash, row.getUUID("handle"),
      optionalInstant(row, "second_factor_at"), optionalInstant(row, "step_up_at")));
  }

  private static Instant instant(Row row, String column) {
    return row.getOffsetDateTime(column).toInstant();
  }

  private static Instant optionalInstant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
