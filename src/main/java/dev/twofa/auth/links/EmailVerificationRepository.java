package dev.twofa.auth.links;

import dev.twofa.auth.Door;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Optional;

import static dev.twofa.db.SqlTime.utc;

/** SQL over email_verifications: links stored as token hashes, one per user, each used at most once. */
@Door
public final class EmailVerificationRepository {

  /** Stores the link {@code tokenHash} for the user's current address, replacing any earlier one. */
  public Future<Void> replace(SqlClient tx, long userId, String email, byte[] tokenHash, Instant expiresAt) {
    return tx.preparedQuery("""
        INSERT INTO email_verifications (token_hash, user_id, email, expires_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id) DO UPDATE SET token_hash = $1, email = $3, expires_at = $4
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), userId, email, utc(expiresAt))).mapEmpty();
  }

  /**
   * Uses the link in one statement: the row is deleted whatever happens (single use, expired ones too), and the
   * user is marked verified only when the link was live and still names the user's address. The user's id when
   * it was; of two concurrent uses, only one gets it. CASE, not AND: SQL does not promise AND's order, and an
   * expired link must not verify.
   */
  public Future<Optional<Long>> use(SqlClient db, byte[] tokenHash, Instant now) {
    return db.preparedQuery("""
        WITH used AS (DELETE FROM email_verifications WHERE token_hash = $1 RETURNING user_id, email, expires_at)
        SELECT used.user_id AS id FROM used
        WHERE CASE WHEN used.expires_at > $2 THEN account_email_verified(used.user_id, used.email, $2) ELSE false END
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now)))
      .map(rows -> rows.size() == 1 ? Optional.of(rows.iterator().next().getLong("id")) : Optional.empty());
  }
}
