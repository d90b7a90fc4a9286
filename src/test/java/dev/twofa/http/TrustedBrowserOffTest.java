package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** TWOFA_TRUSTED_BROWSER_DAYS=0: the code step offers no trust, and one asked for anyway is not kept. */
class TrustedBrowserOffTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_TRUSTED_BROWSER_DAYS", "0");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void zeroDaysTurnsTheOptionOff() {
    assertEquals(0, server.newClient().get("/api/config").json().getInteger("trustedBrowserDays"));
    Enrolled account = accounts.enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    Response step = browser.post("/api/login/totp", code(accounts.currentCode(account)).put("trustBrowser", true));
    assertEquals(200, step.status(), step.toString());
    accounts.nextStep();
    browser.post("/api/logout", null);
    Response again = browser.post("/api/login", credentials(account.email(), TestAccounts.PASSWORD));
    assertEquals("pending_2fa", again.json().getString("state"));
    assertEquals(0, server.query("SELECT 1 FROM trusted_browsers").size());
  }
}
