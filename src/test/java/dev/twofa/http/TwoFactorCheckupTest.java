package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 2FA check-up: due 28 days after the app was added, taken with a current code or put off, then 28 days again. */
class TwoFactorCheckupTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void dueAfterTwentyEightDaysTakenWithACurrentCodeOrPutOffAndAskedAgainTwentyEightDaysLater() {
    Enrolled account = accounts.enrolled();
    server.clock().advance(Duration.ofDays(27));
    assertFalse(due(loggedIn(account)), "27 days after enabling");
    server.clock().advance(Duration.ofDays(1));
    ApiClient owner = loggedIn(account);
    assertTrue(due(owner), "28 days after enabling");

    accounts.nextStep();
    assertError(owner.post("/api/2fa/checkup", code("000000".equals(accounts.currentCode(account)) ? "111111" : "000000")),
      401, "invalid_code");
    assertTrue(due(owner), "a wrong code takes nothing");
    assertEquals(204, owner.post("/api/2fa/checkup", code(accounts.currentCode(account))).status());
    assertFalse(due(owner));
    assertError(owner.post("/api/2fa/checkup", code(accounts.currentCode(account))), 401, "invalid_code");

    server.clock().advance(Duration.ofDays(27));
    assertFalse(due(loggedIn(account)));
    server.clock().advance(Duration.ofDays(1));
    ApiClient later = loggedIn(account);
    assertTrue(due(later));
    assertEquals(204, later.post("/api/2fa/checkup/dismiss", null).status());
    assertFalse(due(later), "Not now");
    server.clock().advance(Duration.ofDays(28));
    assertTrue(due(loggedIn(account)), "asked again 28 days after Not now");
  }

  @Test
  void anAccountWithoutTwoFactorIsNeverAskedAndStrangersGetNothing() {
    String email = TestAccounts.uniqueEmail();
    ApiClient plain = accounts.signedUp(email);
    server.clock().advance(Duration.ofDays(60));
    assertFalse(due(accounts.signedUp(TestAccounts.uniqueEmail())));
    assertError(server.newClient().get("/api/2fa/checkup"), 401, "unauthenticated");
    assertError(server.newClient().post("/api/2fa/checkup/dismiss", null), 401, "unauthenticated");
  }

  private ApiClient loggedIn(Enrolled account) {
    accounts.nextStep();
    ApiClient client = accounts.pendingLogin(account.email());
    assertEquals(200, client.post("/api/login/totp", code(accounts.currentCode(account))).status());
    return client;
  }

  private static boolean due(ApiClient client) {
    ApiClient.Response answer = client.get("/api/2fa/checkup");
    assertEquals(200, answer.status(), answer.toString());
    return answer.json().getBoolean("due");
  }
}
