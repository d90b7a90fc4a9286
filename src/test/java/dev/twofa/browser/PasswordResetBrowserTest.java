package dev.twofa.browser;

import dev.twofa.support.ApiClient;
import dev.twofa.support.Browser;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.twofa.support.MailCatcher.plainText;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Forgot password?" and "This wasn't me" in real Chromium, following the links of the mails the server really
 * sent (GreenMail): the token leaves the address bar, the words are the user's, the sessions end. Screens are
 * checked with axe-core and photographed at 375 and 1280 px, in English and in Japanese.
 */
class PasswordResetBrowserTest {
  static final MailCatcher MAIL = new MailCatcher();
  private static final String NEW_PASSWORD = "quartz-meadow-lantern-2041";

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  private final TestAccounts accounts = new TestAccounts(server);
  private final List<String> accessibility = new ArrayList<>();

  /** The mail's {@code path} link, as path and query on this test server (the mail names the public URL). */
  static String linkIn(MimeMessage mail, String path) throws Exception {
    String text = plainText(mail);
    Matcher link = Pattern.compile(Pattern.quote(MailCatcher.PUBLIC_URL) + "(" + Pattern.quote(path)
      + "\\?token=[A-Za-z0-9_-]{43})").matcher(text);
    assertTrue(link.find(), text);
    return link.group(1);
  }

