package dev.twofa.http;

import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.OidcMessages.AppRemove;
import dev.twofa.bus.OidcMessages.AuthorizationLookup;
import dev.twofa.bus.OidcMessages.Authorize;
import dev.twofa.bus.OidcMessages.AuthorizeOutcome;
import dev.twofa.bus.OidcMessages.Consent;
import dev.twofa.bus.OidcMessages.EndSession;
import dev.twofa.bus.OidcMessages.EndSessionConfirm;
import dev.twofa.bus.OidcMessages.EndSessionOutcome;
import dev.twofa.bus.OidcMessages.ProtocolAnswer;
import dev.twofa.bus.OidcMessages.ProtocolRequest;
import dev.twofa.bus.OidcMessages.Resume;
import dev.twofa.config.TwofaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.templ.handlebars.HandlebarsTemplateEngine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static dev.twofa.bus.Operations.OIDC_APPS;
import static dev.twofa.bus.Operations.OIDC_APP_REMOVE;
import static dev.twofa.bus.Operations.OIDC_AUTHORIZATION;
import static dev.twofa.bus.Operations.OIDC_AUTHORIZE;
import static dev.twofa.bus.Operations.OIDC_CONSENT;
import static dev.twofa.bus.Operations.OIDC_DISCOVERY;
import static dev.twofa.bus.Operations.OIDC_END_SESSION;
import static dev.twofa.bus.Operations.OIDC_END_SESSION_CONFIRM;
import static dev.twofa.bus.Operations.OIDC_JWKS;
import static dev.twofa.bus.Operations.OIDC_INTROSPECT;
import static dev.twofa.bus.Operations.OIDC_RESUME;
import static dev.twofa.bus.Operations.OIDC_REVOKE;
import static dev.twofa.bus.Operations.OIDC_TOKEN;
import static dev.twofa.bus.Operations.OIDC_USERINFO;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/**
 * The OpenID Connect endpoints: each forwards the protocol's raw input to auth and writes back its answer (a
 * redirect, the login screen with an opaque pending-authorization id, an error page, or a JSON document). It
 * parses nothing of the protocol and holds no key.
 */
final class OidcResource {
  private final Requests requests;
  private final HandlebarsTemplateEngine templates;
  private final String productName;
  private final Map<String, JsonObject> words = new HashMap<>();

  OidcResource(Vertx vertx, Requests requests, TwofaConfig config) {
    this.requests = requests;
    this.templates = HandlebarsTemplateEngine.create(vertx);
    this.productName = config.productName();
    for (String language : ShellPage.LANGUAGES) {
      words.put(language, load("webroot/i18n/" + language + ".json"));
    }
  }

  void discovery(RoutingContext ctx) {
    write(ctx, requests.call(OIDC_DISCOVERY, null));
  }

  void jwks(RoutingContext ctx) {
    write(ctx, requests.call(OIDC_JWKS, null));
  }

  /** {@code GET /authorize}, or a form {@code POST} of the same parameters (OpenID Connect Core 3.1.2.1). */
  void authorize(RoutingContext ctx) {
    follow(ctx, requests.call(OIDC_AUTHORIZE, new Authorize(sessionToken(ctx), authorizationParameters(ctx), client(ctx))));
  }

