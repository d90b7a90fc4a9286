package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad day's calmer screens, in English and Japanese: the user's own mistyped codes while setting up or
 * changing the app are one neutral Activity row, not "Failed"; focus rings of 3:1 on every control; focus on the
 * result when a form gives way to it; Back after enabling lands on Account, not on the welcome again; the printed
 * codes say whose they are and that each works once; a lost phone gets one amber box with both ways out.
 */
class CalmScreensBrowserTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_PASSWORD_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS", "3");
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser english = Browser.perClass(server);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser japanese = Browser.perClass(server, "ja");
  private final List<String> problems = new ArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void aBadDayWithoutFalseAlarms(String language) throws Exception {
    Browser browser = language.equals("ja") ? japanese : english;
    String email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.waitForHeading(browser.t("signup.title"));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("signup.submit"));
    browser.waitForHeading(browser.t("welcome.title", "product", "cryptact"));
    browser.click(browser.t("twofa.enable"));

    // Setting up: two mistyped codes, then the right one. Every control's focus ring, the phone's QR fold included.
    browser.waitForHeading(browser.t("setup.title"));
    browser.waitForText("pafin / pafin Inc.");
    String secret = browser.find(".secret").getAttribute("data-secret");
    browser.resize(375);
    browser.waitForVisible(".qr-details summary");
    assertEquals(List.of(), browser.focusRingProblems(), "focus rings on the setup screen at 375 px");
    browser.resize(1280);
    String label = browser.t("setup.codeLabel", "digits", 6);
    mistype(browser, label, secret);
    mistype(browser, label, secret);
    WebElement code = browser.input(label);
    code.clear();
    code.sendKeys(Totp.code(secret, server.clock().instant()));

    // The codes: the printed sheet says whose they are and that each works once; "Done" as wide as its row.
    browser.waitForHeading(browser.t("codes.title"));
    List<String> codes = browser.texts(".recovery-codes code");
    browser.emulatePrint(true);
    String sheet = String.join("\n", browser.texts(".print-only"));
    browser.emulatePrint(false);
    assertTrue(sheet.contains(email) && sheet.contains(browser.t("codes.file.use")), sheet);
    browser.find("#codes-saved").click();
    WebElement finish = browser.button(browser.t("codes.savedLogin"));
    assertEquals(finish.findElement(By.xpath("..")).getRect().getWidth(), finish.getRect().getWidth(), "full width");
    finish.click();
    browser.waitForHeading(browser.t("account.title"));

    // Back: the welcome's "Enable 2FA" is done, so Account again.
    browser.back();
    browser.waitForHeading(browser.t("account.title"));
    assertEquals("/account", browser.path());

    // Changing the app: one mistyped code.
    server.clock().advance(Duration.ofMinutes(11));   // past the step-up the sign-up counts as
    browser.click(browser.t("twofa.change"));
    browser.waitForDialog(browser.t("stepUp.title"));
    browser.fill(browser.t("stepUp.password"), TestAccounts.PASSWORD);
    browser.input(browser.t("stepUp.code", "digits", 6)).sendKeys(Totp.code(secret, server.clock().instant()));
    browser.click(browser.t("stepUp.confirm"));
    browser.waitForHeading(browser.t("twofa.change"));
    browser.waitForText(browser.t("twofa.change.intro"));
    String newSecret = browser.find(".secret").getAttribute("data-secret");
    mistype(browser, label, newSecret);
    code = browser.input(label);
    code.clear();
    code.sendKeys(Totp.code(newSecret, server.clock().instant()));
    browser.waitForHeading(browser.t("account.title"));

    // Activity: each run of typos is one neutral row, without a "Failed" pill, and not under "Failed".
    String setupTypos = browser.t("activity.wrongCodes.setup", "n", 2);
    String changeTypos = browser.t("activity.wrongCodes.change", "n", 1);
    browser.waitForText(setupTypos);
    browser.waitForText(changeTypos);
    for (String typos : List.of(setupTypos, changeTypos)) {
      WebElement row = browser.find(".activity").findElement(By.xpath(".//li[.//span[normalize-space()='" + typos + "']]"));
      assertTrue(row.getAttribute("class").contains("neutral"), row.getAttribute("class"));
      assertTrue(row.findElements(By.cssSelector(".badge")).isEmpty(), "no pill on " + typos);
    }
    assertFalse(browser.find(".activity").getText().contains(browser.t("activity.pill.failed")), browser.find(".activity").getText());
    problems.addAll(browser.inspect("activity-typos"));
    assertEquals(List.of(), browser.focusRingProblems(), "focus rings and chip borders on Account");
    browser.click(browser.t("activity.filter.failed"));
    browser.waitForText(browser.t("activity.noneHere"));
    assertFalse(browser.hasText(setupTypos) || browser.hasText(changeTypos));
    browser.click(browser.t("activity.filter.all"));

    // A lost phone: after a recovery-code login, one amber box with both ways out.
    browser.logOut();
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("totp.title"));
    browser.click(browser.t("totp.lost"));
    browser.waitForHeading(browser.t("recovery.title"));
    assertEquals(List.of(), browser.focusRingProblems(), "focus rings on the recovery-code step");
    browser.fill(browser.t("recovery.codeLabel"), codes.get(0));
    browser.click(browser.t("recovery.submit", "product", "cryptact"));
    browser.waitForHeading(browser.t("account.title"));
    WebElement box = browser.waitForVisible(".attention");
    assertTrue(box.getText().contains(browser.t("account.lostPhone")), box.getText());
    assertTrue(box.getText().contains(browser.t("account.lostPhone.link")) && box.getText().contains(browser.t("codes.regenerate")),
      box.getText());
    problems.addAll(browser.inspect("account-lost-phone"));
    box.findElement(By.tagName("button")).click();
    browser.waitForVisible("#regenerate-panel");
    browser.logOut();
    browser.assertCleanWalk(problems);
  }

  /** The support request form runs on its own time (15 minutes), with no clock on the screen. */
  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void theSupportFormHasNoClockToRaceAgainst(String language) throws Exception {
    Browser browser = language.equals("ja") ? japanese : english;
    TestAccounts.Enrolled account = new TestAccounts(server).enrolled();
    browser.open("/login");
    browser.fill(browser.t("field.email"), account.email());
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("totp.title"));
    assertTrue(browser.find(".countdown").isDisplayed(), "the code step keeps its clock");
    browser.click(browser.t("askSupport.button"));
    browser.waitForHeading(browser.t("askSupport.title"));
    browser.waitForText(account.email());
    assertTrue(browser.script("return document.querySelector('.countdown')") == null, "no clock on the form");
    problems.addAll(browser.inspect("ask-support-no-clock"));
    assertEquals(List.of(), browser.focusRingProblems(), "focus rings on the form (radios, textarea, links)");
    server.clock().advance(Duration.ofMinutes(10));   // twice the code step's 5 minutes
    browser.find("#reason-lost_phone").click();
    browser.fill(browser.t("askSupport.contact"), "+81 90 0000 0000");
    browser.fill(browser.t("askSupport.message"), "New phone since Monday");
    browser.click(browser.t("askSupport.submit"));
    browser.waitForHeading(browser.t("askSupport.sent.title"));
    browser.assertCleanWalk(problems);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void focusMovesToTheResultThatReplacesAForm(String language) {
    Browser browser = language.equals("ja") ? japanese : english;
    browser.open("/forgot-password");
    browser.waitForHeading(browser.t("forgot.title"));
    browser.fill(browser.t("field.email"), TestAccounts.uniqueEmail());
    browser.click(browser.t("forgot.submit"));
    browser.waitForMessage("forgot.sent");
    browser.wait(10).until(d -> browser.focused().startsWith("P:"));
  }

  /** Locked out after wrong passwords: the message points at the way that needs no password. */
  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void theLockoutPointsAtForgotPassword(String language) {
    Browser browser = language.equals("ja") ? japanese : english;
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    browser.open("/login");
    browser.waitForHeading(browser.t("login.title"));
    browser.fill(browser.t("field.email"), email);
    WebElement message = browser.find(".form-message");
    for (int i = 0; i < 6 && message.findElements(By.cssSelector("a[href='/forgot-password']")).isEmpty(); i++) {
      browser.fill(browser.t("field.password"), "wrong-password-" + i);
      browser.click(browser.t("login.submit"));
      browser.wait(10).until(d -> !message.getText().isBlank() && browser.button(browser.t("login.submit")).isEnabled());
    }
    assertTrue(message.getText().contains(browser.t("login.forgot")), message.getText());
    message.findElement(By.cssSelector("a[href='/forgot-password']")).click();
    browser.waitForHeading(browser.t("forgot.title"));
  }

  /** Types a code the app does not show now, and waits for it to be refused next to the field. */
  private void mistype(Browser browser, String label, String secret) {
    String right = Totp.code(secret, server.clock().instant());
    WebElement field = browser.input(label);
    field.clear();
    field.sendKeys(right.equals("000000") ? "111111" : "000000");
    assertEquals(browser.t("error.invalid_code"), browser.fieldError(label));
  }
}
