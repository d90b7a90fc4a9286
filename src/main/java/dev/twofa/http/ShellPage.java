package dev.twofa.http;

import dev.twofa.config.TwofaConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.templ.handlebars.HandlebarsTemplateEngine;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The single-page app's shell, rendered with Handlebars so the product name and the per-response CSP nonce
 * come from the server. Every app path answers with it; the browser app then draws the screen.
 */
final class ShellPage {
  /** Paths of the browser app's screens (reloading any of them must keep the user's place). */
  static final String PATHS = "^/(|signup|login|login/2fa|login/recovery|welcome|2fa/setup|2fa/change|recovery-codes|account|support|verify-email|forgot-password|reset-password|secure-account|login/support|support/cancel|consent)$";
  /** The languages the browser app has messages for; the first is the fallback. */
  static final List<String> LANGUAGES = List.of("en", "ja");
  private final HandlebarsTemplateEngine templates;
  private final TwofaConfig config;
  private final SecureRandom random = new SecureRandom();

  ShellPage(Vertx vertx, TwofaConfig config) {
    this.templates = HandlebarsTemplateEngine.create(vertx);
    this.config = config;
  }

  /**
   * The app's language: the {@code lang} cookie the switch sets (also under the {@code __Host-} name), else the
   * first of Accept-Language the app speaks, else English. The app reads it back from {@code <html lang>}.
   */
  static String language(RoutingContext ctx) {
    for (String name : List.of("__Host-lang", "lang")) {
      Cookie cookie = ctx.request().getCookie(name);
      if (cookie != null && LANGUAGES.contains(cookie.getValue())) {
        return cookie.getValue();
      }
    }
    String header = ctx.request().getHeader("Accept-Language");
    if (header != null) {
      try {
        for (Locale.LanguageRange range : Locale.LanguageRange.parse(header)) {
          String primary = range.getRange().split("-")[0].toLowerCase(Locale.ROOT);
          if (range.getWeight() > 0 && LANGUAGES.contains(primary)) {
            return primary;
          }
        }
      } catch (IllegalArgumentException malformed) {
        // A malformed header is treated as absent.
      }
    }
    return LANGUAGES.get(0);
  }

  void render(RoutingContext ctx) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    // {{x}} escapes HTML, so configured names cannot inject markup.
    Map<String, Object> data = Map.of(
      "lang", language(ctx),
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
        .putHeader("Vary", "Accept-Language, Cookie")
        .putHeader("Content-Security-Policy", SecurityHeaders.contentSecurityPolicy(nonce))
        .end(html.result());
    });
  }
}
