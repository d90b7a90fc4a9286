package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who may turn 2FA on or change the authenticator (a session that proved its password within the step-up
 * window, a completed login counting as that proof), and the lost-phone path in one pass: the new app's code is
 * checked against its own replay floor, so its current code works at once. The clock is never moved on before a
 * code is typed here: that is what hid the replay-floor bug.
 */
class StepUpRulesTest {
  /** Past TWOFA_STEP_UP_MINUTES (10), within the idle timeout (30). */
  private static final Duration PAST_STEP_UP = Duration.ofMinutes(11);

  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aStolenSessionCannotTurnOn2faWithoutThePassword() {
    String email = TestAccounts.uniqueEmail();
    ApiClient session = accounts.signedUp(email);
    server.clock().advance(PAST_STEP_UP);   // only the cookie is left: nobody typed the password lately

    assertError(session.post("/api/2fa/setup", null), 403, "step_up_required");
    assertError(session.post("/api/2fa/enable", code("123456")), 409, "no_pending_setup");
    assertEquals(false, session.get("/api/account").json().getBoolean("twoFactorEnabled"));

    accounts.stepUp(session);
    String secret = session.post("/api/2fa/setup", null).json().getString("secret");
    Response enabled = session.post("/api/2fa/enable", code(Totp.code(secret, server.clock().instant())));
    assertEquals(200, enabled.status(), enabled.toString());
  }

  @Test
  void onlyTheSessionThatWasGivenTheKeyMayTurn2faOnWithIt() {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    ApiClient stranger = server.newClient();
    assertEquals(200, stranger.post("/api/login", TestAccounts.credentials(email, PASSWORD)).status());
    String secret = owner.post("/api/2fa/setup", null).json().getString("secret");
    assertError(stranger.post("/api/2fa/enable", code(Totp.code(secret, server.clock().instant()))), 409,
      "no_pending_setup");
  }

  @Test
  void aCompletedLoginCountsAsAStepUpForItsWindow() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    assertEquals(200, browser.post("/api/2fa/recovery-codes", null).status(), "just logged in: nothing asked twice");
    server.clock().advance(PAST_STEP_UP);
    assertError(browser.post("/api/2fa/recovery-codes", null), 403, "step_up_required");
    assertError(browser.post("/api/2fa/change/start", null), 403, "step_up_required");
  }

  @Test
  void afterARecoveryCodeLoginANewAuthenticatorIsSetUpInOnePass() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    Response login = browser.post("/api/login/recovery", code(account.recoveryCodes().get(0)));
    assertEquals(200, login.status(), login.toString());

    Response start = browser.post("/api/2fa/change/start", null);
    assertEquals(200, start.status(), "no step-up with the phone just lost: " + start);
    String newSecret = start.json().getString("secret");
    Response changed = browser.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant())));
    assertEquals(200, changed.status(), "the new app's current code, at once: " + changed);
    // The new app started a security hold (SecurityHoldTest): new codes wait for its end, and then ask nothing more.
    assertEquals("security_hold", browser.post("/api/2fa/recovery-codes", null).error());
    server.query("UPDATE users SET security_hold_until = NULL WHERE email = $1", account.email());
    Response codes = browser.post("/api/2fa/recovery-codes", null);
    assertEquals(200, codes.status(), "new recovery codes, still nothing asked: " + codes);
    assertEquals(0, server.query("SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id "
      + "WHERE u.email = $1 AND s.epoch <> u.session_epoch", account.email()).size());
  }

  @Test
  void aNewAuthenticatorsCurrentCodeIsAcceptedRightAfterAStepUpWithTheOldOne() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    server.clock().advance(PAST_STEP_UP);
    Response stepUp = browser.post("/api/step-up",
      new JsonObject().put("password", PASSWORD).put("code", accounts.currentCode(account)));
    assertEquals(204, stepUp.status(), stepUp.toString());

    String newSecret = browser.post("/api/2fa/change/start", null).json().getString("secret");
    Response changed = browser.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant())));
    assertEquals(200, changed.status(), "the old app's floor is not the new app's: " + changed);
    assertError(browser.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant()))), 409,
      "no_pending_setup");
    assertError(accounts.pendingLogin(account.email()).post("/api/login/totp",
      code(Totp.code(newSecret, server.clock().instant()))), 401, "invalid_code");
  }

  @Test
  void thePasswordFormsCurrentPasswordIsTheProofOfAPasswordChange() {
    String email = TestAccounts.uniqueEmail();
    ApiClient session = accounts.signedUp(email);
    server.clock().advance(PAST_STEP_UP);
    assertError(session.post("/api/account/password", change("not-the-password-at-all", "copper-lantern-meadow-4412")),
      401, "invalid_credentials");
    Response changed = session.post("/api/account/password", change(PASSWORD, "copper-lantern-meadow-4412"));
    assertEquals(204, changed.status(), "the current password typed on the form is the step-up: " + changed);

    // With 2FA on, the form's password is the password part only: an old session still owes a second factor.
    Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    server.clock().advance(PAST_STEP_UP);
    assertError(browser.post("/api/account/password", change(PASSWORD, "copper-lantern-meadow-4412")), 403,
      "step_up_required");
  }

  private static JsonObject change(String current, String next) {
    return new JsonObject().put("currentPassword", current).put("newPassword", next);
  }
}
