package dev.twofa.mail;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The anti-phishing phrase: shown in a fixed, marked place above the body of every mail to its account (text and
 * HTML, escaped there), in no other account's mail, never in plain text in the database; a change is mailed under
 * the old phrase and shows only after the hold, and "This wasn't me" cancels it; reading or setting it needs a
 * step-up, and neither works during a security hold.
 */
class AntiPhishingPhraseTest {
  static final MailCatcher MAIL = new MailCatcher();
  static final String NEW_PASSWORD = "quartz-meadow-lantern-2041";

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  private static Response setPhrase(ApiClient browser, String phrase) {
    return browser.post("/api/account/phrase", new JsonObject().put("phrase", phrase));
  }

  private static MimeMessage mail(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    assertEquals("[cryptact] " + subject, mails.get(n - 1).getSubject());
    return mails.get(n - 1);
  }

  static String html(Part part) throws Exception {
    if (part.isMimeType("text/html")) {
      return (String) part.getContent();
    }
    if (part.getContent() instanceof Multipart parts) {
      for (int i = 0; i < parts.getCount(); i++) {
        String html = html(parts.getBodyPart(i));
        if (html != null) {
          return html;
        }
      }
    }
    return null;
  }

  /** The phrase is the text part's first line, marked, and the HTML part's first paragraph, escaped. */
  private static void assertShows(MimeMessage mail, String phrase, String escaped) throws Exception {
    String text = MailCatcher.plainText(mail).replace("\r\n", "\n");
    assertTrue(text.startsWith("[ Your anti-phishing phrase: " + phrase + " ]\n"), text);
    String html = html(mail).replace("\r\n", "\n");
    assertTrue(html.contains("<body style=\"font-family:sans-serif\">\n<p id=\"anti-phishing-phrase\""), html);
    assertTrue(html.contains("Your anti-phishing phrase: " + escaped + "</strong>"), html);
  }

  private static void changePassword(ApiClient browser, String from, String to) {
    Response changed = browser.post("/api/account/password", new JsonObject().put("currentPassword", from).put("newPassword", to));
    assertEquals(204, changed.status(), changed.toString());
  }

