package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.Operations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * Liveness (this node's event loop answers) and readiness: an auth and an audit consumer answer over the bus,
 * and each reaches the database at the schema version this build migrated to.
 */
final class Health {
  private static final long TIMEOUT_MS = 3_000;

  private Health() {
  }

  static HealthCheckHandler live(Vertx vertx) {
    return HealthCheckHandler.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
  }

  static HealthCheckHandler ready(Vertx vertx, BusRequests bus) {
    return HealthCheckHandler.create(vertx)
      .register("auth", TIMEOUT_MS, promise -> report(bus.request(Operations.AUTH_HEALTH, null), promise))
      .register("audit", TIMEOUT_MS, promise -> report(bus.request(Operations.AUDIT_HEALTH, null), promise));
  }

  private static void report(Future<Void> check, Promise<Status> promise) {
    // tryComplete: a reply that arrives after the check timed out must not fail the handler.
    check.onComplete(result -> promise.tryComplete(result.succeeded()
      ? Status.OK()
      : Status.KO(new JsonObject().put("reason", BusFailure.from(result.cause()).text()))));
  }
}
