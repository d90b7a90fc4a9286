package dev.twofa.http;

import dev.twofa.config.RecoveryCodePolicy;
import dev.twofa.config.TwofaConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /api/config: the settings the browser app puts into words ("the 6-digit code", "5 minutes", "8 of 8
 * left"), so none of them is written into the app. Static for the process, so answered here without the bus.
 */
final class ClientConfig {
  private final String body;

  ClientConfig(TwofaConfig config) {
    this.body = new JsonObject()
      .put("productName", config.productName())
      .put("totp", new JsonObject().put("issuer", config.totp().issuer()).put("accountName", config.totp().accountName())
        .put("digits", config.totp().digits()).put("periodSeconds", config.totp().periodSeconds()))
      .put("pendingLogin", new JsonObject().put("minutes", config.login().pendingLoginTtl().toMinutes())
        .put("maxFailures", config.login().pendingLoginMaxFailures()))
      .put("password", new JsonObject().put("minLength", config.passwords().minLength())
        .put("maxLength", config.passwords().maxLength()))
      .put("recoveryCodes", new JsonObject().put("count", RecoveryCodePolicy.COUNT).put("length", RecoveryCodePolicy.LENGTH))
      // An external help desk, when set, is where "Ask support to turn off 2FA" leads instead of the app's form.
      .put("support", new JsonObject().put("url", config.support().helpDeskUrl().map(Object::toString).orElse(null))
        .put("coolingOffHours", config.support().coolingOff().toHours()))
      // 0: the code step offers no "Don't ask for a code on this browser".
      .put("trustedBrowserDays", config.twoFactorRules().trustedBrowser().toDays())
      // "Kept for 400 days" on the Activity page.
      .put("activity", new JsonObject().put("retentionDays", config.activity().retentionDays()))
      .encode();
  }

  void get(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(body);
  }
}
