package dev.twofa.auth.oidc;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static dev.twofa.db.SqlTime.utc;

/**
 * SQL over the provider's grants: authorizations waiting for a login, codes, tokens and subjects. Every check that
 * can race is one conditional statement: a code is used by one UPDATE, a refresh token rotated by one UPDATE, each
 * also asking whether the code's or token's twofa session still lives.
 */
final class GrantRepository {
  /** An authorization request waiting for its user to log in. */
  record PendingAuthorization(String id, String clientId, String query, Instant createdAt) {
  }

  /**
   * Deletes every token of the grant(s) the inner query names, locking the rows in one order first: concurrent
   * replays of one code or refresh token each end the family, and unordered deletes of the same rows would deadlock.
   */
  private static final String DELETE_FAMILY = """
      WITH locked AS (
        SELECT token_hash FROM oidc_tokens WHERE grant_id IN (%s) ORDER BY token_hash FOR UPDATE)
      DELETE FROM oidc_tokens WHERE token_hash IN (SELECT token_hash FROM locked)""";
  private static final String GRANT_COLUMNS =
    "grant_id, client_id, user_id, scope, session_handle, auth_time, amr, acr";
  /**
   * A code or token is good only while the twofa session it was issued under lives (R__session.sql decides, $2 being
   * now and $3 the idle cutoff): however the session ends, its codes and tokens end with it, in the same instant.
   */
  private static final String SESSION_LIVES = " AND EXISTS (SELECT 1 FROM session_live(session_handle, $2, $3))";
  private final UnaryOperator<Instant> idleCutoff;

  /** {@code idleCutoff}: the session room's idle limit, as the time before which a session last seen is over. */
  GrantRepository(UnaryOperator<Instant> idleCutoff) {
    this.idleCutoff = idleCutoff;
  }

