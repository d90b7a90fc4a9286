package dev.twofa.http;

import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.SupportDecline;
import dev.twofa.bus.AuthRequests.SupportDisable;
import dev.twofa.bus.AuthRequests.SupportLookup;
import dev.twofa.bus.AuthRequests.SupportRequest;
import dev.twofa.bus.AuthRequests.SupportRequestList;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.SUPPORT_DISABLE_TOTP;
import static dev.twofa.bus.Operations.SUPPORT_LOOKUP;
import static dev.twofa.bus.Operations.SUPPORT_REQUESTS;
import static dev.twofa.bus.Operations.SUPPORT_REQUEST_CANCEL;
import static dev.twofa.bus.Operations.SUPPORT_REQUEST_CREATE;
import static dev.twofa.bus.Operations.SUPPORT_REQUEST_DECLINE;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/**
 * The support desk: look up a user, turn 2FA off for one who lost both device and codes, and the requests people
 * make for that at a login's code step (asked, cancelled by the owner's link, listed, declined). Auth decides who may.
 */
final class SupportResource {
  private final Requests requests;

  SupportResource(Requests requests) {
    this.requests = requests;
  }

  void lookup(RoutingContext ctx) {
    requests.reply(ctx, requests.call(SUPPORT_LOOKUP, new SupportLookup(sessionToken(ctx),
      QueryParameters.of(ctx).text("email").orElse(null))), 200);
  }

  void disableTotp(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.reply(ctx, requests.call(SUPPORT_DISABLE_TOTP, new SupportDisable(sessionToken(ctx), body.getString("email"),
      body.getString("reason"), body.getString("verification"), client(ctx), body.getString("requestId"),
      body.getString("override"))), 200);
  }

  void removePasskey(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.reply(ctx, requests.call(dev.twofa.bus.Operations.SUPPORT_REMOVE_PASSKEY,
      new dev.twofa.bus.AuthRequests.SupportPasskeyRemove(sessionToken(ctx), body.getString("email"),
        body.getString("passkeyId"), body.getString("reason"), body.getString("verification"), client(ctx),
        body.getString("requestId"), body.getString("override"))), 200);
  }

  /** A pending login asks the desk to turn 2FA off (auth decides whether this session may). */
  void request(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.reply(ctx, requests.call(SUPPORT_REQUEST_CREATE, new SupportRequest(sessionToken(ctx), body.getString("reason"),
      body.getString("contact"), body.getString("message"), client(ctx))), 201);
  }

  /** The owner's "This wasn't me" link; needs no session. */
  void cancelRequest(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(SUPPORT_REQUEST_CANCEL, new LinkToken(body(ctx).getString("token"), client(ctx))));
  }

  void listRequests(RoutingContext ctx) {
    requests.reply(ctx, requests.call(SUPPORT_REQUESTS, new SupportRequestList(sessionToken(ctx),
      QueryParameters.of(ctx).text("status").orElse("open"))), 200);
  }

  void declineRequest(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.noContent(ctx, requests.call(SUPPORT_REQUEST_DECLINE, new SupportDecline(sessionToken(ctx), body.getString("id"),
      body.getString("reason"), client(ctx))));
  }
}
