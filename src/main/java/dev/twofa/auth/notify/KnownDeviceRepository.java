package dev.twofa.auth.notify;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;

import static dev.twofa.db.SqlTime.utc;

/**
 * SQL over known_devices (the browsers each account completed a login from, by the SHA-256 of their device
 * cookie), sign_in_notices (when each browser was last the subject of a new-sign-in mail) and sign_in_digests
 * (the new sign-ins held back past an account's hourly mails).
 */
final class KnownDeviceRepository {

  /** Remembers the browser that created the account, so its first login is not news. */
  Future<Void> remember(SqlClient db, long userId, byte[] deviceHash, Instant now) {
    return db.preparedQuery("""
        INSERT INTO known_devices (user_id, device_hash, last_seen_at) VALUES ($1, $2, $3)
        ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
        """)
      .execute(Tuple.of(userId, Buffer.buffer(deviceHash), utc(now))).mapEmpty();
  }

  /**
   * Records a completed login from {@code deviceHash}; true when it is news to mail: the device was not seen on
   * the account since {@code unseenSince}, and no such mail about {@code browserHash} went out after
   * {@code mailedSince}. One statement, so concurrent logins from one browser are settled by the primary keys:
   * the second waits for the first's row and finds it (seen now, mailed now).
   */
  Future<Boolean> seen(SqlClient db, long userId, byte[] deviceHash, byte[] browserHash, Instant now,
                       Instant unseenSince, Instant mailedSince) {
    return db.preparedQuery("""
        WITH seen AS (
          INSERT INTO known_devices AS d (user_id, device_hash, last_seen_at) VALUES ($1, $2, $4)
          ON CONFLICT (user_id, device_hash)
            DO UPDATE SET previous_seen_at = d.last_seen_at, last_seen_at = EXCLUDED.last_seen_at
          RETURNING previous_seen_at),
        mailed AS (
          INSERT INTO sign_in_notices AS n (user_id, browser_hash, mailed_at)
          SELECT $1, $3, $4 FROM seen WHERE previous_seen_at IS NULL OR previous_seen_at < $5
          ON CONFLICT (user_id, browser_hash) DO UPDATE SET mailed_at = EXCLUDED.mailed_at WHERE n.mailed_at <= $6
          RETURNING 1)
        SELECT EXISTS (SELECT 1 FROM mailed) AS news
        """)
      .execute(Tuple.of(userId, Buffer.buffer(deviceHash), Buffer.buffer(browserHash), utc(now), utc(unseenSince),
        utc(mailedSince)))
      .map(rows -> rows.iterator().next().getBoolean("news"));
  }

  /** True when the browser {@code deviceHash} completed a login on (or created) the account since {@code since}. */
  Future<Boolean> known(SqlClient db, long userId, byte[] deviceHash, Instant since) {
    return db.preparedQuery("""
        SELECT EXISTS (SELECT 1 FROM known_devices WHERE user_id = $1 AND device_hash = $2 AND last_seen_at >= $3) AS known
        """)
      .execute(Tuple.of(userId, Buffer.buffer(deviceHash), utc(since)))
      .map(rows -> rows.iterator().next().getBoolean("known"));
  }

  /** Deletes devices unseen since {@code unseenSince} (a stale row means what no row means) and old mail marks. */
  Future<Integer> purge(SqlClient db, Instant unseenSince, Instant mailedSince) {
    return db.preparedQuery("""
        WITH devices AS (DELETE FROM known_devices WHERE last_seen_at < $1 RETURNING 1),
             notices AS (DELETE FROM sign_in_notices WHERE mailed_at < $2 RETURNING 1)
        SELECT (SELECT count(*) FROM devices)::int + (SELECT count(*) FROM notices)::int AS purged
        """)
      .execute(Tuple.of(utc(unseenSince), utc(mailedSince)))
      .map(rows -> rows.iterator().next().getInteger("purged"));
  }

  /** Counts one more held-back new sign-in of the account; one statement, so concurrent logins all count. */
  Future<Void> hold(SqlClient db, long userId, Instant now) {
    return db.preparedQuery("""
        INSERT INTO sign_in_digests AS d (user_id, held, first_held_at) VALUES ($1, 1, $2)
        ON CONFLICT (user_id) DO UPDATE SET held = d.held + 1
        """)
      .execute(Tuple.of(userId, utc(now))).mapEmpty();
  }

  /** A digest that is due: its account and how many sign-ins it tells of. */
  record Digest(long userId, int held) {
  }

  /** Takes the digests whose first held sign-in is older than {@code heldBefore}: deleted as they are read. */
  Future<java.util.List<Digest>> takeDue(SqlClient db, Instant heldBefore) {
    return db.preparedQuery("DELETE FROM sign_in_digests WHERE first_held_at <= $1 RETURNING user_id, held")
      .execute(Tuple.of(utc(heldBefore)))
      .map(rows -> {
        java.util.List<Digest> due = new java.util.ArrayList<>();
        rows.forEach(row -> due.add(new Digest(row.getLong("user_id"), row.getInteger("held"))));
        return due;
      });
  }
}
