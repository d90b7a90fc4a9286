package dev.twofa.audit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;

import static dev.twofa.db.SqlTime.utc;

/**
 * Removes Activity older than the retention, in batches (each its own short transaction, so recording never waits
 * long behind it), on one node at a time: the run holds a session advisory lock on its connection, and a node that
 * cannot take it leaves the night's work to the one that has it. Deleting goes through security_events_purge
 * (V25), the one way a row leaves the append-only table.
 */
final class ActivityRetention {
  /** The advisory lock's name, hashed like every advisory key of the schema (hashtextextended, as R__throttle). */
  static final String LOCK = "audit:activity_retention";
  static final int BATCH = 1000;

  /** What a run did: whether this node ran it, and how many events went. */
  record Purged(boolean ran, long deleted) {
  }

  private final Pool pool;
  private final Duration retention;
  private final int batch;

  ActivityRetention(Pool pool, int retentionDays, int batch) {
    this.pool = pool;
    this.retention = Duration.ofDays(retentionDays);
    this.batch = batch;
  }

  /** Purges events recorded before {@code now} minus the retention. */
  Future<Purged> purge(Instant now) {
    Instant before = now.minus(retention);
    return pool.withConnection(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held")
      .execute(Tuple.of(LOCK))
      .compose(rows -> {
        if (!rows.iterator().next().getBoolean("held")) {
          return Future.succeededFuture(new Purged(false, 0));
        }
        Promise<Long> done = Promise.promise();
        batches(conn, before, 0, done);
        return done.future()
          .eventually(() -> conn.preparedQuery("SELECT pg_advisory_unlock(hashtextextended($1, 0))").execute(Tuple.of(LOCK)))
          .map(deleted -> new Purged(true, deleted));
      }));
  }

  private void batches(SqlConnection conn, Instant before, long so, Promise<Long> done) {
    conn.preparedQuery("SELECT security_events_purge($1, $2) AS n").execute(Tuple.of(utc(before), batch))
      .onFailure(done::fail)
      .onSuccess(rows -> {
        int n = rows.iterator().next().getInteger("n");
        if (n < batch) {
          done.complete(so + n);
        } else {
          batches(conn, before, so + n, done);
        }
      });
  }
}
