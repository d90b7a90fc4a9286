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
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TWOFA_REQUIRE_2FA=all in Chromium, English and Japanese, at 375 and 1280 px: "Turn on 2FA within 14 days" on
 * Account; past the grace period, an application's login leads to the set-up (saying why), and once 2FA is on,
 * on to the application, whose ID token says two factors.
 */
class RequiredTwoFactorBrowserTest {
  @RegisterExtension
  static final TestServer server = new TestServer().withPublicUrlAtItsAddress().with("TWOFA_REQUIRE_2FA", "all");
  private static RelyingParty cryptact;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void register() {
    cryptact = RelyingParty.register(server, "cryptact", false, true, URI.create(server.baseUrl() + "/oidc-test-callback"));
  }

  @Test
  void english() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "en")) {
      countdownThenSetUpOnTheWay(browser);
    }
  }

  @Test
  void japanese() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "ja")) {
      countdownThenSetUpOnTheWay(browser);
    }
  }

  private void logIn(Browser browser, String email) {
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
  }

  private void countdownThenSetUpOnTheWay(Browser browser) throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    browser.open("/login");
    browser.waitForHeading(browser.t("login.title"));
    logIn(browser, email);
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForMessage("required.banner");
    assertTrue(browser.find("#required-2fa").getText().contains("14"), browser.find("#required-2fa").getText());
    browser.assertCleanWalk(browser.inspect("required-2fa-banner"));

    // Past the grace period (the session has idled out too): an application's login.
    server.clock().advance(Duration.ofDays(15));
    browser.drainConsole();
    Attempt attempt = Attempt.fresh();
    browser.open(cryptact.authorizePath(attempt));
    browser.waitForHeading(browser.t("login.titleFor", "client", "cryptact"));
    logIn(browser, email);
    browser.waitForHeading(browser.t("setup.title"));
    assertTrue(browser.hasText(browser.t("required.held")));
    browser.assertCleanWalk(browser.inspect("required-2fa-held-setup"));
    String secret = browser.find(".secret").getText().replace(" ", "");
    browser.input(browser.t("setup.codeLabel", "digits", 6)).sendKeys(Totp.code(secret, server.clock().instant()));
    browser.waitForHeading(browser.t("codes.title"));
    browser.find("#codes-saved").click();
    browser.click(browser.t("codes.savedLogin"));
    browser.waitForText("not_found");   // the test server's answer at the application's redirect URI
    String landed = (String) browser.script("return location.href");
    assertTrue(landed.startsWith(cryptact.redirect + "?code="), landed);
    AuthorizationResponse response = AuthorizationResponse.parse(URI.create(landed));
    JWTClaimsSet claims = cryptact.verify(((OIDCTokenResponse) RelyingParty.parse(cryptact.exchange(
      response.toSuccessResponse().getAuthorizationCode(), attempt.verifier()))).getOIDCTokens().getIDTokenString(),
      attempt.nonce());
    assertEquals("2", claims.getStringClaim("acr"));
  }
}
