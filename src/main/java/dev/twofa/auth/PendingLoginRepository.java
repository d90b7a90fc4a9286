package dev.twofa.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;

import static dev.twofa.auth.UserRepository.utc;

/**
 * Logins whose password step passed and whose second factor is owed, named by the SHA-256 of their cookie
 * value. They live in PostgreSQL, not in an HTTP node's memory, so any node can finish the login; they expire
 * and are discarded after too many wrong codes.
 */
final class PendingLoginRepository {

  /** Creates a pending login (clearing out expired ones on the way) and returns its cookie value. */
  Future<String> create(SqlClient db, long userId, Instant now, Duration ttl) {
    String token = SessionTokens.newToken();
    return db.preparedQuery("DELETE FROM pending_logins WHERE created_at < $1").execute(Tuple.of(utc(now.minus(ttl))))
      .compose(purged -> db.preparedQuery("INSERT INTO pending_logins (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
        .execute(Tuple.of(Buffer.buffer(SessionTokens.hash(token)), userId, utc(now))))
      .map(token);
  }

  /** True while a pending login with this hash exists and was created after {@code createdAfter}. */
  Future<Boolean> exists(SqlClient db, byte[] tokenHash, Instant createdAfter) {
    return db.preparedQuery("SELECT 1 FROM pending_logins WHERE token_hash = $1 AND created_at >= $2")
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(createdAfter))).map(rows -> rows.size() == 1);
  }

  /** Counts a wrong code; the pending login is deleted once it reaches {@code maxFailures}. */
  Future<Void> recordFailure(SqlClient db, byte[] tokenHash, int maxFailures) {
    return db.preparedQuery("UPDATE pending_logins SET failures = failures + 1 WHERE token_hash = $1 RETURNING failures")
      .execute(Tuple.of(Buffer.buffer(tokenHash)))
      .compose(rows -> rows.size() == 1 && rows.iterator().next().getInteger("failures") >= maxFailures
        ? complete(db, tokenHash).mapEmpty() : Future.succeededFuture());
  }

  /** Deletes it; true when this call was the one that did (so one pending login completes once). */
  Future<Boolean> complete(SqlClient db, byte[] tokenHash) {
    return db.preparedQuery("DELETE FROM pending_logins WHERE token_hash = $1").execute(Tuple.of(Buffer.buffer(tokenHash)))
      .map(rows -> rows.rowCount() == 1);
  }

  Future<Void> deleteForUser(SqlClient db, long userId) {
    return db.preparedQuery("DELETE FROM pending_logins WHERE user_id = $1").execute(Tuple.of(userId)).mapEmpty();
  }

  Future<Void> purge(SqlClient db, Instant now, Duration ttl) {
    return db.preparedQuery("DELETE FROM pending_logins WHERE created_at < $1").execute(Tuple.of(utc(now.minus(ttl))))
      .mapEmpty();
  }
}
