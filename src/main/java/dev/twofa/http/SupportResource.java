package dev.twofa.http;

import dev.twofa.bus.AuthRequests.SupportDisable;
import dev.twofa.bus.AuthRequests.SupportLookup;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.SUPPORT_DISABLE_TOTP;
import static dev.twofa.bus.Operations.SUPPORT_LOOKUP;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** The support desk: look up a user, and turn 2FA off for one who lost both device and codes. Auth decides who may. */
final class SupportResource {
  private final Requests requests;

  SupportResource(Requests requests) {
    this.requests = requests;
  }

  void lookup(RoutingContext ctx) {
    requests.reply(ctx, requests.call(SUPPORT_LOOKUP, new SupportLookup(sessionToken(ctx), ctx.queryParams().get("email"))), 200);
  }

  void disableTotp(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.reply(ctx, requests.call(SUPPORT_DISABLE_TOTP, new SupportDisable(sessionToken(ctx), body.getString("email"),
      body.getString("reason"), body.getString("verification"), client(ctx))), 200);
  }
}
