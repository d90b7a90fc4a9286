package dev.twofa.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static dev.twofa.auth.UserRepository.utc;

/**
 * Logins whose password step passed and whose second factor is owed. They live in PostgreSQL, not in an HTTP
 * node's memory, so any node can finish the login; they expire and are discarded after too many wrong codes.
 */
final class PendingLoginRepository {

  /** Creates a pending login (clearing out expired ones on the way) and returns its id. */
  Future<UUID> create(SqlClient db, long userId, Instant now, Duration ttl) {
    UUID id = UUID.randomUUID();
    return db.preparedQuery("DELETE FROM pending_logins WHERE created_at < $1").execute(Tuple.of(utc(now.minus(ttl))))
      .compose(purged -> db.preparedQuery("INSERT INTO pending_logins (id, user_id, created_at) VALUES ($1, $2, $3)")
        .execute(Tuple.of(id, userId, utc(now))))
      .map(id);
  }

  /** Counts a wrong code; the pending login is deleted once it reaches {@code maxFailures}. */
  Future<Void> recordFailure(SqlClient db, UUID id, int maxFailures) {
    return db.preparedQuery("UPDATE pending_logins SET failures = failures + 1 WHERE id = $1 RETURNING failures")
      .execute(Tuple.of(id))
      .compose(rows -> rows.size() == 1 && rows.iterator().next().getInteger("failures") >= maxFailures
        ? delete(db, id) : Future.succeededFuture());
  }

  /** Deletes it; true when this call was the one that did (so one pending login completes once). */
  Future<Boolean> complete(SqlClient db, UUID id) {
    return db.preparedQuery("DELETE FROM pending_logins WHERE id = $1").execute(Tuple.of(id))
      .map(rows -> rows.rowCount() == 1);
  }

  Future<Void> delete(SqlClient db, UUID id) {
    return complete(db, id).mapEmpty();
  }

  Future<Void> deleteForUser(SqlClient db, long userId) {
    return db.preparedQuery("DELETE FROM pending_logins WHERE user_id = $1").execute(Tuple.of(userId)).mapEmpty();
  }
}
