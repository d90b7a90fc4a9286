package dev.twofa.auth.credential.recovery;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import dev.twofa.db.SqlTime;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Keyed digests of recovery codes, each with the id of the key that made it; using one is a single conditional
 * UPDATE that leaves a tombstone (used_at), so only one request can win it and a second try can say when.
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
  public Future<Boolean> use(SqlClient db, long userId, List<byte[]> candidates, long burnThrough, Instant now) {
    return db.preparedQuery("SELECT recovery_code_use($1, $2, $3, $4) AS used")
      // Tuple.of(userId, array, ...) would spread the array as varargs.
      .execute(Tuple.tuple().addLong(userId).addArrayOfBuffer(buffers(candidates)).addLong(burnThrough)
        .addValue(SqlTime.utc(now)))
      .map(rows -> rows.iterator().next().getBoolean("used"));
  }

  public Future<Integer> left(SqlClient db, long userId) {
    return db.preparedQuery("SELECT n FROM recovery_codes_left($1) n").execute(Tuple.of(userId))
      .map(rows -> rows.iterator().next().getInteger("n"));
  }

  /** When the user's code with these digests was used, if it is a used code of the current set. */
  public Future<Optional<Instant>> usedAt(SqlClient db, long userId, List<byte[]> candidates) {
    return db.preparedQuery("SELECT recovery_code_used_at($1, $2) AS used_at")
      .execute(Tuple.tuple().addLong(userId).addArrayOfBuffer(buffers(candidates)))
      .map(rows -> Optional.ofNullable(rows.iterator().next().getOffsetDateTime("used_at")).map(OffsetDateTime::toInstant));
  }

  private static Buffer[] buffers(List<byte[]> digests) {
    return digests.stream().map(Buffer::buffer).toArray(Buffer[]::new);
  }
}
