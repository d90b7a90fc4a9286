package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "Ask support to turn off 2FA" opened at the code step keeps the pending login for TWOFA_SUPPORT_FORM_MINUTES
 * from then (here 12, against a 5-minute code step), never shortens it, still counts wrong codes, and is there
 * only for a pending login.
 */
class SupportFormHoldTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_SUPPORT_FORM_MINUTES", "12");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void theFormKeepsThePendingLoginForItsOwnTime() {
    TestAccounts.Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    server.clock().advance(Duration.ofMinutes(4));

    ApiClient.Response held = browser.post("/api/login/support-form", null);
    assertEquals(200, held.status(), held.toString());
    JsonObject pending = held.json().getJsonObject("pending");
    assertEquals("pending_2fa", held.json().getString("state"));
    assertEquals(12 * 60, pending.getLong("secondsLeft"), held.toString());
    assertEquals(account.email(), pending.getString("email"));

    // Past the code step's own 5 minutes: still pending, and a request can still be sent.
    server.clock().advance(Duration.ofMinutes(10));
    assertEquals("pending_2fa", browser.get("/api/session").json().getString("state"));
    ApiClient.Response request = browser.post("/api/support/requests",
      new JsonObject().put("reason", "lost_phone").put("contact", "+81 90 0000 0000"));
    assertEquals(201, request.status(), request.toString());

    // Opening the form again never shortens the time, and the end still comes.
    ApiClient.Response again = browser.post("/api/login/support-form", null);
    assertEquals(12 * 60, again.json().getJsonObject("pending").getLong("secondsLeft"), again.toString());
    server.clock().advance(Duration.ofMinutes(12).plusSeconds(1));
    assertEquals("anonymous", browser.get("/api/session").json().getString("state"));
    assertError(browser.post("/api/login/support-form", null), 409, "no_pending_login");
  }

  @Test
  void wrongCodesStillCountWhileTheFormIsOpen() {
    TestAccounts.Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/support-form", null).status());
    String right = Totp.code(account.secret(), server.clock().instant());
    String wrong = right.equals("000000") ? "111111" : "000000";
    for (int i = 0; i < 5; i++) {
      browser.post("/api/login/totp", code(wrong));
    }
    assertEquals("anonymous", browser.get("/api/session").json().getString("state"));
    assertError(browser.post("/api/login/support-form", null), 409, "no_pending_login");
  }

  @Test
  void onlyAPendingLoginIsHeld() {
    assertError(server.newClient().post("/api/login/support-form", null), 409, "no_pending_login");
    ApiClient signedIn = accounts.signedUp(TestAccounts.uniqueEmail());
    assertError(signedIn.post("/api/login/support-form", null), 409, "no_pending_login");
  }
}
