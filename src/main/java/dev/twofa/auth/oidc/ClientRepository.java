package dev.twofa.auth.oidc;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/** Reads the registered applications (the operator's command writes them). */
final class ClientRepository {
  Future<Optional<OidcClient>> find(SqlClient db, String clientId) {
    // A form body may carry characters PostgreSQL refuses (NUL): no client has such an id.
    if (clientId == null || clientId.isEmpty() || clientId.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Future.succeededFuture(Optional.empty());
    }
    return db.preparedQuery("SELECT " + OidcClient.COLUMNS + " FROM oidc_clients WHERE client_id = $1")
      .execute(Tuple.of(clientId))
      .map(rows -> rows.iterator().hasNext() ? Optional.of(OidcClient.from(rows.iterator().next())) : Optional.empty());
  }
}
