package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The days the happy path breaks, in Chromium, on a server with 8-digit codes, 3 tries and 4 minutes: the code
 * screen names the entry and the email, unsaved codes hold the user, the countdown and an ended login go back to
 * Log in with the email kept and the real cause, Activity shows the stranger's attempt in amber, and a phone
 * enrolls with the link first. The walks with screenshots run in English and in a Japanese Chromium (words from
 * the message files; no English left on a Japanese screen).
 */
class BrokenDaysTest {
  @RegisterExtension
  static TestServer server = new TestServer()
    .with("TWOFA_TOTP_DIGITS", "8")
    .with("TWOFA_PENDING_LOGIN_MAX_FAILURES", "3")
    .with("TWOFA_PENDING_LOGIN_MINUTES", "4");
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser japanese = Browser.perClass(server, "ja");
  private final List<String> problems = new ArrayList<>();

  @BeforeEach
  void desktopWidth() {
    browser.resize(1280);
    japanese.resize(1280);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void aPhoneEnrollsWithTheLinkFirstAndUnsavedCodesHoldTheUser(String language) throws Exception {
    Browser browser = in(language);
    browser.resize(375);
    String email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.waitForHeading(browser.t("signup.title"));
    assertTrue(browser.hasText(browser.t("signup.passwordHint", "min", 8)));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("signup.submit"));
    browser.waitForHeading(browser.t("welcome.title", "product", "cryptact"));
    assertTrue(browser.hasText(browser.t("welcome.explain", "digits", 8)), "digits from the server");
    browser.click(browser.t("twofa.enable"));
    browser.waitForHeading(browser.t("setup.title"));
    browser.waitForText("pafin / pafin Inc.");
    assertTrue(browser.focused().startsWith("H1:"), "focus on the heading: " + browser.focused());
    List<WebElement> parts = browser.find(".key-box").findElements(By.xpath("./*"));
    assertEquals("phone-link", parts.get(0).getAttribute("class"));
    assertTrue(parts.get(0).findElement(By.tagName("a")).getAttribute("href").startsWith("otpauth://totp/"));
    assertEquals(browser.t("setup.addOnPhone"), parts.get(0).getText());
    assertEquals("key", parts.get(1).getAttribute("class"));
    assertTrue(parts.get(1).getText().contains(browser.t("setup.copyKey")) && parts.get(1).getText().contains(browser.t("setup.keyAlphabet")));
    assertEquals("details", parts.get(2).getTagName());
    assertFalse(browser.find(".qr").isDisplayed(), "the QR code is folded away on a phone");
    browser.find(".qr-details summary").click();
    assertTrue(browser.find(".qr").isDisplayed());
    assertEquals(browser.t("setup.showQr"), browser.find(".qr-details summary").getText());
    problems.addAll(browser.inspect("enable-2fa-on-a-phone"));
    browser.resize(375);
    String secret = browser.find(".secret").getText().replace(" ", "");
    browser.input(browser.t("setup.codeLabel", "digits", 8)).sendKeys(code(secret));

    browser.waitForHeading(browser.t("codes.title"));
    assertTrue(browser.focused().startsWith("H1:"), browser.focused());
    WebElement finish = browser.button(browser.t("codes.savedLogin"));
    assertFalse(finish.isEnabled(), "nothing to skip with one Enter");
    // Leaving asks first; "stay" keeps the codes on screen.
    browser.byAriaLabel(browser.t("shell.accountMenu")).click();
    browser.click(browser.t("shell.account"));
    assertEquals(browser.t("codes.leave"), browser.answerDialog(false));
    assertEquals("/recovery-codes", browser.path());
    assertTrue(browser.hasText(browser.t("codes.title")));
    browser.find("#codes-saved").click();
    assertTrue(finish.isEnabled(), "the tick box releases the button");
    browser.click(browser.t("codes.savedLogin"));
    browser.waitForHeading(browser.t("account.title"));
    assertTrue(browser.hasText(browser.t("twofa.onNotice", "entry", "pafin / pafin Inc.")));
    assertTrue(browser.hasText(browser.t("codes.left", "left", 8, "count", 8)));
    // Account at 375 px: the password is a row that opens its form.
    assertFalse(browser.input(browser.t("password.current")).isDisplayed());
    browser.find("[aria-controls=password-panel]").click();
    assertTrue(browser.input(browser.t("password.current")).isDisplayed());
    problems.addAll(browser.inspect("account-password-open"));
    assertEquals(List.of(), problems);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void theCodeScreenSaysWhoAndWhichEntryAndStartOverForgetsTheEmail(String language) throws Exception {
    Browser browser = in(language);
    Account account = enrolled();
    logIn(browser, account.email());
    browser.waitForHeading(browser.t("totp.title"));
    assertTrue(browser.hasText(browser.t("totp.intro", "digits", 8, "entry", "pafin / pafin Inc.")), browser.bodyText());
    assertTrue(browser.hasText(browser.t("totp.loggingInAs") + " " + account.email()));
    String countdown = browser.find(".countdown").getText();
    assertTrue(countdown.matches(Pattern.quote(browser.t("totp.timeLeft")) + " \\d:\\d\\d"), countdown);
    assertEquals("true", browser.find(".countdown-clock").getAttribute("aria-hidden"), "not read out every second");
    problems.addAll(browser.inspect("two-factor-8-digits"));
    browser.click(browser.t("totp.startOver"));
    browser.waitForHeading(browser.t("login.title"));
    assertEquals("", browser.input(browser.t("field.email")).getAttribute("value"));
    assertEquals("anonymous", server.newClient().get("/api/session").json().getString("state"));
    assertEquals(List.of(), problems);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void tooManyWrongCodesGoBackToLogInWithTheEmailAndTheCauseAndShowAmberInActivity(String language) throws Exception {
    Browser browser = in(language);
    Account account = enrolled();
    logIn(browser, account.email());
    browser.waitForHeading(browser.t("totp.title"));
    String wrong = code(account.secret()).equals("00000000") ? "11111111" : "00000000";
    String codeLabel = browser.t("totp.codeLabel", "digits", 8);
    browser.input(codeLabel).sendKeys(wrong);
    browser.waitForText(browser.t("totp.triesLeft", "n", 2));
    assertEquals(browser.t("error.invalid_code"), browser.fieldError(codeLabel));
    problems.addAll(browser.inspect("two-factor-tries-left"));
    for (int i = 0; i < 2; i++) {
      browser.input(codeLabel).clear();
      browser.input(codeLabel).sendKeys(wrong);
      if (i == 0) browser.waitForText(browser.t("totp.triesLeft", "n", 1));
    }
    browser.waitForHeading(browser.t("login.title"));
    assertTrue(browser.hasText(browser.t("login.ended.too_many_codes", "tries", 3)), browser.bodyText());
    assertEquals(account.email(), browser.input(browser.t("field.email")).getAttribute("value"));
    problems.addAll(browser.inspect("login-after-too-many-codes"));

    // The owner logs in and sees the stranger's attempt as one amber row, with the way out.
    server.clock().advance(Duration.ofSeconds(30));
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("totp.title"));
    browser.input(codeLabel).sendKeys(code(account.secret()));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("activity.login.notCompleted.tooMany", "n", 3));
    assertEquals(1, browser.texts(".activity .event.warning").size());
    assertTrue(browser.find(".activity .event.warning").getText().contains(browser.t("activity.pill.notCompleted")));
    String loggedIn = browser.t("activity.login.app");
    String notCompleted = browser.t("activity.login.notCompleted");
    assertEquals(2, browser.texts(".activity .event").stream().filter(t -> t.contains(loggedIn) || t.contains(notCompleted)).count(),
      "one row per login attempt: " + browser.texts(".activity .event"));
    problems.addAll(browser.inspect("activity-abandoned-login"));
    browser.click(browser.t("activity.filter.failed"));
    String failed = browser.t("activity.pill.failed");
    assertTrue(browser.texts(".activity .event").stream().allMatch(t -> t.contains(notCompleted) || t.contains(failed)),
      browser.texts(".activity .event").toString());
    browser.click(browser.t("activity.notYou"));
    assertTrue(browser.input(browser.t("password.current")).isDisplayed());
    assertEquals("INPUT:", browser.focused());
    assertEquals(List.of(), problems);
  }

