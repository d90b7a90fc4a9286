package dev.twofa.mail;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-up mails a verification link (through a real SMTP server); the link works once, for 24 hours. */
class EmailVerificationTest {
  static final GreenMail SMTP = startSmtp();

  @RegisterExtension
  static final TestServer server = new TestServer()
    .with("TWOFA_SMTP_URL", "smtp://127.0.0.1:" + SMTP.getSmtp().getPort() + "?starttls=optional")
    .with("TWOFA_PUBLIC_URL", "http://login.example.com:8080");
  private final TestAccounts accounts = new TestAccounts(server);

  static GreenMail startSmtp() {
    try {
      GreenMail smtp = new GreenMail(new ServerSetup(TestServer.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
      smtp.start();
      return smtp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stopSmtp() {
    SMTP.stop();
  }

  /** The mails received for {@code email} so far, waiting up to 10 s for {@code count} of them. */
  static List<MimeMessage> mailsTo(String email, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<MimeMessage> mails = Arrays.stream(SMTP.getReceivedMessages()).filter(m -> {
        try {
          return m.getRecipients(Message.RecipientType.TO)[0].toString().equals(email);
        } catch (Exception e) {
          return false;
        }
      }).toList();
      if (mails.size() >= count || System.nanoTime() > deadline) {
        return mails;
      }
      Thread.sleep(50);
    }
  }

  static String link(MimeMessage mail) {
    Matcher m = Pattern.compile("http://login\\.example\\.com:8080/verify-email\\?token=([A-Za-z0-9_-]{43})")
      .matcher(GreenMailUtil.getBody(mail));
    assertTrue(m.find(), GreenMailUtil.getBody(mail));
    return m.group(1);
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
    assertEquals(1, mailsTo(email, 2).size());
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
    assertEquals(4, mailsTo(email, 5).size());
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
    assertTrue(GreenMailUtil.getBody(mail).contains(ApiClient.USER_AGENT.substring(0, 10)));
  }
}
