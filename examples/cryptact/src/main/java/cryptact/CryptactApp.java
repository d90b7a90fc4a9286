package cryptact;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.ext.web.sstore.SessionStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * cryptact: logs its users in with twofa through OpenID Connect (vertx-auth-oauth2 reads the discovery document,
 * builds the authorization URL, exchanges the code and verifies the ID token), shows who is logged in and whether
 * with two factors, asks for a fresh second factor, and ends its own session on a back-channel logout.
 */
public final class CryptactApp extends VerticleBase {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int LEEWAY_SECONDS = 60;
  private final Settings settings;
  /** twofa session (sid) → this application's sessions, so a back-channel logout finds what to end. */
  private final Map<String, Set<String>> sessionsBySid = new ConcurrentHashMap<>();
  private SessionStore sessions;
  private OAuth2Auth twofa;
  private OAuth2Options provider;
  private BackChannelLogout backChannel;
  private HttpServer server;

  public CryptactApp(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    provider = new OAuth2Options().setSite(settings.issuer()).setClientId(settings.clientId())
      .setClientSecret(settings.clientSecret());
    // Tolerates clocks a minute apart (iat, exp and auth_time are the provider's clock).
    provider.getJWTOptions().setLeeway(LEEWAY_SECONDS);
    sessions = LocalSessionStore.create(vertx);
    Router router = Router.router(vertx);
    router.post("/backchannel-logout").handler(BodyHandler.create().setBodyLimit(16 * 1024)).handler(this::backChannelLogout);
    router.route().handler(SessionHandler.create(sessions).setSessionCookieName("cryptact.session")
      .setCookieSameSite(CookieSameSite.LAX).setCookieHttpOnlyFlag(true)
      .setCookieSecureFlag(settings.url().startsWith("https:")));
    router.get("/").handler(this::page);
    router.get("/login").handler(this::login);
    router.get("/callback").handler(this::callback);
    router.get("/logout").handler(this::logout);
    return OpenIDConnectAuth.discover(vertx, provider)
      .compose(discovered -> {
        twofa = discovered;
        try {
          backChannel = new BackChannelLogout(settings.issuer(), settings.clientId(), provider.getJwkPath());
        } catch (Exception e) {
          return Future.failedFuture(e);
        }
        return vertx.createHttpServer().requestHandler(router).listen(settings.port(), settings.host());
      })
      .onSuccess(listening -> server = listening);
  }

  private void page(RoutingContext ctx) {
    JsonObject login = ctx.session().get("login");
    String notice = ctx.session().remove("notice");
    html(ctx, 200, CryptactPage.render(language(ctx), login == null ? null
      : new CryptactPage.Login(login.getString("email"), login.getBoolean("twoFactor")), notice, settings.issuer() + "/account"));
  }

  /** To twofa's authorization endpoint with PKCE S256, state and nonce; "Confirm with 2FA" asks for a fresh second factor. */
  private void login(RoutingContext ctx) {
    boolean confirm = "2fa".equals(ctx.request().getParam("confirm"));
    String state = random();
    String nonce = random();
    String verifier = random();
    ctx.session().put("pending", new JsonObject().put("state", state).put("nonce", nonce).put("verifier", verifier)
      .put("confirm", confirm).put("asked", System.currentTimeMillis() / 1000));
    OAuth2AuthorizationURL request = new OAuth2AuthorizationURL().setRedirectUri(settings.callback())
      .setScopes(List.of("openid", "email")).setState(state).setCodeChallenge(challenge(verifier))
      .setCodeChallengeMethod("S256").putAdditionalParameter("nonce", nonce);
    if (confirm) {
      request.putAdditionalParameter("max_age", "0").putAdditionalParameter("acr_values", "2");
    }
    redirect(ctx, twofa.authorizeURL(request));
  }

  private void callback(RoutingContext ctx) {
    JsonObject pending = ctx.session().remove("pending");
    String code = ctx.request().getParam("code");
    if (pending == null || code == null || !pending.getString("state").equals(ctx.request().getParam("state"))) {
      failed(ctx);
      return;
    }
    twofa.authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.AUTH_CODE).setCode(code)
        .setRedirectUri(settings.callback()).setCodeVerifier(pending.getString("verifier")))
      .onSuccess(user -> loggedIn(ctx, user, pending))
      .onFailure(e -> failed(ctx));
  }

  private void loggedIn(RoutingContext ctx, User user, JsonObject pending) {
    // vertx-auth leaves "idToken" out when the ID token did not verify (signature, iss, aud); the nonce is ours to check.
    JsonObject idToken = user.attributes().getJsonObject("idToken");
    if (idToken == null || !pending.getString("nonce").equals(idToken.getString("nonce"))) {
      failed(ctx);
      return;
    }
    JsonArray amr = idToken.getJsonArray("amr", new JsonArray());
    boolean twoFactor = "2".equals(idToken.getString("acr")) || amr.contains("mfa");
    String sid = idToken.getString("sid");
    Session session = ctx.session();
    session.regenerateId();
    session.put("login", new JsonObject().put("email", idToken.getString("email")).put("twoFactor", twoFactor)
      .put("sid", sid).put("sub", idToken.getString("sub")).put("idToken", user.principal().getString("id_token")));
    if (pending.getBoolean("confirm")) {
      // A fresh second factor: two factors, in a login made after this request (max_age=0), not an older one.
      boolean fresh = idToken.getLong("auth_time", 0L) >= pending.getLong("asked") - LEEWAY_SECONDS;
      session.put("notice", twoFactor && fresh ? "confirmed" : "notConfirmed");
    }
    if (sid != null) {
      sessionsBySid.computeIfAbsent(sid, k -> ConcurrentHashMap.newKeySet()).add(session.id());
    }
    redirect(ctx, "/");
  }

  /** Ends the session here, then at twofa (RP-initiated logout) when its discovery document names an end_session_endpoint. */
  private void logout(RoutingContext ctx) {
    JsonObject login = ctx.session().get("login");
    ctx.session().destroy();
    String endSession = login == null ? null : twofa.endSessionURL(
      User.create(new JsonObject().put("id_token", login.getString("idToken"))),
      new JsonObject().put("post_logout_redirect_uri", settings.url() + "/"));
    redirect(ctx, endSession == null ? "/" : endSession);
  }

  /** twofa's POST when a session there ended: the logout_token is checked, and this application's sessions of it end. */
  private void backChannelLogout(RoutingContext ctx) {
    String token = ctx.request().getFormAttribute("logout_token");
    ctx.response().putHeader("Cache-Control", "no-store");
    if (token == null) {
      ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json").end("{\"error\":\"invalid_request\"}");
      return;
    }
    vertx.executeBlocking(() -> backChannel.validate(token))
      .compose(ended -> Future.all(sessionsBySid.getOrDefault(ended.sid(), Set.of()).stream()
        .map(sessions::delete).toList()).map(done -> sessionsBySid.remove(ended.sid())))
      .onSuccess(done -> ctx.response().setStatusCode(200).end())
      .onFailure(e -> ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
        .end("{\"error\":\"invalid_request\"}"));
  }

  private void failed(RoutingContext ctx) {
    ctx.session().put("notice", "failed");
    redirect(ctx, "/");
  }

  /** The page's language: Japanese when the browser prefers it, else English. */
  private static String language(RoutingContext ctx) {
    return ctx.acceptableLanguages().stream().map(l -> l.tag().toLowerCase()).filter(Words.LANGUAGES::contains)
      .findFirst().orElse("en");
  }

  private static void html(RoutingContext ctx, int status, String html) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
      .putHeader("Cache-Control", "no-store").end(html);
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).end();
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
