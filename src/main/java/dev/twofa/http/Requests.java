package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SessionRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small readers shared by the resources: the validated body, the client, the signed-in session. */
final class Requests {
  private Requests() {
  }

  /** The JSON body; the OpenAPI validation before every handler has already checked its shape. */
  static JsonObject body(RoutingContext ctx) {
    return ctx.body().asJsonObject();
  }

  static ClientInfo client(RoutingContext ctx) {
    return new ClientInfo(ClientAddress.of(ctx), ctx.request().getHeader("User-Agent"));
  }

  /** The signed-in session, or UNAUTHENTICATED for anonymous and pending_2fa sessions. */
  static Future<SessionRef> signedIn(RoutingContext ctx) {
    return SessionState.signedIn(ctx).map(Future::succeededFuture)
      .orElseGet(() -> BusFailure.fail(ErrorCode.UNAUTHENTICATED));
  }

  /** Sends {@code result} as JSON with {@code status}, or the failure through the error mapper. */
  static void reply(RoutingContext ctx, Future<JsonObject> result, int status) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(ar.result().encode());
      } else {
        ErrorResponses.send(ctx, ar.cause());
      }
    });
  }

  static void noContent(RoutingContext ctx, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(204).end();
      } else {
        ErrorResponses.send(ctx, ar.cause());
      }
    });
  }
}
