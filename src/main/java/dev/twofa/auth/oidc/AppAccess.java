package dev.twofa.auth.oidc;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.twofa.db.SqlTime.utc;

/**
 * The applications a user logged in to (oidc_app_access), and "Remove access": the application's codes, tokens
 * and the user's consent go in one transaction, ordered so that an exchange or a refresh at that moment leaves no
 * live token behind.
 */
final class AppAccess {
  /** An application as its user sees it on the Account page. */
  record App(String clientId, String name, Instant lastUsedAt) {
  }

  /** A code was issued to the application for this user: its last use. */
  Future<Void> used(SqlClient db, long userId, String clientId, Instant now) {
    return db.preparedQuery("""
        INSERT INTO oidc_app_access (user_id, client_id, last_used_at) VALUES ($1, $2, $3)
        ON CONFLICT (user_id, client_id) DO UPDATE SET last_used_at = GREATEST(oidc_app_access.last_used_at, EXCLUDED.last_used_at)
        """)
      .execute(Tuple.of(userId, clientId, utc(now))).mapEmpty();
  }

  /** The user's applications, the most recently used first. */
  Future<List<App>> list(SqlClient db, long userId) {
    return db.preparedQuery("""
        SELECT a.client_id, c.name, a.last_used_at FROM oidc_app_access a JOIN oidc_clients c USING (client_id)
        WHERE a.user_id = $1 ORDER BY a.last_used_at DESC, c.name
        """)
      .execute(Tuple.of(userId))
      .map(rows -> {
        List<App> apps = new ArrayList<>();
        rows.forEach(row -> apps.add(new App(row.getString("client_id"), row.getString("name"),
          row.getOffsetDateTime("last_used_at").toInstant())));
        return apps;
      });
  }

  /**
   * Removes the application's access for the user: its access row, then its codes, tokens and the consent. Returns
   * the application's name, or null when the user had no access row for it (nothing else is touched then). Run in
   * one transaction, as separate statements in this order: a code exchange or a refresh in flight holds its code or
   * token row until it commits, so the statement that meets that row waits for it, and the next statement's
   * snapshot sees the tokens it wrote (one statement's snapshot would miss them and leave them live).
   */
  Future<String> remove(SqlClient tx, long userId, String clientId, java.time.Instant now) {
    Tuple key = Tuple.of(userId, clientId);
    return tx.preparedQuery("""
        DELETE FROM oidc_app_access a USING oidc_clients c
        WHERE a.user_id = $1 AND a.client_id = $2 AND c.client_id = a.client_id RETURNING c.name
        """)
      .execute(key)
      .compose(rows -> {
        if (!rows.iterator().hasNext()) {
          return Future.succeededFuture(null);
        }
        String name = rows.iterator().next().getString("name");
        return tx.preparedQuery("DELETE FROM oidc_codes WHERE user_id = $1 AND client_id = $2").execute(key)
          .compose(codes -> tx.preparedQuery(
            "SELECT 1 FROM oidc_tokens WHERE user_id = $1 AND client_id = $2 ORDER BY token_hash FOR UPDATE").execute(key))
          .compose(locked -> tx.preparedQuery("DELETE FROM oidc_tokens WHERE user_id = $1 AND client_id = $2").execute(key))
          .compose(tokens -> tx.preparedQuery("DELETE FROM oidc_consents WHERE user_id = $1 AND client_id = $2").execute(key))
          // The application's own sessions of this user end too: its back-channel logouts are queued here.
          .compose(consent -> tx.preparedQuery("""
              SELECT oidc_sessions_ended(ARRAY(SELECT session_handle FROM oidc_session_clients
                                               WHERE user_id = $1 AND client_id = $2), $3, $2)
              """).execute(Tuple.of(userId, clientId, now.atOffset(java.time.ZoneOffset.UTC))))
          .map(ended -> name);
      });
  }
}