  @Test
  void theCountdownRunsOutAndGoesBackToLogInWithTheEmailAndSaysTimeRanOut() throws Exception {
    Account account = enrolled();
    // A browser of its own: Chromium's virtual time, once used, stays in charge of that browser's clock.
    try (Browser own = new Browser(server.baseUrl())) {
      own.open("/login");
      own.waitForHeading("Log in");
      own.fill("Email address", account.email());
      own.fill("Password", TestAccounts.PASSWORD);
      own.click("Log in");
      own.waitForHeading("Two-factor authentication");
      // Both clocks move on past the 4 minutes: the server's, and the page's (its countdown runs out and asks).
      server.clock().advance(Duration.ofMinutes(4).plusSeconds(1));
      own.advanceTime(Duration.ofMinutes(4).plusSeconds(2));
      own.waitForHeading("Log in");
      assertTrue(own.hasText("not finished in time (the code step allows 4 minutes)"), own.bodyText());
      assertEquals(account.email(), own.input("Email address").getAttribute("value"));
    }
  }

  @Test
  void aLoginThatEndedWhileAwayGoesBackToLogInWithTheEmail() throws Exception {
    Account account = enrolled();
    logIn(browser, account.email());
    browser.waitForHeading("Two-factor authentication");
    server.clock().advance(Duration.ofMinutes(5));
    browser.input("8-digit code").sendKeys(code(account.secret()));
    browser.waitForHeading("Log in");
    assertEquals(account.email(), browser.input("Email address").getAttribute("value"));
    // This browser's clock did not move (only the server's did), so it cannot tell the cause: the login ended.
    assertTrue(browser.hasText("Your login has ended"), browser.bodyText());

    // A reload after the server dropped the login lands on Log in too, email kept.
    server.clock().advance(Duration.ofSeconds(30));
    logIn(browser, account.email());
    browser.waitForHeading("Two-factor authentication");
    server.clock().advance(Duration.ofMinutes(5));
    browser.reload();
    browser.waitForHeading("Log in");
    assertEquals(account.email(), browser.input("Email address").getAttribute("value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void aLostPhoneIsReplacedInOnePassWithThePasswordAskedOnceAndOneRecoveryCode(String language) throws Exception {
    Browser browser = in(language);
    Account account = enrolled();
    logIn(browser, account.email());   // the one time the password is asked
    browser.waitForHeading(browser.t("totp.title"));
    // Counts every "Confirm it's you" from here on (the app stays one page: no reload resets it).
    browser.script("window.stepUps = 0; new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach("
      + "(n) => { if (n.matches && n.matches('dialog.step-up')) window.stepUps++; }))).observe(document.body, { childList: true });");
    browser.find("a[href='/login/recovery']").click();
    browser.waitForHeading(browser.t("recovery.title"));
    browser.fill(browser.t("recovery.codeLabel"), account.recoveryCodes().get(0));
    browser.click(browser.t("recovery.submit", "product", "cryptact"));
    browser.waitForHeading(browser.t("account.title"));

    browser.find("a[href='/2fa/change']").click();   // "Set up a new authenticator app", straight to the new key
    browser.waitForHeading(browser.t("twofa.change"));
    String newSecret = browser.find(".secret").getAttribute("data-secret");
    // The clock has not moved since the recovery code: the new app's current code must work at once.
    browser.input(browser.t("setup.codeLabel", "digits", 8)).sendKeys(code(newSecret));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("twofa.change.done"));
    // The new app started a security hold: new codes wait for its end, and the page says so instead of offering them.
    browser.waitForVisible("#security-hold");
    assertFalse(browser.hasText(browser.t("codes.regenerate.offer")));
    assertTrue(browser.hasText(browser.t("codes.left", "left", 7, "count", 8)), "one recovery code spent");
    problems.addAll(browser.inspect("lost-phone-security-hold"));
    server.query("UPDATE users SET security_hold_until = NULL WHERE email = $1", account.email());
    browser.resize(1280);
    browser.find("[aria-controls='regenerate-panel']").click();
    browser.waitForVisible("#regenerate-panel");
    browser.click(browser.t("codes.regenerate.submit"));
    browser.waitForHeading(browser.t("codes.title"));
    assertEquals(8, browser.texts(".recovery-codes code").size());
    assertEquals(0L, browser.script("return window.stepUps;"), "nothing asked twice");
    browser.find("#codes-saved").click();
    browser.click(browser.t("codes.done"));
    browser.waitForHeading(browser.t("account.title"));
    assertTrue(browser.hasText(browser.t("codes.left", "left", 8, "count", 8)));
    browser.logOut();
    assertEquals(List.of(), problems);
  }

  @Test
  void aStepUpAfterARecoveryCodeLoginOpensOnRecoveryCodeAndThePasswordFormNeedsOnlyTheCode() throws Exception {
    Account account = enrolled();
    logIn(browser, account.email());
    browser.waitForHeading("Two-factor authentication");
    browser.find("a[href='/login/recovery']").click();
    browser.waitForHeading("Use a recovery code");
    browser.fill("Recovery code", account.recoveryCodes().get(0));
    browser.click("Log in to cryptact");
    browser.waitForHeading("Account");
    server.clock().advance(Duration.ofMinutes(11));   // past the step-up the login counts as

    browser.find("[aria-controls=password-panel]").click();
    browser.fill("Current password", TestAccounts.PASSWORD);
    browser.fill("New password", "copper-lantern-meadow-4412");
    browser.click("Change password");
    WebElement dialog = browser.waitForDialog("Confirm it's you");
    assertTrue(dialog.findElements(By.cssSelector("input[type=password]")).stream().noneMatch(WebElement::isDisplayed),
      "the form's current password is the password part of the proof");
    assertTrue(dialog.getText().contains("or a recovery code"), dialog.getText());
    browser.fill("Recovery code", account.recoveryCodes().get(1));   // opened on "Recovery code": the phone is gone
    browser.click("Confirm");
    browser.waitForText("Your password was changed");
    browser.logOut();
  }

  record Account(String email, String secret, List<String> recoveryCodes) {
  }

  private Account enrolled() {
    TestAccounts accounts = new TestAccounts(server);
    String email = TestAccounts.uniqueEmail();
    var client = accounts.signedUp(email);
    String secret = client.post("/api/2fa/setup", null).json().getString("secret");
    var enabled = client.post("/api/2fa/enable", TestAccounts.code(code(secret)));
    assertEquals(200, enabled.status());
    server.clock().advance(Duration.ofSeconds(30));
    return new Account(email, secret,
      enabled.json().getJsonArray("recoveryCodes").stream().map(Object::toString).toList());
  }

  private String code(String secret) {
    return Totp.code(new Base32().decode(secret), server.clock().instant().getEpochSecond() / 30, 8, "HmacSHA1");
  }

  private static void logIn(Browser on, String email) {
    on.open("/login");
    on.waitForHeading(on.t("login.title"));
    on.fill(on.t("field.email"), email);
    on.fill(on.t("field.password"), TestAccounts.PASSWORD);
    on.click(on.t("login.submit"));
  }

  /** The class's browser in {@code language}: English, or a Chromium whose own language is Japanese. */
  private static Browser in(String language) {
    return language.equals("ja") ? japanese : browser;
  }
}
