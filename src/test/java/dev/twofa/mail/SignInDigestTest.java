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

import static dev.twofa.support.MailCatcher.plainText;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The new-sign-in mail is capped per account, not only per browser: a fresh device cookie per login (a script)
 * is a new browser every time, so past 5 mails an hour the rest are counted and told in one digest mail.
 */
class SignInDigestTest {
  static final MailCatcher MAIL = new MailCatcher();
  private static final String NEW_SIGN_IN = "login.new_browser";
  private static final String DIGEST = "login.new_browser.digest";

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void tenConcurrentLoginsFromFreshBrowsersMailFiveThenOneDigest() throws Exception {
    String email = verified();
    List<ApiClient> strangers = IntStream.range(0, 10).mapToObj(i -> {
      ApiClient client = server.newClient();
      client.xsrfToken();
      return client;
    }).toList();
    List<CompletableFuture<Response>> logins = strangers.stream()
      .map(c -> c.postAsync("/api/login", credentials(email, PASSWORD))).toList();
    assertEquals(10, logins.stream().map(CompletableFuture::join).filter(r -> r.status() == 200).count());
    assertEquals(5, written(email, NEW_SIGN_IN), "five an hour per account, whatever the cookies");
    assertEquals(0, written(email, DIGEST), "the digest waits for the hour");

    server.clock().advance(Duration.ofMinutes(61));
    MimeMessage digest = MAIL.mailsTo(email, 7).get(6);
    assertEquals("[cryptact] More new logins to your account", digest.getSubject());
    String body = plainText(digest);
    assertTrue(body.contains("5 more logins"), body);
    assertTrue(body.contains("/secure-account?token="), body);
    assertEquals(1, written(email, DIGEST));

    // The hour is over: the next new browser is mailed again, on its own.
    login(server.newClient(), email);
    assertEquals(6, written(email, NEW_SIGN_IN));
  }

  @Test
  void aJapaneseDigest() throws Exception {
    ApiClient browser = server.newClient().extraHeaders("Accept-Language", "ja");
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
    verify(browser, email);
    for (int i = 0; i < 6; i++) {
      login(server.newClient(), email);
    }
    server.clock().advance(Duration.ofMinutes(61));
    String body = plainText(MAIL.mailsTo(email, 7).get(6));
    assertTrue(body.contains("さらに1件"), body);
  }

  private String verified() throws Exception {
    String email = TestAccounts.uniqueEmail();
    verify(accounts.signedUp(email), email);
    return email;
  }

  private static void verify(ApiClient browser, String email) throws Exception {
    java.util.regex.Matcher link = java.util.regex.Pattern.compile("/verify-email\\?token=([A-Za-z0-9_-]{43})")
      .matcher(plainText(MAIL.mailsTo(email, 1).get(0)));
    assertTrue(link.find());
    assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", link.group(1))).status());
  }

  private static void login(ApiClient client, String email) {
    assertEquals(200, client.post("/api/login", credentials(email, PASSWORD)).status());
  }

  private static int written(String email, String kind) {
    return server.query("""
        SELECT count(*)::int AS n FROM mail_outbox o JOIN users u ON u.id = o.user_id WHERE u.email = $1 AND o.kind = $2
        """, email, kind).get(0).getInteger("n");
  }
}
