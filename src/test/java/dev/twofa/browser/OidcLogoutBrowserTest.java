package dev.twofa.browser;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.claims.ACR;
import dev.twofa.cli.OidcClients;
import dev.twofa.support.Browser;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In Chromium: RP-initiated logout without a hint asks "Log out of cryptact?" (English and Japanese), and Yes ends
 * the session and lands on the application's registered URI (the page's form may lead there); acr_values=2 leads a
 * password-only user through turning 2FA on and back to the application with acr "2".
 */
class OidcLogoutBrowserTest {
  @RegisterExtension
  static final TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty cryptact;
  private static URI afterLogout;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void register() {
    // Addresses on the test server itself, so the browser's final address can be read.
    afterLogout = URI.create(server.baseUrl() + "/oidc-logged-out");
    cryptact = RelyingParty.register(server, new OidcClients.Registration("cryptact",
      List.of(server.baseUrl() + "/oidc-test-callback"), false, true, null, List.of(afterLogout.toString()), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void logOutWhenTheApplicationAsks(String language) throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), language)) {
      logIn(browser, TestAccounts.uniqueEmail());
      browser.open("/end-session?client_id=" + cryptact.clientId.getValue() + "&post_logout_redirect_uri="
        + java.net.URLEncoder.encode(afterLogout.toString(), java.nio.charset.StandardCharsets.UTF_8) + "&state=s1");
      browser.waitForHeading(browser.t("oidc.logout.confirm.title", "product", "cryptact"));
      browser.assertCleanWalk(browser.inspect("oidc-logout-confirm"));
      browser.click(browser.t("oidc.logout.confirm.yes"));
      try {
        browser.waitForText("not_found");   // the test server's answer at the application's address
      } catch (RuntimeException e) {
        throw new AssertionError(browser.script("return location.href + ' ' + document.body.innerText") + " " + browser.drainConsole(), e);
      }
      assertEquals(afterLogout + "?state=s1", browser.script("return location.href"));
      browser.drainConsole();
      browser.open("/account");
      browser.waitForHeading(browser.t("login.title"));
    }
  }

  @Test
  void acrValuesTwoLeadsAPasswordOnlyUserThroughTurningOn2faAndBack() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "en")) {
      String email = TestAccounts.uniqueEmail();
      logIn(browser, email);
      Attempt attempt = Attempt.fresh();
      browser.open(cryptact.authorizePath(attempt, b -> b.acrValues(List.of(new ACR("2")))));
      browser.waitForHeading(browser.t("setup.title"));
      assertEquals("/2fa/setup", browser.path());
      String secret = browser.find(".secret").getText().replace(" ", "");
      browser.input(browser.t("setup.codeLabel", "digits", 6)).sendKeys(Totp.code(secret, server.clock().instant()));
      browser.waitForHeading(browser.t("codes.title"));
      browser.find("#codes-saved").click();
      browser.click(browser.t("codes.savedLogin"));
      browser.waitForText("not_found");
      String landed = (String) browser.script("return location.href");
      assertTrue(landed.startsWith(cryptact.redirect + "?code="), landed);
      AuthorizationResponse response = AuthorizationResponse.parse(URI.create(landed));
      JWTClaimsSet claims = cryptact.verify(((OIDCTokenResponse) RelyingParty.parse(cryptact.exchange(
        response.toSuccessResponse().getAuthorizationCode(), attempt.verifier()))).getOIDCTokens().getIDTokenString(),
        attempt.nonce());
      assertEquals("2", claims.getStringClaim("acr"));
      browser.drainConsole();
    }
  }

  /** A password-only account, logged in from this browser. */
  private void logIn(Browser browser, String email) {
    accounts.signedUp(email);
    browser.open("/login");
    browser.waitForHeading(browser.t("login.title"));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("account.title"));
  }
}
