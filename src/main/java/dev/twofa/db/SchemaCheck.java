package dev.twofa.db;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** Readiness of a verticle that owns data: its database answers and holds the schema this build migrated to. */
public final class SchemaCheck {
  private SchemaCheck() {
  }

  public static Future<JsonObject> check(Pool pool, String expectedVersion) {
    return pool.preparedQuery("SELECT success FROM flyway_schema_history WHERE version = $1")
      .execute(Tuple.of(expectedVersion))
      .recover(error -> Future.failedFuture(new BusFailure(ErrorCode.UNAVAILABLE, "database unreachable")))
      .compose(rows -> rows.size() == 1 && rows.iterator().next().getBoolean("success")
        ? Future.succeededFuture(new JsonObject().put("schemaVersion", expectedVersion))
        : Future.failedFuture(new BusFailure(ErrorCode.UNAVAILABLE, "schema is not at version " + expectedVersion)));
  }
}
