package dev.twofa.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** Readiness of a verticle that owns data: its database answers and holds the schema this build migrated to. */
public final class SchemaCheck {
  private SchemaCheck() {
  }

  /** Succeeds when ready; otherwise fails with a sentence saying why (safe to show an operator). */
  public static Future<Void> check(Pool pool, String expectedVersion) {
    return pool.preparedQuery("SELECT success FROM flyway_schema_history WHERE version = $1")
      .execute(Tuple.of(expectedVersion))
      .recover(error -> Future.failedFuture(new IllegalStateException("database unreachable")))
      .compose(rows -> rows.size() == 1 && rows.iterator().next().getBoolean("success")
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("schema is not at version " + expectedVersion)));
  }
}