  /** The query of a GET; the body of a form POST (anything else posted carries no request: the error page). */
  private static String authorizationParameters(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.POST) {
      return ctx.request().query();
    }
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    boolean form = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    return form && ctx.body() != null && ctx.body().buffer() != null ? ctx.body().buffer().toString(StandardCharsets.UTF_8) : null;
  }

  void resume(RoutingContext ctx) {
    follow(ctx, requests.call(OIDC_RESUME,
      new Resume(sessionToken(ctx), ctx.request().getParam("authorization"), client(ctx))));
  }

  /** {@code GET /api/authorizations/{id}}: whom the login screen logs in to. */
  void lookup(RoutingContext ctx) {
    requests.reply(ctx, requests.call(OIDC_AUTHORIZATION, new AuthorizationLookup(ctx.pathParam("id"), sessionToken(ctx))), 200);
  }

  /** {@code POST /api/authorizations/{id}/consent {allow}}: where the browser goes next, as {@code {location}}. */
  void consent(RoutingContext ctx) {
    requests.reply(ctx, requests.call(OIDC_CONSENT, new Consent(sessionToken(ctx), ctx.pathParam("id"),
      Boolean.TRUE.equals(ctx.body().asJsonObject().getBoolean("allow")), client(ctx)))
      .map(outcome -> new JsonObject().put("location", location(outcome))), 200);
  }

  /** {@code GET /api/account/apps}: the applications the user logged in to. */
  void apps(RoutingContext ctx) {
    requests.reply(ctx, requests.call(OIDC_APPS, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  /** {@code POST /api/account/apps/remove {clientId}}: "Remove access"; answers the list that remains. */
  void removeApp(RoutingContext ctx) {
    requests.reply(ctx, requests.call(OIDC_APP_REMOVE, new AppRemove(sessionToken(ctx),
      Requests.body(ctx).getString("clientId"), client(ctx))), 200);
  }

  void token(RoutingContext ctx) {
    write(ctx, requests.call(OIDC_TOKEN, protocol(ctx)));
  }

  void revoke(RoutingContext ctx) {
    write(ctx, requests.call(OIDC_REVOKE, protocol(ctx)));
  }

  void introspect(RoutingContext ctx) {
    write(ctx, requests.call(OIDC_INTROSPECT, protocol(ctx)));
  }

  void userInfo(RoutingContext ctx) {
    write(ctx, requests.call(OIDC_USERINFO, protocol(ctx)));
  }

  /** RP-initiated logout: {@code GET /end-session} (by navigation, from any site) or a form {@code POST}. */
  void endSession(RoutingContext ctx) {
    leave(ctx, requests.call(OIDC_END_SESSION, new EndSession(sessionToken(ctx), protocol(ctx), ctx.request().query(),
      client(ctx))));
  }

  /** The "Log out?" page's form: {@code logout} (the waiting logout's id) and {@code confirm} yes or no. */
  void confirmEndSession(RoutingContext ctx) {
    leave(ctx, requests.call(OIDC_END_SESSION_CONFIRM, new EndSessionConfirm(sessionToken(ctx),
      ctx.request().getFormAttribute("logout"), "yes".equals(ctx.request().getFormAttribute("confirm")), client(ctx))));
  }

  private void leave(RoutingContext ctx, Future<EndSessionOutcome> outcome) {
    outcome.onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponses.send(ctx, ar.cause());
        return;
      }
      EndSessionOutcome result = ar.result();
      if (result.ended()) {
        requests.clearSession(ctx);
      }
      String language = result.language() != null ? result.language() : ShellPage.language(ctx);
      if (result.redirect() != null) {
        redirect(ctx, result.redirect());
      } else if (result.errorPage() != null) {
        page(ctx, 400, language, "oidc.logout.error.title", "oidc.error." + result.errorPage(), null, null);
      } else if (EndSessionOutcome.CONFIRM.equals(result.screen())) {
        page(ctx, 200, language, "oidc.logout.confirm.title", "oidc.logout.confirm.message", result.logout(),
          result.formTarget());
      } else {
        page(ctx, 200, language, "oidc.logout.done.title", "oidc.logout.done.message", null, null);
      }
    });
  }

  /**
   * A logout page: the question with Yes and No when {@code logout} is given (its form may lead on to
   * {@code formTarget}, the application's origin, which the CSP's form-action must allow for the redirect), else
   * a message. {product} in the words is the product's name.
   */
  private void page(RoutingContext ctx, int status, String language, String titleKey, String messageKey, String logout,
                    String formTarget) {
    JsonObject text = words.get(language);
    Map<String, Object> data = new HashMap<>();
    data.put("lang", language);
    data.put("productName", productName);
    data.put("title", text.getString(titleKey).replace("{product}", productName));
    data.put("message", text.getString(messageKey, text.getString("oidc.error.other")).replace("{product}", productName));
    data.put("home", text.getString("oidc.error.home"));
    if (logout != null) {
      data.put("logout", logout);
      data.put("yes", text.getString("oidc.logout.confirm.yes"));
      data.put("no", text.getString("oidc.logout.confirm.no"));
    }
    templates.render(data, "templates/oidc-logout.hbs").onComplete(html -> {
      if (html.failed()) {
        ctx.fail(html.cause());
        return;
      }
      if (formTarget != null) {
        ctx.response().putHeader("Content-Security-Policy",
          SecurityHeaders.CONTENT_SECURITY_POLICY.replace("form-action 'self'", "form-action 'self' " + formTarget));
      }
      if (logout != null) {
        // Under no-referrer a browser posts the form with "Origin: null", which the same-site check must refuse.
        ctx.response().putHeader("Referrer-Policy", "same-origin");
      }
      ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(html.result());
    });
  }

  private static ProtocolRequest protocol(RoutingContext ctx) {
    return new ProtocolRequest(ctx.request().method().name(), ctx.request().getHeader(HttpHeaders.CONTENT_TYPE),
      // As bytes: a form body is ASCII, and a charset named in Content-Type must not make the read throw.
      ctx.body() == null || ctx.body().buffer() == null ? null : ctx.body().buffer().toString(StandardCharsets.UTF_8),
      ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
  }

  private void write(RoutingContext ctx, Future<ProtocolAnswer> answer) {
    answer.onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponses.send(ctx, ar.cause());
        return;
      }
      ar.result().headers().forEach(ctx.response()::putHeader);
      ctx.response().setStatusCode(ar.result().status()).end(ar.result().body() == null ? "" : ar.result().body());
    });
  }

  private void follow(RoutingContext ctx, Future<AuthorizeOutcome> outcome) {
    outcome.onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponses.send(ctx, ar.cause());
      } else if (ar.result().redirect() != null) {
        redirect(ctx, ar.result().redirect());
      } else if (ar.result().authorization() != null) {
        redirect(ctx, location(ar.result()));
      } else {
        errorPage(ctx, ar.result().errorPage());
      }
    });
  }

  /** The application's redirect, or the screen of the browser app that carries the authorization on. */
  private static String location(AuthorizeOutcome outcome) {
    if (outcome.redirect() != null) {
      return outcome.redirect();
    }
    String screen = AuthorizeOutcome.CONSENT.equals(outcome.screen()) ? "/consent"
      : AuthorizeOutcome.ENROL.equals(outcome.screen()) || AuthorizeOutcome.SECOND_FACTOR.equals(outcome.screen()) ? "/2fa/setup" : "/login";
    return outcome.authorization() != null ? screen + "?authorization=" + outcome.authorization() : "/";
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  /** Unknown application or redirect URI: said to the user, in their language; never a redirect. */
  private void errorPage(RoutingContext ctx, String code) {
    JsonObject text = words.get(ShellPage.language(ctx));
    String message = text.getString("oidc.error." + code, text.getString("oidc.error.other"));
    templates.render(Map.of("lang", ShellPage.language(ctx), "productName", productName,
        "title", text.getString("oidc.error.title"), "message", message, "home", text.getString("oidc.error.home")),
      "templates/oidc-error.hbs").onComplete(html -> {
        if (html.failed()) {
          ctx.fail(html.cause());
          return;
        }
        ctx.response().setStatusCode(400).putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Cache-Control", "no-store").end(html.result());
      });
  }

  private static JsonObject load(String resource) {
    try (InputStream in = OidcResource.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing " + resource);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
