package dev.twofa.http;

import dev.twofa.config.TwofaConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.templ.handlebars.HandlebarsTemplateEngine;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The single-page app's shell, rendered with Handlebars so the product name and the per-response CSP nonce
 * come from the server. Every app path answers with it; the browser app then draws the screen.
 */
final class ShellPage {
  /** Paths of the browser app's screens (reloading any of them must keep the user's place). */
  static final String PATHS = "^/(|signup|login|login/2fa|login/recovery|welcome|2fa/setup|2fa/change|recovery-codes|account|support)$";
  private final HandlebarsTemplateEngine templates;
  private final TwofaConfig config;
  private final SecureRandom random = new SecureRandom();

  ShellPage(Vertx vertx, TwofaConfig config) {
    this.templates = HandlebarsTemplateEngine.create(vertx);
    this.config = config;
  }

  void render(RoutingContext ctx) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    // {{x}} escapes HTML, so configured names cannot inject markup.
    Map<String, Object> data = Map.of(
      "productName", config.productName(),
      "totpIssuer", config.totp().issuer(),
      "totpAccountName", config.totp().accountName(),
      "nonce", nonce);
    templates.render(data, "templates/index.hbs").onComplete(html -> {
      if (html.failed()) {
        ctx.fail(html.cause());
        return;
      }
      ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", SecurityHeaders.contentSecurityPolicy(nonce))
        .end(html.result());
    });
  }
}
