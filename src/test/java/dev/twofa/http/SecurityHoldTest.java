package dev.twofa.http;

import dev.twofa.cli.SupportRoles;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The security hold: each risky change starts it (24 h; 48 h after a support reset), in its own transaction; while
 * it lasts turning 2FA off and new recovery codes are refused with 409 security_hold, and nothing else is (login,
 * step-up, password change, Activity, "This wasn't me"); it ends by itself. Times come from the server's clock, and
 * a hold is ended by setting the column in its past rather than by waiting.
 */
class SecurityHoldTest {
  static final MailCatcher MAIL = new MailCatcher();
  static final String NEW_PASSWORD = "quartz-meadow-lantern-2041";

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);
  private Instant changedAt;

  private static OffsetDateTime holdOf(String email) {
    return server.query("SELECT security_hold_until FROM users WHERE email = $1", email).get(0)
      .getOffsetDateTime("security_hold_until");
  }

  private static void assertHeldFor(String email, Duration hold) {
    assertHeldFor(email, server.clock().instant(), hold);
  }

  private static void assertHeldFor(String email, Instant from, Duration hold) {
    OffsetDateTime until = holdOf(email);
    assertEquals(from.plus(hold), until == null ? null : until.toInstant(), "hold of " + email);
  }

  private static void endHold(String email) {
    server.query("UPDATE users SET security_hold_until = $2 WHERE email = $1", email,
      server.clock().instant().minusSeconds(1).atOffset(ZoneOffset.UTC));
  }

  private static MimeMessage mail(String email, int n) throws Exception {
    return MAIL.mailsTo(email, n).get(n - 1);
  }

  private ApiClient loggedIn(Enrolled account, String password) {
    ApiClient client = server.newClient();
    assertEquals("pending_2fa", client.post("/api/login", credentials(account.email(), password)).json().getString("state"));
    Response step = client.post("/api/login/totp", code(accounts.currentCode(account)));
    assertEquals(200, step.status(), step.toString());
    accounts.nextStep();
    return client;
  }

  private void stepUp(ApiClient client, Enrolled account, String password) {
    Response stepUp = client.post("/api/step-up", new JsonObject().put("password", password).put("code", accounts.currentCode(account)));
    assertEquals(204, stepUp.status(), stepUp.toString());
    accounts.nextStep();
  }

  /** Replaces the account's authenticator app on {@code client}; returns the account with its new secret. */
  private Enrolled changedApp(ApiClient client, Enrolled account) {
    stepUp(client, account, PASSWORD);
    String secret = client.post("/api/2fa/change/start", null).json().getString("secret");
    changedAt = server.clock().instant();
    Response changed = client.post("/api/2fa/change/confirm", code(Totp.code(secret, changedAt)));
    assertEquals(200, changed.status(), changed.toString());
    accounts.nextStep();
    return new Enrolled(account.email(), secret, account.recoveryCodes());
  }

  @Test
  void aPasswordResetHoldsOnlyTheSensitiveChangesForADayAndTheHoldEnds() throws Exception {
    Enrolled account = accounts.enrolled();
    String email = account.email();
    ApiClient anyone = server.newClient();
    assertEquals(202, anyone.post("/api/password-reset", new JsonObject().put("email", email)).status());
    String token = MailCatcher.linkToken(mail(email, 3), "/reset-password");
    assertNull(holdOf(email), "no hold before the change");
    assertEquals(204, anyone.post("/api/password-reset/complete",
      new JsonObject().put("token", token).put("newPassword", NEW_PASSWORD)).status());
    assertHeldFor(email, Duration.ofHours(24));

    // Login, step-up, Activity and a password change all carry on during the hold.
    ApiClient owner = loggedIn(account, NEW_PASSWORD);
    JsonObject user = owner.get("/api/account").json();
    assertEquals(holdOf(email).toInstant(), Instant.parse(user.getString("securityHoldUntil")));
    stepUp(owner, account, NEW_PASSWORD);
    assertEquals(200, owner.get("/api/account/activity").status());
    Response changed = owner.post("/api/account/password",
      new JsonObject().put("currentPassword", NEW_PASSWORD).put("newPassword", PASSWORD));
    assertEquals(204, changed.status(), changed.toString());

    // New recovery codes wait, with a clear code and message.
    Response refused = owner.post("/api/2fa/recovery-codes", null);
    assertError(refused, 409, "security_hold");
    assertEquals(true, refused.json().getString("message").contains(holdOf(email).toInstant().toString()), refused.toString());

    endHold(email);
    assertNull(owner.get("/api/account").json().getString("securityHoldUntil"));
    stepUp(owner, account, PASSWORD);
    assertEquals(200, owner.post("/api/2fa/recovery-codes", null).status());
  }

  @Test
  void anAuthenticatorChangeHoldsAndThisWasntMeStillWorksAndHoldsAgain() throws Exception {
    Enrolled account = accounts.enrolled();
    String email = account.email();
    ApiClient phone = loggedIn(account, PASSWORD);
    Enrolled changed = changedApp(phone, account);
    assertHeldFor(email, changedAt, Duration.ofHours(24));
    stepUp(phone, changed, PASSWORD);
    assertError(phone.post("/api/2fa/recovery-codes", null), 409, "security_hold");

    // An hour on, the owner's "This wasn't me" from the change's mail is not held, and holds a day from then.
    MimeMessage notice = mail(email, 3);
    assertEquals("[cryptact] Your authentication app was changed", notice.getSubject());
    server.clock().advance(Duration.ofHours(1));
    try {
      Response secured = server.newClient().post("/api/secure-account",
        new JsonObject().put("token", MailCatcher.linkToken(notice, "/secure-account")));
      assertEquals(204, secured.status(), secured.toString());
      assertHeldFor(email, Duration.ofHours(24));
      assertError(phone.get("/api/account"), 401, "unauthenticated");
    } finally {
      server.clock().set(TestServer.START);
    }
  }

  @Test
  void theSupportDeskWaitsOutAHoldUnlessANoteOverridesItAndItsResetHoldsTwoDays() throws Exception {
    Enrolled held = accounts.enrolled();
    changedApp(loggedIn(held, PASSWORD), held);
    Enrolled plain = accounts.enrolled();
    String staffEmail = TestAccounts.uniqueEmail();
    ApiClient staff = accounts.signedUp(staffEmail);
    Enrolled staffAccount = accounts.enrolled(staff, staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);
    stepUp(staff, staffAccount, PASSWORD);
    JsonObject disable = new JsonObject().put("reason", "Lost phone and printed codes").put("verification", "Video call matched ID");

    assertError(staff.post("/api/support/users/disable-2fa", disable.copy().put("email", held.email())), 409, "security_hold");
    assertEquals(true, accounts.pendingLogin(held.email()) != null, "2FA still on");
    Response overridden = staff.post("/api/support/users/disable-2fa",
      disable.copy().put("email", held.email()).put("override", "Owner called from the number on file"));
    assertEquals(200, overridden.status(), overridden.toString());
    assertHeldFor(held.email(), Duration.ofHours(48));

    Response reset = staff.post("/api/support/users/disable-2fa", disable.copy().put("email", plain.email()));
    assertEquals(200, reset.status(), reset.toString());
    assertHeldFor(plain.email(), Duration.ofHours(48));
    // The account's owner logs in with the password alone, and a step-up still works during the hold.
    ApiClient owner = server.newClient();
    assertEquals("authenticated", owner.post("/api/login", credentials(plain.email(), PASSWORD)).json().getString("state"));
    accounts.stepUp(owner);
  }
}
