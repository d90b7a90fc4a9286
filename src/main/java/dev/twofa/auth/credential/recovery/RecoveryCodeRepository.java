package dev.twofa.auth.credential.recovery;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * Keyed digests of recovery codes, each with the id of the key that made it; consuming one is a single DELETE,
 * so only one request can win it.
 */
public final class RecoveryCodeRepository {

  /**
   * Voids every earlier code of the user (version 1 rows with them) and stores the new digests, made by
   * {@link RecoveryCodes#digest} (call inside a transaction).
   */
  public Future<Void> replaceAll(SqlClient tx, long userId, String keyId, List<byte[]> digests) {
    return deleteAll(tx, userId)
      .compose(deleted -> tx.preparedQuery(
          "INSERT INTO recovery_codes (user_id, digest, key_id, digest_version) VALUES ($1, $2, $3, $4)")
        .executeBatch(digests.stream().map(d -> Tuple.of(userId, Buffer.buffer(d), keyId, RecoveryCodes.DIGEST_VERSION))
          .toList()))
      .mapEmpty();
  }

  public Future<Void> deleteAll(SqlClient tx, long userId) {
    return tx.preparedQuery("DELETE FROM recovery_codes WHERE user_id = $1").execute(Tuple.of(userId)).mapEmpty();
  }

  /**
   * Uses the code whose digests (bound and unbound) under every key of the ring are {@code candidates} (see
   * recovery_code_use in R__credential.sql), burning the TOTP steps through {@code burnThrough}: true when this call won it.
   */
  public Future<Boolean> use(SqlClient db, long userId, List<byte[]> candidates, long burnThrough) {
    return db.preparedQuery("SELECT recovery_code_use($1, $2, $3) AS used")
      // Tuple.of(userId, array, ...) would spread the array as varargs.
      .execute(Tuple.tuple().addLong(userId).addArrayOfBuffer(candidates.stream().map(Buffer::buffer).toArray(Buffer[]::new))
        .addLong(burnThrough))
      .map(rows -> rows.iterator().next().getBoolean("used"));
  }
}
