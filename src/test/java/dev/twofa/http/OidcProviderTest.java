package dev.twofa.http;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * twofa as an OpenID Connect provider, seen by an application written with Nimbus over real HTTP: discovery and
 * JWKS, the code flow with PKCE after a login over the JSON API in the same browser, the ID token verified against
 * the JWKS, and every refusal the protocol asks for.
 */
class OidcProviderTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  @Test
  void discoveryNamesTheIssuerAndTheJwksHoldsAnRsaKey() throws Exception {
    assertEquals(server.baseUrl(), app.provider.getIssuer().getValue());
    assertEquals(URI.create(server.baseUrl() + "/token"), app.provider.getTokenEndpointURI());
    assertEquals(List.of("S256"), app.provider.getCodeChallengeMethods().stream().map(Object::toString).toList());
    assertEquals(List.of("code"), app.provider.getResponseTypes().stream().map(Object::toString).toList());
    assertTrue(app.provider.supportsAuthorizationResponseIssuerParam());
    JWKSet keys = JWKSet.load(app.provider.getJWKSetURI().toURL());
    RSAKey key = (RSAKey) keys.getKeys().stream().filter(k -> k instanceof RSAKey).findFirst().orElseThrow();
    assertNotNull(key.getKeyID());
    assertFalse(key.isPrivate(), "only the public part is published");
    assertTrue(key.size() >= 2048);
  }

  @Test
  void aTwoFactorSessionGoesStraightBackWithACodeAndTheIdTokenSaysSo() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    accounts.enrolled(browser, email);
    Attempt attempt = Attempt.fresh();
    ApiClient.Response redirect = browser.get(app.authorizePath(attempt));
    assertEquals(302, redirect.status(), redirect.toString());
    assertTrue(redirect.header("Location").startsWith(RelyingParty.REDIRECT + "?"), redirect.header("Location"));
    AuthorizationResponse response = RelyingParty.callback(redirect);
    assertTrue(response.indicatesSuccess(), redirect.header("Location"));
    assertEquals(attempt.state(), response.getState());
    assertEquals(app.provider.getIssuer(), response.getIssuer(), "RFC 9207: iss in the authorization response");

    OIDCTokens tokens = exchanged(response, attempt.verifier());
    JWTClaimsSet claims = app.verify(tokens.getIDTokenString(), attempt.nonce());
    assertEquals(email, claims.getStringClaim("email"));
    assertEquals(false, claims.getBooleanClaim("email_verified"));
    assertEquals(List.of("pwd", "otp", "mfa"), claims.getStringListClaim("amr"));
    assertEquals("2", claims.getStringClaim("acr"));
    assertNotNull(claims.getStringClaim("sid"));
    assertEquals(server.clock().instant().getEpochSecond(), claims.getDateClaim("auth_time").toInstant().getEpochSecond(), 120);
    String subject = claims.getSubject();
    assertNotEquals(email, subject);
    assertFalse(subject.matches("[0-9]+"), "not the row id");
    assertEquals(UUID.fromString(subject).toString(), subject);

    UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(app.provider.getUserInfoEndpointURI(),
      (BearerAccessToken) tokens.getAccessToken()).toHTTPRequest().send());
    assertTrue(info.indicatesSuccess());
    assertEquals(subject, info.toSuccessResponse().getUserInfo().getSubject().getValue());
    assertEquals(email, info.toSuccessResponse().getUserInfo().getEmailAddress());

    // The same user through another login: the same subject.
    Attempt again = Attempt.fresh();
    JWTClaimsSet second = app.verify(exchanged(RelyingParty.callback(browser.get(app.authorizePath(again))), again.verifier())
      .getIDTokenString(), again.nonce());
    assertEquals(subject, second.getSubject());
  }

  @Test
  void amrSaysWhichSecondFactorTheLoginPassed() throws Exception {
    TestAccounts.Enrolled account = accounts.enrolled();
    ApiClient withApp = accounts.pendingLogin(account.email());
    assertEquals(200, withApp.post("/api/login/totp", TestAccounts.code(accounts.currentCode(account))).status());
    Attempt attempt = Attempt.fresh();
    JWTClaimsSet app1 = app.verify(exchanged(RelyingParty.callback(withApp.get(app.authorizePath(attempt))),
      attempt.verifier()).getIDTokenString(), attempt.nonce());
    assertEquals(List.of("pwd", "otp", "mfa"), app1.getStringListClaim("amr"));

    ApiClient withCode = accounts.pendingLogin(account.email());
    assertEquals(200, withCode.post("/api/login/recovery", TestAccounts.code(account.recoveryCodes().get(0))).status());
    Attempt second = Attempt.fresh();
    JWTClaimsSet recovered = app.verify(exchanged(RelyingParty.callback(withCode.get(app.authorizePath(second))),
      second.verifier()).getIDTokenString(), second.nonce());
    assertEquals(List.of("pwd", "mfa", "recovery_code"), recovered.getStringListClaim("amr"));
    assertEquals("2", recovered.getStringClaim("acr"));
  }

  @Test
  void aPasswordOnlySessionIsOneFactor() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    JWTClaimsSet claims = app.verify(exchanged(RelyingParty.callback(browser.get(app.authorizePath(attempt))),
      attempt.verifier()).getIDTokenString(), attempt.nonce());
    assertEquals(List.of("pwd"), claims.getStringListClaim("amr"));
    assertEquals("1", claims.getStringClaim("acr"));
  }

  @Test
  void withoutASessionTheLoginScreensRunAndTheRequestResumesByItsOpaqueId() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email).post("/api/logout", null);
    ApiClient browser = server.newClient();
    Attempt attempt = Attempt.fresh();
    String authorize = app.authorizePath(attempt);
    ApiClient.Response toLogin = browser.get(authorize);
    assertEquals(302, toLogin.status(), toLogin.toString());
    String location = toLogin.header("Location");
    assertTrue(location.matches("/login\\?authorization=[A-Za-z0-9_-]{43}"), location);
    assertFalse(location.contains(attempt.state().getValue()), "the raw request stays on the server");
    String id = location.substring(location.indexOf('=') + 1);
    ApiClient.Response lookup = browser.get("/api/authorizations/" + id);
    assertEquals(200, lookup.status(), lookup.toString());
    assertEquals("cryptact", lookup.json().getString("clientName"));
    assertEquals(false, lookup.json().getBoolean("loginRequired"));

    assertEquals(200, browser.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    ApiClient.Response back = browser.get("/authorize/resume?authorization=" + id);
    assertEquals(302, back.status(), back.toString());
    AuthorizationResponse response = RelyingParty.callback(back);
    assertTrue(response.indicatesSuccess(), back.header("Location"));
    assertEquals(attempt.state(), response.getState());
    app.verify(exchanged(response, attempt.verifier()).getIDTokenString(), attempt.nonce());
    assertEquals(400, browser.get("/authorize/resume?authorization=" + id).status(), "a finished authorization is gone");
    assertEquals(404, browser.get("/api/authorizations/" + id).status());
  }

  @Test
  void promptLoginAsksALoggedInUserToLogInAgainAndAuthTimeIsNew() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    Instant firstLogin = server.clock().instant();
    server.clock().advance(Duration.ofMinutes(5));
    Attempt attempt = Attempt.fresh();
    ApiClient.Response toLogin = browser.get(app.authorizePath(attempt, b -> b.prompt(new Prompt(Prompt.Type.LOGIN))));
    assertEquals(302, toLogin.status());
    String id = toLogin.header("Location").substring(toLogin.header("Location").indexOf('=') + 1);
    assertEquals(true, browser.get("/api/authorizations/" + id).json().getBoolean("loginRequired"));
    ApiClient.Response notYet = browser.get("/authorize/resume?authorization=" + id);
    assertTrue(notYet.header("Location").startsWith("/login?authorization="), "still the old login: " + notYet);

    server.clock().advance(Duration.ofSeconds(30));
    assertEquals(200, browser.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    AuthorizationResponse response = RelyingParty.callback(browser.get("/authorize/resume?authorization=" + id));
    JWTClaimsSet claims = app.verify(exchanged(response, attempt.verifier()).getIDTokenString(), attempt.nonce());
    assertTrue(claims.getDateClaim("auth_time").toInstant().isAfter(firstLogin.plusSeconds(300)));

    // max_age: a login older than it sends the user back to the login screens as well.
    server.clock().advance(Duration.ofMinutes(2));
    ApiClient.Response stale = browser.get(app.authorizePath(Attempt.fresh(), b -> b.maxAge(60)));
    assertTrue(stale.header("Location").startsWith("/login?authorization="), stale.toString());
    ApiClient.Response fresh = browser.get(app.authorizePath(Attempt.fresh(), b -> b.maxAge(600)));
    assertTrue(RelyingParty.callback(fresh).indicatesSuccess(), fresh.toString());
  }

  /** OpenID Connect Core 3.1.2.1: the authorization endpoint MUST take GET and POST (a form from the application). */
  @Test
  void anAuthorizationRequestMayComeAsAFormPost() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    Attempt attempt = Attempt.fresh();
    String path = app.authorizePath(attempt);
    ApiClient.Response redirect = browser.postForm("/authorize", path.substring(path.indexOf('?') + 1));
    assertEquals(302, redirect.status(), redirect.toString());
    AuthorizationResponse response = RelyingParty.callback(redirect);
    assertTrue(response.indicatesSuccess(), redirect.header("Location"));
    assertEquals(attempt.state(), response.getState());
    app.verify(exchanged(response, attempt.verifier()).getIDTokenString(), attempt.nonce());

    ApiClient.Response toLogin = server.newClient().postForm("/authorize", path.substring(path.indexOf('?') + 1));
    assertTrue(toLogin.header("Location").startsWith("/login?authorization="), toLogin.toString());
  }

  /**
   * Request objects are not offered (discovery says so): the application hears request(_uri)_not_supported, also
   * when, as the JWT-secured request (RFC 9101) allows, response_type is left to the request object.
   */
  @Test
  void requestObjectsAreRefusedAsUnsupportedNotFailed() {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    for (String[] refused : new String[][] {{"request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported"},
      {"request_uri", "https://rp.example/request.jwt", "request_uri_not_supported"}}) {
      Attempt attempt = Attempt.fresh();
      String path = app.authorizePath(attempt) + "&" + refused[0] + "="
        + java.net.URLEncoder.encode(refused[1], java.nio.charset.StandardCharsets.UTF_8);
      for (String request : List.of(path, path.replace("response_type=code&", ""))) {
        ApiClient.Response redirect = browser.get(request);
        assertEquals(302, redirect.status(), request + " " + redirect);
        AuthorizationResponse response = RelyingParty.callback(redirect);
        assertEquals(refused[2], response.toErrorResponse().getErrorObject().getCode());
        assertEquals(attempt.state(), response.getState());
      }
    }
  }

  @Test
  void requestsKeptWaitingForALoginAreLimitedPerAddress() {
    ApiClient anonymous = server.newClient();
    String path = app.authorizePath(Attempt.fresh());
    List<CompletableFuture<ApiClient.Response>> flood = java.util.stream.IntStream.range(0, 210)
      .mapToObj(i -> CompletableFuture.supplyAsync(() -> anonymous.get(path))).toList();
    List<Integer> statuses = flood.stream().map(CompletableFuture::join).map(ApiClient.Response::status).toList();
    // At most 200 an hour from one address, however concurrent (other tests of this class count from here too).
    long admitted = statuses.stream().filter(s -> s == 302).count();
    assertTrue(admitted <= 200 && admitted > 150, statuses.toString());
    assertEquals(210 - admitted, statuses.stream().filter(s -> s == 429).count());
    ApiClient.Response limited = anonymous.get(path);
    assertEquals(429, limited.status());
    assertEquals("rate_limited", limited.error());
    assertNotNull(limited.header("Retry-After"));
    server.clock().advance(Duration.ofMinutes(61));   // the window passes for the other tests from this address
    assertEquals(302, anonymous.get(path).status());
  }

  @Test
  void promptNoneWithoutASessionAnswersLoginRequired() {
    Attempt attempt = Attempt.fresh();
    ApiClient.Response redirect = server.newClient().get(app.authorizePath(attempt, b -> b.prompt(new Prompt(Prompt.Type.NONE))));
    AuthorizationErrorResponse error = RelyingParty.callback(redirect).toErrorResponse();
    assertEquals("login_required", error.getErrorObject().getCode());
    assertEquals(attempt.state(), error.getState());
    assertEquals(app.provider.getIssuer(), error.getIssuer());
  }

  @Test
  void anUnknownClientOrRedirectUriGetsAnErrorPageAndNeverARedirect() {
    ApiClient browser = server.newClient();
    String good = app.authorizePath(Attempt.fresh());
    ApiClient.Response unknownClient = browser.get(good.replace("client_id=" + app.clientId.getValue(), "client_id=nobody"));
    assertEquals(400, unknownClient.status());
    assertNull(unknownClient.header("Location"));
    assertTrue(unknownClient.text().contains("not registered"), unknownClient.text());

    ApiClient.Response wrongRedirect = browser.get(good.replace("127.0.0.1%3A9", "attacker.example"));
    assertEquals(400, wrongRedirect.status(), wrongRedirect.toString());
    assertNull(wrongRedirect.header("Location"));
    ApiClient.Response japanese = browser.extraHeaders("Accept-Language", "ja").get(good.replace("%2Fcallback", "%2Fcallback%2F"));
    assertEquals(400, japanese.status());
    assertTrue(japanese.text().contains("登録されていない戻り先"), japanese.text());
  }

  @Test
  void pkceIsRequiredAndChecked() {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    String withoutPkce = app.authorizePath(attempt).replaceAll("&code_challenge(_method)?=[^&]*", "");
    AuthorizationErrorResponse refused = RelyingParty.callback(browser.get(withoutPkce)).toErrorResponse();
    assertEquals("invalid_request", refused.getErrorObject().getCode());
    assertEquals(attempt.state(), refused.getState());
    String plain = app.authorizePath(attempt).replace("code_challenge_method=S256", "code_challenge_method=plain");
    assertEquals("invalid_request", RelyingParty.callback(browser.get(plain)).toErrorResponse().getErrorObject().getCode());

    AuthorizationCode code = RelyingParty.callback(browser.get(app.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    assertError(400, "invalid_grant", app.exchange(code, new CodeVerifier()));
    AuthorizationCode another = RelyingParty.callback(browser.get(app.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    assertError(400, "invalid_grant", app.token(new AuthorizationCodeGrant(another, RelyingParty.REDIRECT),
      new ClientSecretBasic(app.clientId, app.secret)));
  }

  @Test
  void aCodeUsedTwiceRevokesEveryTokenIssuedFromIt() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    AuthorizationCode code = RelyingParty.callback(browser.get(app.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    OIDCTokens tokens = ((OIDCTokenResponse) RelyingParty.parse(app.exchange(code, attempt.verifier()))).getOIDCTokens();
    assertEquals(200, userInfo(tokens).getStatusCode());
    assertError(400, "invalid_grant", app.exchange(code, attempt.verifier()));
    assertEquals(401, userInfo(tokens).getStatusCode(), "the access token from that code is revoked");
    assertError(400, "invalid_grant", app.refresh(tokens.getRefreshToken()));
  }

  @Test
  void concurrentExchangesOfOneCodeHaveOneWinner() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    AuthorizationCode code = RelyingParty.callback(browser.get(app.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    List<CompletableFuture<HTTPResponse>> racing = java.util.stream.IntStream.range(0, 8)
      .mapToObj(i -> CompletableFuture.supplyAsync(() -> app.exchange(code, attempt.verifier()))).toList();
    List<HTTPResponse> answers = racing.stream().map(CompletableFuture::join).toList();
    assertEquals(List.of(200, 400, 400, 400, 400, 400, 400, 400), answers.stream().map(HTTPResponse::getStatusCode).sorted().toList());
    // Every loser presented a used code, so the winner's tokens are revoked too.
    OIDCTokens won = ((OIDCTokenResponse) RelyingParty.parse(answers.stream().filter(r -> r.getStatusCode() == 200)
      .findFirst().orElseThrow())).getOIDCTokens();
    assertEquals(401, userInfo(won).getStatusCode());
  }

  @Test
  void refreshTokensRotateAndAReusedOneRevokesItsFamily() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    OIDCTokens first = exchanged(RelyingParty.callback(browser.get(app.authorizePath(attempt))), attempt.verifier());
    OIDCTokens second = ((OIDCTokenResponse) RelyingParty.parse(app.refresh(first.getRefreshToken()))).getOIDCTokens();
    assertNotEquals(first.getRefreshToken(), second.getRefreshToken());
    assertEquals(200, userInfo(second).getStatusCode());
    app.verify(second.getIDTokenString(), null);

    assertError(400, "invalid_grant", app.refresh(first.getRefreshToken()));
    assertError(400, "invalid_grant", app.refresh(second.getRefreshToken()));
    assertEquals(401, userInfo(second).getStatusCode(), "the whole family is revoked");
    assertEquals(401, userInfo(first).getStatusCode());
  }

  @Test
  void concurrentUsesOfOneRefreshTokenHaveOneWinnerAndEndTheFamily() {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    for (int round = 0; round < 5; round++) {
      Attempt attempt = Attempt.fresh();
      OIDCTokens first = exchanged(RelyingParty.callback(browser.get(app.authorizePath(attempt))), attempt.verifier());
      List<HTTPResponse> answers = java.util.stream.IntStream.range(0, 6)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> app.refresh(first.getRefreshToken()))).toList()
        .stream().map(CompletableFuture::join).toList();
      assertEquals(List.of(200, 400, 400, 400, 400, 400), answers.stream().map(HTTPResponse::getStatusCode).sorted().toList(),
        "round " + round);
      OIDCTokens won = ((OIDCTokenResponse) RelyingParty.parse(answers.stream().filter(r -> r.getStatusCode() == 200)
        .findFirst().orElseThrow())).getOIDCTokens();
      assertError(400, "invalid_grant", app.refresh(won.getRefreshToken()));
    }
  }

  @Test
  void revocationEndsATokenOrARefreshTokensGrantAndIntrospectionSeesIt() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    OIDCTokens tokens = exchanged(RelyingParty.callback(browser.get(app.authorizePath(attempt))), attempt.verifier());
    ClientSecretBasic auth = new ClientSecretBasic(app.clientId, app.secret);
    TokenIntrospectionResponse seen = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
      app.provider.getIntrospectionEndpointURI(), auth, tokens.getAccessToken()).toHTTPRequest().send());
    assertTrue(seen.toSuccessResponse().isActive());
    assertEquals(app.clientId, seen.toSuccessResponse().getClientID());
    assertNotNull(seen.toSuccessResponse().getSubject());

    // Another application's revocation of these tokens does nothing; a wrong secret is invalid_client.
    RelyingParty other = RelyingParty.register(server, "other", false, true);
    assertEquals(200, new TokenRevocationRequest(app.provider.getRevocationEndpointURI(),
      new ClientSecretBasic(other.clientId, other.secret), tokens.getAccessToken()).toHTTPRequest().send().getStatusCode());
    assertEquals(200, userInfo(tokens).getStatusCode());
    assertEquals(401, new TokenRevocationRequest(app.provider.getRevocationEndpointURI(),
      new ClientSecretBasic(app.clientId, new Secret("wrong")), tokens.getAccessToken()).toHTTPRequest().send().getStatusCode());

    assertEquals(200, new TokenRevocationRequest(app.provider.getRevocationEndpointURI(), auth, tokens.getAccessToken())
      .toHTTPRequest().send().getStatusCode());
    assertEquals(401, userInfo(tokens).getStatusCode());
    assertFalse(TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(app.provider.getIntrospectionEndpointURI(),
      auth, tokens.getAccessToken()).toHTTPRequest().send()).toSuccessResponse().isActive());
    assertEquals(200, new TokenRevocationRequest(app.provider.getRevocationEndpointURI(), auth, new BearerAccessToken("unknown"))
      .toHTTPRequest().send().getStatusCode(), "RFC 7009: an unknown token is answered 200 too");

    OIDCTokens renewed = ((OIDCTokenResponse) RelyingParty.parse(app.refresh(tokens.getRefreshToken()))).getOIDCTokens();
    assertEquals(200, new TokenRevocationRequest(app.provider.getRevocationEndpointURI(), auth, renewed.getRefreshToken())
      .toHTTPRequest().send().getStatusCode());
    assertError(400, "invalid_grant", app.refresh(renewed.getRefreshToken()));
    assertEquals(401, userInfo(renewed).getStatusCode(), "revoking the refresh token ends its grant");

    RelyingParty mobile = RelyingParty.register(server, "mobile", true, true);
    assertEquals(401, new TokenIntrospectionRequest(app.provider.getIntrospectionEndpointURI(), tokens.getAccessToken())
      .toHTTPRequest().send().getStatusCode(), "introspection needs a confidential client");
    assertNotNull(mobile.clientId);
  }

  @Test
  void aConfidentialClientMustPresentItsSecretByBasicOrPost() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    AuthorizationCode code = RelyingParty.callback(browser.get(app.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    AuthorizationCodeGrant grant = new AuthorizationCodeGrant(code, RelyingParty.REDIRECT, attempt.verifier());
    assertError(401, "invalid_client", app.token(grant, new ClientSecretBasic(app.clientId, new Secret("wrong"))));
    assertError(401, "invalid_client", app.token(grant, null));
    HTTPResponse post = app.token(grant, new ClientSecretPost(app.clientId, app.secret));
    assertEquals(200, post.getStatusCode(), post.getBody());
  }

  @Test
  void aPublicClientUsesPkceAloneAndACodeExpiresAfterAMinute() throws Exception {
    RelyingParty mobile = RelyingParty.register(server, "cryptact mobile", true, true);
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    AuthorizationCode code = RelyingParty.callback(browser.get(mobile.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    assertEquals(200, mobile.exchange(code, attempt.verifier()).getStatusCode());

    AuthorizationCode late = RelyingParty.callback(browser.get(mobile.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    server.clock().advance(Duration.ofSeconds(61));
    assertError(400, "invalid_grant", mobile.exchange(late, attempt.verifier()));
    // A code issued to one client is nothing to another.
    AuthorizationCode theirs = RelyingParty.callback(browser.get(mobile.authorizePath(attempt))).toSuccessResponse().getAuthorizationCode();
    assertError(400, "invalid_grant", app.exchange(theirs, attempt.verifier()));
  }

  @Test
  void anApplicationThatIsNotFirstPartyAsksForConsentOnceAndDenyGoesBackWithAccessDenied() throws Exception {
    RelyingParty other = RelyingParty.register(server, "someone else", false, false);
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    assertEquals("consent_required", RelyingParty.callback(browser.get(other.authorizePath(attempt,
      b -> b.prompt(new Prompt(Prompt.Type.NONE))))).toErrorResponse().getErrorObject().getCode());

    String denied = consentScreen(browser, other.authorizePath(attempt));
    ApiClient.Response deny = browser.post("/api/authorizations/" + denied + "/consent", new JsonObject().put("allow", false));
    assertEquals(200, deny.status(), deny.toString());
    AuthorizationErrorResponse error = AuthorizationResponse.parse(URI.create(deny.json().getString("location"))).toErrorResponse();
    assertEquals("access_denied", error.getErrorObject().getCode());
    assertEquals(attempt.state(), error.getState());

    String asked = consentScreen(browser, other.authorizePath(attempt));
    ApiClient.Response view = browser.get("/api/authorizations/" + asked);
    assertEquals("someone else", view.json().getString("clientName"));
    assertEquals(List.of("email", "offline_access", "openid"), view.json().getJsonArray("scopes").getList());
    assertEquals(401, server.newClient().post("/api/authorizations/" + asked + "/consent", new JsonObject().put("allow", true)).status());
    ApiClient.Response allow = browser.post("/api/authorizations/" + asked + "/consent", new JsonObject().put("allow", true));
    AuthorizationResponse granted = AuthorizationResponse.parse(URI.create(allow.json().getString("location")));
    assertTrue(granted.indicatesSuccess(), allow.toString());
    assertEquals(200, other.exchange(granted.toSuccessResponse().getAuthorizationCode(), attempt.verifier()).getStatusCode());

    // Remembered for this user and application: straight back next time, unless it asks again with prompt=consent.
    Attempt next = Attempt.fresh();
    assertTrue(RelyingParty.callback(browser.get(other.authorizePath(next))).indicatesSuccess());
    consentScreen(browser, other.authorizePath(next, b -> b.prompt(new Prompt(Prompt.Type.CONSENT))));
    // Another user has not allowed it.
    consentScreen(accounts.signedUp(TestAccounts.uniqueEmail()), other.authorizePath(next));
  }

  /** Follows an authorization request to the consent screen; returns its authorization id. */
  private static String consentScreen(ApiClient browser, String authorizePath) {
    ApiClient.Response toConsent = browser.get(authorizePath);
    assertEquals(302, toConsent.status(), toConsent.toString());
    String location = toConsent.header("Location");
    assertTrue(location.matches("/consent\\?authorization=[A-Za-z0-9_-]{43}"), location);
    return location.substring(location.indexOf('=') + 1);
  }

  @Test
  void badInputToTheProtocolEndpointsIsA4xxWithAnOAuthError() throws Exception {
    HTTPRequest garbage = new HTTPRequest(HTTPRequest.Method.POST, app.provider.getTokenEndpointURI());
    garbage.setHeader("Content-Type", "application/x-www-form-urlencoded");
    garbage.setBody("grant_type=password&username=a&password=b&client_id=" + app.clientId.getValue());
    HTTPResponse unsupported = garbage.send();
    assertTrue(unsupported.getStatusCode() >= 400 && unsupported.getStatusCode() < 500, unsupported.getBody());
    assertNotNull(unsupported.getBodyAsJSONObject().get("error"));
    HTTPRequest json = new HTTPRequest(HTTPRequest.Method.POST, app.provider.getTokenEndpointURI());
    json.setHeader("Content-Type", "application/json");
    json.setBody("{\"grant_type\":\"authorization_code\"}");
    assertEquals("invalid_request", json.send().getBodyAsJSONObject().get("error"));
    HTTPRequest nul = new HTTPRequest(HTTPRequest.Method.POST, app.provider.getTokenEndpointURI());
    nul.setHeader("Content-Type", "application/x-www-form-urlencoded");
    nul.setBody("grant_type=authorization_code&code=x&redirect_uri=x&code_verifier=x&client_id=%00");
    HTTPResponse nulAnswer = nul.send();
    assertTrue(nulAnswer.getStatusCode() == 400 || nulAnswer.getStatusCode() == 401, nulAnswer.getBody());
    assertNotNull(nulAnswer.getBodyAsJSONObject().get("error"));
    // Found by FuzzTest: a charset no JVM knows made reading the body throw (a 500).
    HTTPRequest oddCharset = new HTTPRequest(HTTPRequest.Method.POST, app.provider.getTokenEndpointURI());
    oddCharset.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=\"no such charset\"");
    oddCharset.setBody("grant_type=refresh_token&refresh_token=x");
    HTTPResponse oddAnswer = oddCharset.send();
    assertTrue(oddAnswer.getStatusCode() >= 400 && oddAnswer.getStatusCode() < 500, oddAnswer.getStatusCode() + " " + oddAnswer.getBody());
    HTTPResponse noToken = new HTTPRequest(HTTPRequest.Method.GET, app.provider.getUserInfoEndpointURI()).send();
    assertEquals(401, noToken.getStatusCode());
    assertNotNull(noToken.getHeaderValue("WWW-Authenticate"));
    assertEquals(400, server.newClient().get("/authorize?client_id=%00").status());
  }

  private static OIDCTokens exchanged(AuthorizationResponse response, CodeVerifier verifier) {
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), verifier);
    assertEquals(200, http.getStatusCode(), http.getBody());
    assertEquals("no-store", http.getHeaderValue("Cache-Control"));
    return ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
  }

  private static HTTPResponse userInfo(OIDCTokens tokens) throws Exception {
    return new UserInfoRequest(app.provider.getUserInfoEndpointURI(), (BearerAccessToken) tokens.getAccessToken())
      .toHTTPRequest().send();
  }

  private static void assertError(int status, String error, HTTPResponse response) {
    assertEquals(status, response.getStatusCode(), response.getBody());
    try {
      assertEquals(error, TokenErrorResponse.parse(response).getErrorObject().getCode(), response.getBody());
    } catch (com.nimbusds.oauth2.sdk.ParseException e) {
      throw new AssertionError(response.getBody(), e);
    }
  }
}
