package dev.twofa.http;

import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.PasswordReset;
import dev.twofa.bus.AuthRequests.PasswordResetRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.PASSWORD_RESET_COMPLETE;
import static dev.twofa.bus.Operations.PASSWORD_RESET_REQUEST;
import static dev.twofa.bus.Operations.SECURE_ACCOUNT;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;

/** "Forgot password?" and "This wasn't me": mailed links that need no session and open none. */
final class PasswordResetResource {
  private final Requests requests;

  PasswordResetResource(Requests requests) {
    this.requests = requests;
  }

  /** 202 whether or not an account has the address: the answer tells nothing about accounts. */
  void request(RoutingContext ctx) {
    requests.reply(ctx, requests.call(PASSWORD_RESET_REQUEST,
      new PasswordResetRequest(body(ctx).getString("email"), client(ctx))).map(accepted -> new JsonObject()), 202);
  }

  void complete(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.noContent(ctx, requests.call(PASSWORD_RESET_COMPLETE,
      new PasswordReset(body.getString("token"), body.getString("newPassword"), client(ctx))));
  }

  void secureAccount(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(SECURE_ACCOUNT, new LinkToken(body(ctx).getString("token"), client(ctx))));
  }
}
