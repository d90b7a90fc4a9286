package dev.twofa.http;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.claims.ACR;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.function.Consumer;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trusted browser and OpenID Connect: an application's request that asks for the code itself (acr_values naming
 * "2", or max_age) is never answered by a login that skipped it, whether the login named the request or not; any
 * other request is, and its ID token says how (amr trusted_browser).
 */
class TrustedBrowserOidcTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  private ApiClient trusted(Enrolled account) {
    ApiClient browser = accounts.pendingLogin(account.email());
    Response step = browser.post("/api/login/totp", code(accounts.currentCode(account)).put("trustBrowser", true));
    assertEquals(200, step.status(), step.toString());
    accounts.nextStep();
    assertEquals(204, browser.post("/api/logout", null).status());
    return browser;
  }

  /** The pending authorization's id, from the redirect to the login screen. */
  private static String toLogin(Response redirect) {
    String location = redirect.header("Location");
    assertTrue(location != null && location.startsWith("/login?authorization="), redirect.toString());
    return location.substring(location.indexOf('=') + 1);
  }

  private static String login(ApiClient browser, String email, String authorization) {
    Response login = browser.post("/api/login", TestAccounts.credentials(email, PASSWORD).put("authorization", authorization));
    assertEquals(200, login.status(), login.toString());
    return login.json().getString("state");
  }

  private JWTClaimsSet idToken(ApiClient browser, String id, Attempt attempt) {
    AuthorizationResponse response = RelyingParty.callback(browser.get("/authorize/resume?authorization=" + id));
    assertTrue(response.indicatesSuccess(), response.toString());
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return app.verify(((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens().getIDTokenString(), attempt.nonce());
  }

  @Test
  void aRequestThatAsksNothingOfTheCodeIsAnsweredByATrustedBrowsersLogin() throws Exception {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    Attempt attempt = Attempt.fresh();
    String id = toLogin(browser.get(app.authorizePath(attempt)));
    assertEquals("authenticated", login(browser, account.email(), id));
    JWTClaimsSet claims = idToken(browser, id, attempt);
    assertEquals(List.of("pwd", "mfa", "trusted_browser"), claims.getStringListClaim("amr"));
    assertEquals("2", claims.getStringClaim("acr"));
  }

  @Test
  void acrValues2StillAsksForTheCode() throws Exception {
    asksForTheCode(b -> b.acrValues(List.of(new ACR("2"))));
  }

  @Test
  void maxAgeStillAsksForTheCode() throws Exception {
    asksForTheCode(b -> b.maxAge(600));
  }

  private void asksForTheCode(Consumer<com.nimbusds.openid.connect.sdk.AuthenticationRequest.Builder> asking)
    throws Exception {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);

    // Logged out: the login that names the request asks for the code.
    Attempt attempt = Attempt.fresh();
    String id = toLogin(browser.get(app.authorizePath(attempt, asking)));
    assertEquals("pending_2fa", login(browser, account.email(), id));
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    JWTClaimsSet claims = idToken(browser, id, attempt);
    assertEquals(List.of("pwd", "otp", "mfa"), claims.getStringListClaim("amr"));

    // A login that left the request out skips the code, and the request still sends it back to log in.
    browser.post("/api/logout", null);
    Attempt second = Attempt.fresh();
    String other = toLogin(browser.get(app.authorizePath(second, asking)));
    assertEquals("authenticated", login(browser, account.email(), null));
    String again = toLogin(browser.get("/authorize/resume?authorization=" + other));
    assertEquals(other, again);
    assertEquals(true, browser.get("/api/authorizations/" + other).json().getBoolean("loginRequired"),
      "the login screen asks for a login although the browser is logged in");
    assertEquals("pending_2fa", login(browser, account.email(), other));
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    assertEquals(List.of("pwd", "otp", "mfa"), idToken(browser, other, second).getStringListClaim("amr"));
  }

  @Test
  void aSessionWithTheCodeAnswersSuchARequestWithoutAnotherLogin() throws Exception {
    Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    Attempt attempt = Attempt.fresh();
    Response redirect = browser.get(app.authorizePath(attempt, b -> b.acrValues(List.of(new ACR("2")))));
    assertTrue(RelyingParty.callback(redirect).indicatesSuccess(), redirect.toString());
  }

  @Test
  void anUnknownAuthorizationIdChangesNothing() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    assertEquals("authenticated", login(browser, account.email(), "no-such-authorization"));
    assertEquals(400, browser.post("/api/login", new JsonObject().put("email", account.email()).put("password", PASSWORD)
      .put("authorization", "x".repeat(65))).status());
  }
}
