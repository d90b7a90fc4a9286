package dev.twofa.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/** Keyed digests of recovery codes; consuming one is a single DELETE, so only one request can win it. */
final class RecoveryCodeRepository {

  /** Voids every earlier code of the user and stores the new digests (call inside a transaction). */
  Future<Void> replaceAll(SqlClient tx, long userId, List<byte[]> digests) {
    return deleteAll(tx, userId)
      .compose(deleted -> tx.preparedQuery("INSERT INTO recovery_codes (user_id, digest) VALUES ($1, $2)")
        .executeBatch(digests.stream().map(d -> Tuple.of(userId, Buffer.buffer(d))).toList()))
      .mapEmpty();
  }

  Future<Void> deleteAll(SqlClient tx, long userId) {
    return tx.preparedQuery("DELETE FROM recovery_codes WHERE user_id = $1").execute(Tuple.of(userId)).mapEmpty();
  }

  Future<Boolean> consume(SqlClient db, long userId, byte[] digest) {
    return db.preparedQuery("DELETE FROM recovery_codes WHERE user_id = $1 AND digest = $2")
      .execute(Tuple.of(userId, Buffer.buffer(digest))).map(rows -> rows.rowCount() == 1);
  }
}
