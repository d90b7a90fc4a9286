package dev.twofa.browser;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import dev.twofa.support.Browser;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Log in to cryptact" in Chromium, English and Japanese: an application sends the browser to /authorize, the
 * login screens name the application, the password and the app's code are entered, and the browser lands on the
 * application's redirect URI with a code that the application exchanges for a verified ID token.
 */
class OidcLoginBrowserTest {
  @RegisterExtension
  static final TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty cryptact;
  private static RelyingParty partner;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void register() {
    // A redirect URI on the test server itself, so the browser's final address can be read.
    cryptact = RelyingParty.register(server, "cryptact", false, true, URI.create(server.baseUrl() + "/oidc-test-callback"));
    partner = RelyingParty.register(server, "家計簿", false, false, URI.create(server.baseUrl() + "/oidc-partner-callback"));
  }

  @Test
  void english() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "en")) {
      logInToTheApplication(browser);
      allowAnApplicationThatIsNotFirstParty(browser);
    }
  }

  @Test
  void japanese() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "ja")) {
      logInToTheApplication(browser);
      allowAnApplicationThatIsNotFirstParty(browser);
    }
  }

  private void logInToTheApplication(Browser browser) throws Exception {
    TestAccounts.Enrolled account = accounts.enrolled();
    Attempt attempt = Attempt.fresh();
    browser.open(cryptact.authorizePath(attempt));
    browser.waitForHeading(browser.t("login.titleFor", "client", "cryptact"));
    assertTrue(browser.path().equals("/login"));
    browser.assertCleanWalk(browser.inspect("oidc-login"));
    browser.fill(browser.t("field.email"), account.email());
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("totp.title"));
    browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(Totp.code(account.secret(), server.clock().instant()));
    browser.waitForText("not_found");   // the test server's answer at the application's redirect URI
    String landed = (String) browser.script("return location.href");
    assertTrue(landed.startsWith(cryptact.redirect + "?code="), landed);
    AuthorizationResponse response = AuthorizationResponse.parse(URI.create(landed));
    assertEquals(attempt.state(), response.getState());
    JWTClaimsSet claims = cryptact.verify(((OIDCTokenResponse) RelyingParty.parse(cryptact.exchange(
      response.toSuccessResponse().getAuthorizationCode(), attempt.verifier()))).getOIDCTokens().getIDTokenString(),
      attempt.nonce());
    assertEquals(account.email(), claims.getStringClaim("email"));
    assertEquals(List.of("pwd", "otp", "mfa"), claims.getStringListClaim("amr"));
  }

  /** Already logged in: an application that is not first-party asks once, with the consent screen. */
  private void allowAnApplicationThatIsNotFirstParty(Browser browser) throws Exception {
    browser.drainConsole();   // the test server's 404 at the first application's redirect URI
    Attempt attempt = Attempt.fresh();
    browser.open(partner.authorizePath(attempt));
    browser.waitForHeading(browser.t("consent.title", "client", "家計簿"));
    assertTrue(browser.hasText(browser.t("consent.email")));
    browser.assertCleanWalk(browser.inspect("oidc-consent"));
    browser.click(browser.t("consent.allow"));
    browser.waitForText("not_found");
    String landed = (String) browser.script("return location.href");
    assertTrue(landed.startsWith(partner.redirect + "?code="), landed);
    AuthorizationResponse response = AuthorizationResponse.parse(URI.create(landed));
    assertEquals(200, partner.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier()).getStatusCode());
  }
}
