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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Forgot password?" through a real SMTP server: one mail per request, the same answer for unknown addresses,
 * a link that works once, for an hour, until a newer link or a password change after a step-up voids it (a login
 * does not); 2FA stays on.
 */
class PasswordResetTest {
  static final MailCatcher MAIL = new MailCatcher();
  static final String NEW_PASSWORD = "quartz-meadow-lantern-2041";
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  /** The server trusts loopback as its proxy, so each test's browsers can come from addresses of their own. */
  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL).with("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32");
  private final TestAccounts accounts = new TestAccounts(server);

  /** A browser at a client address no other browser of this class uses. */
  static ApiClient browser(TestServer server) {
    int n = ADDRESSES.incrementAndGet();
    return server.newClient().extraHeaders("X-Forwarded-For", "198.51." + (n / 250) + "." + (n % 250 + 1));
  }

  static JsonObject email(String email) {
    return new JsonObject().put("email", email);
  }

  static JsonObject reset(String token, String newPassword) {
    return new JsonObject().put("token", token).put("newPassword", newPassword);
  }

  /** Asks for a reset link for {@code email} from a fresh address and waits until the server has handled it. */
  private void requestReset(String email) throws InterruptedException {
    int before = attempts(email);
    Response answer = browser(server).post("/api/password-reset", email(email));
    assertEquals(202, answer.status(), answer.toString());
    awaitAttempts(email, before + 1);
  }

  /** Reset mails to {@code email} the server has counted (one per handled request, known address or not). */
  static int attempts(TestServer server, String email) {
    return server.query("SELECT 1 FROM throttle_attempts WHERE key = $1", "password-reset:email:" + email).size();
  }

  private int attempts(String email) {
    return attempts(server, email);
  }

  private void awaitAttempts(String email, int count) throws InterruptedException {
    eventually(() -> attempts(email) >= count, count + " requests handled for " + email);
    assertEquals(count, attempts(email), "requests handled for " + email);
  }

  /** Mails of {@code kind} the server wrote for {@code email} (sent or not). */
  static int written(TestServer server, String email, String kind) {
    return server.query("SELECT 1 FROM mail_outbox WHERE recipient = $1 AND kind = $2", email, kind).size();
  }

  /** Waits for mail number {@code n} to {@code email}, checks that exactly {@code n} arrived so far, and returns it. */
  static MimeMessage mailNumber(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    MimeMessage mail = mails.get(n - 1);
    assertEquals("[cryptact] " + subject, mail.getSubject());
    return mail;
  }

  static String resetToken(MimeMessage mail) {
    return MailCatcher.linkToken(mail, "/reset-password");
  }

  @Test
  void oneRequestMailsOneLinkThatSetsANewPasswordOnceAndProvesTheAddress() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient signedIn = accounts.signedUp(email);
    assertFalse(signedIn.get("/api/account").json().getBoolean("emailVerified"));

    Response answer = browser(server).post("/api/password-reset", email(email));
    assertEquals(202, answer.status(), answer.toString());
    assertEquals(new JsonObject(), answer.json());
    MimeMessage mail = mailNumber(email, 2, "Reset your password");
    assertTrue(MailCatcher.body(mail).contains("within 1 hour"), MailCatcher.body(mail));
    String token = resetToken(mail);
    assertEquals(1, written(server, email, "password.reset"));
    // Only the token's SHA-256 is stored.
    assertEquals(1, server.query("SELECT 1 FROM account_links WHERE token_hash = sha256(convert_to($1, 'UTF8'))"
      + " AND purpose = 'password_reset'", token).size());
    assertEquals(0, server.query("SELECT 1 FROM account_links WHERE token_hash = convert_to($1, 'UTF8')", token).size());

    // A weak password is refused and does not cost the link.
    ApiClient stranger = browser(server);
    assertEquals("weak_password", stranger.post("/api/password-reset/complete", reset(token, "password1")).error());
    assertEquals(200, signedIn.get("/api/account").status(), "nothing changed yet");

    Response done = stranger.post("/api/password-reset/complete", reset(token, NEW_PASSWORD));
    assertEquals(204, done.status(), done.toString());
    assertEquals("anonymous", stranger.get("/api/session").json().getString("state"), "a reset logs no one in");
    assertEquals(401, signedIn.get("/api/account").status(), "every session ended");
    assertEquals("invalid_token", stranger.post("/api/password-reset/complete", reset(token, NEW_PASSWORD + "!")).error());

    assertEquals(401, browser(server).post("/api/login", credentials(email, PASSWORD)).status());
    ApiClient owner = browser(server);
    assertEquals("authenticated", owner.post("/api/login", credentials(email, NEW_PASSWORD)).json().getString("state"));
    assertTrue(owner.get("/api/account").json().getBoolean("emailVerified"), "the link proved the address");
    assertTrue(owner.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(e -> ((JsonObject) e).getString("type")).anyMatch("password.reset"::equals));

    // Now verified, the owner hears of the change, with a "This wasn't me" link of its own, and of the login from
    // a browser the account had not seen (the two may arrive together); nothing else arrives.
    mailNumber(email, 4, "New login to your account");
    MimeMessage changed = MAIL.mailsTo(email, 4).get(2);
    assertEquals("[cryptact] Your password was changed", changed.getSubject());
    String notice = MailCatcher.body(changed);
    assertTrue(notice.contains("This wasn't me? Secure your account: " + MailCatcher.PUBLIC_URL + "/secure-account?token="), notice);
    assertFalse(notice.contains(NEW_PASSWORD), notice);
    assertEquals(4, MAIL.mailsTo(email).size());
  }

  @Test
  void anUnknownAddressGetsTheSameAnswerAndNoMail() throws Exception {
    String known = TestAccounts.uniqueEmail();
    accounts.signedUp(known);
    String unknown = TestAccounts.uniqueEmail();

    Response forUnknown = browser(server).post("/api/password-reset", email(unknown));
    Response forKnown = browser(server).post("/api/password-reset", email(known));
    assertEquals(forKnown.status(), forUnknown.status());
    assertEquals(forKnown.text(), forUnknown.text());
    assertEquals(202, forUnknown.status());
    // Once handled (the per-address count is spent alike), nothing was written for the unknown address.
    awaitAttempts(unknown, 1);
    awaitAttempts(known, 1);
    assertEquals(0, server.query("SELECT 1 FROM mail_outbox WHERE recipient = $1", unknown).size());
    assertEquals(1, written(server, known, "password.reset"));
    mailNumber(known, 2, "Reset your password");
    assertEquals(List.of(), MAIL.mailsTo(unknown));

    assertEquals("invalid_email", browser(server).post("/api/password-reset", email("not an address")).error());
  }

  @Test
  void mailsPerAddressAreLimitedSilentlyAndOneClientAddressGets429() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    for (int i = 0; i < 4; i++) {
      assertEquals(202, browser(server).post("/api/password-reset", email(email)).status());
    }
    // The 4th request was answered alike and mailed nothing: 3 reset mails after the sign-up mail. Each is written
    // after its answer, with its attempt; once 3 attempts are in, the window is full and no other can be written.
    awaitAttempts(email, 3);
    assertEquals(4, MAIL.mailsTo(email).size());
    assertEquals(3, written(server, email, "password.reset"));

    ApiClient crawler = browser(server);
    for (int i = 0; i < 20; i++) {
      assertEquals(202, crawler.post("/api/password-reset", email(TestAccounts.uniqueEmail())).status());
    }
    Response refused = crawler.post("/api/password-reset", email(email));
    assertEquals(429, refused.status(), refused.toString());
    assertEquals("rate_limited", refused.error());
    assertTrue(refused.json().getLong("retryAfterSeconds") > 0);
  }

  @Test
  void aLinkIsRefusedWhenTamperedExpiredOrReplaced() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    requestReset(email);
    String first = resetToken(mailNumber(email, 2, "Reset your password"));
    String tampered = (first.charAt(0) == 'A' ? "B" : "A") + first.substring(1);
    ApiClient browser = browser(server);
    assertEquals("invalid_token", browser.post("/api/password-reset/complete", reset(tampered, NEW_PASSWORD)).error());
    assertEquals("invalid_token", browser.post("/api/password-reset/complete", reset("", NEW_PASSWORD)).error());

    requestReset(email);
    String second = resetToken(mailNumber(email, 3, "Reset your password"));
    assertEquals("invalid_token", browser.post("/api/password-reset/complete", reset(first, NEW_PASSWORD)).error(),
      "a newer link voids the earlier one");

    server.clock().advance(Duration.ofHours(1).plusSeconds(1));
    try {
      assertEquals("invalid_token", browser.post("/api/password-reset/complete", reset(second, NEW_PASSWORD)).error());
    } finally {
      server.clock().set(TestServer.START);
    }
    assertEquals(200, browser(server).post("/api/login", credentials(email, PASSWORD)).status(), "the password stayed");
  }

  /**
   * Whoever else knows the password cannot void the owner's link by logging in (before, any completed login did,
   * so a stranger who logged in again made the owner's link answer invalid_token); a password change made after a
   * step-up does, and a newer link (above) or its use.
   */
  @Test
  void aCompletedLoginLeavesTheLinkAndAPasswordChangeAfterAStepUpVoidsIt() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient signedIn = accounts.signedUp(email);
    requestReset(email);
    String token = resetToken(mailNumber(email, 2, "Reset your password"));
    assertEquals(200, browser(server).post("/api/login", credentials(email, PASSWORD)).status());
    assertEquals(1, server.query("SELECT 1 FROM account_links WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
      token).size(), "a completed login leaves the link");

    // The signed-in owner changes the password after a step-up: the link, sent for the old one, is void.
    accounts.stepUp(signedIn);
    Response changed = signedIn.post("/api/account/password", new JsonObject().put("currentPassword", PASSWORD)
      .put("newPassword", NEW_PASSWORD));
    assertEquals(204, changed.status(), changed.toString());
    assertEquals("invalid_token", browser(server).post("/api/password-reset/complete", reset(token, NEW_PASSWORD + "!")).error());

    // With 2FA on, a login completed with the code leaves the link too; the link then still sets a new password.
    Enrolled account = accounts.enrolled();
    requestReset(account.email());
    String twoFactorToken = resetToken(mailNumber(account.email(), 3, "Reset your password"));
    ApiClient login = browser(server);
    assertEquals("pending_2fa", login.post("/api/login", credentials(account.email(), PASSWORD)).json().getString("state"));
    assertEquals(200, login.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    assertEquals(204, browser(server).post("/api/password-reset/complete", reset(twoFactorToken, NEW_PASSWORD)).status());
    assertEquals(401, login.get("/api/account").status(), "the reset ended that login's session");
  }

  @Test
  void twoConcurrentCompletesWithOneLinkHaveExactlyOneWinner() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    requestReset(email);
    String token = resetToken(mailNumber(email, 2, "Reset your password"));
    List<CompletableFuture<Response>> racing = IntStream.range(0, 4)
      .mapToObj(i -> browser(server).postAsync("/api/password-reset/complete", reset(token, NEW_PASSWORD + i)))
      .toList();
    List<Response> answers = racing.stream().map(CompletableFuture::join).toList();
    assertEquals(1, answers.stream().filter(r -> r.status() == 204).count(), answers.toString());
    assertTrue(answers.stream().filter(r -> r.status() != 204).allMatch(r -> "invalid_token".equals(r.error())),
      answers.toString());
    int winner = IntStream.range(0, 4).filter(i -> answers.get(i).status() == 204).findFirst().orElseThrow();
    assertEquals(200, browser(server).post("/api/login", credentials(email, NEW_PASSWORD + winner)).status());
    assertEquals(1, server.query("SELECT 1 FROM security_events e JOIN users u ON u.id = e.user_id"
      + " WHERE u.email = $1 AND e.type = 'password.reset'", email).size());
  }

  @Test
  void aResetLeaves2faOnAndTheNextLoginAsksForTheCode() throws Exception {
    Enrolled account = accounts.enrolled();
    requestReset(account.email());
    String token = resetToken(mailNumber(account.email(), 3, "Reset your password"));
    assertEquals(204, browser(server).post("/api/password-reset/complete", reset(token, NEW_PASSWORD)).status());

    ApiClient login = browser(server);
    Response password = login.post("/api/login", credentials(account.email(), NEW_PASSWORD));
    assertEquals("pending_2fa", password.json().getString("state"), password.toString());
    assertEquals(401, login.get("/api/account").status());
    Response codeStep = login.post("/api/login/totp", code(Totp.code(account.secret(), server.clock().instant())));
    assertEquals(200, codeStep.status(), codeStep.toString());
    JsonObject user = codeStep.json().getJsonObject("user");
    assertTrue(user.getBoolean("twoFactorEnabled"));
    assertEquals(account.recoveryCodes().size(), user.getInteger("recoveryCodesRemaining"));
    accounts.nextStep();
  }
}
