package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestAccounts.uniqueEmail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The CSRF token is bound to the session cookie it was issued with: a token (cookie and header both) taken from
 * another session is refused, and the token changes whenever the session does (login, logout, a renewed session).
 */
class CsrfSessionBindingTest {
  private static final String XSRF = "XSRF-TOKEN";
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aTokenFromAnotherSessionIsRefused() {
    ApiClient attacker = accounts.signedUp(uniqueEmail());
    String attackersToken = attacker.cookie(XSRF);
    assertNotNull(attackersToken);
    ApiClient victim = accounts.signedUp(uniqueEmail());
    // The attacker planted its own token as the victim's cookie (a sibling subdomain can) and sends it as the header.
    assertError(postWith(victim, attackersToken, "/api/logout", ""), 403, "csrf");
    assertEquals(200, victim.get("/api/account").status(), "the victim is still logged in");
  }

  @Test
  void anAnonymousTokenIsRefusedOnceLoggedIn() {
    String email = uniqueEmail();
    accounts.signedUp(email);
    ApiClient browser = server.newClient();
    String anonymous = browser.xsrfToken();
    Response login = browser.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    String loggedIn = browser.cookie(XSRF);
    assertNotEquals(anonymous, loggedIn, "login hands out a token for the new session");
    assertError(postWith(browser, anonymous, "/api/logout", ""), 403, "csrf");
    assertEquals(204, browser.postRaw("/api/logout", "", loggedIn).status());
    String loggedOut = browser.cookie(XSRF);
    assertNotEquals(loggedIn, loggedOut, "logout hands out a token for no session");
    assertError(postWith(browser, loggedIn, "/api/login", credentials(email, PASSWORD).encode()), 403, "csrf");
  }

  @Test
  void aRenewedSessionGetsANewTokenAndTheOldOneStops() {
    ApiClient browser = accounts.signedUp(uniqueEmail());
    String before = browser.cookie(XSRF);
    accounts.stepUp(browser);
    assertEquals(before, browser.cookie(XSRF), "a write that keeps the session keeps its token");
    Response changed = browser.post("/api/account/password", new JsonObject().put("currentPassword", PASSWORD)
      .put("newPassword", "another long passphrase 42"));
    assertEquals(204, changed.status(), changed.toString());
    String after = browser.cookie(XSRF);
    assertNotEquals(before, after, "a new session id comes with a new token");
    assertError(postWith(browser, before, "/api/step-up",
      new JsonObject().put("password", "another long passphrase 42").encode()), 403, "csrf");
  }

  /** A write with this browser's session cookie (if any) and {@code token} as both CSRF cookie and header. */
  private static Response postWith(ApiClient browser, String token, String path, String body) {
    String session = browser.cookie("twofa.session");
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
      .header("Cookie", XSRF + "=" + token + (session == null ? "" : "; twofa.session=" + session))
      .header("X-XSRF-TOKEN", token).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
