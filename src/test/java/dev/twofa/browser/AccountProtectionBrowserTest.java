package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account's protection, in Chromium, English and Japanese, at 375 and 1280 px: the anti-phishing phrase card says
 * "Set" or "Not set" and shows the phrase only after "Confirm it's you"; the security hold's notice says until when,
 * and a phrase change during it is refused in words.
 */
class AccountProtectionBrowserTest {
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
  void thePhraseCardAndTheHold(String language) throws Exception {
    Browser browser = language.equals("ja") ? japanese : english;
    String phrase = language.equals("ja") ? "青い猫と42の星" : "blue kettle 42";
    String email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.waitForHeading(browser.t("signup.title"));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("signup.submit"));
    browser.waitForHeading(browser.t("welcome.title", "product", "cryptact"));
    browser.open("/account");
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("phrase.title"));
    assertTrue(browser.settingValue(browser.t("phrase.row")).contains(browser.t("phrase.notSet")));
    problems.addAll(browser.inspect("account-phrase-not-set"));

    // Set it: the card then says "Set", and nowhere the phrase.
    browser.click(browser.t("phrase.setButton"));
    browser.fill(browser.t("phrase.field"), "abc");
    browser.click(browser.t("phrase.save"));
    assertTrue(browser.fieldError(browser.t("phrase.field")).contains(browser.t("error.invalid_phrase")));
    browser.fill(browser.t("phrase.field"), phrase);
    browser.click(browser.t("phrase.save"));
    browser.waitForText(browser.t("phrase.saved"));
    assertTrue(browser.settingValue(browser.t("phrase.row")).contains(browser.t("phrase.isSet")));
    assertFalse(browser.bodyText().contains(phrase), "not shown without asking");
    problems.addAll(browser.inspect("account-phrase-set"));

    // "Show" past the step-up the sign-up counted as: "Confirm it's you" first, then the phrase.
    server.clock().advance(Duration.ofMinutes(11));
    try {
      browser.click(browser.t("phrase.show"));
      browser.waitForDialog(browser.t("stepUp.title"));
      browser.fill(browser.t("stepUp.password"), TestAccounts.PASSWORD);
      browser.click(browser.t("stepUp.confirm"));
      browser.waitForText(browser.t("phrase.current", "phrase", phrase));
      problems.addAll(browser.inspect("account-phrase-shown"));
      browser.click(browser.t("phrase.hide"));
      assertFalse(browser.bodyText().contains(phrase));

      // A hold: the notice says until when, and a change waits.
      server.query("UPDATE users SET security_hold_until = $2 WHERE email = $1", email,
        server.clock().instant().plus(Duration.ofHours(20)).atOffset(ZoneOffset.UTC));
      browser.reload();
      browser.waitForVisible("#security-hold");
      browser.find("[aria-controls='phrase-panel']").click();   // "Change" (the password row has one too)
      browser.fill(browser.t("phrase.field"), phrase + "!");
      browser.click(browser.t("phrase.save"));
      browser.waitForText(browser.t("error.security_hold"));
      problems.addAll(browser.inspect("account-security-hold"));
    } finally {
      server.clock().set(TestServer.START);
    }
    browser.assertCleanWalk(problems);
  }
}
