package dev.twofa.browser;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.ApiClient;
import dev.twofa.support.Browser;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The door to the support desk, clicked through in real Chromium: a person who lost their phone asks from the
 * code step and is told when support will answer; staff find the request under Requests and turn 2FA off with a
 * note that overrides the waiting period, or decline it; the owner's mailed link cancels a request. Screens are
 * checked with axe-core and photographed, in English and (with the scan for English left) in Japanese.
 */
class SupportRequestStoryTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static TestServer server = new TestServer().sendingMailTo(MAIL);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser japanese = Browser.perClass(server, "ja");
  private final TestAccounts accounts = new TestAccounts(server);
  private final List<String> accessibility = new ArrayList<>();

  @Test
  void aPersonWhoLostEverythingAsksAndStaffTurn2faOffWithANoteThatOverridesTheWait() throws Exception {
    Enrolled user = accounts.enrolled();
    Enrolled staff = staffMember();

    browser.open("/login");
    logIn(browser, user.email());
    browser.waitForHeading("Two-factor authentication");
    assertTrue(browser.hasText("Lost your device and your recovery codes too? Ask the support desk"));
    inspect("two-factor-with-support");
    browser.click("Lost your authentication device?");
    browser.waitForHeading("Use a recovery code");
    assertTrue(browser.hasText("Ask support to turn off 2FA"), "the door is on both code steps");
    browser.click("Ask support to turn off 2FA");
    browser.waitForHeading("Ask support to turn off 2FA");
    assertTrue(browser.hasText("waits 24 hours before acting"));
    inspect("ask-support");

    browser.click("Send request");
    browser.waitForText("Choose what happened.");
    browser.input("I have a new phone, or lost mine").click();
    browser.click("Send request");
    assertEquals("Tell us how to reach you.", browser.fieldError("How can we reach you?"));
    browser.fill("How can we reach you?", "+81 90-1234-5678");
    browser.fill("Message (optional)", "My phone was stolen on the train.\nI still have the same number.");
    // Going back to the code step (or the login running out) keeps what was typed, for this account.
    browser.click("Back to the code step");
    browser.waitForHeading("Two-factor authentication");
    browser.click("Ask support to turn off 2FA");
    browser.waitForHeading("Ask support to turn off 2FA");
    assertEquals("+81 90-1234-5678", browser.input("How can we reach you?").getAttribute("value"));
    assertTrue(browser.input("I have a new phone, or lost mine").isSelected());
    browser.click("Send request");
    browser.waitForHeading("Request sent");
    browser.waitForText("The support desk will contact you at +81 90-1234-5678 after");
    assertTrue(browser.hasText("It waits 24 hours so that the account's owner"));
    inspect("ask-support-sent");
    browser.clearSession();

    logInAsStaff(browser, staff);
    browser.waitForText(user.email());
    assertTrue(browser.find(".requests").getText().contains("I have a new phone, or lost mine"));
    assertTrue(browser.find(".requests").getText().contains("My phone was stolen on the train. I still have the same number."));
    assertTrue(browser.find(".requests").getText().contains("Waiting"));
    inspect("support-requests");
    browser.byAriaLabel("Review the request of " + user.email()).click();
    browser.waitForText("Note to override the waiting period");
    assertEquals("On", browser.settingValue("2FA security"));
    assertTrue(browser.find(".activity").getText().contains("Asked support to turn off 2FA"));
    inspect("support-request-review");

    browser.fill("Reason", "Phone stolen");
    browser.fill("How identity was verified", "Called back on the number on file");
    browser.click("Disable 2FA");
    assertEquals("This is required.", browser.fieldError("Note to override the waiting period"));
    browser.fill("Note to override the waiting period", "Travelling today; the owner confirmed by phone");
    browser.click("Disable 2FA");
    confirmItsYou(browser, staff);
    browser.waitForText("2FA is now off for " + user.email());
    assertEquals("Off", browser.settingValue("2FA security"));
    browser.wait(10).until(d -> !browser.find(".requests").getText().contains(user.email()));
    browser.click("Done");
    browser.wait(10).until(d -> browser.find(".requests").getText().contains(user.email()));
    assertTrue(browser.find(".requests").getText().contains(staff.email()));
    inspect("support-requests-done");
    browser.assertCleanWalk(accessibility);
  }

  @Test
  void staffDeclineARequestAndItsOwnerSeesItInActivity() throws Exception {
    Enrolled user = accounts.enrolled();
    Enrolled staff = staffMember();
    ApiClient pending = accounts.pendingLogin(user.email());
    assertEquals(201, pending.post("/api/support/requests", new JsonObject().put("reason", "deleted_app")
      .put("contact", "me@example.org")).status());

    logInAsStaff(browser, staff);
    browser.waitForText(user.email());
    browser.byAriaLabel("Review the request of " + user.email()).click();
    browser.waitForText("Reason for declining");
    browser.click("Decline request");
    assertEquals("This is required.", browser.fieldError("Reason for declining"));
    browser.fill("Reason for declining", "We could not reach you at me@example.org. Ask again with a phone number.");
    browser.click("Decline request");
    confirmItsYou(browser, staff);
    browser.waitForText("The request of " + user.email() + " was declined");
    browser.wait(10).until(d -> !browser.find(".requests").getText().contains(user.email()));
    browser.click("Declined");
    browser.wait(10).until(d -> browser.find(".requests").getText().contains("Ask again with a phone number."));
    browser.logOut();

    logIn(browser, user.email());
    browser.waitForHeading("Two-factor authentication");
    accounts.nextStep();
    browser.input("6-digit code").sendKeys(accounts.currentCode(user));
    browser.waitForHeading("Account");
    browser.waitForText("Request to turn off 2FA declined by the support desk");
    assertTrue(browser.hasText("Asked support to turn off 2FA"));
    browser.logOut();
    browser.assertCleanWalk(accessibility);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void theOwnersMailedLinkCancelsTheRequestOnce(String language) throws Exception {
    Browser browser = language.equals("ja") ? japanese : SupportRequestStoryTest.browser;
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    String verify = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
    assertEquals(204, owner.post("/api/email/verify", new JsonObject().put("token", verify)).status());
    accounts.enrolled(owner, email);
    assertEquals(201, accounts.pendingLogin(email).post("/api/support/requests", new JsonObject()
      .put("reason", "never_enabled").put("contact", "attacker@example.net")).status());
    String token = MailCatcher.linkToken(MAIL.mailsTo(email, 3).get(2), "/support/cancel");

    browser.open("/support/cancel?token=" + token);
    browser.waitForHeading(browser.t("supportCancel.title"));
    browser.waitForText(browser.t("supportCancel.done"));
    assertTrue(browser.hasText(browser.t("supportCancel.advice")));
    assertEquals("/support/cancel", browser.path(), "the token leaves the address bar");
    accessibility.addAll(browser.inspect("support-cancel"));
    browser.open("/support/cancel?token=" + token);
    browser.waitForText(browser.t("supportCancel.invalid"));
    assertEquals("cancelled", server.query("SELECT r.status FROM support_requests r JOIN users u ON u.id = r.user_id "
      + "WHERE u.email = $1", email).get(0).getString("status"));

    // Staff looking the account up are warned: the owner said it was not them.
    logInAsStaff(browser, staffMember());
    browser.fill(browser.t("support.email"), email);
    browser.click(browser.t("support.lookUp"));
    browser.waitForMessage("support.cancelledWarning");
    assertTrue(browser.find(".activity").getText().contains(browser.t("event.support.cancelled")));
    accessibility.addAll(browser.inspect("support-cancelled-warning"));
    assertEquals(List.of(), accessibility, "serious or critical accessibility violations");
  }

  @Test
  void theAskingScreensInJapanese() throws Exception {
    Enrolled user = accounts.enrolled();
    Browser ja = japanese;
    ja.open("/login");
    logIn(ja, user.email());
    ja.waitForHeading("2段階認証");
    assertTrue(ja.hasText(ja.t("login.supportHint")));
    accessibility.addAll(ja.inspect("two-factor-with-support"));
    ja.click("サポートに2段階認証の無効化を依頼する");
    ja.waitForHeading("サポートに2段階認証の無効化を依頼");
    accessibility.addAll(ja.inspect("ask-support"));
    ja.input("スマートフォンを機種変更した、またはなくした").click();
    ja.fill("ご連絡先", "090-1234-5678");
    ja.click("依頼を送信");
    ja.waitForHeading("依頼を受け付けました");
    ja.waitForText("サポート窓口から090-1234-5678へご連絡します。");
    accessibility.addAll(ja.inspect("ask-support-sent"));
    assertFalse(ja.bodyText().contains("2FA"), "Japanese says 2段階認証");

    // The desk in Japanese: the request under 依頼, its review, and 2段階認証 turned off, under 完了.
    Enrolled staff = staffMember();
    ja.clearSession();
    logInAsStaff(ja, staff);
    ja.waitForText(user.email());
    assertTrue(ja.find(".requests").getText().contains("スマートフォンを機種変更した、またはなくした"));
    accessibility.addAll(ja.inspect("support-requests"));
    ja.byAriaLabel(user.email() + "の依頼を確認する").click();
    ja.waitForText("待機期間を省略する理由");
    accessibility.addAll(ja.inspect("support-request-review"));
    assertFalse(ja.bodyText().contains("2FA"), "Japanese says 2段階認証");

    ja.fill("理由", "スマートフォンの盗難");
    ja.fill("本人確認の方法", "登録済みの電話番号に折り返して確認");
    ja.fill("待機期間を省略する理由", "持ち主に電話で確認済み");
    ja.click("2段階認証を無効にする");
    confirmItsYou(ja, staff);
    ja.waitForText(ja.t("support.disabled", "email", user.email()));
    ja.wait(10).until(d -> !ja.find(".requests").getText().contains(user.email()));
    ja.click("完了");
    ja.wait(10).until(d -> ja.find(".requests").getText().contains(user.email()));
    assertTrue(ja.find(".requests").getText().contains(staff.email()));
    accessibility.addAll(ja.inspect("support-requests-done"));
    assertEquals(List.of(), accessibility, "serious or critical accessibility violations");
  }

  /** A support staff member with 2FA; they log in with it in {@link #logInAsStaff}. */
  private Enrolled staffMember() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled staff = accounts.enrolled(accounts.signedUp(email), email);
    SupportRoles.set(server.databaseUrl(), email, true);
    return staff;
  }

  private void logInAsStaff(Browser on, Enrolled staff) {
    on.open("/login");
    logIn(on, staff.email());
    on.waitForHeading(on.t("totp.title"));
    accounts.nextStep();
    on.input(on.t("totp.codeLabel", "digits", 6)).sendKeys(accounts.currentCode(staff));
    on.waitForHeading(on.t("account.title"));
    on.byAriaLabel(on.t("shell.accountMenu")).click();
    on.click(on.t("shell.support"));
    on.waitForHeading(on.t("support.title"));
    // Past the step-up the login itself counts as, so the desk's changes ask "Confirm it's you".
    server.clock().advance(java.time.Duration.ofMinutes(11));
  }

  /** Answers "Confirm it's you" with the password and a fresh code. */
  private void confirmItsYou(Browser on, Enrolled staff) {
    on.waitForDialog(on.t("stepUp.title"));
    on.fill(on.t("stepUp.password"), TestAccounts.PASSWORD);
    accounts.nextStep();
    on.input(on.t("stepUp.code", "digits", 6)).sendKeys(accounts.currentCode(staff));
    on.click(on.t("stepUp.confirm"));
  }

  private static void logIn(Browser on, String email) {
    on.waitForHeading(on.t("login.title"));
    on.fill(on.t("field.email"), email);
    on.fill(on.t("field.password"), TestAccounts.PASSWORD);
    on.click(on.t("login.submit"));
  }

  private void inspect(String screen) throws Exception {
    accessibility.addAll(browser.inspect(screen));
  }
}
