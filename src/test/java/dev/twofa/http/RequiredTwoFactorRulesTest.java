package dev.twofa.http;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TWOFA_REQUIRE_2FA's default, staff: only accounts with the support role are asked (and held past the grace
 * period), nobody else ever; and none changes nothing, even for an account that was held.
 */
class RequiredTwoFactorRulesTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  private static ApiClient loggedIn(String email) {
    ApiClient browser = server.newClient();
    Response login = browser.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    return browser;
  }

  @Test
  void staffByDefaultAndNoneChangesNothing() throws Exception {
    String user = TestAccounts.uniqueEmail();
    String staff = TestAccounts.uniqueEmail();
    ApiClient userBrowser = accounts.signedUp(user);
    ApiClient staffBrowser = accounts.signedUp(staff);
    SupportRoles.set(server.databaseUrl(), staff, true);
    assertEquals(false, userBrowser.get("/api/account/two-factor-requirement").json().getBoolean("required"));
    assertEquals(true, staffBrowser.get("/api/account/two-factor-requirement").json().getBoolean("required"));

    server.clock().advance(Duration.ofDays(15));
    assertEquals(200, loggedIn(user).get("/api/account").status(), "an account without the role is never held");
    assertError(loggedIn(staff).get("/api/account"), 403, "two_factor_required");

    server.restartWith("TWOFA_REQUIRE_2FA", "none");
    ApiClient again = loggedIn(staff);
    assertEquals(200, again.get("/api/account").status(), "none: nobody is held");
    assertEquals(false, again.get("/api/account/two-factor-requirement").json().getBoolean("required"));
  }
}
