package dev.twofa.auth.links;

import dev.twofa.auth.Door;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Optional;

import static dev.twofa.db.SqlTime.utc;

/**
 * SQL over account_links: password-reset and "This wasn't me" links, stored as token hashes. A link is used by
 * one DELETE ... RETURNING, so of two requests with the same token exactly one gets it.
 */
@Door
public final class AccountLinkRepository {
  static final String PASSWORD_RESET = "password_reset";
  public static final String SECURE_ACCOUNT = "secure_account";

  /** Stores one more link of {@code purpose} (a "This wasn't me" link: each notice has its own). */
  public Future<Void> add(SqlClient tx, long userId, String email, String purpose, byte[] tokenHash, Instant now,
                   Instant expiresAt) {
    return tx.preparedQuery("""
        INSERT INTO account_links (token_hash, user_id, purpose, email, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), userId, purpose, email, utc(now), utc(expiresAt))).mapEmpty();
  }

  /** Stores the user's reset link, replacing any earlier one in the same statement (a newer link voids the last). */
  public Future<Void> replaceReset(SqlClient tx, long userId, String email, byte[] tokenHash, Instant now, Instant expiresAt) {
    return tx.preparedQuery("""
        INSERT INTO account_links (token_hash, user_id, purpose, email, created_at, expires_at)
        VALUES ($1, $2, 'password_reset', $3, $4, $5)
        ON CONFLICT (user_id) WHERE purpose = 'password_reset'
        DO UPDATE SET token_hash = $1, email = $3, created_at = $4, expires_at = $5
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), userId, email, utc(now), utc(expiresAt))).mapEmpty();
  }

  /**
   * The user of a live link of {@code purpose}, without using it (a reset checks the new password first, so a
   * weak one does not cost the link). Empty when unknown, expired, or sent to an address the user no longer has.
   */
  Future<Optional<Long>> find(SqlClient db, byte[] tokenHash, String purpose, Instant now) {
    return db.preparedQuery("""
        SELECT l.user_id FROM account_links l CROSS JOIN LATERAL account_user(l.user_id) u
        WHERE u.email = l.email AND l.token_hash = $1 AND l.purpose = $2 AND l.expires_at > $3
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), purpose, utc(now)))
      .map(rows -> rows.size() == 1 ? Optional.of(rows.iterator().next().getLong("user_id")) : Optional.empty());
  }

  /**
   * Uses the link in one statement: deleted whatever its state, and its user returned only when it was live and
   * still names the user's address. A concurrent use of the same token waits on the row and then finds nothing.
   */
  Future<Optional<Long>> use(SqlClient tx, byte[] tokenHash, String purpose, Instant now) {
    return tx.preparedQuery("""
        WITH used AS (DELETE FROM account_links WHERE token_hash = $1 AND purpose = $2
                      RETURNING user_id, email, expires_at)
        SELECT used.user_id FROM used CROSS JOIN LATERAL account_user(used.user_id) u
        WHERE u.email = used.email AND used.expires_at > $3
        """)
      .execute(Tuple.of(Buffer.buffer(tokenHash), purpose, utc(now)))
      .map(rows -> rows.size() == 1 ? Optional.of(rows.iterator().next().getLong("user_id")) : Optional.empty());
  }

  /** Voids the user's reset link (a password change after a step-up; never a login). */
  public Future<Void> deleteReset(SqlClient db, long userId) {
    return db.preparedQuery("SELECT password_reset_links_void($1)")
      .execute(Tuple.of(userId)).mapEmpty();
  }

  /** Deletes expired links; returns how many. */
  Future<Integer> purge(SqlClient db, Instant now) {
    return db.preparedQuery("DELETE FROM account_links WHERE expires_at <= $1")
      .execute(Tuple.of(utc(now))).map(rows -> rows.rowCount());
  }
}
