package dev.twofa.http;

import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.AuthRequests.TrustedBrowserRemove;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.TRUSTED_BROWSERS;
import static dev.twofa.bus.Operations.TRUSTED_BROWSERS_REMOVE_ALL;
import static dev.twofa.bus.Operations.TRUSTED_BROWSER_REMOVE;
import static dev.twofa.bus.Operations.TWO_FACTOR_REQUIREMENT;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** The account's trusted browsers (listed, one removed, all removed), and what its required 2FA asks of it. */
final class TrustedBrowserResource {
  private final Requests requests;

  TrustedBrowserResource(Requests requests) {
    this.requests = requests;
  }

  void list(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TRUSTED_BROWSERS, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void remove(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TRUSTED_BROWSER_REMOVE, new TrustedBrowserRemove(sessionToken(ctx),
      body(ctx).getString("id"), client(ctx))), 200);
  }

  /** TWOFA_REQUIRE_2FA for the session's account (Account's "Turn on 2FA within N days"). */
  void twoFactorRequirement(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TWO_FACTOR_REQUIREMENT, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void removeAll(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TRUSTED_BROWSERS_REMOVE_ALL, new Session(sessionToken(ctx), client(ctx))), 200);
  }
}
