package dev.twofa.auth.oidc;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/** RP-initiated logouts waiting for the user's answer to "Log out?" (oidc_logouts), each used once. */
final class LogoutRepository {
  /** A logout asked for by an application, once its parameters were checked; null fields were not given. */
  record Waiting(String id, UUID sessionHandle, String clientId, String redirectUri, String state, String language) {
  }

  Future<Void> save(SqlClient db, Waiting logout, Instant expiresAt) {
    return db.preparedQuery("""
        INSERT INTO oidc_logouts (id, session_handle, client_id, redirect_uri, state, language, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """)
      .execute(Tuple.of(logout.id(), logout.sessionHandle(), logout.clientId(), logout.redirectUri(), logout.state(),
        logout.language(), utc(expiresAt)))
      .mapEmpty();
  }

  /** Takes the waiting logout {@code id} (one DELETE: it is answered once); empty when unknown or expired. */
  Future<Optional<Waiting>> take(SqlClient db, String id, Instant now) {
    return db.preparedQuery("""
        DELETE FROM oidc_logouts WHERE id = $1 AND expires_at > $2
        RETURNING id, session_handle, client_id, redirect_uri, state, language
        """)
      .execute(Tuple.of(id, utc(now)))
      .map(rows -> rows.iterator().hasNext() ? Optional.of(rows.iterator().next()).map(row -> new Waiting(row.getString("id"),
        row.getUUID("session_handle"), row.getString("client_id"), row.getString("redirect_uri"), row.getString("state"),
        row.getString("language"))) : Optional.empty());
  }

  Future<Integer> purge(SqlClient db, Instant now) {
    return db.preparedQuery("DELETE FROM oidc_logouts WHERE expires_at <= $1").execute(Tuple.of(utc(now)))
      .map(rows -> rows.rowCount());
  }
}
