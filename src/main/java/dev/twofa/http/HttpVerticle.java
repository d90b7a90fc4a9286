package dev.twofa.http;

import dev.twofa.bus.BusRequests;
import dev.twofa.config.TwofaConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Router assembly only: HTTP in, event-bus requests out. No credential logic lives here. */
public class HttpVerticle extends VerticleBase {
  static final int BODY_LIMIT_BYTES = 16 * 1024;
  /** The OpenID Connect endpoints applications send browsers or requests to from their own sites. */
  static final List<String> OIDC_PATHS = List.of("/authorize", "/authorize/resume", "/token", "/revoke", "/introspect",
    "/userinfo", "/end-session");
  private final TwofaConfig config;
  private final PrometheusMeterRegistry metrics;
  private HttpServer server;
  private HttpServer management;

  public HttpVerticle(TwofaConfig config, PrometheusMeterRegistry metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    return OpenAPIContract.from(vertx, "openapi.yaml").compose(contract -> {
      BusRequests bus = new BusRequests(vertx, metrics);
      SessionCookie sessionCookie = new SessionCookie(config.publicUrl());
      DeviceCookie deviceCookie = new DeviceCookie(config.publicUrl(), config.keys().deviceCookieKey().orElseThrow());
      Requests requests = new Requests(bus, sessionCookie);
      SessionResource sessions = new SessionResource(requests, new LoginMetrics(metrics));
      AccountResource account = new AccountResource(requests);
      TwoFactorResource twoFactor = new TwoFactorResource(requests);
      SupportResource support = new SupportResource(requests);
      PasswordResetResource passwordReset = new PasswordResetResource(requests);
      OidcResource oidc = new OidcResource(vertx, requests, config);
      PasskeyResource passkeys = new PasskeyResource(requests);
      PhraseResource phrase = new PhraseResource(requests);

      // Every request is validated against openapi.yaml before its handler runs.
      RouterBuilder api = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
      // Operations without parameters are validated on the event loop, with each schema's validator built once.
      api.getRoutes().forEach(new ContractValidation(contract)::takeOver);
      api.getRoute("getConfig").addHandler(new ClientConfig(config)::get);
      api.getRoute("getSession").addHandler(sessions::session);
      api.getRoute("signup").addHandler(sessions::signup);
      api.getRoute("login").addHandler(sessions::login);
      api.getRoute("loginTotp").addHandler(sessions::loginWithTotp);
      api.getRoute("loginRecovery").addHandler(sessions::loginWithRecoveryCode);
      api.getRoute("loginSupportForm").addHandler(sessions::supportForm);
      api.getRoute("logout").addHandler(sessions::logout);
      api.getRoute("getAccount").addHandler(account::account);
      api.getRoute("changePassword").addHandler(account::changePassword);
      api.getRoute("verifyEmail").addHandler(account::verifyEmail);
      api.getRoute("sendEmailVerification").addHandler(account::sendEmailVerification);
      api.getRoute("getActivity").addHandler(account::activity);
      api.getRoute("downloadActivity").addHandler(account::downloadActivity);
      api.getRoute("listSessions").addHandler(account::sessions);
      api.getRoute("revokeSession").addHandler(account::revokeSession);
      api.getRoute("revokeOtherSessions").addHandler(account::revokeOtherSessions);
      api.getRoute("setupTotp").addHandler(twoFactor::setup);
      api.getRoute("enableTotp").addHandler(twoFactor::enable);
      api.getRoute("regenerateRecoveryCodes").addHandler(twoFactor::regenerateRecoveryCodes);
      api.getRoute("getCheckup").addHandler(twoFactor::checkup);
      api.getRoute("confirmCheckup").addHandler(twoFactor::confirmCheckup);
      api.getRoute("dismissCheckup").addHandler(twoFactor::dismissCheckup);
      api.getRoute("changeTotpStart").addHandler(twoFactor::changeStart);
      api.getRoute("changeTotpConfirm").addHandler(twoFactor::changeConfirm);
      api.getRoute("stepUp").addHandler(account::stepUp);
      api.getRoute("supportLookup").addHandler(support::lookup);
      api.getRoute("supportDisableTotp").addHandler(support::disableTotp);
      api.getRoute("supportRemovePasskey").addHandler(support::removePasskey);
      api.getRoute("requestPasswordReset").addHandler(passwordReset::request);
      api.getRoute("completePasswordReset").addHandler(passwordReset::complete);
      api.getRoute("secureAccount").addHandler(passwordReset::secureAccount);
      api.getRoute("supportRequest").addHandler(support::request);
      api.getRoute("supportRequestCancel").addHandler(support::cancelRequest);
      api.getRoute("supportRequests").addHandler(support::listRequests);
      api.getRoute("supportRequestDecline").addHandler(support::declineRequest);
      api.getRoute("getAuthorization").addHandler(oidc::lookup);
      api.getRoute("consentToAuthorization").addHandler(oidc::consent);
      api.getRoute("listApps").addHandler(oidc::apps);
      api.getRoute("removeAppAccess").addHandler(oidc::removeApp);
      api.getRoute("passkeyOptions").addHandler(passkeys::registrationOptions);
      api.getRoute("addPasskey").addHandler(passkeys::add);
      api.getRoute("listPasskeys").addHandler(passkeys::list);
      api.getRoute("renamePasskey").addHandler(passkeys::rename);
      api.getRoute("removePasskey").addHandler(passkeys::remove);
      api.getRoute("loginPasskeyOptions").addHandler(passkeys::loginOptions);
      api.getRoute("loginPasskey").addHandler(sessions::loginWithPasskey);
      api.getRoute("passkeySignInOptions").addHandler(passkeys::signInOptions);
      api.getRoute("passkeySignIn").addHandler(sessions::signInWithPasskey);
      api.getRoute("stepUpPasskeyOptions").addHandler(passkeys::stepUpOptions);
      api.getRoute("setPhrase").addHandler(phrase::set);
      api.getRoute("getPhrase").addHandler(phrase::show);
      TrustedBrowserResource trustedBrowsers = new TrustedBrowserResource(requests);
      api.getRoute("listTrustedBrowsers").addHandler(trustedBrowsers::list);
      api.getRoute("removeTrustedBrowser").addHandler(trustedBrowsers::remove);
      api.getRoute("removeAllTrustedBrowsers").addHandler(trustedBrowsers::removeAll);
      api.getRoute("getTwoFactorRequirement").addHandler(trustedBrowsers::twoFactorRequirement);

      Router router = Router.router(vertx);
      // HEAD works wherever GET does: routed as a GET, and Vert.x sends no body in answer to a HEAD request.
      router.route().method(HttpMethod.HEAD).handler(ctx -> ctx.reroute(HttpMethod.GET, ctx.request().uri()));
      router.route().handler(SecurityHeaders::add);
      if (config.publicUrl().https()) {
        router.route().handler(SecurityHeaders::strictTransport);
      }
      router.route("/api/*").handler(ctx -> {
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.next();
      });
      router.route("/api/*").handler(new ClientAddress(config.trustedProxies(), config.ipv6Prefix()));
      router.route("/api/*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
        .method(HttpMethod.DELETE).handler(new BrowserWrites(config.publicUrl()));
      // Only methods that carry a body: Vert.x's body handler throws on a GET declaring a multipart body (HTTP/2).
      router.route("/api/*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
        .method(HttpMethod.DELETE).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
      router.route("/api/*").handler(new CsrfTokens(config.keys().csrfKey().orElseThrow(), sessionCookie,
        config.publicUrl(), config.sessionTimeout(), Clock.systemUTC()));
      router.route("/api/*").handler(CleanInput::refuseControlCharacters);
      router.route("/api/*").handler(sessionCookie::read);
      router.route("/api/*").handler(deviceCookie::read);
      router.route("/api/*").subRouter(api.createRouter());
      oidcRoutes(router, oidc, sessionCookie);
      router.getWithRegex(ShellPage.PATHS).handler(new ShellPage(vertx, config)::render);
      // Static files are revalidated at every load (Last-Modified, 304 when unchanged) instead of kept a day as
      // immutable: after a deploy, browsers run today's scripts against today's API at once.
      router.route().handler(HttpVerticle::revalidateStatic);
      router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html"));
      router.route().handler(ctx -> ctx.fail(404));
      router.route().failureHandler(ErrorResponses::handleFailure);

      // No HTTP/2 over cleartext (h2c upgrade): browsers never use it, and it is attack surface we do not need.
      server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(router)
        .invalidRequestHandler(MalformedRequests::answer);
      management = vertx.createHttpServer().requestHandler(managementRouter(bus));
      return server.listen(config.httpPort(), config.httpHost())
        .compose(listening -> management.listen(config.management().port(), config.management().host()));
    });
  }

  /**
   * The OpenID Connect endpoints, outside /api: browsers reach /authorize and /end-session by navigation from the
   * application's site (so no cross-site refusal may stand in their way), and applications call /token, /revoke,
   * /introspect and /userinfo from their servers (no CSRF token; the protocol has its own proofs). The "Log out?"
   * page's answer, /end-session/confirm, is this site's own form and refused from any other.
   */
  private void oidcRoutes(Router router, OidcResource oidc, SessionCookie sessionCookie) {
    router.get("/.well-known/openid-configuration").handler(oidc::discovery);
    router.get("/.well-known/jwks.json").handler(oidc::jwks);
    for (String path : java.util.stream.Stream.concat(OIDC_PATHS.stream(), java.util.stream.Stream.of("/end-session/confirm")).toList()) {
      router.route(path).handler(ctx -> {
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.next();
      });
      router.route(path).handler(new ClientAddress(config.trustedProxies(), config.ipv6Prefix()));
      router.route(path).method(HttpMethod.POST).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
      router.route(path).handler(CleanInput::refuseControlCharacters);
    }
    router.get("/authorize").handler(sessionCookie::read).handler(oidc::authorize);
    router.post("/authorize").handler(sessionCookie::read).handler(oidc::authorize);
    router.get("/authorize/resume").handler(sessionCookie::read).handler(oidc::resume);
    router.post("/token").handler(oidc::token);
    router.post("/revoke").handler(oidc::revoke);
    router.post("/introspect").handler(oidc::introspect);
    router.get("/userinfo").handler(oidc::userInfo);
    router.post("/userinfo").handler(oidc::userInfo);
    router.get("/end-session").handler(sessionCookie::read).handler(oidc::endSession);
    router.post("/end-session").handler(sessionCookie::read).handler(oidc::endSession);
    // The "Log out?" page's own form: only from this site (its answer ends a session), unlike /end-session itself.
    router.post("/end-session/confirm").handler(BrowserWrites.forms(config.publicUrl())).handler(sessionCookie::read)
      .handler(oidc::confirmEndSession);
  }

  /** Stops accepting connections and gives in-flight requests time to finish. */
  @Override
  public Future<?> stop() {
    Future<Void> managementClosed = management == null ? Future.succeededFuture() : management.close();
    return server == null ? managementClosed
      : Future.all(managementClosed, server.shutdown(config.deployment().drain().toMillis(), TimeUnit.MILLISECONDS));
  }

  private static void revalidateStatic(RoutingContext ctx) {
    ctx.addHeadersEndHandler(done -> {
      if (ctx.response().getStatusCode() < 400) {
        ctx.response().headers().set("Cache-Control", "no-cache");
      }
    });
    ctx.next();
  }

  /** Health and metrics, on the management port only (TWOFA_MANAGEMENT_HOST:TWOFA_MANAGEMENT_PORT). */
  private Router managementRouter(BusRequests bus) {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(Health.live(vertx));
    router.get("/health/ready").handler(Health.ready(vertx, bus));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    router.route().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(ErrorResponses::handleFailure);
    return router;
  }
}
