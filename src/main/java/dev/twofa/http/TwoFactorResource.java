package dev.twofa.http;

import dev.twofa.bus.AuthReplies.TotpKey;
import dev.twofa.bus.AuthRequests.Code;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.Operation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.RECOVERY_CODES_REGENERATE;
import static dev.twofa.bus.Operations.TOTP_CHANGE_CONFIRM;
import static dev.twofa.bus.Operations.TOTP_CHANGE_START;
import static dev.twofa.bus.Operations.TOTP_ENABLE;
import static dev.twofa.bus.Operations.TOTP_SETUP;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** Enrollment, changing the authenticator app, and recovery codes. */
final class TwoFactorResource {
  private final Requests requests;

  TwoFactorResource(Requests requests) {
    this.requests = requests;
  }

  void setup(RoutingContext ctx) {
    key(ctx, TOTP_SETUP);
  }

  void changeStart(RoutingContext ctx) {
    key(ctx, TOTP_CHANGE_START);
  }

  void changeConfirm(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TOTP_CHANGE_CONFIRM, new Code(sessionToken(ctx), body(ctx).getString("code"), client(ctx)))
      .map(changed -> {
        requests.setSession(ctx, changed.sessionToken());
        return changed.result();
      }), 200);
  }

  /** A pending key with its QR code, drawn here so auth never renders images. */
  private void key(RoutingContext ctx, Operation<Session, TotpKey> operation) {
    requests.reply(ctx, requests.call(operation, new Session(sessionToken(ctx), client(ctx)))
      .map(key -> JsonObject.mapFrom(key).put("qrCode", QrCodes.pngDataUri(key.otpauthUri()))), 200);
  }

  void enable(RoutingContext ctx) {
    requests.reply(ctx, requests.call(TOTP_ENABLE, new Code(sessionToken(ctx), body(ctx).getString("code"), client(ctx)))
      .map(outcome -> {
        requests.setSession(ctx, outcome.sessionToken());
        return outcome.enrollment();
      }), 200);
  }

  void checkup(RoutingContext ctx) {
    requests.reply(ctx, requests.call(dev.twofa.bus.Operations.CHECKUP, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void confirmCheckup(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(dev.twofa.bus.Operations.CHECKUP_CONFIRM,
      new Code(sessionToken(ctx), body(ctx).getString("code"), client(ctx))));
  }

  void dismissCheckup(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(dev.twofa.bus.Operations.CHECKUP_DISMISS, new Session(sessionToken(ctx), client(ctx))));
  }

  void regenerateRecoveryCodes(RoutingContext ctx) {
    requests.reply(ctx, requests.call(RECOVERY_CODES_REGENERATE, new Session(sessionToken(ctx), client(ctx))), 200);
  }
}
