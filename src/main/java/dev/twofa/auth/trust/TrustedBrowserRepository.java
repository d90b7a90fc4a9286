package dev.twofa.auth.trust;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/**
 * SQL over trusted_browsers. "Live" is written once ({@link #LIVE}): not expired, and made under the account's
 * current session epoch (read through the account room's account_user()).
 */
final class TrustedBrowserRepository {
  private static final String LIVE = "t.expires_at > $%d AND t.epoch = (SELECT session_epoch FROM account_user(t.user_id))";

  /** One row of the list. */
  record Listed(UUID id, byte[] deviceHash, Instant createdAt, Instant lastUsedAt, Instant expiresAt, String ip,
                String userAgent) {
  }

  /** True when the browser holds a live trust of the account (a read, to keep the usual login's path short). */
  Future<Boolean> holds(SqlClient db, long userId, byte[] deviceHash, Instant now) {
    return db.preparedQuery("SELECT EXISTS (SELECT 1 FROM trusted_browsers t WHERE t.user_id = $1 AND t.device_hash = $2 AND "
        + LIVE.formatted(3) + ") AS holds")
      .execute(Tuple.of(userId, Buffer.buffer(deviceHash), utc(now)))
      .map(rows -> rows.iterator().next().getBoolean("holds"));
  }

  /**
   * Records a use of a live trust and answers whether there was one. The row stays locked until the caller's
   * transaction ends, so a removal either waits for the login that used it or wins before it.
   */
  Future<Boolean> use(SqlClient tx, long userId, byte[] deviceHash, Instant now, String ip, String userAgent) {
    return tx.preparedQuery("UPDATE trusted_browsers t SET last_used_at = $3, ip = $4, user_agent = $5 "
        + "WHERE t.user_id = $1 AND t.device_hash = $2 AND " + LIVE.formatted(3))
      .execute(Tuple.of(userId, Buffer.buffer(deviceHash), utc(now), ip, userAgent))
      .map(rows -> rows.rowCount() == 1);
  }

  /** Trusts the browser under {@code epoch} until {@code expiresAt}; trusting it again starts it afresh. */
  Future<Void> trust(SqlClient db, long userId, byte[] deviceHash, int epoch, Instant now, Instant expiresAt, String ip,
                     String userAgent) {
    return db.preparedQuery("""
        INSERT INTO trusted_browsers (id, user_id, device_hash, epoch, created_at, last_used_at, expires_at, ip, user_agent)
        VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)
        ON CONFLICT (user_id, device_hash) DO UPDATE SET id = EXCLUDED.id, epoch = EXCLUDED.epoch,
          created_at = EXCLUDED.created_at, last_used_at = EXCLUDED.last_used_at, expires_at = EXCLUDED.expires_at,
          ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent
        """)
      .execute(Tuple.from(Arrays.asList(UUID.randomUUID(), userId, Buffer.buffer(deviceHash), epoch, utc(now),
        utc(expiresAt), ip, userAgent)))
      .mapEmpty();
  }

  /** The account's live trusts, most recently used first. */
  Future<List<Listed>> list(SqlClient db, long userId, Instant now) {
    return db.preparedQuery("SELECT t.id, t.device_hash, t.created_at, t.last_used_at, t.expires_at, t.ip, t.user_agent "
        + "FROM trusted_browsers t WHERE t.user_id = $1 AND " + LIVE.formatted(2) + " ORDER BY t.last_used_at DESC, t.id")
      .execute(Tuple.of(userId, utc(now)))
      .map(rows -> {
        List<Listed> list = new ArrayList<>();
        for (Row row : rows) {
          list.add(new Listed(row.getUUID("id"), row.getBuffer("device_hash").getBytes(), instant(row, "created_at"),
            instant(row, "last_used_at"), instant(row, "expires_at"), row.getString("ip"), row.getString("user_agent")));
        }
        return list;
      });
  }

  /** Ends one of the account's trusts; false when it has no such row. */
  Future<Boolean> remove(SqlClient db, long userId, UUID id) {
    return db.preparedQuery("DELETE FROM trusted_browsers WHERE user_id = $1 AND id = $2")
      .execute(Tuple.of(userId, id)).map(rows -> rows.rowCount() == 1);
  }

  /** Ends every trust of the account. */
  Future<Integer> removeAll(SqlClient db, long userId) {
    return db.preparedQuery("DELETE FROM trusted_browsers WHERE user_id = $1")
      .execute(Tuple.of(userId)).map(rows -> rows.rowCount());
  }

  /** Deletes expired rows and those an epoch change ended (they can never count again). */
  Future<Integer> purge(SqlClient db, Instant now) {
    return db.preparedQuery("DELETE FROM trusted_browsers t WHERE NOT (" + LIVE.formatted(1) + ")")
      .execute(Tuple.of(utc(now))).map(rows -> rows.rowCount());
  }

  private static Instant instant(Row row, String column) {
    return row.getOffsetDateTime(column).toInstant();
  }
}
