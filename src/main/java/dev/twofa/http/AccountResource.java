package dev.twofa.http;

import dev.twofa.bus.AuditClient;
import dev.twofa.bus.AuthClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.reply;
import static dev.twofa.http.Requests.signedIn;

/** The signed-in user's account: who they are, their password, their activity. */
final class AccountResource {
  private static final int DEFAULT_PAGE = 50;
  private final AuthClient auth;
  private final AuditClient audit;

  AccountResource(AuthClient auth, AuditClient audit) {
    this.auth = auth;
    this.audit = audit;
  }

  void account(RoutingContext ctx) {
    reply(ctx, signedIn(ctx).compose(auth::currentUser), 200);
  }

  void changePassword(RoutingContext ctx) {
    JsonObject body = body(ctx);
    Requests.noContent(ctx, signedIn(ctx)
      .compose(session -> auth.changePassword(session, body.getString("currentPassword"), body.getString("newPassword"), client(ctx)))
      .onSuccess(renewed -> SessionState.renew(ctx, renewed)));
  }

  void activity(RoutingContext ctx) {
    String limit = ctx.queryParams().get("limit");
    String before = ctx.queryParams().get("before");
    // The session is re-checked with the auth verticle first: a stale session must not read activity.
    reply(ctx, signedIn(ctx)
      .compose(session -> auth.currentUser(session).map(user -> session))
      .compose(session -> audit.activity(session.userId(), limit == null ? DEFAULT_PAGE : Integer.parseInt(limit),
        before == null ? null : Long.valueOf(before), false)), 200);
  }
}
