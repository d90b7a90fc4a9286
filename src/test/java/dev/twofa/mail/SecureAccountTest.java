package dev.twofa.mail;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.twofa.support.MailCatcher.plainText;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "This wasn't me": every security notice carries a link of its own (7 days, single use) that ends every session
 * and pending login of the account, records it, and mails a reset link, from any browser, logging no one in. What
 * else it does against a stranger who knows the password is in {@link SecureAccountEvictionTest}.
 */
class SecureAccountTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  private static JsonObject token(String token) {
    return new JsonObject().put("token", token);
  }

  /** Signs up, verifies the address (mail 1) and turns 2FA on, whose notice is mail 2. */
  private Enrolled verifiedWith2fa(String email) throws Exception {
    ApiClient browser = accounts.signedUp(email);
    String verify = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
    assertEquals(204, browser.post("/api/email/verify", token(verify)).status());
    return accounts.enrolled(browser, email);
  }

  private static MimeMessage mailNumber(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    assertEquals("[cryptact] " + subject, mails.get(n - 1).getSubject());
    return mails.get(n - 1);
  }

  private static String secureToken(MimeMessage notice) {
    return MailCatcher.linkToken(notice, "/secure-account");
  }


  /** The token of the {@code path} link in a decoded text. */
  static String linkIn(String text, String path) {
    Matcher link = Pattern.compile(Pattern.quote(path + "?token=") + "([A-Za-z0-9_-]{43})").matcher(text);
    assertTrue(link.find(), text);
    return link.group(1);
  }

  private ApiClient loggedIn(Enrolled account) {
    ApiClient client = accounts.pendingLogin(account.email());
    Response step = client.post("/api/login/totp", code(accounts.currentCode(account)));
    assertEquals(200, step.status(), step.toString());
    accounts.nextStep();
    return client;
  }

  @Test
  void theLinkEndsEverySessionAndPendingLoginOnceAndMailsAResetLink() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = verifiedWith2fa(email);
    MimeMessage notice = mailNumber(email, 2, "Two-factor authentication was turned on");
    String body = MailCatcher.body(notice);
    assertTrue(body.contains("This wasn't me? Secure your account: " + MailCatcher.PUBLIC_URL + "/secure-account?token="), body);
    String link = secureToken(notice);
    assertEquals(1, server.query("SELECT 1 FROM account_links WHERE token_hash = sha256(convert_to($1, 'UTF8'))"
      + " AND purpose = 'secure_account' AND expires_at - created_at = interval '7 days'", link).size(),
      "stored hashed, for 7 days");

    // Days later, 2FA is older than the undo window and stays (the attack test below shows one inside it).
    server.clock().advance(Duration.ofHours(73));
    try {
      ApiClient laptop = loggedIn(account);
      mailNumber(email, 3, "New login to your account");
      ApiClient halfway = accounts.pendingLogin(email);
      ApiClient stranger = server.newClient();
      Response secured = stranger.post("/api/secure-account", token(link));
      assertEquals(204, secured.status(), secured.toString());
      assertTrue(secured.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.contains("session")),
        "it opens no session: " + secured.headers().allValues("Set-Cookie"));
      assertEquals("anonymous", stranger.get("/api/session").json().getString("state"));
      assertEquals(401, laptop.get("/api/account").status(), "the other session is gone");
      assertEquals("no_pending_login", halfway.post("/api/login/totp", code(accounts.currentCode(account))).error(),
        "and so is the login waiting for its code");
      assertEquals("invalid_token", stranger.post("/api/secure-account", token(link)).error(), "single use");

      // Exactly one more mail: the reset link, which sets a new password; the login then still asks for the code
      // (2FA was turned on before the undo window).
      MimeMessage reset = mailNumber(email, 4, "Your account was secured: set a new password");
      String resetToken = MailCatcher.linkToken(reset, "/reset-password");
      assertEquals(4, MAIL.mailsTo(email).size());
      assertEquals(204, stranger.post("/api/password-reset/complete", new JsonObject().put("token", resetToken)
        .put("newPassword", PasswordResetTest.NEW_PASSWORD)).status());
      ApiClient owner = server.newClient();
      assertEquals("pending_2fa", owner.post("/api/login", credentials(email, PasswordResetTest.NEW_PASSWORD)).json()
        .getString("state"));
      assertEquals(200, owner.post("/api/login/totp", code(accounts.currentCode(account))).status());
      accounts.nextStep();
      List<String> types = owner.get("/api/account/activity").json().getJsonArray("events").stream()
        .map(e -> ((JsonObject) e).getString("type")).toList();
      assertTrue(types.contains("account.secured") && types.contains("password.reset"), types.toString());
      assertTrue(types.indexOf("password.reset") < types.indexOf("account.secured"), "newest first: " + types);
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  @Test
  void everyNoticeHasALinkOfItsOwnAndOnlyLiveUntouchedLinksWork() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = verifiedWith2fa(email);
    ApiClient browser = loggedIn(account);
    mailNumber(email, 3, "New login to your account");
    accounts.stepUp(browser, account);
    assertEquals(200, browser.post("/api/2fa/recovery-codes", null).status());
    MimeMessage regenerated = mailNumber(email, 4, "New recovery codes were generated");
    String first = secureToken(MAIL.mailsTo(email, 4).get(1));
    String second = secureToken(regenerated);
    assertNotEquals(first, second);

    ApiClient stranger = server.newClient();
    String tampered = (first.charAt(0) == 'A' ? "B" : "A") + first.substring(1);
    assertEquals("invalid_token", stranger.post("/api/secure-account", token(tampered)).error());
    assertEquals("invalid_token", stranger.post("/api/secure-account", token("")).error());
    assertEquals(200, browser.get("/api/account").status(), "a refused link changes nothing");

    server.clock().advance(Duration.ofDays(7).plusSeconds(1));
    try {
      assertEquals("invalid_token", stranger.post("/api/secure-account", token(first)).error());
    } finally {
      server.clock().set(TestServer.START);
    }
    assertEquals(204, stranger.post("/api/secure-account", token(second)).status());
    assertEquals(401, browser.get("/api/account").status());
  }

  @Test
  void twoConcurrentUsesOfOneLinkHaveExactlyOneWinner() throws Exception {
    String email = TestAccounts.uniqueEmail();
    verifiedWith2fa(email);
    String link = secureToken(mailNumber(email, 2, "Two-factor authentication was turned on"));
    List<CompletableFuture<Response>> racing = IntStream.range(0, 4)
      .mapToObj(i -> server.newClient().postAsync("/api/secure-account", token(link))).toList();
    List<Response> answers = racing.stream().map(CompletableFuture::join).toList();
    assertEquals(1, answers.stream().filter(r -> r.status() == 204).count(), answers.toString());
    assertTrue(answers.stream().filter(r -> r.status() != 204).allMatch(r -> "invalid_token".equals(r.error())));
    mailNumber(email, 3, "Your account was secured: set a new password");
    assertEquals(3, MAIL.mailsTo(email).size(), "one reset mail");
  }

  @Test
  void japaneseNoticesSayItInJapanese() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = server.newClient().extraHeaders("Accept-Language", "ja");
    assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
    String verify = linkIn(plainText(MAIL.mailsTo(email, 1).get(0)), "/verify-email");
    assertEquals(204, browser.post("/api/email/verify", token(verify)).status());
    accounts.enrolled(browser, email);
    MimeMessage notice = mailNumber(email, 2, "2段階認証が有効になりました");
    String text = plainText(notice);
    assertTrue(text.contains("心当たりがない場合は、こちらからアカウントを保護してください： "
      + MailCatcher.PUBLIC_URL + "/secure-account?token="), text);
    assertEquals(204, server.newClient().post("/api/secure-account", token(linkIn(text, "/secure-account"))).status());
    mailNumber(email, 3, "アカウントを保護しました：新しいパスワードを設定してください");
  }
}
