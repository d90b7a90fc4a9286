package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.twofa.browser.PasswordResetBrowserTest.linkIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verification link in real Chromium, taken from the mails the server really sent (GreenMail): sign up,
 * Account says "Not verified · Resend link", a resend voids the first link, the second one (opened in the same
 * browser) verifies the address once, and Account and Activity say so. In English and in a Chromium whose
 * language is Japanese (every visible word Japanese); each screen checked with axe-core and photographed at 375
 * and 1280 px under target/screenshots/{en,ja}/.
 */
class EmailVerificationBrowserTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  private final List<String> problems = new ArrayList<>();

  /** The words of one language, so one walk serves both. */
  private record Words(String signUp, String signUpButton, String email, String password, String welcome, String skip,
                       String account, String emailRow, String notVerifiedRow, String resend, String resent,
                       String verifyTitle, String verified, String invalid, String toAccount, String activity,
                       String activityRow, String subject, String verifiedBadge) {
  }

  private static final Words ENGLISH = new Words("Sign up", "Sign up", "Email address", "Password",
    "Welcome to cryptact", "Skip for now", "Account", "Email", "Not verified · Resend link", "Resend link",
    "We sent a new link. Open it within 24 hours; earlier links no longer work.", "Confirm your email address",
    "Your email address is verified. Security notices will be sent to it.", "This link is not valid",
    "Go to your account", "Activity", "Email address verified", "[cryptact] Confirm your email address", "Verified");

  private static final Words JAPANESE = new Words("新規登録", "登録する", "メールアドレス", "パスワード",
    "cryptactへようこそ", "後で設定する", "アカウント", "メールアドレス", "未確認 · リンクを再送信", "リンクを再送信",
    "新しいリンクを送信しました。24時間以内に開いてください。以前のリンクは使えません。", "メールアドレスの確認",
    "メールアドレスを確認しました。セキュリティに関するお知らせはこのアドレスに届きます。", "このリンクは無効です",
    "アカウントへ", "アクティビティ", "メールアドレスを確認", "[cryptact] メールアドレスの確認", "確認済み");

  @Test
  void theMailedLinkVerifiesTheAddressOnceAndAResendVoidsTheFirst() throws Exception {
    browser.open("/login");
    browser.clearSession();
    walk(browser, ENGLISH);
    assertEquals(List.of(), problems, "serious or critical accessibility violations or overflow");
    assertEquals(List.of(), browser.drainConsole().stream()
      .filter(line -> !line.matches(".*/api/email/verify - Failed to load resource: the server responded with a status of 400.*"))
      .toList(), "console errors or CSP violations (the refused links' 400s aside)");
  }

  @Test
  void inJapaneseEveryWordIsJapanese() throws Exception {
    try (Browser ja = new Browser(server.baseUrl(), "ja")) {
      walk(ja, JAPANESE);
    }
    assertEquals(List.of(), problems, "serious or critical accessibility violations, overflow, or English left");
  }

  private void walk(Browser chromium, Words words) throws Exception {
    String email = TestAccounts.uniqueEmail();
    chromium.open("/signup");
    chromium.waitForHeading(words.signUp());
    chromium.fill(words.email(), email);
    chromium.fill(words.password(), TestAccounts.PASSWORD);
    chromium.click(words.signUpButton());
    chromium.waitForHeading(words.welcome());
    chromium.click(words.skip());

    chromium.waitForHeading(words.account());
    chromium.waitForText(words.activity());
    assertEquals(words.notVerifiedRow(), chromium.settingValue(words.emailRow()));
    assertEquals(List.of(), chromium.texts(".page > p.muted .badge"), "no Verified badge yet");
    MimeMessage first = mailNumber(email, 1);
    assertEquals(words.subject(), first.getSubject());
    screen(chromium, "account-email-not-verified");

    chromium.click(words.resend());
    chromium.waitForText(words.resent());
    screen(chromium, "account-email-resent");
    MimeMessage second = mailNumber(email, 2);
    assertEquals(words.subject(), second.getSubject());
    assertFalse(linkIn(first, "/verify-email").equals(linkIn(second, "/verify-email")), "a new link, not the same one");

    // The first link, replaced by the resend, no longer works.
    chromium.open(linkIn(first, "/verify-email"));
    chromium.waitForHeading(words.verifyTitle());
    chromium.waitForText(words.invalid());
    assertEquals("", chromium.script("return location.search"), "the token left the address bar");
    screen(chromium, "verify-email-replaced");
    assertNull(verifiedAt(email));

    // The second link, from the mail itself, in the browser that signed up.
    chromium.open(linkIn(second, "/verify-email"));
    chromium.waitForHeading(words.verifyTitle());
    chromium.waitForText(words.verified());
    assertEquals("/verify-email", chromium.path());
    assertEquals("", chromium.script("return location.search"), "the token left the address bar");
    screen(chromium, "verify-email-done");
    assertNotNull(verifiedAt(email));

    chromium.click(words.toAccount());
    chromium.waitForHeading(words.account());
    chromium.wait(10).until(d -> chromium.find(".activity").getText().contains(words.activityRow()));
    assertEquals(List.of(words.verifiedBadge()), chromium.texts(".page > p.muted .badge"), "the address says Verified");
    assertFalse(chromium.hasText(words.notVerifiedRow()), "the Not verified row is gone");
    assertTrue(chromium.texts("button").stream().noneMatch(words.resend()::equals), "nothing left to resend");
    screen(chromium, "account-email-verified");

    // The used link again: refused, in words, and nothing changes.
    chromium.open(linkIn(second, "/verify-email"));
    chromium.waitForHeading(words.verifyTitle());
    chromium.waitForText(words.invalid());
    screen(chromium, "verify-email-used");
    assertEquals(1, server.query("""
        SELECT 1 FROM security_events e JOIN users u ON u.id = e.user_id WHERE u.email = $1 AND e.type = 'email.verified'
        """, email).size());
    assertEquals(2, MAIL.mailsTo(email).size(), "verifying mails nothing more");
  }

  private static MimeMessage mailNumber(String email, int n) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    return mails.get(n - 1);
  }

  private static Object verifiedAt(String email) {
    return server.query("SELECT email_verified_at FROM users WHERE email = $1", email).get(0).getValue(0);
  }

  /** axe-core and screenshots; in the Japanese browser, the scan for English left too (see {@link Browser#inspect}). */
  private void screen(Browser chromium, String name) throws Exception {
    problems.addAll(chromium.inspect(name));
  }
}
