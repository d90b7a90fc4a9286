package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Don't ask for a code on this browser for 30 days" in Chromium, English and Japanese, at 375 and 1280 px: the
 * checkbox at the code step, the next login going straight to Account, "Logged in · trusted browser" in Activity,
 * Account › Trusted browsers with this browser in it, and "Remove", after which the code is asked again.
 */
class TrustedBrowserBrowserTest {
  @RegisterExtension
  static final TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void english() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "en")) {
      trustAndRemove(browser);
    }
  }

  @Test
  void japanese() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "ja")) {
      trustAndRemove(browser);
    }
  }

  private void logIn(Browser browser, Enrolled account) {
    browser.open("/login");
    browser.waitForHeading(browser.t("login.title"));
    browser.fill(browser.t("field.email"), account.email());
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
  }

  private void trustAndRemove(Browser browser) throws Exception {
    Enrolled account = accounts.enrolled();
    logIn(browser, account);
    browser.waitForHeading(browser.t("totp.title"));
    assertTrue(browser.hasText(browser.t("trust.checkbox", "days", 30)));
    browser.assertCleanWalk(browser.inspect("trusted-browser-code-step"));
    browser.find("#trust-browser").click();
    browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(Totp.code(account.secret(), server.clock().instant()));
    browser.waitForHeading(browser.t("account.title"));
    accounts.nextStep();

    browser.logOut();
    logIn(browser, account);
    browser.waitForHeading(browser.t("account.title"));   // no code step
    browser.waitForText(browser.t("activity.login.trustedBrowser"));
    browser.waitForText(browser.t("trust.title"));
    assertTrue(browser.find("#trusted-browsers").getText().contains(browser.t("sessions.thisBrowser")));
    browser.assertCleanWalk(browser.inspect("trusted-browsers-account"));

    browser.find("#trusted-browsers button.small").click();
    browser.waitForMessage("trust.removed");
    browser.waitForText(browser.t("trust.none"));
    assertTrue(browser.texts("#trusted-browsers li").isEmpty(), "the list is empty");
    browser.assertCleanWalk(browser.inspect("trusted-browsers-removed"));

    browser.logOut();
    logIn(browser, account);
    browser.waitForHeading(browser.t("totp.title"));   // asked again
  }
}
