package dev.twofa.mail;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-up mails a verification link (through a real SMTP server); the link works once, for 24 hours. */
class EmailVerificationTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  static List<MimeMessage> mailsTo(String email, int count) throws Exception {
    return MAIL.mailsTo(email, count);
  }

  static String link(MimeMessage mail) {
    return MailCatcher.linkToken(mail, "/verify-email");
  }

  private static JsonObject token(String token) {
    return new JsonObject().put("token", token);
  }

  @Test
  void signUpSendsOneLinkThatVerifiesOnceWithoutASession() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    assertFalse(browser.get("/api/account").json().getBoolean("emailVerified"));
    List<MimeMessage> mails = mailsTo(email, 1);
    assertEquals(1, mails.size());
    assertTrue(mails.get(0).getSubject().contains("Confirm your email address"), mails.get(0).getSubject());
    String token = link(mails.get(0));
    // Only the token's SHA-256 is stored, and the sent mail's body is gone from the outbox.
    assertEquals(1, server.query("SELECT 1 FROM email_verifications WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
      token).size());
    assertEquals(0, server.query("SELECT 1 FROM mail_outbox WHERE text_body LIKE '%' || $1 || '%'", token).size());

    ApiClient elsewhere = server.newClient();
    assertEquals(204, elsewhere.post("/api/email/verify", token(token)).status());
    assertTrue(browser.get("/api/account").json().getBoolean("emailVerified"));
    assertEquals("invalid_token", elsewhere.post("/api/email/verify", token(token)).error());
    assertEquals(1, MAIL.mailsTo(email).size());
  }

  @Test
  void aTamperedLinkIsRefused() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String token = link(mailsTo(email, 1).get(0));
    String tampered = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1);
    assertEquals(400, browser.post("/api/email/verify", token(tampered)).status());
    assertEquals(400, browser.post("/api/email/verify", token("")).status());
    assertFalse(browser.get("/api/account").json().getBoolean("emailVerified"));
  }

  @Test
  void aLinkExpiresAfter24Hours() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String token = link(mailsTo(email, 1).get(0));
    server.clock().advance(Duration.ofHours(24).plusSeconds(1));
    try {
      assertEquals("invalid_token", browser.post("/api/email/verify", token(token)).error());
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  @Test
  void aResentLinkReplacesTheLastAndResendsAreLimited() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String first = link(mailsTo(email, 1).get(0));
    assertEquals(202, browser.post("/api/email/verification", null).status());
    String second = link(mailsTo(email, 2).get(1));
    assertEquals("invalid_token", browser.post("/api/email/verify", token(first)).error());
    assertEquals(202, browser.post("/api/email/verification", null).status());
    assertEquals(202, browser.post("/api/email/verification", null).status());
    assertEquals(429, browser.post("/api/email/verification", null).status());
    assertEquals(4, MAIL.mailsTo(email).size());
    String last = link(mailsTo(email, 4).get(3));
    assertEquals("invalid_token", browser.post("/api/email/verify", token(second)).error());
    assertEquals(204, browser.post("/api/email/verify", token(last)).status());
  }

  @Test
  void theMailIsInTheLanguageTheAppWasShownIn() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = server.newClient().extraHeaders("Accept-Language", "ja,en;q=0.5");
    assertEquals(201, browser.post("/api/signup", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    MimeMessage mail = mailsTo(email, 1).get(0);
    assertEquals("[cryptact] メールアドレスの確認", mail.getSubject());
    // Anyone can type an address at sign-up: the mail says nothing of who did.
    assertFalse(MailCatcher.body(mail).contains(ApiClient.USER_AGENT.substring(0, 10)));
  }

  private int verifiedEvents(String email) {
    return server.query("""
        SELECT 1 FROM security_events e JOIN users u ON u.id = e.user_id WHERE u.email = $1 AND e.type = 'email.verified'
        """, email).size();
  }

  @Test
  void usingTheLinkRecordsEmailVerifiedInActivityWithTheBrowserThatUsedIt() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String token = link(mailsTo(email, 1).get(0));
    assertEquals(204, server.newClient().post("/api/email/verify", token(token)).status());

    // In Activity as soon as the answer came (flushed after the commit), with where the link was opened.
    List<JsonObject> events = browser.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(JsonObject.class::cast).toList();
    assertEquals("email.verified", events.get(0).getString("type"), "newest first: " + events);
    assertTrue(events.get(0).getBoolean("success"));
    assertEquals(ApiClient.USER_AGENT, events.get(0).getString("userAgent"));
    assertFalse(events.get(0).getString("ip").isBlank());
    // The same link again is refused and records nothing more.
    assertEquals("invalid_token", browser.post("/api/email/verify", token(token)).error());
    assertEquals(1, verifiedEvents(email));
  }

  @Test
  void aRefusedLinkRecordsNothing() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String first = link(mailsTo(email, 1).get(0));
    assertEquals(202, browser.post("/api/email/verification", null).status());
    mailsTo(email, 2);
    assertEquals("invalid_token", browser.post("/api/email/verify", token(first)).error(), "replaced by the resend");
    assertEquals(0, verifiedEvents(email));
    assertFalse(browser.get("/api/account").json().getBoolean("emailVerified"));
  }

  @Test
  void concurrentUsesOfOneLinkHaveExactlyOneWinnerAndOneEvent() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    String token = link(mailsTo(email, 1).get(0));
    List<CompletableFuture<Response>> racing = IntStream.range(0, 4)
      .mapToObj(i -> server.newClient().postAsync("/api/email/verify", token(token))).toList();
    List<Response> answers = racing.stream().map(CompletableFuture::join).toList();
    assertEquals(1, answers.stream().filter(r -> r.status() == 204).count(), answers.toString());
    assertTrue(answers.stream().filter(r -> r.status() != 204).allMatch(r -> "invalid_token".equals(r.error())),
      answers.toString());
    assertEquals(1, verifiedEvents(email));
  }
}
