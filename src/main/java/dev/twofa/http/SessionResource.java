package dev.twofa.http;

import dev.twofa.bus.AuthClient;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.LoginState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.reply;

/** Sign-up, the two login steps, logout and the session's state. */
final class SessionResource {
  private final AuthClient auth;
  private final LoginMetrics metrics;

  SessionResource(AuthClient auth, LoginMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  void session(RoutingContext ctx) {
    Future<JsonObject> state = SessionState.signedIn(ctx)
      .map(session -> auth.currentUser(session).map(SessionState::authenticated)
        .recover(error -> {
          if (BusFailure.from(error).code() != ErrorCode.UNAUTHENTICATED) {
            return Future.failedFuture(error);
          }
          ctx.session().destroy();
          return Future.succeededFuture(SessionState.anonymous());
        }))
      .orElseGet(() -> Future.succeededFuture(
        SessionState.pendingLogin(ctx).isPresent() ? SessionState.pending() : SessionState.anonymous()));
    reply(ctx, state, 200);
  }

  void signup(RoutingContext ctx) {
    JsonObject body = body(ctx);
    reply(ctx, auth.signup(body.getString("email"), body.getString("password"), client(ctx)).map(state -> enter(ctx, state)), 201);
  }

  void login(RoutingContext ctx) {
    JsonObject body = body(ctx);
    reply(ctx, metrics.count("password", auth.loginWithPassword(body.getString("email"), body.getString("password"), client(ctx)))
      .map(state -> enter(ctx, state)), 200);
  }

  void loginWithTotp(RoutingContext ctx) {
    reply(ctx, metrics.count("totp", pendingLogin(ctx)
      .compose(pending -> auth.loginWithTotp(pending, body(ctx).getString("code"), client(ctx))))
      .map(state -> enter(ctx, state)), 200);
  }

  void loginWithRecoveryCode(RoutingContext ctx) {
    reply(ctx, metrics.count("recovery_code", pendingLogin(ctx)
      .compose(pending -> auth.loginWithRecoveryCode(pending, body(ctx).getString("code"), client(ctx))))
      .map(state -> enter(ctx, state)), 200);
  }

  void logout(RoutingContext ctx) {
    Future<Void> recorded = SessionState.signedIn(ctx)
      .map(session -> auth.logout(session, client(ctx)).recover(error -> Future.succeededFuture()))
      .orElseGet(Future::succeededFuture);
    Requests.noContent(ctx, recorded.onComplete(done -> ctx.session().destroy()));
  }

  private static Future<String> pendingLogin(RoutingContext ctx) {
    return SessionState.pendingLogin(ctx).map(Future::succeededFuture)
      .orElseGet(() -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN));
  }

  private static JsonObject enter(RoutingContext ctx, LoginState state) {
    SessionState.apply(ctx, state);
    return SessionState.of(state);
  }
}
