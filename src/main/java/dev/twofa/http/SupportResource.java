package dev.twofa.http;

import dev.twofa.bus.AuditClient;
import dev.twofa.bus.AuthClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.reply;
import static dev.twofa.http.Requests.signedIn;

/** The support desk: look up a user, and turn 2FA off for one who lost both device and codes. */
final class SupportResource {
  private static final int RECENT_EVENTS = 20;
  private final AuthClient auth;
  private final AuditClient audit;

  SupportResource(AuthClient auth, AuditClient audit) {
    this.auth = auth;
    this.audit = audit;
  }

  void lookup(RoutingContext ctx) {
    String email = ctx.queryParams().get("email");
    reply(ctx, signedIn(ctx)
      .compose(staff -> auth.supportLookup(staff, email))
      .compose(found -> audit.activity(found.getLong("userId"), RECENT_EVENTS, null, true)
        .map(page -> new JsonObject().put("user", found.getJsonObject("user")).put("activity", page.getJsonArray("events")))), 200);
  }

  void disableTotp(RoutingContext ctx) {
    JsonObject body = body(ctx);
    reply(ctx, signedIn(ctx).compose(staff -> auth.supportDisableTotp(staff, body.getString("email"),
      body.getString("reason"), body.getString("verification"), client(ctx))), 200);
  }
}
