package dev.twofa.http;

import dev.twofa.bus.AuthClient;
import dev.twofa.bus.SessionRef;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.reply;
import static dev.twofa.http.Requests.signedIn;

/** Enrollment and recovery codes. */
final class TwoFactorResource {
  private final AuthClient auth;

  TwoFactorResource(AuthClient auth) {
    this.auth = auth;
  }

  void setup(RoutingContext ctx) {
    reply(ctx, signedIn(ctx).compose(auth::setupTotp)
      .map(key -> key.put("qrCode", QrCodes.pngDataUri(key.getString("otpauthUri")))), 200);
  }

  void enable(RoutingContext ctx) {
    // Enrolling proves the app holds the key: from here on the session counts as a two-factor one.
    reply(ctx, signedIn(ctx).compose(session -> auth.enableTotp(session, body(ctx).getString("code"), client(ctx))
      .onSuccess(enabled -> SessionState.renew(ctx, new SessionRef(session.userId(), session.epoch(), true)))), 200);
  }

  void regenerateRecoveryCodes(RoutingContext ctx) {
    reply(ctx, signedIn(ctx).compose(session ->
      auth.regenerateRecoveryCodes(session, body(ctx).getString("password"), client(ctx))), 200);
  }
}
