package dev.twofa.http;

import dev.twofa.bus.AuthRequests.Code;
import dev.twofa.bus.AuthRequests.PasswordConfirmed;
import dev.twofa.bus.AuthRequests.Session;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.RECOVERY_CODES_REGENERATE;
import static dev.twofa.bus.Operations.TOTP_ENABLE;
import static dev.twofa.bus.Operations.TOTP_SETUP;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** Enrollment and recovery codes. */
final class TwoFactorResource {
  private final Requests requests;

  TwoFactorResource(Requests requests) {
    this.requests = requests;
  }

  void setup(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TOTP_SETUP, new Session(sessionToken(ctx), client(ctx)))
      .map(key -> JsonObject.mapFrom(key).put("qrCode", QrCodes.pngDataUri(key.otpauthUri()))), 200);
  }

  void enable(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TOTP_ENABLE, new Code(sessionToken(ctx), body(ctx).getString("code"), client(ctx)))
      .map(outcome -> {
        requests.setSession(ctx, outcome.sessionToken());
        return outcome.enrollment();
      }), 200);
  }

  void regenerateRecoveryCodes(RoutingContext ctx) {
    requests.reply(ctx, requests.call(RECOVERY_CODES_REGENERATE,
      new PasswordConfirmed(sessionToken(ctx), body(ctx).getString("password"), client(ctx))), 200);
  }
}