  private static String hex(String text) {
    return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Rows of users or mail_outbox holding {@code phrase} as plain text, in any column. */
  private static int plainCopies(String phrase) {
    return server.query("SELECT count(*)::int AS n FROM users u WHERE position(decode($1, 'hex') IN u::text::bytea) > 0"
      + " OR position(decode($1, 'hex') IN coalesce(u.phrase_box, ''::bytea)) > 0", hex(phrase)).get(0).getInteger("n")
      + server.query("SELECT count(*)::int AS n FROM mail_outbox m WHERE position($1 IN m::text) > 0"
      + " OR position(decode($2, 'hex') IN coalesce(m.phrase_box, ''::bytea)) > 0", phrase, hex(phrase)).get(0).getInteger("n");
  }

  @Test
  void everyMailToTheAccountShowsItsPhraseAboveTheBodyAndNoOtherAccountsMailDoes() throws Exception {
    String alice = TestAccounts.uniqueEmail();
    String bob = TestAccounts.uniqueEmail();
    ApiClient aliceBrowser = accounts.signedUp(alice);   // a sign-up counts as "Confirm it's you" for its minutes
    ApiClient bobBrowser = accounts.signedUp(bob);
    String alicePhrase = "猫 & <犬> 42";
    String bobPhrase = "blue kettle 7";

    Response set = setPhrase(aliceBrowser, alicePhrase);
    assertEquals(200, set.status(), set.toString());
    assertEquals(true, set.json().getBoolean("phraseSet"));
    assertNull(set.json().getString("phraseChangesAt"), "the first phrase shows at once");
    assertFalse(set.text().contains("犬"), "the answer never holds the phrase");
    assertEquals(true, aliceBrowser.get("/api/account").json().getBoolean("phraseSet"));
    assertShows(mail(alice, 2, "You set an anti-phishing phrase"), alicePhrase, "猫 &amp; &lt;犬&gt; 42");
    assertEquals(200, setPhrase(bobBrowser, bobPhrase).status());
    assertShows(mail(bob, 2, "You set an anti-phishing phrase"), bobPhrase, bobPhrase);

    changePassword(aliceBrowser, PASSWORD, NEW_PASSWORD);
    changePassword(bobBrowser, PASSWORD, NEW_PASSWORD);
    assertShows(mail(alice, 3, "Your password was changed"), alicePhrase, "猫 &amp; &lt;犬&gt; 42");
    assertShows(mail(bob, 3, "Your password was changed"), bobPhrase, bobPhrase);

    for (MimeMessage mail : MAIL.mailsTo(bob)) {
      assertFalse(MailCatcher.plainText(mail).contains("犬") || html(mail).contains("犬"), "Alice's phrase in Bob's mail");
    }
    for (MimeMessage mail : MAIL.mailsTo(alice)) {
      assertFalse(MailCatcher.plainText(mail).contains(bobPhrase) || html(mail).contains(bobPhrase), "Bob's phrase in Alice's mail");
    }
    // The sign-up mail came before any phrase: no block, and no placeholder left behind.
    String first = MailCatcher.plainText(MAIL.mailsTo(alice).get(0));
    assertFalse(first.contains("anti-phishing") || first.contains("\uE000"), first);
    assertEquals(0, plainCopies(alicePhrase) + plainCopies(bobPhrase), "sealed in users and in the outbox");
    assertEquals(0, server.query("SELECT 1 FROM mail_outbox WHERE sent_at IS NOT NULL AND phrase_box IS NOT NULL").size(),
      "a sent mail keeps no copy of the box");
  }

  @Test
  void aChangeIsMailedUnderTheOldPhraseShowsOnlyAfterTheHoldAndThisWasntMeCancelsIt() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    assertEquals(200, setPhrase(browser, "morning tide").status());
    Instant changedAt = server.clock().instant();
    Response changed = setPhrase(browser, "evening frost");
    assertEquals(200, changed.status(), changed.toString());
    assertEquals(changedAt.plus(Duration.ofHours(24)), Instant.parse(changed.json().getString("phraseChangesAt")));
    MimeMessage notice = mail(email, 3, "Your anti-phishing phrase is changing");
    assertShows(notice, "morning tide", "morning tide");
    assertFalse(MailCatcher.plainText(notice).contains("evening frost"), "the new phrase is never mailed");
    JsonObject view = browser.get("/api/account/phrase").json();
    assertEquals("morning tide", view.getString("phrase"));
    assertEquals("evening frost", view.getString("pendingPhrase"));

    changePassword(browser, PASSWORD, NEW_PASSWORD);
    assertShows(mail(email, 4, "Your password was changed"), "morning tide", "morning tide");
    server.clock().advance(Duration.ofHours(24));
    try {
      ApiClient later = server.newClient();   // the session has reached its 12 hours
      assertEquals(200, later.post("/api/login", TestAccounts.credentials(email, NEW_PASSWORD)).status());
      changePassword(later, NEW_PASSWORD, PASSWORD);
      assertShows(mail(email, 5, "Your password was changed"), "evening frost", "evening frost");
    } finally {
      server.clock().set(TestServer.START);
    }

    // Another account changes its phrase and its owner says "This wasn't me": the change is dropped.
    String other = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(other);
    assertEquals(200, setPhrase(owner, "river stone").status());
    assertEquals(200, setPhrase(owner, "stranger's words").status());
    String secure = MailCatcher.linkToken(mail(other, 3, "Your anti-phishing phrase is changing"), "/secure-account");
    assertEquals(204, server.newClient().post("/api/secure-account", new JsonObject().put("token", secure)).status());
    assertEquals(0, server.query("SELECT 1 FROM users WHERE email = $1 AND phrase_pending_box IS NOT NULL", other).size());
    assertShows(mail(other, 4, "Your account was secured: set a new password"), "river stone", "river stone");
    server.clock().advance(Duration.ofHours(25));
    try {
      assertEquals(202, server.newClient().post("/api/password-reset", new JsonObject().put("email", other)).status());
      assertShows(mail(other, 5, "Reset your password"), "river stone", "river stone");
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  @Test
  void onlyAfterAStepUpOutsideAHoldAndOnlyAPhrase() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    for (String bad : new String[] {"abc", "   abc   ", "123456789012345678901", "あいうえおかきくけこさしすせそたちつてとな",
      "ab\u200Bcd", "ab\u2028cd", "ab\uE000cd"}) {
      assertError(setPhrase(browser, bad), 400, "invalid_phrase");
    }
    assertEquals(400, setPhrase(browser, "ab\u0007cd").status(), "a control character never reaches auth");
    assertEquals(400, browser.post("/api/account/phrase", new JsonObject()).status());
    // Twenty Japanese characters fit; "cafe" + a combining accent is four characters once normalised.
    assertEquals(200, setPhrase(browser, "あいうえおかきくけこさしすせそたちつてと").status());
    assertEquals("あいうえおかきくけこさしすせそたちつてと", browser.get("/api/account/phrase").json().getString("phrase"));

    String other = TestAccounts.uniqueEmail();
    ApiClient fresh = accounts.signedUp(other);
    assertEquals(200, setPhrase(fresh, "cafe\u0301").status());
    assertEquals("caf\u00e9", fresh.get("/api/account/phrase").json().getString("phrase"), "stored as NFC");

    server.clock().advance(Duration.ofMinutes(11));   // past the step-up the sign-up counts as
    try {
      assertError(browser.get("/api/account/phrase"), 403, "step_up_required");
      assertError(setPhrase(browser, "new words here"), 403, "step_up_required");
      assertError(server.newClient().get("/api/account/phrase"), 401, "unauthenticated");
      accounts.stepUp(browser);
      assertEquals("あいうえおかきくけこさしすせそたちつてと", browser.get("/api/account/phrase").json().getString("phrase"));

      server.query("UPDATE users SET security_hold_until = $2 WHERE email = $1", email,
        server.clock().instant().plus(Duration.ofHours(3)).atOffset(ZoneOffset.UTC));
      assertError(setPhrase(browser, "new words here"), 409, "security_hold");
      assertEquals("あいうえおかきくけこさしすせそたちつてと", browser.get("/api/account/phrase").json().getString("phrase"),
        "reading is not a change");
      assertTrue(browser.get("/api/account/phrase").headers().firstValue("Cache-Control").orElse("").contains("no-store"));
    } finally {
      server.clock().set(TestServer.START);
    }
  }
}
