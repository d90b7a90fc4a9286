package dev.twofa.auth.oidc;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.twofa.db.SqlTime.utc;

/**
 * The applications a user logged in to (oidc_app_access), and "Remove access": the application's tokens, its
 * unused codes and the user's consent go in one statement, so a code exchanged at that moment either was issued
 * before and is gone, or finds no consent and no access row left to keep.
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
   * Removes the application's access for the user: its access row, consent, tokens and codes. Returns the
   * application's name, or null when the user had no access row for it (nothing else is touched then).
   */
  Future<String> remove(SqlClient db, long userId, String clientId) {
    return db.preparedQuery("""
        WITH removed AS (
          DELETE FROM oidc_app_access WHERE user_id = $1 AND client_id = $2 RETURNING client_id),
        consent AS (
          DELETE FROM oidc_consents WHERE user_id = $1 AND client_id IN (SELECT client_id FROM removed)),
        tokens AS (
          DELETE FROM oidc_tokens WHERE user_id = $1 AND client_id IN (SELECT client_id FROM removed)),
        codes AS (
          DELETE FROM oidc_codes WHERE user_id = $1 AND client_id IN (SELECT client_id FROM removed))
        SELECT c.name FROM removed JOIN oidc_clients c USING (client_id)
        """)
      .execute(Tuple.of(userId, clientId))
      .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString("name") : null);
  }
}
