package dev.twofa.mail;

import dev.twofa.support.ApiClient;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.twofa.support.MailCatcher.plainText;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a mail says about who acted: the browser as "Chrome on Windows" from a short list of names, never the
 * User-Agent text a stranger chose; and a mail anyone can cause by typing the address (a reset link, the
 * verification link) says nothing of the requester.
 */
class MailFactsTest {
  static final MailCatcher MAIL = new MailCatcher();
  /** 512 characters of a stranger's choosing, with a real browser's tokens, words aimed at the reader and URLs. */
  static final String HOSTILE = pad("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    + " URGENT: your account is locked, call +1-555-0100 or visit https://evil.example/unlock?u= now ");

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  private static String pad(String text) {
    StringBuilder out = new StringBuilder(text);
    while (out.length() < 512) {
      out.append(" https://evil.example/").append(out.length());
    }
    return out.substring(0, 512);
  }

  private static void assertNothingOfTheHeader(String body) {
    for (String piece : List.of("evil.example", "URGENT", "555-0100", "Mozilla", "AppleWebKit", "Win64")) {
      assertFalse(body.contains(piece), piece + " in " + body);
    }
  }

  @Test
  void aNewSignInSaysBrowserOnSystemAndNothingElseOfTheHeader() throws Exception {
    String email = verified(server.newClient());
    ApiClient stranger = server.newClient().extraHeaders("User-Agent", HOSTILE);
    assertEquals(200, stranger.post("/api/login", credentials(email, PASSWORD)).status());
    MimeMessage mail = MAIL.mailsTo(email, 2).get(1);
    assertEquals("[cryptact] New login to your account", mail.getSubject());
    String body = plainText(mail);
    assertTrue(body.contains("Browser: Chrome on Windows"), body);
    assertNothingOfTheHeader(body);
    assertNothingOfTheHeader(MailCatcher.body(mail));
  }

  @Test
  void aJapaneseMailNamesTheBrowserInJapaneseOrder() throws Exception {
    String email = verified(server.newClient().extraHeaders("Accept-Language", "ja"));
    ApiClient mac = server.newClient().extraHeaders("User-Agent",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15");
    assertEquals(200, mac.post("/api/login", credentials(email, PASSWORD)).status());
    String body = plainText(MAIL.mailsTo(email, 2).get(1));
    assertTrue(body.contains("ブラウザ: macOSのSafari"), body);
  }

  @Test
  void aResetLinkAnyoneCanAskForSaysNothingOfWhoAsked() throws Exception {
    String email = verified(server.newClient());
    ApiClient stranger = server.newClient().extraHeaders("User-Agent", HOSTILE);
    assertEquals(202, stranger.post("/api/password-reset", new JsonObject().put("email", email)).status());
    MimeMessage mail = MAIL.mailsTo(email, 2).get(1);
    assertEquals("[cryptact] Reset your password", mail.getSubject());
    String body = plainText(mail);
    assertNothingOfTheHeader(body);
    assertFalse(body.contains("Browser") || body.contains("IP address") || body.contains("127.0.0.1"), body);

    String typo = TestAccounts.uniqueEmail();
    assertEquals(201, stranger.post("/api/signup", credentials(typo, PASSWORD)).status());
    String link = plainText(MAIL.mailsTo(typo, 1).get(0));
    assertNothingOfTheHeader(link);
    assertFalse(link.contains("IP address") || link.contains("127.0.0.1"), link);
  }

  /** Signs up from {@code browser} and opens the verification link; returns the address (mail number 1). */
  private String verified(ApiClient browser) throws Exception {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
    Matcher link = Pattern.compile("/verify-email\\?token=([A-Za-z0-9_-]{43})").matcher(plainText(MAIL.mailsTo(email, 1).get(0)));
    assertTrue(link.find());
    assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", link.group(1))).status());
    return email;
  }
}
