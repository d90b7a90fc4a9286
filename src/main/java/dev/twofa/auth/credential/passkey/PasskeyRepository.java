package dev.twofa.auth.credential.passkey;

import dev.twofa.auth.credential.passkey.RelyingParty.NewCredential;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/**
 * SQL over passkeys and passkey_challenges. The rules that can race (a challenge spent once, a counter that only
 * moves forward) are single statements in R__credential.sql.
 */
final class PasskeyRepository {
  private static final String COLUMNS =
    "id, user_id, credential_id, public_key, sign_count, transports, aaguid, name, created_at, last_used_at";

  Future<List<StoredPasskey>> list(SqlClient db, long userId) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM passkeys WHERE user_id = $1 ORDER BY created_at, id")
      .execute(Tuple.of(userId))
      .map(rows -> {
        List<StoredPasskey> list = new java.util.ArrayList<>();
        rows.forEach(row -> list.add(from(row)));
        return list;
      });
  }

  Future<Optional<StoredPasskey>> findByCredentialId(SqlClient db, long userId, byte[] credentialId) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM passkeys WHERE user_id = $1 AND credential_id = $2")
      .execute(Tuple.of(userId, Buffer.buffer(credentialId)))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(from(rows.iterator().next())));
  }

  /** The passkey with this credential id, whoever's it is (a sign-in without a password names no account first). */
  Future<Optional<StoredPasskey>> findByCredentialId(SqlClient db, byte[] credentialId) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM passkeys WHERE credential_id = $1")
      .execute(Tuple.of(Buffer.buffer(credentialId)))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(from(rows.iterator().next())));
  }

  /** False when the credential is registered already (to this account or another): the UNIQUE constraint decides. */
  Future<Boolean> insert(SqlClient db, UUID id, long userId, NewCredential credential, String name, Instant now) {
    return db.preparedQuery("""
        INSERT INTO passkeys (id, user_id, credential_id, public_key, sign_count, transports, aaguid, name, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (credential_id) DO NOTHING
        """)
      .execute(Tuple.tuple().addUUID(id).addLong(userId).addBuffer(Buffer.buffer(credential.credentialId()))
        .addBuffer(Buffer.buffer(credential.publicKey())).addLong(credential.signCount())
        .addArrayOfString(credential.transports().toArray(String[]::new)).addUUID(credential.aaguid())
        .addString(name).addOffsetDateTime(utc(now)))
      .map(rows -> rows.rowCount() == 1);
  }

  Future<Boolean> rename(SqlClient db, long userId, UUID id, String name) {
    return db.preparedQuery("UPDATE passkeys SET name = $3 WHERE user_id = $1 AND id = $2")
      .execute(Tuple.of(userId, id, name)).map(rows -> rows.rowCount() == 1);
  }

  Future<Boolean> delete(SqlClient db, long userId, UUID id) {
    return db.preparedQuery("DELETE FROM passkeys WHERE user_id = $1 AND id = $2")
      .execute(Tuple.of(userId, id)).map(rows -> rows.rowCount() == 1);
  }

  Future<Integer> deleteAddedAfter(SqlClient db, long userId, Instant since) {
    return db.preparedQuery("DELETE FROM passkeys WHERE user_id = $1 AND created_at > $2")
      .execute(Tuple.of(userId, utc(since))).map(rows -> rows.rowCount());
  }

  /** {@code userId} null: a sign-in's challenge, made before anyone is known. */
  Future<Void> createChallenge(SqlClient db, byte[] challenge, byte[] binding, String purpose, Long userId, Instant now,
                               Instant expires) {
    return db.preparedQuery("SELECT passkey_challenge_create($1, $2, $3, $4, $5, $6)")
      .execute(Tuple.of(Buffer.buffer(sha256(challenge)), Buffer.buffer(binding), purpose, userId, utc(now), utc(expires)))
      .mapEmpty();
  }

  /** True when this call spent the live challenge of this binding, purpose and user (see passkey_challenge_use). */
  Future<Boolean> useChallenge(SqlClient db, byte[] challenge, byte[] binding, String purpose, Long userId, Instant now) {
    return db.preparedQuery("SELECT passkey_challenge_use($1, $2, $3, $4, $5) AS used")
      .execute(Tuple.of(Buffer.buffer(sha256(challenge)), Buffer.buffer(binding), purpose, userId, utc(now)))
      .map(rows -> rows.iterator().next().getBoolean("used"));
  }

  /** True when the counter moved forward (or stays at 0 for an authenticator without one): see passkey_use. */
  Future<Boolean> use(SqlClient db, long userId, UUID id, long signCount, Instant now) {
    return db.preparedQuery("SELECT passkey_use($1, $2, $3, $4) AS used")
      .execute(Tuple.of(userId, id, signCount, utc(now)))
      .map(rows -> rows.iterator().next().getBoolean("used"));
  }

  private static StoredPasskey from(Row row) {
    var lastUsed = row.getOffsetDateTime("last_used_at");
    String[] transports = row.getArrayOfStrings("transports");
    return new StoredPasskey(row.getUUID("id"), row.getLong("user_id"), row.getBuffer("credential_id").getBytes(),
      row.getBuffer("public_key").getBytes(), row.getLong("sign_count"),
      transports == null ? List.of() : Arrays.asList(transports), row.getUUID("aaguid"), row.getString("name"),
      row.getOffsetDateTime("created_at").toInstant(), lastUsed == null ? null : lastUsed.toInstant());
  }

  static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
