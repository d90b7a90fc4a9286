package dev.twofa.mail;

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

import java.util.List;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One mail per security event, with no code, secret or password in it; unverified addresses get those that guard the account. */
class SecurityNoticesTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  /** Signs up and opens the verification link; the sign-up mail is mail number 1. */
  private ApiClient verified(String email) throws Exception {
    ApiClient browser = accounts.signedUp(email);
    String token = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
    assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", token)).status());
    return browser;
  }

  /** Waits for mail number {@code n} and checks that exactly {@code n} arrived; returns it. */
  private static MimeMessage mailNumber(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    MimeMessage mail = mails.get(n - 1);
    assertEquals("[cryptact] " + subject, mail.getSubject());
    return mail;
  }

  /** Waits for mail number {@code n} (with its subject) and returns mail number {@code earlier}, checking its subject. */
  private static MimeMessage mailNumber(String email, int n, String subject, int earlier, String earlierSubject)
    throws Exception {
    mailNumber(email, n, subject);
    MimeMessage mail = MAIL.mailsTo(email, n).get(earlier - 1);
    assertEquals("[cryptact] " + earlierSubject, mail.getSubject());
    return mail;
  }

  @Test
  void everySecurityChangeMailsAVerifiedOwnerOnce() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = verified(email);

    Enrolled account = accounts.enrolled(browser, email);
    MimeMessage enabled = mailNumber(email, 2, "Two-factor authentication was turned on");
    String body = MailCatcher.body(enabled);
    assertTrue(body.contains("127.0.0.1") && body.contains("Unknown browser on Linux"), body);
    assertFalse(body.contains(account.secret()) || body.contains(PASSWORD), body);
    assertTrue(account.recoveryCodes().stream().noneMatch(body::contains), body);

    accounts.stepUp(browser, account);
    Response regenerated = browser.post("/api/2fa/recovery-codes", null);
    assertEquals(200, regenerated.status(), regenerated.toString());
    MimeMessage newCodes = mailNumber(email, 3, "New recovery codes were generated");
    String recoveryCode = regenerated.json().getJsonArray("recoveryCodes").getString(0);
    assertFalse(MailCatcher.body(newCodes).contains(recoveryCode));

    // Still within the step-up above: a new authenticator app.
    String newSecret = browser.post("/api/2fa/change/start", null).json().getString("secret");
    Response switched = browser.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant())));
    assertEquals(200, switched.status(), switched.toString());
    assertFalse(MailCatcher.body(mailNumber(email, 4, "Your authentication app was changed")).contains(newSecret));

    accounts.nextStep();
    Response confirmed = browser.post("/api/step-up", new JsonObject().put("password", PASSWORD)
      .put("code", Totp.code(newSecret, server.clock().instant())));
    assertEquals(204, confirmed.status(), confirmed.toString());
    Response changed = browser.post("/api/account/password", new JsonObject()
      .put("currentPassword", PASSWORD).put("newPassword", PASSWORD + "-renewed"));
    assertEquals(204, changed.status(), changed.toString());
    MimeMessage password = mailNumber(email, 5, "Your password was changed");
    assertFalse(MailCatcher.body(password).contains(PASSWORD));

    ApiClient phone = server.newClient();
    assertEquals(200, phone.post("/api/login", TestAccounts.credentials(email, PASSWORD + "-renewed")).status());
    Response recovered = phone.post("/api/login/recovery", code(recoveryCode));
    assertEquals(200, recovered.status(), recovered.toString());
    // The phone is a browser this account has not seen: that login is news of its own (SignInNoticesTest),
    // written in the same commit, right after the recovery code's mail, so the two may arrive together.
    MimeMessage used = mailNumber(email, 7, "New login to your account", 6, "A recovery code was used to log in");
    assertTrue(MailCatcher.body(used).contains("7 recovery codes are left"), MailCatcher.body(used));
    assertFalse(MailCatcher.body(used).contains(recoveryCode));

    String staffEmail = TestAccounts.uniqueEmail();
    ApiClient staff = accounts.signedUp(staffEmail);
    Enrolled staffAccount = accounts.enrolled(staff, staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);
    accounts.stepUp(staff, staffAccount);
    endHold(email);
    Response disabled = staff.post("/api/support/users/disable-2fa", new JsonObject().put("email", email)
      .put("reason", "Lost phone").put("verification", "Video call matched ID"));
    assertEquals(200, disabled.status(), disabled.toString());
    String support = MailCatcher.body(mailNumber(email, 8, "The support desk turned off two-factor authentication"));
    assertFalse(support.contains("Video call") || support.contains(staffEmail), support);

    // Nothing more arrives: one mail per event.
    assertEquals(8, MAIL.mailsTo(email).size());
    // The staff member never verified: their own 2FA change still reached them, after the sign-up link.
    assertEquals(2, MAIL.mailsTo(staffEmail, 2).size());
  }

  /**
   * An unproven address is still the account's only channel: whoever reads it is told when 2FA, the authenticator
   * or the password changes and when someone asks support to turn 2FA off (with the link that cancels it), each
   * with its "This wasn't me" link. Mails about routine use (new recovery codes, sign-ins) wait for verification.
   */
  @Test
  void anUnverifiedOwnerIsToldOfEveryChangeThatGuardsTheAccount() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    Enrolled account = accounts.enrolled(browser, email);
    String enabled = MailCatcher.body(mailNumber(email, 2, "Two-factor authentication was turned on"));
    assertTrue(enabled.contains("/secure-account?token="), enabled);

    accounts.stepUp(browser, account);
    assertEquals(200, browser.post("/api/2fa/recovery-codes", null).status());
    assertEquals(0, written(email, "recovery_codes.regenerated"), "routine: verified addresses only");
    String newSecret = browser.post("/api/2fa/change/start", null).json().getString("secret");
    Response switched = browser.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant())));
    assertEquals(200, switched.status(), switched.toString());
    mailNumber(email, 3, "Your authentication app was changed");

    ApiClient stranger = accounts.pendingLogin(email);
    Response asked = stranger.post("/api/support/requests", new JsonObject().put("reason", "lost_phone")
      .put("contact", "line: @someone"));
    assertEquals(201, asked.status(), asked.toString());
    MimeMessage request = mailNumber(email, 4, "A request to turn off 2FA was made");
    String cancel = MailCatcher.linkToken(request, "/support/cancel");
    assertEquals(204, server.newClient().post("/api/support/requests/cancel", new JsonObject().put("token", cancel)).status());

    accounts.nextStep();
    Response confirmed = browser.post("/api/step-up", new JsonObject().put("password", PASSWORD)
      .put("code", Totp.code(newSecret, server.clock().instant())));
    assertEquals(204, confirmed.status(), confirmed.toString());
    Response changed = browser.post("/api/account/password", new JsonObject()
      .put("currentPassword", PASSWORD).put("newPassword", PASSWORD + "-renewed"));
    assertEquals(204, changed.status(), changed.toString());
    mailNumber(email, 5, "Your password was changed");

    TestAccounts.Staff staff = accounts.steppedUpStaff();
    endHold(email);
    Response disabled = staff.client().post("/api/support/users/disable-2fa", new JsonObject().put("email", email)
      .put("reason", "Lost phone").put("verification", "Video call matched ID"));
    assertEquals(200, disabled.status(), disabled.toString());
    mailNumber(email, 6, "The support desk turned off two-factor authentication");
    assertEquals(6, MAIL.mailsTo(email).size());
  }

  /** Ends the hold the authenticator change started (its rules are SecurityHoldTest's, not this test's). */
  private static void endHold(String email) {
    server.query("UPDATE users SET security_hold_until = NULL WHERE email = $1", email);
  }

  private static int written(String email, String kind) {
    return server.query("""
        SELECT count(*)::int AS n FROM mail_outbox o JOIN users u ON u.id = o.user_id WHERE u.email = $1 AND o.kind = $2
        """, email, kind).get(0).getInteger("n");
  }
}
