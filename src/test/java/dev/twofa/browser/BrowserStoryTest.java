package dev.twofa.browser;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user documentation's story, clicked through in real Chromium by its visible words: sign up, enable 2FA
 * from the key on screen, save the codes, log in with the app and with a recovery code, regenerate, read Activity.
 * Every screen is checked with axe-core and photographed at 375 and 1280 px; the walks that run in both
 * languages (their words taken from the message files) are photographed in Japanese too, with no English left.
 */
class BrowserStoryTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser japanese = Browser.perClass(server, "ja");
  private final List<String> accessibility = new ArrayList<>();

  @Test
  void theDocumentedStoryWorksWordByWord() throws Exception {
    String email = TestAccounts.uniqueEmail();
    String password = TestAccounts.PASSWORD;

    // 1. Sign up.
    browser.open("/signup");
    browser.waitForHeading("Sign up");
    inspect("signup");
    browser.fill("Email address", email);
    browser.fill("Password", "password1");
    browser.click("Sign up");
    assertTrue(browser.fieldError("Password").length() > 10, "a weak password is refused next to its field");
    browser.fill("Password", password);
    browser.click("Sign up");

    // 2. Welcome, with Enable 2FA at the bottom and Skip for now.
    browser.waitForHeading("Welcome to cryptact");
    assertTrue(browser.hasText("Skip for now"));
    inspect("welcome");
    browser.click("Enable 2FA");

    // 3. Secure your account with 2FA: read the key off the screen, as a person typing it into the app would.
    browser.waitForHeading("Secure your account with 2FA");
    browser.waitForText("pafin / pafin Inc.");   // the entry name is shown once the key has arrived
    String shownKey = browser.find(".secret").getText();
    assertTrue(shownKey.matches("([A-Z2-7]{4} )+[A-Z2-7]{1,4}"), "key in groups of four: " + shownKey);
    inspect("enable-2fa-after-signup");
    String secret = shownKey.replace(" ", "");
    browser.fill("6-digit code from the app", wrongCode(secret));
    assertTrue(browser.fieldError("6-digit code from the app").contains("not valid"));
    WebElement codeInput = browser.input("6-digit code from the app");
    codeInput.clear();
    codeInput.sendKeys(Totp.code(secret, server.clock().instant()));

    // 4. Recovery codes: Download, Copy, Print; then "Code saved, login".
    browser.waitForHeading("Save your recovery codes");
    List<String> codes = browser.texts(".recovery-codes code");
    assertEquals(8, codes.size());
    codes.forEach(c -> assertTrue(c.matches("[a-hjkmnp-z2-9]{5} [a-hjkmnp-z2-9]{5}"), "two groups of five: " + c));
    assertTrue(browser.focused().startsWith("H1:"), "focus on the heading, not on the button: " + browser.focused());
    assertFalse(browser.button("Code saved, login").isEnabled(), "the codes must be saved first");
    inspect("recovery-codes");
    browser.click("Download");
    Path file = browser.download();
    String downloaded = Files.readString(file);
    assertTrue(downloaded.contains("cryptact"), downloaded);
    assertTrue(downloaded.contains(LocalDate.now(ZoneOffset.UTC).toString()), downloaded);
    codes.forEach(c -> assertTrue(downloaded.contains(c), "download holds " + c));
    browser.click("Copy");
    browser.waitForText("Copied");
    assertEquals(String.join("\n", codes), browser.clipboard());
    assertTrue(browser.button("Print").isDisplayed());
    browser.emulatePrint(true);
    assertFalse(browser.find(".topbar").isDisplayed(), "the printed page has no header");
    assertFalse(browser.button("Download").isDisplayed(), "nor buttons");
    assertTrue(browser.find(".recovery-codes").isDisplayed(), "just the codes");
    browser.emulatePrint(false);
    browser.click("Code saved, login");

    // 7. Account: 2FA security is On, said in words too.
    browser.waitForHeading("Account");
    assertTrue(browser.hasText("2FA is on. From now on, logging in asks for the code from “pafin / pafin Inc.”"));
    assertEquals("On", browser.settingValue("2FA security"));
    assertTrue(browser.hasText("8 of 8 left"));
    inspect("account");

    // 6. The person-shaped Account menu: first item Account, then Log out.
    browser.byAriaLabel("Account menu").click();
    assertEquals(List.of("Account", "Log out"), browser.texts("#account-menu-list [role=menuitem]"));
    inspect("account-menu");
    browser.click("Log out");
    browser.waitForHeading("Log in");
    inspect("login");

    // 5. Two-step login with the app's code (next time step: the enabling code was spent).
    server.clock().advance(java.time.Duration.ofSeconds(30));
    logIn(browser, email, password);
    browser.waitForHeading("Two-factor authentication");
    assertEquals("numeric", browser.input("6-digit code").getAttribute("inputmode"));
    assertEquals("one-time-code", browser.input("6-digit code").getAttribute("autocomplete"));
    inspect("two-factor");
    String current = Totp.code(secret, server.clock().instant());
    browser.input("6-digit code").sendKeys(current.substring(0, 3) + " " + current.substring(3));
    browser.waitForHeading("Account");
    browser.logOut();

    // 5. Lost your authentication device? A recovery code logs in once, and the remaining count drops.
    logIn(browser, email, password);
    browser.waitForHeading("Two-factor authentication");
    browser.click("Lost your authentication device?");
    browser.waitForHeading("Use a recovery code");
    assertTrue(browser.hasText("support desk"), "the way out when everything is lost");
    inspect("recovery-login");
    browser.fill("Recovery code", codes.get(0).toUpperCase());
    browser.click("Log in to cryptact");
    browser.waitForHeading("Account");
    assertTrue(browser.hasText("You have 7 recovery codes left"), "remaining count after a recovery login");
    assertTrue(browser.hasText("7 of 8 left"));
    assertTrue(browser.hasText("Lost your phone?") && browser.hasText("Set up a new authentication app"), "after a recovery login");

    // 7. Generate new recovery codes: a warning, "Confirm it's you" once the login is older than the step-up window
    // (opened on a recovery code, since this session logged in with one: the phone is lost), then the new codes.
    server.clock().advance(java.time.Duration.ofMinutes(11));
    browser.click("Generate new recovery codes");
    browser.waitForVisible("#regenerate-panel");
    assertTrue(browser.hasText("will stop working"));
    inspect("regenerate-recovery-codes");
    browser.click("Generate new codes");
    browser.waitForDialog("Confirm it's you");
    browser.fill("Password", password);
    assertTrue(browser.hasText("Use the authentication app instead"), "opened on Recovery code");
    inspect("step-up");
    browser.fill("Recovery code", codes.get(1));
    browser.click("Confirm");
    browser.waitForHeading("Save your recovery codes");
    List<String> newCodes = browser.texts(".recovery-codes code");
    assertEquals(8, newCodes.size());
    assertFalse(browser.button("Done").isEnabled());
    browser.find("#codes-saved").click();
    browser.click("Done");
    browser.waitForHeading("Account");
    assertTrue(browser.hasText("8 of 8 left"));
    browser.logOut();

    // Old codes are refused, with the reason next to the field; new ones work.
    logIn(browser, email, password);
    browser.waitForHeading("Two-factor authentication");
    browser.click("Lost your authentication device?");
    browser.waitForHeading("Use a recovery code");
    browser.fill("Recovery code", codes.get(1));
    browser.click("Log in to cryptact");
    assertTrue(browser.fieldError("Recovery code").contains("not valid"));
    browser.fill("Recovery code", newCodes.get(0));
    browser.click("Log in to cryptact");
    browser.waitForHeading("Account");

    // Activity tells the story, newest first, one row per login, in words.
    browser.waitForText("Logged in · password + recovery code (after 1 wrong code)");
    inspect("activity");
    String activity = browser.find(".activity").getText();
    for (String words : List.of("Account created", "2FA turned on", "Logged in · password + authentication app",
      "Logged in · password + recovery code", "New recovery codes generated", "Logged out",
      "1 wrong code while setting up the authentication app", "127.0.0.1", "Chrome on Linux")) {
      assertTrue(activity.contains(words), "Activity mentions " + words + ":\n" + activity);
    }
    assertFalse(activity.contains("Failed"), "the user's own typo while setting up is no alarm:\n" + activity);
    assertFalse(activity.contains("Success"), "no pill on what went as expected");
    assertFalse(activity.contains("Login: password"), "a login's steps are one row");
    assertTrue(activity.indexOf("recovery code (after") < activity.indexOf("Account created"), "newest first");

    browser.assertCleanWalk(accessibility);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void reloadAndBackKeepThePlaceWithoutBringingSecretsBack(String language) throws Exception {
    Browser browser = in(language);
    String email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.waitForHeading(browser.t("signup.title"));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("signup.submit"));
    String welcome = browser.t("welcome.title", "product", "cryptact");
    browser.waitForHeading(welcome);
    browser.reload();
    browser.waitForHeading(welcome);
    browser.click(browser.t("welcome.skip"));
    browser.waitForHeading(browser.t("account.title"));
    assertEquals(browser.t("twofa.off"), browser.settingValue(browser.t("twofa.security")));
    browser.click(browser.t("twofa.enable"));
    browser.waitForHeading(browser.t("twofa.enable"));
    accessibility.addAll(browser.inspect("enable-2fa-from-account"));
    String secret = browser.find(".secret").getText().replace(" ", "");
    browser.input(browser.t("setup.codeLabel", "digits", 6)).sendKeys(Totp.code(secret, server.clock().instant()));
    browser.waitForHeading(browser.t("codes.title"));
    browser.reload();
    // Chromium's own "Leave site?" prompt (shown only after the user typed on the page); accepted here.
    browser.waitForHeadingPastLeavePrompt(browser.t("codes.gone.title"), true);
    accessibility.addAll(browser.inspect("recovery-codes-after-reload"));
    assertFalse(browser.hasText(browser.t("codes.title")), "codes are shown once, never after a reload");
    browser.back();
    browser.waitForHeading(browser.t("account.title"));
    assertEquals(browser.t("twofa.on"), browser.settingValue(browser.t("twofa.security")));
    assertFalse(browser.script("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
      .toString().matches(".*[a-z2-9]{10}.*"), "nothing secret in web storage");
    browser.logOut();
    browser.assertCleanWalk(accessibility);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void theSupportDeskDisables2faForAVerifiedUserWhoThenSeesItInActivity(String language) throws Exception {
    Browser browser = in(language);
    TestAccounts accounts = new TestAccounts(server);
    TestAccounts.Enrolled user = accounts.enrolled();
    String staffEmail = TestAccounts.uniqueEmail();
    TestAccounts.Enrolled staff = accounts.enrolled(accounts.signedUp(staffEmail), staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);

    browser.open("/login");
    logIn(browser, staffEmail, TestAccounts.PASSWORD);
    browser.waitForHeading(browser.t("totp.title"));
    browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(accounts.currentCode(staff));
    browser.waitForHeading(browser.t("account.title"));
    browser.byAriaLabel(browser.t("shell.accountMenu")).click();
    assertEquals(List.of(browser.t("shell.account"), browser.t("shell.support"), browser.t("shell.logout")),
      browser.texts("#account-menu-list [role=menuitem]"));
    browser.click(browser.t("shell.support"));
    browser.waitForHeading(browser.t("support.title"));
    accessibility.addAll(browser.inspect("support"));
    browser.fill(browser.t("support.email"), user.email());
    browser.click(browser.t("support.lookUp"));
    browser.waitForText(browser.t("support.activity"));
    assertEquals(browser.t("twofa.on"), browser.settingValue(browser.t("twofa.security")));
    accessibility.addAll(browser.inspect("support-user"));
    browser.click(browser.t("support.disable"));
    assertEquals(browser.t("field.required"), browser.fieldError(browser.t("support.reason")));
    browser.fill(browser.t("support.reason"), "Lost phone and the printed codes");
    browser.fill(browser.t("support.verification"), "Described the documents uploaded in March");
    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the login counts as
    browser.click(browser.t("support.disable"));
    // Acting on an account needs a fresh password and code ("Confirm it's you"), then the action goes on.
    browser.waitForDialog(browser.t("stepUp.title"));
    browser.fill(browser.t("stepUp.password"), TestAccounts.PASSWORD);
    accounts.nextStep();
    browser.input(browser.t("stepUp.code", "digits", 6)).sendKeys(accounts.currentCode(staff));
    browser.click(browser.t("stepUp.confirm"));
    browser.waitForText(browser.t("support.disabled", "email", user.email()));
    assertEquals(browser.t("twofa.off"), browser.settingValue(browser.t("twofa.security")));
    String turnedOff = browser.t("event.2fa.disabled");
    assertTrue(browser.find(".activity").getText().contains(browser.t("event.byActor", "what", turnedOff, "actor", staffEmail)));
    browser.logOut();

    logIn(browser, user.email(), TestAccounts.PASSWORD);
    browser.waitForHeading(browser.t("account.title"));
    assertEquals(browser.t("twofa.off"), browser.settingValue(browser.t("twofa.security")));
    browser.waitForText(browser.t("event.byActor", "what", turnedOff, "actor", browser.t("event.supportDesk")));
    browser.logOut();
    browser.assertCleanWalk(accessibility);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void whereYouAreLoggedInListsEachSessionAndLogsOutTheOthers(String language) throws Exception {
    Browser browser = in(language);
    TestAccounts accounts = new TestAccounts(server);
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    dev.twofa.support.ApiClient elsewhere = server.newClient();
    assertEquals(200, elsewhere.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());

    browser.open("/login");
    logIn(browser, email, TestAccounts.PASSWORD);
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("sessions.title"));
    browser.waitForText(browser.t("sessions.thisBrowser"));
    browser.wait(10).until(d -> browser.texts(".sessions .session").size() == 3);
    accessibility.addAll(browser.inspect("account-sessions"));
    String sessions = browser.find(".sessions").getText();
    assertTrue(sessions.contains(browser.t("ua.on", "browser", "Chrome", "system", "Linux")) && sessions.contains("127.0.0.1")
      && sessions.contains(browser.t("sessions.lastActive")), sessions);

    // Log out one other session by its own button, then all the others.
    browser.find(".sessions .session button").click();
    browser.wait(10).until(d -> browser.texts(".sessions .session").size() == 2);
    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the login counts as
    browser.click(browser.t("sessions.logOutOthers"));
    browser.waitForDialog(browser.t("stepUp.title"));   // a stolen session must not be able to throw the owner out
    browser.fill(browser.t("stepUp.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("stepUp.confirm"));
    browser.wait(10).until(d -> browser.texts(".sessions .session").size() == 1);
    assertFalse(browser.hasText(browser.t("sessions.logOutOthers")), "nothing else to log out");
    assertEquals(401, elsewhere.get("/api/account").status(), "the other browser is logged out");
    browser.reload();
    browser.waitForText(browser.t("event.session.revoked"));
    browser.waitForText(browser.t("event.sessions.revoked_others"));
    browser.logOut();
    browser.assertCleanWalk(accessibility);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void changingTheAuthenticatorAppKeepsTheOldOneUntilTheNewOneIsConfirmed(String language) throws Exception {
    Browser browser = in(language);
    TestAccounts accounts = new TestAccounts(server);
    TestAccounts.Enrolled user = accounts.enrolled();
    browser.open("/login");
    logIn(browser, user.email(), TestAccounts.PASSWORD);
    browser.waitForHeading(browser.t("totp.title"));
    browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(accounts.currentCode(user));
    browser.waitForHeading(browser.t("account.title"));
    String app = browser.settingValue(browser.t("twofa.app"));
    assertTrue(app.startsWith("pafin / pafin Inc. · ") && browser.pattern("twofa.added").matcher(app).find(), app);

    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the login counts as
    browser.click(browser.t("twofa.change"));
    browser.waitForDialog(browser.t("stepUp.title"));
    browser.fill(browser.t("stepUp.password"), TestAccounts.PASSWORD);
    accounts.nextStep();
    browser.input(browser.t("stepUp.code", "digits", 6)).sendKeys(accounts.currentCode(user));
    browser.click(browser.t("stepUp.confirm"));
    browser.waitForHeading(browser.t("twofa.change"));
    browser.waitForText(browser.t("twofa.change.intro"));
    accessibility.addAll(browser.inspect("change-authenticator"));
    String newSecret = browser.find(".secret").getAttribute("data-secret");
    assertFalse(newSecret.equals(user.secret()));
    browser.reload();
    browser.waitForHeading(browser.t("twofa.change"));
    browser.waitForText(browser.t("twofa.change.intro"));
    assertEquals(newSecret, browser.find(".secret").getAttribute("data-secret"), "a reload shows the same key");
    accounts.nextStep();
    browser.input(browser.t("setup.codeLabel", "digits", 6)).sendKeys(Totp.code(newSecret, server.clock().instant()));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("twofa.change.done"));
    browser.logOut();

    // The old app's codes no longer work; the new app's do.
    accounts.nextStep();
    logIn(browser, user.email(), TestAccounts.PASSWORD);
    browser.waitForHeading(browser.t("totp.title"));
    String codeLabel = browser.t("totp.codeLabel", "digits", 6);
    browser.input(codeLabel).sendKeys(accounts.currentCode(user));
    browser.waitForText(browser.t("error.invalid_code"));
    accounts.nextStep();
    browser.input(codeLabel).clear();
    browser.input(codeLabel).sendKeys(Totp.code(newSecret, server.clock().instant()));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("event.2fa.changed"));
    browser.logOut();
    browser.assertCleanWalk(accessibility);
  }

  @Test
  void theConsoleCheckSeesScriptErrorsAndCspViolations() {
    browser.open("/login");
    browser.waitForHeading("Log in");
    browser.drainConsole();
    browser.script("console.error('probe from the test')");
    browser.script("const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.head.append(s);");
    List<String> console = browser.drainConsole();
    assertTrue(console.stream().anyMatch(line -> line.contains("probe from the test")), console.toString());
    assertTrue(console.stream().anyMatch(line -> line.contains("Content Security Policy")), console.toString());
    assertEquals(null, browser.script("return window.inlineRan"), "the CSP blocks inline script");
  }

  /** The check every screen gets finds what it is meant to find (it runs axe once per screen, at desktop width). */
  @Test
  void theAccessibilityCheckSeesViolationsAndOverflow() throws Exception {
    browser.open("/login");
    browser.waitForHeading("Log in");
    browser.script("document.querySelector('main').append("
      + "Object.assign(document.createElement('button'), {className: 'probe'}),"
      + "Object.assign(document.createElement('div'), {style: 'width: 900px', textContent: 'wide'}))");
    List<String> problems = browser.inspect("probe");
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("probe@1280: button-name (critical)")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("probe@375: overflows sideways")), problems.toString());
    browser.drainConsole();
  }

  private static void logIn(Browser on, String email, String password) {
    on.waitForHeading(on.t("login.title"));
    on.fill(on.t("field.email"), email);
    on.fill(on.t("field.password"), password);
    on.click(on.t("login.submit"));
  }

  /** The class's browser in {@code language}: English, or a Chromium whose own language is Japanese. */
  private static Browser in(String language) {
    return language.equals("ja") ? japanese : browser;
  }

  private void inspect(String screen) throws Exception {
    accessibility.addAll(browser.inspect(screen));
  }

  private String wrongCode(String secret) {
    String right = Totp.code(secret, server.clock().instant());
    return right.equals("000000") ? "111111" : "000000";
  }
}
