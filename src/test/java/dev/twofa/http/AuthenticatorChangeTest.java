package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A new phone: the authenticator app changes only once the new one is proven, and enabling 2FA shuts strangers out. */
class AuthenticatorChangeTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void theOldAppWorksUntilTheNewOneIsConfirmedAndAHalfDoneChangeChangesNothing() {
    Enrolled account = accounts.enrolled();
    ApiClient phone = loggedIn(account);
    ApiClient other = loggedIn(account);
    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the login counts as
    assertError(phone.post("/api/2fa/change/start", null), 403, "step_up_required");
    accounts.stepUp(phone, account);
    String newSecret = phone.post("/api/2fa/change/start", null).json().getString("secret");
    assertNotEquals(account.secret(), newSecret);
    assertEquals(newSecret, phone.post("/api/2fa/change/start", null).json().getString("secret"), "same key on reload");
    assertError(other.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant()))), 409,
      "no_pending_setup");

    // Half done: the old app still logs in, the new one does not.
    accounts.nextStep();
    assertError(accounts.pendingLogin(account.email()).post("/api/login/totp",
      code(Totp.code(newSecret, server.clock().instant()))), 401, "invalid_code");
    assertEquals(200, loggedInStatus(account, accounts.currentCode(account)));

    accounts.nextStep();
    assertError(phone.post("/api/2fa/change/confirm", code(accounts.currentCode(account))), 401, "invalid_code");
    Response changed = phone.post("/api/2fa/change/confirm", code(Totp.code(newSecret, server.clock().instant())));
    assertEquals(200, changed.status(), changed.toString());
    assertEquals(8, changed.json().getJsonObject("user").getInteger("recoveryCodesRemaining"), "recovery codes stay");
    assertEquals(200, phone.get("/api/account").status(), "this session goes on");
    assertError(other.get("/api/account"), 401, "unauthenticated");

    accounts.nextStep();
    assertError(accounts.pendingLogin(account.email()).post("/api/login/totp", code(accounts.currentCode(account))),
      401, "invalid_code");
    assertEquals(200, loggedInStatus(account, Totp.code(newSecret, server.clock().instant())));
    assertEquals("2fa.changed", phone.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(e -> ((io.vertx.core.json.JsonObject) e).getString("type")).filter(t -> t.startsWith("2fa.")).findFirst().orElseThrow());
  }

  @Test
  void aPasswordOnlySessionEndsWhen2faIsEnabledElsewhere() {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    ApiClient stranger = server.newClient();
    assertEquals(200, stranger.post("/api/login", credentials(email, PASSWORD)).status());
    accounts.enrolled(owner, email);
    assertError(stranger.get("/api/account"), 401, "unauthenticated");
    assertError(stranger.post("/api/2fa/recovery-codes", null), 401, "unauthenticated");
    assertEquals(200, owner.get("/api/account").status());
  }

  private ApiClient loggedIn(Enrolled account) {
    ApiClient client = accounts.pendingLogin(account.email());
    assertEquals(200, client.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    return client;
  }

  private int loggedInStatus(Enrolled account, String code) {
    return accounts.pendingLogin(account.email()).post("/api/login/totp", code(code)).status();
  }
}