  static MimeMessage mailNumber(String email, int n) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    return mails.get(n - 1);
  }

  /** Signs up, verifies the address (mail 1) and turns 2FA on (its notice is mail 2). */
  static Enrolled verifiedWith2fa(TestAccounts accounts, String email) throws Exception {
    ApiClient api = accounts.signedUp(email);
    String verify = linkIn(mailNumber(email, 1), "/verify-email").replaceFirst(".*token=", "");
    assertEquals(204, api.post("/api/email/verify", new JsonObject().put("token", verify)).status());
    return accounts.enrolled(api, email);
  }

  @Test
  void forgotPasswordThenTheMailedLinkThenANewPasswordThenLoginWithTheCode() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient api = accounts.signedUp(email);
    Enrolled account = accounts.enrolled(api, email);

    browser.open("/login");
    browser.waitForHeading("Log in");
    browser.fill("Email address", email);
    browser.click("Forgot password?");
    browser.waitForHeading("Forgot your password?");
    assertEquals(email, browser.input("Email address").getAttribute("value"), "the typed address comes along");
    inspect("forgot-password");
    browser.click("Email me a link");
    browser.waitForText("If an account uses " + email + ", we've sent it a link to set a new password.");
    inspect("forgot-password-sent");

    // Mail 1 was the sign-up's verification link, mail 2 "2FA on" (sent verified or not); mail 3 is the reset link.
    MimeMessage mail = mailNumber(email, 3);
    assertEquals("[cryptact] Reset your password", mail.getSubject());
    browser.open(linkIn(mail, "/reset-password"));
    browser.waitForHeading("Set a new password");
    assertEquals("/reset-password", browser.path());
    assertEquals("", browser.script("return location.search"), "the token left the address bar");
    inspect("reset-password");
    browser.fill("New password", NEW_PASSWORD);
    browser.fill("Confirm new password", NEW_PASSWORD + "x");
    browser.click("Set new password");
    assertEquals("The two passwords do not match.", browser.fieldError("Confirm new password"));
    browser.reload();
    browser.waitForHeading("Set a new password");
    browser.fill("New password", NEW_PASSWORD);
    browser.fill("Confirm new password", NEW_PASSWORD);
    browser.click("Set new password");
    browser.waitForText("Your new password is set, and every session on your account was logged out.");
    inspect("reset-password-done");
    assertEquals(401, api.get("/api/account").status(), "the sign-up's session ended");

    browser.click("Log in");
    browser.waitForHeading("Log in");
    browser.fill("Email address", email);
    browser.fill("Password", NEW_PASSWORD);
    browser.click("Log in");
    browser.waitForHeading("Two-factor authentication");
    browser.input("6-digit code").sendKeys(Totp.code(account.secret(), server.clock().instant()));
    browser.waitForHeading("Account");
    accounts.nextStep();
    browser.waitForText("Password reset by email link");
    browser.assertCleanWalk(accessibility);
  }

  @Test
  void thisWasntMeFromANoticeLogsOutTheOtherSessionAndSaysWhatIsNext() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = verifiedWith2fa(accounts, email);
    MimeMessage notice = mailNumber(email, 2);
    assertEquals("[cryptact] Two-factor authentication was turned on", notice.getSubject());
    ApiClient phone = accounts.pendingLogin(email);
    assertEquals(200, phone.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    assertEquals("[cryptact] New login to your account", mailNumber(email, 3).getSubject(), "the phone is a new browser");

    browser.open(linkIn(notice, "/secure-account"));
    browser.waitForHeading("Secure your account");
    assertEquals("", browser.script("return location.search"), "the token left the address bar");
    inspect("secure-account");
    assertEquals(200, phone.get("/api/account").status(), "opening the page alone changes nothing");
    browser.click("Log out every session");
    browser.waitForText("We've logged out every session on your account. Next: set a new password from the email we just sent.");
    inspect("secure-account-done");
    assertEquals(401, phone.get("/api/account").status(), "the other session is gone");
    assertEquals("[cryptact] Your account was secured: set a new password", mailNumber(email, 4).getSubject());

    // The same link again: refused, in words.
    browser.open(linkIn(notice, "/secure-account"));
    browser.waitForHeading("Secure your account");
    browser.click("Log out every session");
    browser.waitForText("This link is not valid");
    browser.assertCleanWalk(accessibility);
  }

  @Test
  void inJapanese() throws Exception {
    String email = TestAccounts.uniqueEmail();
    verifiedWith2fa(accounts, email);
    MimeMessage notice = mailNumber(email, 2);
    try (Browser ja = new Browser(server.baseUrl(), "ja")) {
      ja.open("/login");
      ja.waitForHeading("ログイン");
      ja.click("パスワードをお忘れですか？");
      ja.waitForHeading("パスワードの再設定");
      accessibility.addAll(ja.inspect("forgot-password"));
      ja.fill("メールアドレス", email);
      ja.click("リンクを送信");
      ja.waitForText(ja.t("forgot.sent", "email", email));
      accessibility.addAll(ja.inspect("forgot-password-sent"));

      ja.open(linkIn(notice, "/secure-account"));
      ja.waitForHeading("アカウントの保護");
      accessibility.addAll(ja.inspect("secure-account"));
      ja.click("すべてのセッションをログアウト");
      ja.waitForText("アカウントのすべてのセッションをログアウトしました。次に、お送りしたメールから新しいパスワードを設定してください。");
      accessibility.addAll(ja.inspect("secure-account-done"));

      // The old password, right as it is, now opens nothing: the login says why, in Japanese.
      ja.open("/login");
      ja.waitForHeading("ログイン");
      ja.fill("メールアドレス", email);
      ja.fill("パスワード", TestAccounts.PASSWORD);
      ja.click("ログイン");
      ja.waitForText(ja.t("error.password_reset_required"));
      assertTrue(ja.t("error.password_reset_required").startsWith("安全のため、新しいパスワードを設定してください。"));
      accessibility.addAll(ja.inspect("login-password-reset-required"));

      // Mail 3 was the forgotten password's link; mail 4, after "This wasn't me", is the one to use.
      ja.open(linkIn(mailNumber(email, 4), "/reset-password"));
      ja.waitForHeading("新しいパスワードの設定");
      accessibility.addAll(ja.inspect("reset-password"));
      ja.fill("新しいパスワード", NEW_PASSWORD);
      ja.fill("新しいパスワード（確認）", NEW_PASSWORD);
      ja.click("パスワードを設定");
      ja.waitForText("新しいパスワードを設定しました。");
      accessibility.addAll(ja.inspect("reset-password-done"));
      ja.click("ログイン");
      ja.waitForHeading("ログイン");
      ja.fill("メールアドレス", email);
      ja.fill("パスワード", NEW_PASSWORD);
      ja.click("ログイン");
      // 2FA was turned on minutes before "This wasn't me", maybe by whoever had the password: it is off now, and
      // Activity says so, and shows the refused login with the old password.
      ja.waitForHeading("アカウント");
      ja.waitForText(ja.t("event.2fa.reverted"));
      ja.waitForText(ja.t("activity.login.resetRequired"));
      assertFalse(ja.bodyText().contains("Log in"));
    }
    assertEquals(List.of(), accessibility, "serious or critical accessibility violations");
    assertTrue(server.query("SELECT 1 FROM account_links l JOIN users u ON u.id = l.user_id WHERE u.email = $1"
      + " AND l.purpose = 'password_reset'", email).isEmpty(), "the reset link was used");
  }

  private void inspect(String screen) throws Exception {
    accessibility.addAll(browser.inspect(screen));
  }
}
