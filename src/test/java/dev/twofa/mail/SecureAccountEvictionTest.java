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
import java.util.stream.IntStream;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "This wasn't me" against a stranger who knows the password: the password is locked until a mailed link sets a
 * new one (a login or step-up with it answers 401 password_reset_required, and only to whoever has it right), the
 * reset link survives the stranger's attempts, and a 2FA turned on or changed within
 * TWOFA_SECURE_ACCOUNT_UNDO_HOURS (72) before it is turned off, all in the link's one transaction.
 */
class SecureAccountEvictionTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  private static JsonObject token(String token) {
    return new JsonObject().put("token", token);
  }

  private static JsonObject reset(String token, String newPassword) {
    return new JsonObject().put("token", token).put("newPassword", newPassword);
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

  private ApiClient loggedIn(Enrolled account) {
    ApiClient client = accounts.pendingLogin(account.email());
    Response step = client.post("/api/login/totp", code(accounts.currentCode(account)));
    assertEquals(200, step.status(), step.toString());
    accounts.nextStep();
    return client;
  }

  private boolean twoFactorOff(String email) {
    return server.query("SELECT 1 FROM users WHERE email = $1 AND totp_secret IS NULL AND totp_enabled_at IS NULL"
      + " AND NOT EXISTS (SELECT 1 FROM recovery_codes r WHERE r.user_id = users.id)", email).size() == 1;
  }

  private static String state(Response response) {
    return response.json().getString("state");
  }

  private List<String> activityTypes(ApiClient client) {
    return client.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(e -> ((JsonObject) e).getString("type")).toList();
  }

  /**
   * The attack of issue 20 and its defeat, step by step: owner and stranger both know the password. Before, the
   * stranger logged in again after "This wasn't me", which voided the owner's reset link, and kept the 2FA they
   * had turned on with their own authenticator, locking the owner out.
   */
  @Test
  void aStrangerWhoKnowsThePasswordIsLockedOutAndTheOwnerGetsTheAccountBack() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    String verify = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
    assertEquals(204, owner.post("/api/email/verify", token(verify)).status());

    // The stranger logs in with the password; the owner is told of the new browser.
    ApiClient stranger = server.newClient();
    assertEquals("authenticated", state(stranger.post("/api/login", credentials(email, PASSWORD))));
    MimeMessage newSignIn = mailNumber(email, 2, "New login to your account");
    // The stranger turns on 2FA with an authenticator of their own (confirming the password they know first).
    accounts.stepUp(stranger);
    accounts.enrolled(stranger, email);
    mailNumber(email, 3, "Two-factor authentication was turned on");
    assertEquals(401, owner.get("/api/account").status(), "enabling 2FA ended the owner's session");

    // The owner clicks "This wasn't me" in the new sign-in mail.
    assertEquals(204, server.newClient().post("/api/secure-account", token(secureToken(newSignIn))).status());
    assertEquals(401, stranger.get("/api/account").status());
    MimeMessage reset = mailNumber(email, 4, "Your account was secured: set a new password");
    String words = MailCatcher.body(reset);
    assertTrue(words.contains("two-factor authentication was turned on or changed") && words.contains("turned off"), words);

    // The stranger logs in again with the same password: refused with a code of its own, nothing opened. Someone
    // without the right password learns nothing: the ordinary answer.
    ApiClient again = server.newClient();
    Response refused = again.post("/api/login", credentials(email, PASSWORD));
    assertEquals(401, refused.status(), refused.toString());
    assertEquals("password_reset_required", refused.error());
    assertEquals("anonymous", state(again.get("/api/session")));
    assertEquals("invalid_credentials", server.newClient().post("/api/login", credentials(email, "wrong-" + PASSWORD)).error());
    assertTrue(twoFactorOff(email), "the stranger's authenticator and recovery codes are gone");

    // The owner's link still works: the stranger's attempts voided nothing. The new password is the owner's alone.
    Response set = server.newClient().post("/api/password-reset/complete",
      reset(MailCatcher.linkToken(reset, "/reset-password"), PasswordResetTest.NEW_PASSWORD));
    assertEquals(204, set.status(), set.toString());
    assertEquals("invalid_credentials", server.newClient().post("/api/login", credentials(email, PASSWORD)).error());
    ApiClient back = server.newClient();
    Response login = back.post("/api/login", credentials(email, PasswordResetTest.NEW_PASSWORD));
    assertEquals("authenticated", state(login), "no code of the stranger's app is asked for: " + login);
    assertEquals(false, login.json().getJsonObject("user").getBoolean("twoFactorEnabled"));

    List<String> types = activityTypes(back);
    assertTrue(types.containsAll(List.of("account.secured", "2fa.reverted", "password.reset")), types.toString());
    assertTrue(types.indexOf("password.reset") < types.indexOf("2fa.reverted")
      && types.indexOf("password.reset") < types.indexOf("account.secured"), "newest first: " + types);
    JsonObject refusedLogin = back.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(JsonObject.class::cast)
      .filter(e -> e.getString("type").equals("login.password") && !e.getBoolean("success")
        && e.getJsonObject("details") != null && "password_reset_required".equals(e.getJsonObject("details").getString("reason")))
      .findFirst().orElseThrow(() -> new AssertionError("the refused login is in Activity: " + types));
    assertEquals(ApiClient.USER_AGENT, refusedLogin.getString("userAgent"));
  }

  /** A 2FA turned on before the window stays on through "This wasn't me" and the reset: the owner's own. */
  @Test
  void twoFactorTurnedOnBeforeTheWindowStaysOn() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = verifiedWith2fa(email);
    String link = secureToken(mailNumber(email, 2, "Two-factor authentication was turned on"));
    server.clock().advance(Duration.ofHours(72).plusMinutes(1));
    try {
      assertEquals(204, server.newClient().post("/api/secure-account", token(link)).status());
      MimeMessage reset = mailNumber(email, 3, "Your account was secured: set a new password");
      assertTrue(!MailCatcher.body(reset).contains("turned off"), MailCatcher.body(reset));
      assertEquals("password_reset_required", server.newClient().post("/api/login", credentials(email, PASSWORD)).error());
      assertEquals(204, server.newClient().post("/api/password-reset/complete",
        reset(MailCatcher.linkToken(reset, "/reset-password"), PasswordResetTest.NEW_PASSWORD)).status());
      ApiClient owner = server.newClient();
      assertEquals("pending_2fa", state(owner.post("/api/login", credentials(email, PasswordResetTest.NEW_PASSWORD))));
      assertEquals(200, owner.post("/api/login/totp", code(accounts.currentCode(account))).status());
      accounts.nextStep();
      assertTrue(!activityTypes(owner).contains("2fa.reverted"));
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  /**
   * Logins with the right password racing "This wasn't me": however they interleave, none leaves a session or a
   * login that can still complete (the flag and the epoch move in the link's one transaction).
   */
  @Test
  void loginsRacingTheLinkLeaveNothingThatCanComplete() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = verifiedWith2fa(email);
    String link = secureToken(mailNumber(email, 2, "Two-factor authentication was turned on"));
    server.clock().advance(Duration.ofHours(73));
    try {
      List<ApiClient> browsers = IntStream.range(0, 4).mapToObj(i -> server.newClient()).toList();
      List<CompletableFuture<Response>> logins = browsers.stream()
        .map(b -> b.postAsync("/api/login", credentials(email, PASSWORD))).toList();
      Response secured = server.newClient().post("/api/secure-account", token(link));
      assertEquals(204, secured.status(), secured.toString());
      List<Response> answers = logins.stream().map(CompletableFuture::join).toList();
      for (int i = 0; i < browsers.size(); i++) {
        Response answer = answers.get(i);
        assertTrue(answer.status() == 200 || "password_reset_required".equals(answer.error())
          || "overloaded".equals(answer.error()), answer.toString());
        if (answer.status() == 200) {
          Response step = browsers.get(i).post("/api/login/totp", code(accounts.currentCode(account)));
          assertEquals("no_pending_login", step.error(), "a login that passed its password step cannot complete: " + step);
        }
      }
      assertEquals(0, server.query("SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id AND u.session_epoch = s.epoch"
        + " WHERE u.email = $1", email).size(), "no live session");
      assertEquals("password_reset_required", server.newClient().post("/api/login", credentials(email, PASSWORD)).error());
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  /**
   * A new authenticator confirmed in the window (by a stepped-up session, perhaps a stranger's) is turned off too:
   * the key it replaced is not kept, so there is nothing to go back to.
   */
  @Test
  void anAuthenticatorChangedInTheWindowIsTurnedOff() throws Exception {
    String email = TestAccounts.uniqueEmail();
    Enrolled account = verifiedWith2fa(email);
    server.clock().advance(Duration.ofHours(73));
    try {
      ApiClient session = loggedIn(account);
      MimeMessage newSignIn = mailNumber(email, 3, "New login to your account");
      accounts.stepUp(session, account);
      String newSecret = session.post("/api/2fa/change/start", null).json().getString("secret");
      Response changed = session.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant())));
      assertEquals(200, changed.status(), changed.toString());
      mailNumber(email, 4, "Your authentication app was changed");

      assertEquals(204, server.newClient().post("/api/secure-account", token(secureToken(newSignIn))).status());
      MimeMessage mail = mailNumber(email, 5, "Your account was secured: set a new password");
      assertTrue(MailCatcher.body(mail).contains("turned off"), MailCatcher.body(mail));
      assertTrue(twoFactorOff(email));
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  /**
   * A step-up with the right password of a locked account is refused as a login is (a session cannot outlive
   * "This wasn't me", which moves the epoch on; this one has the flag set under it to show the rule holds anyway).
   */
  @Test
  void aStepUpWithTheLockedPasswordIsRefusedAndAWrongOneGetsTheOrdinaryAnswer() {
    String email = TestAccounts.uniqueEmail();
    ApiClient session = accounts.signedUp(email);
    server.query("UPDATE users SET password_reset_required = true WHERE email = $1 RETURNING id", email);
    Response wrong = session.post("/api/step-up", new JsonObject().put("password", "wrong-" + PASSWORD));
    assertEquals("invalid_credentials", wrong.error(), wrong.toString());
    Response right = session.post("/api/step-up", new JsonObject().put("password", PASSWORD));
    assertEquals(401, right.status(), right.toString());
    assertEquals("password_reset_required", right.error());
  }
}
