package dev.twofa.http;

import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.Operation;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** What every resource does: read the validated body and the client, call one bus operation, answer it. */
final class Requests {
  private final BusRequests bus;
  private final SessionCookie cookie;

  Requests(BusRequests bus, SessionCookie cookie) {
    this.bus = bus;
    this.cookie = cookie;
  }

  /** The JSON body; the OpenAPI validation before every handler has already checked its shape. */
  static JsonObject body(RoutingContext ctx) {
    return ctx.body().asJsonObject();
  }

  static ClientInfo client(RoutingContext ctx) {
    return new ClientInfo(ClientAddress.of(ctx), ctx.request().getHeader("User-Agent"), DeviceCookie.of(ctx),
      ClientAddress.network(ctx));
  }

  static String sessionToken(RoutingContext ctx) {
    return SessionCookie.value(ctx);
  }

  <Q, R> Future<R> call(Operation<Q, R> operation, Q request) {
    return bus.request(operation, request);
  }

  /** Puts the session cookie auth chose for this browser. */
  void setSession(RoutingContext ctx, String token) {
    cookie.set(ctx, token);
  }

  void clearSession(RoutingContext ctx) {
    cookie.clear(ctx);
  }

  /** Sends {@code result} as JSON with {@code status}, or the failure through the error mapper. */
  void reply(RoutingContext ctx, Future<?> result, int status) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        Object value = ar.result();
        // Records are written straight to JSON by Vert.x's Jackson mapper (no intermediate JsonObject).
        String json = value instanceof JsonObject object ? object.encode() : Json.encode(value);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
      } else {
        ErrorResponses.send(ctx, ar.cause());
      }
    });
  }

  void noContent(RoutingContext ctx, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(204).end();
      } else {
        ErrorResponses.send(ctx, ar.cause());
      }
    });
  }
}
