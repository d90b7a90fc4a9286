package dev.twofa.support;

import dev.twofa.cli.SupportRoles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The steps most tests start from, done through the public API only. */
public final class TestAccounts {
  public static final String PASSWORD = "plum-violet-harbor-1987";
  private final TestServer server;

  public TestAccounts(TestServer server) {
    this.server = server;
  }

  public record Enrolled(String email, String secret, List<String> recoveryCodes) {
  }

  public static String uniqueEmail() {
    return "user-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  public static JsonObject credentials(String email, String password) {
    return new JsonObject().put("email", email).put("password", password);
  }

  public static JsonObject code(String code) {
    return new JsonObject().put("code", code);
  }

  public ApiClient signedUp(String email) {
    ApiClient client = server.newClient();
    ApiClient.Response signup = client.post("/api/signup", credentials(email, PASSWORD));
    assertEquals(201, signup.status(), signup.toString());
    return client;
  }

  /** Signs up, sets up and enables 2FA; the clock then moves to the next TOTP step so codes are fresh. */
  public Enrolled enrolled(ApiClient client, String email) {
    ApiClient.Response setup = client.post("/api/2fa/setup", null);
    assertEquals(200, setup.status(), setup.toString());
    String secret = setup.json().getString("secret");
    ApiClient.Response enable = client.post("/api/2fa/enable", code(Totp.code(secret, server.clock().instant())));
    assertEquals(200, enable.status(), enable.toString());
    JsonArray codes = enable.json().getJsonArray("recoveryCodes");
    nextStep();
    return new Enrolled(email, secret, codes.stream().map(Object::toString).toList());
  }

  public Enrolled enrolled() {
    String email = uniqueEmail();
    return enrolled(signedUp(email), email);
  }

  /** A new browser session that passed the password step of an account with 2FA. */
  public ApiClient pendingLogin(String email) {
    ApiClient client = server.newClient();
    ApiClient.Response login = client.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    assertEquals("pending_2fa", login.json().getString("state"));
    return client;
  }

  /** Confirms it's them on {@code client} (password only: the account has no 2FA). */
  public void stepUp(ApiClient client) {
    ApiClient.Response stepUp = client.post("/api/step-up", new JsonObject().put("password", PASSWORD));
    assertEquals(204, stepUp.status(), stepUp.toString());
  }

  /** Confirms it's them on {@code client} with the password and the app's current code (then moves to the next step). */
  public void stepUp(ApiClient client, Enrolled account) {
    ApiClient.Response stepUp = client.post("/api/step-up",
      new JsonObject().put("password", PASSWORD).put("code", currentCode(account)));
    assertEquals(204, stepUp.status(), stepUp.toString());
    nextStep();
  }

  /** A support staff member's browser: 2FA on, logged in with it, and just confirmed it's them. */
  public record Staff(ApiClient client, String email) {
  }

  public Staff steppedUpStaff() throws Exception {
    String email = uniqueEmail();
    ApiClient client = signedUp(email);
    Enrolled account = enrolled(client, email);
    SupportRoles.set(server.databaseUrl(), email, true);
    stepUp(client, account);
    return new Staff(client, email);
  }

  public String currentCode(Enrolled account) {
    return Totp.code(account.secret(), server.clock().instant());
  }

  public void nextStep() {
    server.clock().advance(Duration.ofSeconds(30));
  }
}