  Future<Void> saveAuthorization(SqlClient db, PendingAuthorization pending, Instant expiresAt) {
    return db.preparedQuery("INSERT INTO oidc_authorizations (id, client_id, query, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
      .execute(Tuple.of(pending.id(), pending.clientId(), pending.query(), utc(pending.createdAt()), utc(expiresAt)))
      .mapEmpty();
  }

  Future<Optional<PendingAuthorization>> findAuthorization(SqlClient db, String id, Instant now) {
    return db.preparedQuery("SELECT id, client_id, query, created_at FROM oidc_authorizations WHERE id = $1 AND expires_at > $2")
      .execute(Tuple.of(id, utc(now)))
      .map(rows -> first(rows).map(row -> new PendingAuthorization(row.getString("id"), row.getString("client_id"),
        row.getString("query"), row.getOffsetDateTime("created_at").toInstant())));
  }

  Future<Void> endAuthorization(SqlClient db, String id) {
    return db.preparedQuery("DELETE FROM oidc_authorizations WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** The scopes the user allowed the client, or empty when they never did. */
  Future<Optional<String>> consentedScope(SqlClient db, long userId, String clientId) {
    return db.preparedQuery("SELECT scope FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
      .execute(Tuple.of(userId, clientId)).map(rows -> first(rows).map(row -> row.getString("scope")));
  }

  /** Remembers what the user allowed the client (replacing what they allowed before). */
  Future<Void> saveConsent(SqlClient db, long userId, String clientId, String scope, Instant now) {
    return db.preparedQuery("""
        INSERT INTO oidc_consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id, client_id) DO UPDATE SET scope = EXCLUDED.scope, granted_at = EXCLUDED.granted_at
        """)
      .execute(Tuple.of(userId, clientId, scope, utc(now))).mapEmpty();
  }

  /** The user's subject, made on first use; concurrent first uses agree (the loser's insert does nothing). */
  Future<String> subject(SqlClient db, long userId) {
    return db.preparedQuery("""
        WITH made AS (
          INSERT INTO oidc_subjects (user_id, subject) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING RETURNING subject)
        SELECT subject FROM made UNION ALL SELECT subject FROM oidc_subjects WHERE user_id = $1
        """)
      .execute(Tuple.of(userId, UUID.randomUUID()))
      .compose(rows -> rows.iterator().hasNext() ? Future.succeededFuture(rows.iterator().next().getUUID("subject").toString())
        // A concurrent first use committed between the two halves: read it now.
        : db.preparedQuery("SELECT subject FROM oidc_subjects WHERE user_id = $1").execute(Tuple.of(userId))
            .map(again -> again.iterator().next().getUUID("subject").toString()));
  }

  Future<Void> saveCode(SqlClient db, byte[] codeHash, Grant grant, String redirectUri, String nonce, String challenge,
                        Instant expiresAt) {
    return db.preparedQuery("""
        INSERT INTO oidc_codes (code_hash, grant_id, client_id, user_id, scope, session_handle, auth_time, amr, acr,
                                redirect_uri, nonce, code_challenge, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        """)
      .execute(Tuple.from(Arrays.asList(Buffer.buffer(codeHash), grant.grantId(), grant.clientId(), grant.userId(),
        grant.scope(), grant.sessionHandle(), utc(grant.authTime()), grant.amr().toArray(String[]::new), grant.acr(),
        redirectUri, nonce, challenge, utc(expiresAt))))
      .mapEmpty();
  }

  /** A code as it was issued, once used. */
  record UsedCode(Grant grant, String redirectUri, String nonce, String challenge) {
  }

  /**
   * Serializes, until the transaction ends, every use of one code or refresh token (keyed by its hash): the first
   * use and its replays then run one after another, so a replay's revocation never meets the first use's rows
   * half-way (concurrent replays deadlocked on the update chain without it).
   */
  Future<Void> lockUses(SqlClient tx, byte[] hash) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock($1)")
      .execute(Tuple.of(java.nio.ByteBuffer.wrap(hash).getLong())).mapEmpty();
  }

  /** Uses the code: the one statement that lets it be used once; empty when unknown, expired or used before. */
  Future<Optional<UsedCode>> useCode(SqlClient db, byte[] codeHash, Instant now) {
    return db.preparedQuery("UPDATE oidc_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2"
        + SESSION_LIVES + " RETURNING " + GRANT_COLUMNS + ", redirect_uri, nonce, code_challenge")
      .execute(Tuple.of(Buffer.buffer(codeHash), utc(now), utc(idleCutoff.apply(now))))
      .map(rows -> first(rows).map(row -> new UsedCode(grant(row), row.getString("redirect_uri"), row.getString("nonce"),
        row.getString("code_challenge"))));
  }

  /** A code presented again after its use: every token of its grant is revoked. Returns how many. */
  Future<Integer> revokeGrantOfUsedCode(SqlClient db, byte[] codeHash) {
    return db.preparedQuery(DELETE_FAMILY.formatted(
        "SELECT grant_id FROM oidc_codes WHERE code_hash = $1 AND used_at IS NOT NULL"))
      .execute(Tuple.of(Buffer.buffer(codeHash))).map(RowSet::rowCount);
  }

  Future<Void> saveToken(SqlClient db, byte[] tokenHash, String kind, Grant grant, Instant expiresAt) {
    return db.preparedQuery("""
        INSERT INTO oidc_tokens (token_hash, kind, grant_id, client_id, user_id, scope, session_handle, auth_time, amr,
                                 acr, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """)
      .execute(Tuple.from(Arrays.asList(Buffer.buffer(tokenHash), kind, grant.grantId(), grant.clientId(), grant.userId(),
        grant.scope(), grant.sessionHandle(), utc(grant.authTime()), grant.amr().toArray(String[]::new), grant.acr(),
        utc(expiresAt))))
      .mapEmpty();
  }

  /**
   * Remembers that the grant's twofa session logged in to its client, so that the session's end is told to it
   * (back-channel logout, oidc_sessions_ended in R__oidc.sql).
   */
  Future<Void> rememberLogin(SqlClient db, Grant grant) {
    return db.preparedQuery("""
        INSERT INTO oidc_session_clients (session_handle, client_id, user_id) VALUES ($1, $2, $3)
        ON CONFLICT (session_handle, client_id) DO NOTHING
        """)
      .execute(Tuple.of(grant.sessionHandle(), grant.clientId(), grant.userId())).mapEmpty();
  }

  /**
   * Tells the applications of sessions that are over without having been deleted (their epoch moved on, idle or
   * past their age before the session purge, or a code exchanged while the session ended): what every delete of a
   * session does in its own statement. Returns how many logout tokens were queued.
   */
  Future<Integer> sweepEndedSessions(SqlClient db, Instant now) {
    return db.preparedQuery("""
        SELECT oidc_sessions_ended(ARRAY(
          SELECT DISTINCT c.session_handle FROM oidc_session_clients c
          WHERE NOT EXISTS (SELECT 1 FROM session_live(c.session_handle, $1, $2))), $1) AS queued
        """)
      .execute(Tuple.of(utc(now), utc(idleCutoff.apply(now)))).map(rows -> rows.iterator().next().getInteger("queued"));
  }

  /** Rotates a live refresh token: the one statement that lets it be used once. */
  Future<Optional<Grant>> useRefreshToken(SqlClient db, byte[] tokenHash, Instant now) {
    return db.preparedQuery("UPDATE oidc_tokens SET used_at = $2 WHERE token_hash = $1 AND kind = 'refresh'"
        + " AND used_at IS NULL AND expires_at > $2" + SESSION_LIVES + " RETURNING " + GRANT_COLUMNS)
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now), utc(idleCutoff.apply(now))))
      .map(rows -> first(rows).map(GrantRepository::grant));
  }

