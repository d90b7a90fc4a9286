package dev.twofa.http;

import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
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

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokens an application got from a login live as long as that twofa session (the ID token's {@code sid}): once
 * it ends, however it ends, introspection says inactive, userinfo answers 401 and the refresh token is invalid_grant.
 */
class OidcSessionEndTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  @Test
  void logoutEndsTheSessionsTokens() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    OIDCTokens tokens = tokens(browser);
    assertAlive(tokens);
    assertEquals(204, browser.post("/api/logout", null).status());
    assertDead(tokens);
  }

  @Test
  void aSessionRevokedFromAnotherBrowserEndsItsTokensAndOnlyThose() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient phone = accounts.signedUp(email);
    OIDCTokens fromPhone = tokens(phone);
    ApiClient laptop = server.newClient();
    assertEquals(200, laptop.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    OIDCTokens fromLaptop = tokens(laptop);
    String phoneSession = app.verify(fromPhone.getIDTokenString(), null).getStringClaim("sid");

    assertEquals(204, laptop.post("/api/account/sessions/revoke", new JsonObject().put("id", phoneSession)).status());
    assertDead(fromPhone);
    assertAlive(fromLaptop);
  }

  @Test
  void aPasswordChangeEndsTheOtherSessionsTokensAndKeepsThisOnes() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient phone = accounts.signedUp(email);
    OIDCTokens fromPhone = tokens(phone);
    ApiClient laptop = server.newClient();
    assertEquals(200, laptop.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    OIDCTokens fromLaptop = tokens(laptop);
    ApiClient.Response changed = laptop.post("/api/account/password", new JsonObject()
      .put("currentPassword", TestAccounts.PASSWORD).put("newPassword", "another-long-password-" + System.nanoTime()));
    assertEquals(204, changed.status(), changed.toString());
    assertDead(fromPhone);
    assertAlive(fromLaptop);
  }

  @Test
  void anIdleSessionsTokensEndWithItBeforeAnyPurge() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    OIDCTokens tokens = tokens(browser);
    server.clock().advance(Duration.ofMinutes(4));
    assertAlive(tokens);
    // Idle past TWOFA_SESSION_TIMEOUT_MINUTES (30): the browser's session is over, and so are the tokens.
    server.clock().advance(Duration.ofMinutes(31));
    assertEquals(401, browser.get("/api/account").status());
    assertEquals(400, refreshStatus(tokens.getRefreshToken()));
    assertTrue(!active(tokens.getRefreshToken()));
  }

  /** A login to the application from {@code browser}'s twofa session: access, refresh and ID tokens. */
  private static OIDCTokens tokens(ApiClient browser) {
    Attempt attempt = Attempt.fresh();
    HTTPResponse http = app.exchange(RelyingParty.callback(browser.get(app.authorizePath(attempt)))
      .toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
  }

  private static void assertAlive(OIDCTokens tokens) throws Exception {
    assertTrue(active(tokens.getAccessToken()), "introspection: active");
    assertTrue(active(tokens.getRefreshToken()), "introspection of the refresh token: active");
    assertEquals(200, userInfo(tokens).getStatusCode());
  }

  private static void assertDead(OIDCTokens tokens) throws Exception {
    assertTrue(!active(tokens.getAccessToken()), "introspection: inactive");
    assertTrue(!active(tokens.getRefreshToken()), "introspection of the refresh token: inactive");
    assertEquals(401, userInfo(tokens).getStatusCode());
    assertEquals(400, refreshStatus(tokens.getRefreshToken()));
  }

  private static int refreshStatus(com.nimbusds.oauth2.sdk.token.RefreshToken token) throws Exception {
    HTTPResponse refreshed = app.refresh(token);
    if (refreshed.getStatusCode() == 400) {
      assertEquals("invalid_grant", TokenErrorResponse.parse(refreshed).getErrorObject().getCode());
    }
    return refreshed.getStatusCode();
  }

  private static boolean active(Token token) throws Exception {
    return TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(app.provider.getIntrospectionEndpointURI(),
      new ClientSecretBasic(app.clientId, app.secret), token).toHTTPRequest().send()).toSuccessResponse().isActive();
  }

  private static HTTPResponse userInfo(OIDCTokens tokens) throws Exception {
    return new UserInfoRequest(app.provider.getUserInfoEndpointURI(), (BearerAccessToken) tokens.getAccessToken())
      .toHTTPRequest().send();
  }
}
