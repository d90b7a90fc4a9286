package dev.twofa.auth.session;


import dev.twofa.bus.ClientInfo;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.twofa.db.SqlTime.utc;

/**
 * Logins whose password step passed and whose second factor is owed, named by the SHA-256 of their cookie
 * value. They live in PostgreSQL, not in an HTTP node's memory, so any node can finish the login; they expire
 * and are discarded after too many wrong codes. Every statement that drops one returns it, so each drop is
 * reported once (as {@code login.abandoned}) by whoever dropped it.
 */
final class PendingLoginRepository {

  /** The pending login with this hash, live or expired (the caller compares {@code createdAt}). */
  public Future<Optional<PendingLogin>> find(SqlClient db, byte[] tokenHash) {
    return db.preparedQuery("""
        SELECT p.user_id, u.email, p.login_id, p.created_at, p.failures, p.ip, p.user_agent
        FROM pending_logins p CROSS JOIN LATERAL account_user(p.user_id) u WHERE p.token_hash = $1
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash)))
      .map(rows -> rows.size() == 1 ? Optional.of(pending(rows.iterator().next())) : Optional.empty());
  }

  /**
   * Keeps a live pending login until {@code now + hold}: every check counts its lifetime from created_at, so
   * created_at moves forward (never back). Returns it, or empty when none is live under this hash.
   */
  public Future<Optional<PendingLogin>> hold(SqlClient db, byte[] tokenHash, Instant now, Duration ttl, Duration hold) {
    return db.preparedQuery("""
        WITH held AS (
          UPDATE pending_logins SET created_at = greatest(created_at, $3)
          WHERE token_hash = $1 AND created_at >= $2
          RETURNING user_id, login_id, created_at, failures, ip, user_agent)
        SELECT h.user_id, u.email, h.login_id, h.created_at, h.failures, h.ip, h.user_agent
        FROM held h CROSS JOIN LATERAL account_user(h.user_id) u
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now.minus(ttl)), utc(now.plus(hold).minus(ttl))))
      .map(rows -> rows.size() == 1 ? Optional.of(pending(rows.iterator().next())) : Optional.empty());
  }

  public Future<Void> deleteForUser(SqlClient db, long userId) {
    return db.preparedQuery("DELETE FROM pending_logins WHERE user_id = $1").execute(Tuple.of(userId)).mapEmpty();
  }

  /** Deletes this pending login if it has expired; returns it when this call deleted it. */
  public Future<Optional<PendingLogin>> dropIfExpired(SqlClient db, byte[] tokenHash, Instant now, Duration ttl) {
    return drop(db, "token_hash = $1 AND created_at < $2", Tuple.of(Buffer.buffer(tokenHash), utc(now.minus(ttl))))
      .map(dropped -> dropped.stream().findFirst());
  }

  /** Deletes every expired pending login and returns them. */
  public Future<List<PendingLogin>> purge(SqlClient db, Instant now, Duration ttl) {
    return drop(db, "created_at < $1", Tuple.of(utc(now.minus(ttl))));
  }

  private Future<List<PendingLogin>> drop(SqlClient db, String where, Tuple params) {
    return db.preparedQuery("""
        WITH dropped AS (DELETE FROM pending_logins WHERE %s RETURNING user_id, login_id, created_at, failures, ip, user_agent)
        SELECT d.user_id, u.email, d.login_id, d.created_at, d.failures, d.ip, d.user_agent
        FROM dropped d CROSS JOIN LATERAL account_user(d.user_id) u
        """.formatted(where))
      .execute(params).map(PendingLoginRepository::pendings);
  }

  private static List<PendingLogin> pendings(RowSet<Row> rows) {
    List<PendingLogin> list = new ArrayList<>();
    rows.forEach(row -> list.add(pending(row)));
    return list;
  }

  private static PendingLogin pending(Row row) {
    return new PendingLogin(row.getLong("user_id"), row.getString("email"), row.getUUID("login_id"),
      row.getOffsetDateTime("created_at").toInstant(), row.getInteger("failures"),
      new ClientInfo(row.getString("ip"), row.getString("user_agent")));
  }
}
