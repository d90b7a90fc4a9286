package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session that ends while the user works (the server's clock moved past the idle timeout): whatever call meets
 * the 401 takes the user to Log in with why, the email filled in and the person menu gone, and logging in again
 * goes back to the screen they were on: turning 2FA on, changing the app, new recovery codes, a new password.
 */
class SessionEndedBrowserTest {
  /** Past TWOFA_SESSION_TIMEOUT_MINUTES (30): the next request meets an ended session. */
  private static final Duration IDLE = Duration.ofMinutes(31);
  @RegisterExtension
  static TestServer server = new TestServer();
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser english = Browser.perClass(server);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser japanese = Browser.perClass(server, "ja");
  private final List<String> problems = new ArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void everyEndedSessionLeadsBackToTheTask(String language) throws Exception {
    Browser browser = language.equals("ja") ? japanese : english;
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    browser.open("/login");
    logIn(browser, email);
    browser.waitForHeading(browser.t("account.title"));

    // Turning 2FA on.
    server.clock().advance(IDLE);
    browser.click(browser.t("twofa.enable"));
    endedAndLoggedInAgain(browser, email, language + "-session-ended", null);
    browser.waitForHeading(browser.t("twofa.enable"));
    assertEquals("/2fa/setup", browser.path());
    browser.waitForText("pafin / pafin Inc.");
    String secret = browser.find(".secret").getText().replace(" ", "");
    browser.input(browser.t("setup.codeLabel", "digits", 6)).sendKeys(Totp.code(secret, server.clock().instant()));
    browser.waitForHeading(browser.t("codes.title"));
    browser.find("#codes-saved").click();
    browser.click(browser.t("codes.done"));
    browser.waitForHeading(browser.t("account.title"));

    // Changing the authentication app (the login needs the app's code, then the change screen opens again).
    server.clock().advance(IDLE);
    browser.click(browser.t("twofa.change"));
    endedAndLoggedInAgain(browser, email, null, secret);
    browser.waitForHeading(browser.t("twofa.change"));
    assertEquals("/2fa/change", browser.path());
    browser.waitForText("pafin / pafin Inc.");

    // New recovery codes, from Account.
    browser.open("/account");
    browser.waitForHeading(browser.t("account.title"));
    server.clock().advance(IDLE);
    browser.click(browser.t("codes.regenerate"));
    browser.waitForVisible("#regenerate-panel");
    browser.click(browser.t("codes.regenerate.submit"));
    endedAndLoggedInAgain(browser, email, null, secret);
    browser.waitForHeading(browser.t("account.title"));

    // A new password, from Account.
    browser.waitForText(browser.t("sessions.title"));
    server.clock().advance(IDLE);
    browser.click(browser.t("password.changeShort"));
    browser.fill(browser.t("password.current"), TestAccounts.PASSWORD);
    browser.fill(browser.t("password.new"), "another-long-harbor-2026");
    browser.click(browser.t("password.submit"));
    endedAndLoggedInAgain(browser, email, null, secret);
    browser.waitForHeading(browser.t("account.title"));
    assertEquals("/account", browser.path());
    browser.logOut();
    browser.assertCleanWalk(problems);
  }

  /** A reload after the session ended lands on Log in, and logging in opens the same screen again. */
  @Test
  void aReloadAfterTheEndKeepsThePlace() {
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    english.open("/login");
    logIn(english, email);
    english.waitForHeading(english.t("account.title"));
    english.open("/2fa/setup?from=account");
    english.waitForHeading(english.t("twofa.enable"));
    server.clock().advance(IDLE);
    english.reload();
    english.waitForHeading(english.t("login.title"));
    assertEquals("/2fa/setup?from=account", english.script("return new URLSearchParams(location.search).get('return')"));
    logIn(english, email);
    english.waitForHeading(english.t("twofa.enable"));
    english.logOut();
  }

  /** Only the app's own logged-in screens are returned to: never another site, never an unknown path. */
  @Test
  void theReturnPathStaysInsideTheApp() {
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    for (String evil : List.of("https://evil.example/", "//evil.example/account", "/\\evil.example", "/nowhere",
        "javascript:alert(1)", "/login/2fa")) {
      english.open("/login?return=" + java.net.URLEncoder.encode(evil, java.nio.charset.StandardCharsets.UTF_8));
      logIn(english, email);
      english.waitForHeading(english.t("account.title"));
      assertEquals("/account", english.path(), evil);
      assertTrue(english.script("return location.origin").toString().startsWith("http://"), evil);
      english.logOut();
    }
  }

  /**
   * The screen after a call met the ended session: Log in, the reason, the email in its field, no person menu;
   * then the password (and the app's code when 2FA is on) logs in again.
   */
  private void endedAndLoggedInAgain(Browser browser, String email, String screen, String secret) throws Exception {
    browser.waitForHeading(browser.t("login.title"));
    browser.waitForText(browser.t("session.ended"));
    assertEquals(email, browser.input(browser.t("field.email")).getAttribute("value"));
    assertFalse(browser.find("#account-menu").isDisplayed(), "the person menu is gone");
    assertNull(browser.script("return document.querySelector('dialog[open]')"));
    if (screen != null) {
      problems.addAll(browser.inspect(screen));
    }
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    if (secret != null) {
      browser.waitForHeading(browser.t("totp.title"));
      server.clock().advance(Duration.ofSeconds(30));
      browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(Totp.code(secret, server.clock().instant()));
    }
  }

  private static void logIn(Browser browser, String email) {
    browser.waitForHeading(browser.t("login.title"));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
  }
}
