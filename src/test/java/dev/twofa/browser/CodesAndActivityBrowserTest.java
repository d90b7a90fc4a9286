package dev.twofa.browser;

import dev.twofa.support.ApiClient;
import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery codes and Activity in Chromium, English and Japanese, at 375 and 1280 px: right after a recovery-code
 * login the amber "You have N left. Make new codes now"; a used code says when it was used; "Kept for 400 days" and
 * "Download my activity" (the CSV in the user's words); the 2FA check-up 28 days on.
 */
class CodesAndActivityBrowserTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser english = Browser.perClass(server);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser japanese = Browser.perClass(server, "ja");
  private final TestAccounts accounts = new TestAccounts(server);
  private final List<String> problems = new ArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void codesAndActivity(String language) throws Exception {
    Browser browser = language.equals("ja") ? japanese : english;
    String email = TestAccounts.uniqueEmail();
    ApiClient api = server.newClient().extraHeaders("Accept-Language", language);
    assertEquals(201, api.post("/api/signup", credentials(email, PASSWORD)
      .put("timeZone", language.equals("ja") ? "Asia/Tokyo" : "America/New_York")).status());
    Enrolled account = accounts.enrolled(api, email);

    // A recovery-code login: the amber box counts what is left and offers new codes first.
    recoveryLogin(browser, email, account.recoveryCodes().get(0));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("account.codesLeftNow", "n", 7));
    assertEquals(browser.t("codes.regenerate"), browser.find(".attention button.primary").getText());
    problems.addAll(browser.inspect("account-after-recovery-code"));

    // Activity: how long it is kept, and the file in the user's words.
    browser.waitForText(browser.t("activity.kept", "days", 400));
    browser.find(".activity-download a[href$='format=csv']").click();
    String csv = Files.readString(browser.download(), StandardCharsets.UTF_8);
    assertTrue(csv.startsWith(language.equals("ja") ? "\uFEFF\"日時（Asia/Tokyo）\"" : "\uFEFF\"Time (America/New_York)\""), csv);
    assertTrue(csv.contains("\"login.recovery_code\""), csv);

    // The same code again: "used already on DATE", not a typo.
    browser.logOut();
    recoveryLogin(browser, email, account.recoveryCodes().get(0));
    String used = browser.fieldError(browser.t("recovery.codeLabel"));
    String before = browser.t("error.recovery_code_used", "date", "@").split("@")[0];
    assertTrue(used.startsWith(before) && !used.contains("{date}"), used);
    problems.addAll(browser.inspect("recovery-code-used"));

    // 28 days on, Account asks for the check-up.
    server.clock().advance(Duration.ofDays(28));
    browser.open("/login");
    browser.clearSession();
    browser.open("/login");
    logIn(browser, email);
    browser.waitForHeading(browser.t("totp.title"));
    browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(Totp.code(account.secret(), server.clock().instant()));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("checkup.title"));
    problems.addAll(browser.inspect("account-checkup"));
    server.clock().advance(Duration.ofSeconds(30));
    browser.fill(browser.t("totp.codeLabel", "digits", 6), Totp.code(account.secret(), server.clock().instant()));
    browser.find("#checkup-kept").click();
    browser.click(browser.t("checkup.submit"));
    browser.waitForText(browser.t("checkup.done"));
    problems.addAll(browser.inspect("account-checkup-done"));
    assertEquals(List.of(), problems);
  }

  private static void recoveryLogin(Browser browser, String email, String code) {
    logIn(browser, email);
    browser.waitForHeading(browser.t("totp.title"));
    browser.click(browser.t("totp.lost"));
    browser.waitForHeading(browser.t("recovery.title"));
    browser.fill(browser.t("recovery.codeLabel"), code);
    browser.click(browser.t("recovery.submit", "product", "cryptact"));
  }

  private static void logIn(Browser browser, String email) {
    browser.waitForHeading(browser.t("login.title"));
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), PASSWORD);
    browser.click(browser.t("login.submit"));
  }
}
