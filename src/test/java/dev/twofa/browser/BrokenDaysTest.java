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
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The days the happy path breaks, in Chromium, on a server with 8-digit codes, 3 tries and 4 minutes: the code
 * screen names the entry and the email, unsaved codes hold the user, the countdown and an ended login go back to
 * Log in with the email kept and the real cause, Activity shows the stranger's attempt in amber, and a phone
 * enrolls with the link first.
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
  private final List<String> problems = new ArrayList<>();

  @BeforeEach
  void desktopWidth() {
    browser.resize(1280);
  }

  @Test
  void aPhoneEnrollsWithTheLinkFirstAndUnsavedCodesHoldTheUser() throws Exception {
    browser.resize(375);
    String email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.waitForHeading("Sign up");
    assertTrue(browser.hasText("At least 8 characters"));
    browser.fill("Email address", email);
    browser.fill("Password", TestAccounts.PASSWORD);
    browser.click("Sign up");
    browser.waitForHeading("Welcome to cryptact");
    assertTrue(browser.hasText("8-digit code"), "digits from the server");
    browser.click("Enable 2FA");
    browser.waitForHeading("Secure your account with 2FA");
    browser.waitForText("pafin / pafin Inc.");
    assertTrue(browser.focused().startsWith("H1:"), "focus on the heading: " + browser.focused());
    List<WebElement> parts = browser.find(".key-box").findElements(By.xpath("./*"));
    assertEquals("phone-link", parts.get(0).getAttribute("class"));
    assertTrue(parts.get(0).findElement(By.tagName("a")).getAttribute("href").startsWith("otpauth://totp/"));
    assertEquals("Add to authentication app on this phone", parts.get(0).getText());
    assertEquals("key", parts.get(1).getAttribute("class"));
    assertTrue(parts.get(1).getText().contains("Copy key") && parts.get(1).getText().contains("A–Z and the digits 2–7"));
    assertEquals("details", parts.get(2).getTagName());
    assertFalse(browser.find(".qr").isDisplayed(), "the QR code is folded away on a phone");
    browser.find(".qr-details summary").click();
    assertTrue(browser.find(".qr").isDisplayed());
    assertEquals("Show QR code for another device", browser.find(".qr-details summary").getText());
    problems.addAll(browser.inspect("enable-2fa-on-a-phone"));
    browser.resize(375);
    String secret = browser.find(".secret").getText().replace(" ", "");
    browser.input("8-digit code from the app").sendKeys(code(secret));

    browser.waitForHeading("Save your recovery codes");
    assertTrue(browser.focused().startsWith("H1:"), browser.focused());
    WebElement finish = browser.button("Code saved, login");
    assertFalse(finish.isEnabled(), "nothing to skip with one Enter");
    // Leaving asks first; "stay" keeps the codes on screen.
    browser.byAriaLabel("Account menu").click();
    browser.click("Account");
    assertTrue(browser.answerDialog(false).contains("not been saved"));
    assertEquals("/recovery-codes", browser.path());
    assertTrue(browser.hasText("Save your recovery codes"));
    browser.find("#codes-saved").click();
    assertTrue(finish.isEnabled(), "the tick box releases the button");
    browser.click("Code saved, login");
    browser.waitForHeading("Account");
    assertTrue(browser.hasText("2FA is on. From now on, logging in asks for the code from “pafin / pafin Inc.”"));
    assertTrue(browser.hasText("8 of 8 left"));
    // Account at 375 px: the password is a row that opens its form.
    assertFalse(browser.input("Current password").isDisplayed());
    browser.find("[aria-controls=password-panel]").click();
    assertTrue(browser.input("Current password").isDisplayed());
    problems.addAll(browser.inspect("account-password-open"));
    assertEquals(List.of(), problems);
  }

  @Test
  void theCodeScreenSaysWhoAndWhichEntryAndStartOverForgetsTheEmail() throws Exception {
    Account account = enrolled();
    logIn(account.email());
    browser.waitForHeading("Two-factor authentication");
    assertTrue(browser.hasText("enter the 8-digit code shown for “pafin / pafin Inc.”"), browser.bodyText());
    assertTrue(browser.hasText("Logging in as " + account.email()));
    assertTrue(browser.find(".countdown").getText().matches("Time left \\d:\\d\\d"), browser.find(".countdown").getText());
    assertEquals("true", browser.find(".countdown-clock").getAttribute("aria-hidden"), "not read out every second");
    problems.addAll(browser.inspect("two-factor-8-digits"));
    browser.click("Not you? Start over");
    browser.waitForHeading("Log in");
    assertEquals("", browser.input("Email address").getAttribute("value"));
    assertEquals("anonymous", server.newClient().get("/api/session").json().getString("state"));
    assertEquals(List.of(), problems);
  }

  @Test
  void tooManyWrongCodesGoBackToLogInWithTheEmailAndTheCauseAndShowAmberInActivity() throws Exception {
    Account account = enrolled();
    logIn(account.email());
    browser.waitForHeading("Two-factor authentication");
    String wrong = code(account.secret()).equals("00000000") ? "11111111" : "00000000";
    browser.input("8-digit code").sendKeys(wrong);
    browser.waitForText("2 tries left");
    assertTrue(browser.fieldError("8-digit code").contains("not valid"));
    problems.addAll(browser.inspect("two-factor-tries-left"));
    for (int i = 0; i < 2; i++) {
      browser.input("8-digit code").clear();
      browser.input("8-digit code").sendKeys(wrong);
      if (i == 0) browser.waitForText("1 try left");
    }
    browser.waitForHeading("Log in");
    assertTrue(browser.hasText("Too many wrong codes (3)"), browser.bodyText());
    assertEquals(account.email(), browser.input("Email address").getAttribute("value"));
    problems.addAll(browser.inspect("login-after-too-many-codes"));

    // The owner logs in and sees the stranger's attempt as one amber row, with the way out.
    server.clock().advance(Duration.ofSeconds(30));
    browser.fill("Password", TestAccounts.PASSWORD);
    browser.click("Log in");
    browser.waitForHeading("Two-factor authentication");
    browser.input("8-digit code").sendKeys(code(account.secret()));
    browser.waitForHeading("Account");
    browser.waitForText("Correct password, but the 2FA step was not completed (3 wrong codes)");
    assertEquals(1, browser.texts(".activity .event.warning").size());
    assertTrue(browser.find(".activity .event.warning").getText().contains("Not completed"));
    assertEquals(2, browser.texts(".activity .event").stream().filter(t -> t.contains("Logged in") || t.contains("Correct password")).count(),
      "one row per login attempt: " + browser.texts(".activity .event"));
    problems.addAll(browser.inspect("activity-abandoned-login"));
    browser.click("Failed");
    assertTrue(browser.texts(".activity .event").stream().allMatch(t -> t.contains("Correct password") || t.contains("Failed")),
      browser.texts(".activity .event").toString());
    browser.click("Not you? Change your password");
    assertTrue(browser.input("Current password").isDisplayed());
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
    logIn(account.email());
    browser.waitForHeading("Two-factor authentication");
    server.clock().advance(Duration.ofMinutes(5));
    browser.input("8-digit code").sendKeys(code(account.secret()));
    browser.waitForHeading("Log in");
    assertEquals(account.email(), browser.input("Email address").getAttribute("value"));
    // This browser's clock did not move (only the server's did), so it cannot tell the cause: the login ended.
    assertTrue(browser.hasText("Your login has ended"), browser.bodyText());

    // A reload after the server dropped the login lands on Log in too, email kept.
    server.clock().advance(Duration.ofSeconds(30));
    logIn(account.email());
    browser.waitForHeading("Two-factor authentication");
    server.clock().advance(Duration.ofMinutes(5));
    browser.reload();
    browser.waitForHeading("Log in");
    assertEquals(account.email(), browser.input("Email address").getAttribute("value"));
  }

  record Account(String email, String secret) {
  }

  private Account enrolled() {
    TestAccounts accounts = new TestAccounts(server);
    String email = TestAccounts.uniqueEmail();
    var client = accounts.signedUp(email);
    String secret = client.post("/api/2fa/setup", null).json().getString("secret");
    assertEquals(200, client.post("/api/2fa/enable", TestAccounts.code(code(secret))).status());
    server.clock().advance(Duration.ofSeconds(30));
    return new Account(email, secret);
  }

  private String code(String secret) {
    return Totp.code(new Base32().decode(secret), server.clock().instant().getEpochSecond() / 30, 8, "HmacSHA1");
  }

  private void logIn(String email) {
    browser.open("/login");
    browser.waitForHeading("Log in");
    browser.fill("Email address", email);
    browser.fill("Password", TestAccounts.PASSWORD);
    browser.click("Log in");
  }
}
