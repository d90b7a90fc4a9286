package dev.twofa.mail;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.twofa.support.MailCatcher.plainText;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mails about logins themselves: a login completed from a browser the account has not seen in 90 days, and a
 * password step whose second step never came. Whether a mail was written is read from mail_outbox (written in the
 * transaction of the login, so "none" needs no waiting); what arrives is read from the SMTP server.
 */
class SignInNoticesTest {
  static final MailCatcher MAIL = new MailCatcher();
  private static final String NEW_SIGN_IN = "login.new_browser";
  private static final String ABANDONED = "login.abandoned";
  private static final String DEVICE = "twofa.device";
  /** An English sign-up without a time zone reads UTC: "Mar 1, 2026, 12:00 PM UTC". */
  private static final DateTimeFormatter MAIL_TIME = DateTimeFormatter.ofPattern("MMM d, uuuu, h:mm a z", Locale.ENGLISH)
    .withZone(ZoneId.of("UTC"));

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL).with("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aBrowserNewToTheAccountIsMailedOnceAndKnownForNinetyDays() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient creator = verified(email);
    assertEquals(204, creator.post("/api/logout", null).status());
    login(creator, email);
    assertEquals(0, written(email, NEW_SIGN_IN), "the browser that created the account is known to it");

    ApiClient laptop = server.newClient();
    login(laptop, email);
    assertEquals(1, written(email, NEW_SIGN_IN));
    String body = MailCatcher.body(mailNumber(email, 2, "New login to your account"));
    assertTrue(body.contains("127.0.0.1") && body.contains("Unknown browser on Linux"), body);
    assertTrue(body.contains(MAIL_TIME.format(server.clock().instant())), body);
    assertTrue(body.contains("This wasn't me? Secure your account: " + MailCatcher.PUBLIC_URL + "/secure-account?token="), body);
    String device = laptop.cookie(DEVICE);
    assertFalse(body.contains(device), "the device cookie is never mailed");
    assertEquals(1, server.query("SELECT 1 FROM known_devices WHERE device_hash = sha256(convert_to($1, 'UTF8'))", device)
      .size(), "only the cookie's hash is stored");
    assertEquals(0, server.query("""
        SELECT 1 FROM (SELECT e::text AS t FROM event_outbox e UNION ALL SELECT s::text FROM security_events s
          UNION ALL SELECT s::text FROM sessions s UNION ALL SELECT m::text FROM mail_outbox m) rows
        WHERE t LIKE '%' || $1 || '%'
        """, device).size(), "the cookie's value is in no table");

    assertEquals(204, laptop.post("/api/logout", null).status());
    login(laptop, email);
    server.clock().advance(Duration.ofDays(89));
    login(laptop, email);
    assertEquals(1, written(email, NEW_SIGN_IN), "a browser seen within 90 days is not news");

    server.clock().advance(Duration.ofDays(90).plusMinutes(1));
    login(laptop, email);
    assertEquals(2, written(email, NEW_SIGN_IN), "unseen for 90 days, it is news again");
    mailNumber(email, 3, "New login to your account");
    assertEquals(3, MAIL.mailsTo(email).size());
  }

  @Test
  void aBrowserWithoutCookiesIsMailedAtMostOnceAnHour() throws Exception {
    String email = TestAccounts.uniqueEmail();
    verified(email);
    ApiClient script = server.newClient();
    script.xsrfToken();
    for (int i = 0; i < 3; i++) {
      script.forgetCookie(DEVICE);
      login(script, email);
      server.clock().advance(Duration.ofMinutes(20));
    }
    assertEquals(1, written(email, NEW_SIGN_IN), "three logins within an hour, counted by address and browser");
    mailNumber(email, 2, "New login to your account");

    script.forgetCookie(DEVICE);
    login(script, email);
    assertEquals(2, written(email, NEW_SIGN_IN), "an hour after the last mail");

    // The cookie that last login set is kept from now on: that browser is known.
    login(script, email);
    assertEquals(2, written(email, NEW_SIGN_IN));
    assertEquals(3, MAIL.mailsTo(email).size(), "the link and two sign-ins");
  }

  @Test
  void aTwoFactorLoginIsNewsWhenItsSecondStepCompletes() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = accounts.enrolled(verified(email), email);
    mailNumber(email, 2, "Two-factor authentication was turned on");

    ApiClient phone = accounts.pendingLogin(email);
    assertEquals(0, written(email, NEW_SIGN_IN), "a password step alone completes no login");
    Response done = phone.post("/api/login/totp", code(accounts.currentCode(account)));
    assertEquals(200, done.status(), done.toString());
    assertEquals(1, written(email, NEW_SIGN_IN));
    mailNumber(email, 3, "New login to your account");

    accounts.nextStep();
    assertEquals(200, phone.post("/api/login", credentials(email, PASSWORD)).status());
    assertEquals(200, phone.post("/api/login/totp", code(accounts.currentCode(account))).status());
    assertEquals(1, written(email, NEW_SIGN_IN));
  }

  @Test
  void anUnverifiedAddressGetsNoSignInMail() {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    ApiClient other = server.newClient();
    login(other, email);
    other.forgetCookie(DEVICE);
    login(other, email);
    assertEquals(0, written(email, NEW_SIGN_IN));
    assertEquals(1, server.query("""
        SELECT 1 FROM known_devices d JOIN users u ON u.id = d.user_id
        WHERE u.email = $1 AND d.device_hash = sha256(convert_to($2, 'UTF8'))
        """, email, other.cookie(DEVICE)).size(), "the browser is still remembered");
  }

  @Test
  void aBrowserWithoutCookiesIsCountedByItsIpv6Slash64() throws Exception {
    String email = TestAccounts.uniqueEmail();
    verified(email);
    for (int i = 0; i < 3; i++) {
      ApiClient script = server.newClient().extraHeaders("X-Forwarded-For", "2001:db8:77:1::" + (i + 1));
      script.xsrfToken();
      script.forgetCookie(DEVICE);
      login(script, email);
    }
    assertEquals(1, written(email, NEW_SIGN_IN), "three addresses of one /64 are one client");
    ApiClient elsewhere = server.newClient().extraHeaders("X-Forwarded-For", "2001:db8:77:2::1");
    elsewhere.xsrfToken();
    elsewhere.forgetCookie(DEVICE);
    login(elsewhere, email);
    assertEquals(2, written(email, NEW_SIGN_IN), "the next /64 is another");
  }

  @Test
  void concurrentLoginsFromOneNewBrowserMailOnce() {
    String email = TestAccounts.uniqueEmail();
    verified(email);
    ApiClient browser = server.newClient();
    browser.xsrfToken();
    List<ApiClient> tabs = IntStream.range(0, 6).mapToObj(i -> browser.sameBrowserAt(server.baseUrl())).toList();
    assertEquals(6, concurrentLogins(tabs, email));
    assertEquals(1, written(email, NEW_SIGN_IN));
  }

  @Test
  void concurrentLoginsFromOneBrowserWithoutCookiesMailOnce() {
    String email = TestAccounts.uniqueEmail();
    verified(email);
    List<ApiClient> requests = IntStream.range(0, 6).mapToObj(i -> {
      ApiClient client = server.newClient();
      client.xsrfToken();
      client.forgetCookie(DEVICE);
      return client;
    }).toList();
    assertEquals(6, concurrentLogins(requests, email));
    assertEquals(1, written(email, NEW_SIGN_IN));
  }

  @Test
  void aPasswordStepDroppedAfterWrongCodesIsMailedOnce() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = accounts.enrolled(verified(email), email);
    mailNumber(email, 2, "Two-factor authentication was turned on");
    ApiClient stranger = accounts.pendingLogin(email);
    String passwordStep = MAIL_TIME.format(server.clock().instant());
    server.clock().advance(Duration.ofMinutes(2));
    for (int i = 0; i < 5; i++) {
      assertEquals(401, stranger.post("/api/login/totp", code(wrongCode(account))).status());
    }
    assertEquals(409, stranger.post("/api/login/totp", code(accounts.currentCode(account))).status());
    assertEquals(1, written(email, ABANDONED));
    String body = MailCatcher.body(mailNumber(email, 3, "Someone entered your password but not the 2FA code"));
    assertTrue(body.contains(passwordStep), "the time of the password step: " + body);
    assertTrue(body.contains("127.0.0.1") && body.contains("Unknown browser on Linux"), body);
    assertFalse(body.contains(PASSWORD), body);
    assertTrue(body.contains("/secure-account?token="), "someone has the password: " + body);
  }

  @Test
  void anExpiredPasswordStepIsMailedOnce() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.enrolled(verified(email), email);
    ApiClient stranger = accounts.pendingLogin(email);
    String passwordStep = MAIL_TIME.format(server.clock().instant());
    server.clock().advance(Duration.ofMinutes(6));
    assertEquals("anonymous", stranger.get("/api/session").json().getString("state"));
    assertEquals("anonymous", stranger.get("/api/session").json().getString("state"));
    assertEquals(1, written(email, ABANDONED));
    String body = MailCatcher.body(mailNumber(email, 3, "Someone entered your password but not the 2FA code"));
    assertTrue(body.contains(passwordStep) && body.contains("Unknown browser on Linux"), body);
  }

  @Test
  void atMostThreeAbandonedLoginsAnHourAreMailedAndEveryOneIsInActivity() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = verified(email);
    Enrolled account = accounts.enrolled(owner, email);
    List<ApiClient> strangers = IntStream.range(0, 5).mapToObj(i -> accounts.pendingLogin(email)).toList();
    server.clock().advance(Duration.ofMinutes(6));
    // All five are found expired at once: the budget is settled under its lock, not by who came first.
    ExecutorService pool = Executors.newFixedThreadPool(strangers.size());
    try {
      List<CompletableFuture<String>> states = strangers.stream()
        .map(s -> CompletableFuture.supplyAsync(() -> s.get("/api/session").json().getString("state"), pool)).toList();
      states.forEach(state -> assertEquals("anonymous", state.join()));
    } finally {
      pool.shutdown();
    }
    assertEquals(3, written(email, ABANDONED));
    accounts.stepUp(owner, account);
    List<Object> abandoned = owner.get("/api/account/activity?limit=50").json().getJsonArray("events").stream()
      .filter(e -> ((JsonObject) e).getString("type").equals(ABANDONED)).toList();
    assertEquals(5, abandoned.size(), abandoned.toString());

    server.clock().advance(Duration.ofMinutes(55));
    ApiClient later = accounts.pendingLogin(email);
    server.clock().advance(Duration.ofMinutes(6));
    assertEquals("anonymous", later.get("/api/session").json().getString("state"));
    assertEquals(4, written(email, ABANDONED), "an hour after the first, the budget has room again");
    assertEquals(2 + 4, MAIL.mailsTo(email).size());
  }

  @Test
  void anUnverifiedOwnerIsNotMailedAboutAnAbandonedLogin() {
    String email = TestAccounts.uniqueEmail();
    accounts.enrolled(accounts.signedUp(email), email);
    ApiClient stranger = accounts.pendingLogin(email);
    server.clock().advance(Duration.ofMinutes(6));
    assertEquals("anonymous", stranger.get("/api/session").json().getString("state"));
    assertEquals(0, written(email, ABANDONED));
  }

  @Test
  void aJapaneseOwnerIsToldInJapanese() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = server.newClient().extraHeaders("Accept-Language", "ja");
    assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
    // Japanese text is quoted-printable on the wire, which wraps the link: read it from the decoded text.
    Matcher link = Pattern.compile("/verify-email\\?token=([A-Za-z0-9_-]{43})")
      .matcher(plainText(MAIL.mailsTo(email, 1).get(0)));
    assertTrue(link.find());
    assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", link.group(1))).status());
    login(server.newClient(), email);
    String body = plainText(mailNumber(email, 2, "アカウントに新しいログインがありました"));
    assertTrue(body.contains("過去90日間"), body);

    accounts.enrolled(browser, email);
    ApiClient stranger = accounts.pendingLogin(email);
    server.clock().advance(Duration.ofMinutes(6));
    assertEquals("anonymous", stranger.get("/api/session").json().getString("state"));
    body = plainText(mailNumber(email, 4, "パスワードが入力されましたが、2段階認証は完了しませんでした"));
    assertTrue(body.contains("時間切れ"), body);
  }

  /** Signs up and opens the verification link; the sign-up mail is mail number 1. */
  private ApiClient verified(String email) {
    ApiClient browser = accounts.signedUp(email);
    try {
      String token = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
      assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", token)).status());
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return browser;
  }

  private static void login(ApiClient client, String email) {
    Response login = client.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    assertEquals("authenticated", login.json().getString("state"));
  }

  /** Fires one password login per client at once; returns how many succeeded. */
  private static int concurrentLogins(List<ApiClient> clients, String email) {
    List<CompletableFuture<Response>> logins = clients.stream()
      .map(c -> c.postAsync("/api/login", credentials(email, PASSWORD))).toList();
    return (int) logins.stream().map(CompletableFuture::join).filter(r -> r.status() == 200).count();
  }

  /** Mails of {@code kind} written for {@code email} (sent or not yet). */
  private static int written(String email, String kind) {
    return server.query("""
        SELECT count(*)::int AS n FROM mail_outbox o JOIN users u ON u.id = o.user_id WHERE u.email = $1 AND o.kind = $2
        """, email, kind).get(0).getInteger("n");
  }

  /** Waits for mail number {@code n}, checks that exactly {@code n} arrived and its subject; returns it. */
  private static MimeMessage mailNumber(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    MimeMessage mail = mails.get(n - 1);
    assertEquals("[cryptact] " + subject, mail.getSubject());
    return mail;
  }


  private String wrongCode(Enrolled account) {
    String right = accounts.currentCode(account);
    return right.equals("000000") ? "111111" : "000000";
  }
}
