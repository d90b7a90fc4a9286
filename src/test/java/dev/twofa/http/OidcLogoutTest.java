package dev.twofa.http;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.cli.OidcClients;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), as an application built with Nimbus sends it: with
 * the ID token of the browser's session as hint the session ends at once and the browser goes to the registered
 * post-logout URI with the state; without it the user is asked "Log out?" first; an unregistered URI or a hint this
 * provider did not sign is an error page, never a redirect, and ends nothing.
 */
class OidcLogoutTest {
  private static final URI AFTER_LOGOUT = URI.create("http://127.0.0.1:9/logged-out");
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, new OidcClients.Registration("cryptact", List.of(RelyingParty.REDIRECT.toString()),
      false, true, null, List.of(AFTER_LOGOUT.toString()), null));
  }

  @Test
  void discoveryNamesTheEndSessionEndpoint() {
    assertEquals(URI.create(server.baseUrl() + "/end-session"), app.provider.getEndSessionEndpointURI());
  }

  @Test
  void withTheSessionsIdTokenAsHintTheSessionEndsAtOnceEvenFromAnotherSite() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    OIDCTokens tokens = tokens(browser);
    State state = new State();
    // A navigation from the application's site: the browser says so, and it must not be refused for it.
    ApiClient.Response out = browser.extraHeaders("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate")
      .get(logoutPath(new LogoutRequest(app.provider.getEndSessionEndpointURI(), tokens.getIDToken(), AFTER_LOGOUT, state)));
    browser.extraHeaders();
    assertEquals(302, out.status(), out.toString());
    assertEquals(AFTER_LOGOUT + "?state=" + state.getValue(), out.header("Location"));
    assertEquals(401, browser.get("/api/account").status(), "the twofa session ended");
    assertEquals(401, app.userInfo(tokens).getStatusCode(), "and the tokens issued under it");
  }

  @Test
  void aFormPostWorksAsWellAndWithoutARedirectTheUserIsToldInTheirLanguage() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    OIDCTokens tokens = tokens(browser);
    ApiClient.Response out = browser.postForm("/end-session", "id_token_hint=" + tokens.getIDTokenString() + "&ui_locales=ja");
    assertEquals(200, out.status(), out.toString());
    assertTrue(out.text().contains("ログアウトしました"), out.text());
    assertEquals(401, browser.get("/api/account").status());
  }

  @Test
  void withoutAHintTheUserIsAskedAndNoKeepsThemLoggedIn() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    String path = logoutPath(new LogoutRequest(app.provider.getEndSessionEndpointURI(), null, null, app.clientId,
      AFTER_LOGOUT, new State("s1"), null));
    ApiClient.Response asked = browser.get(path);
    assertEquals(200, asked.status(), asked.toString());
    assertTrue(asked.text().contains("Log out of cryptact?"), asked.text());
    assertTrue(asked.header("Content-Security-Policy").contains("form-action 'self' http://127.0.0.1:9"),
      "the form may lead on to the application: " + asked.header("Content-Security-Policy"));
    assertEquals(200, browser.get("/api/account").status(), "nothing ended yet");

    ApiClient.Response no = browser.postForm("/end-session/confirm", "logout=" + logoutId(asked) + "&confirm=no");
    assertEquals(302, no.status());
    assertEquals("/account", no.header("Location"));
    assertEquals(200, browser.get("/api/account").status());

    ApiClient.Response again = browser.get(path);
    String id = logoutId(again);
    // Another browser, or a page of another site posting the form, cannot answer for this one.
    ApiClient stranger = accounts.signedUp(TestAccounts.uniqueEmail());
    assertEquals(403, browser.extraHeaders("Sec-Fetch-Site", "cross-site")
      .postForm("/end-session/confirm", "logout=" + id + "&confirm=yes").status());
    browser.extraHeaders();
    ApiClient.Response theirs = stranger.postForm("/end-session/confirm", "logout=" + id + "&confirm=yes");
    assertEquals(302, theirs.status());
    assertEquals(200, stranger.get("/api/account").status(), "the stranger's session is not the one asked about");
    assertEquals(200, browser.get("/api/account").status());
    assertEquals(400, browser.postForm("/end-session/confirm", "logout=" + id + "&confirm=yes").status(),
      "an answered logout is gone");

    ApiClient.Response yes = browser.postForm("/end-session/confirm", "logout=" + logoutId(browser.get(path)) + "&confirm=yes");
    assertEquals(302, yes.status());
    assertEquals(AFTER_LOGOUT + "?state=s1", yes.header("Location"));
    assertEquals(401, browser.get("/api/account").status());
  }

  @Test
  void anUnregisteredPostLogoutUriOrAForeignHintIsAnErrorPageAndEndsNothing() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    OIDCTokens tokens = tokens(browser);
    for (URI elsewhere : List.of(URI.create("https://attacker.example/"), URI.create(AFTER_LOGOUT + "/"))) {
      ApiClient.Response refused = browser.get(logoutPath(new LogoutRequest(app.provider.getEndSessionEndpointURI(),
        tokens.getIDToken(), elsewhere, new State())));
      assertEquals(400, refused.status(), refused.toString());
      assertNull(refused.header("Location"));
    }
    // Without a hint or client_id nothing says whose URI it would be.
    assertEquals(400, browser.get("/end-session?post_logout_redirect_uri=" + AFTER_LOGOUT).status());
    // An ID token signed by anyone else, claiming this session.
    RSAKey foreign = new RSAKeyGenerator(2048).generate();
    SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder()
      .issuer(server.baseUrl()).audience(app.clientId.getValue()).subject("x").issueTime(new Date())
      .claim("sid", tokens.getIDToken().getJWTClaimsSet().getStringClaim("sid")).build());
    forged.sign(new RSASSASigner(foreign));
    ApiClient.Response japanese = browser.get("/end-session?ui_locales=ja&id_token_hint=" + forged.serialize());
    assertEquals(400, japanese.status());
    assertTrue(japanese.text().contains("確認できませんでした"), japanese.text());
    assertEquals(400, browser.get("/end-session?id_token_hint=garbage").status());
    assertEquals(400, browser.get("/end-session?state=a&state=b").status());
    assertEquals(200, browser.get("/api/account").status(), "still logged in");
    assertEquals(200, app.userInfo(tokens).getStatusCode());
  }

  @Test
  void aBrowserWithoutASessionIsSentOnAtOnce() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    OIDCTokens tokens = tokens(browser);
    assertEquals(204, browser.post("/api/logout", null).status());
    ApiClient.Response out = browser.get(logoutPath(new LogoutRequest(app.provider.getEndSessionEndpointURI(),
      tokens.getIDToken(), AFTER_LOGOUT, null)));
    assertEquals(302, out.status());
    assertEquals(AFTER_LOGOUT.toString(), out.header("Location"));
  }

  private static OIDCTokens tokens(ApiClient browser) {
    Attempt attempt = Attempt.fresh();
    HTTPResponse http = app.exchange(RelyingParty.callback(browser.get(app.authorizePath(attempt)))
      .toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
  }

  private static String logoutPath(LogoutRequest request) {
    URI uri = request.toURI();
    return uri.getRawPath() + "?" + uri.getRawQuery();
  }

  private static String logoutId(ApiClient.Response page) {
    Matcher id = Pattern.compile("name=\"logout\" value=\"([A-Za-z0-9_-]+)\"").matcher(page.text());
    assertTrue(id.find(), page.text());
    return id.group(1);
  }
}