  /** A refresh token presented again after its rotation: its whole family (grant) is revoked. Returns how many. */
  Future<Integer> revokeFamilyOfUsedRefreshToken(SqlClient db, byte[] tokenHash) {
    return db.preparedQuery(DELETE_FAMILY.formatted(
        "SELECT grant_id FROM oidc_tokens WHERE token_hash = $1 AND kind = 'refresh' AND used_at IS NOT NULL"))
      .execute(Tuple.of(Buffer.buffer(tokenHash))).map(RowSet::rowCount);
  }

  /** The grant of a live access token. */
  Future<Optional<Grant>> accessToken(SqlClient db, byte[] tokenHash, Instant now) {
    return db.preparedQuery("SELECT " + GRANT_COLUMNS + " FROM oidc_tokens WHERE token_hash = $1 AND kind = 'access' AND expires_at > $2"
        + SESSION_LIVES)
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now), utc(idleCutoff.apply(now))))
      .map(rows -> first(rows).map(GrantRepository::grant));
  }

  /** A live token as revocation and introspection see it (a rotated refresh token is not live). */
  record LiveToken(String kind, Grant grant, Instant expiresAt) {
  }

  Future<Optional<LiveToken>> liveToken(SqlClient db, byte[] tokenHash, Instant now) {
    return db.preparedQuery("SELECT kind, expires_at, " + GRANT_COLUMNS
        + " FROM oidc_tokens WHERE token_hash = $1 AND expires_at > $2 AND used_at IS NULL" + SESSION_LIVES)
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now), utc(idleCutoff.apply(now))))
      .map(rows -> first(rows).map(row -> new LiveToken(row.getString("kind"), grant(row),
        row.getOffsetDateTime("expires_at").toInstant())));
  }

  /** Revokes one access token of the client. */
  Future<Void> revokeToken(SqlClient db, byte[] tokenHash, String clientId) {
    return db.preparedQuery("DELETE FROM oidc_tokens WHERE token_hash = $1 AND client_id = $2")
      .execute(Tuple.of(Buffer.buffer(tokenHash), clientId)).mapEmpty();
  }

  /** Revokes every token of the client's grant (a refresh token's revocation ends what it could renew). */
  Future<Void> revokeGrant(SqlClient db, UUID grantId, String clientId) {
    return db.preparedQuery(DELETE_FAMILY.formatted("SELECT $1::uuid") + " AND client_id = $2")
      .execute(Tuple.of(grantId, clientId)).mapEmpty();
  }

  /** Drops what can no longer be used (a used code is kept until it expires, so that its reuse is seen). */
  Future<Integer> purge(SqlClient db, Instant now) {
    return db.preparedQuery("""
        WITH a AS (DELETE FROM oidc_authorizations WHERE expires_at <= $1 RETURNING 1),
             c AS (DELETE FROM oidc_codes WHERE expires_at <= $1 RETURNING 1),
             t AS (DELETE FROM oidc_tokens WHERE expires_at <= $1 RETURNING 1)
        SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM c) + (SELECT count(*) FROM t) AS purged
        """)
      .execute(Tuple.of(utc(now))).map(rows -> rows.iterator().next().getLong("purged").intValue());
  }

  private static Grant grant(Row row) {
    return new Grant(row.getUUID("grant_id"), row.getString("client_id"), row.getLong("user_id"), row.getString("scope"),
      row.getUUID("session_handle"), row.getOffsetDateTime("auth_time").toInstant(),
      List.of(row.getArrayOfStrings("amr")), row.getString("acr"));
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    return rows.iterator().hasNext() ? Optional.of(rows.iterator().next()) : Optional.empty();
  }
}
