package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;

import static dev.twofa.support.ApiAssertions.assertError;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint's refusals: malformed, oversized, missing, forged or out-of-turn requests get a 4xx and a code. */
class ApiErrorsTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  private static final List<String> POST_ENDPOINTS = List.of("/api/signup", "/api/login", "/api/login/totp",
    "/api/login/recovery", "/api/account/password", "/api/2fa/enable", "/api/2fa/change/confirm", "/api/step-up",
    "/api/account/sessions/revoke", "/api/support/users/disable-2fa");

  @ParameterizedTest
  @ValueSource(strings = {"{", "[]", "\"text\"", "{\"email\": 5, \"password\": \"x\", \"code\": 5}", "{}", "null",
    "{\"email\":\"a@b.co\",\"password\":\"x\",\"code\":\"1\",\"currentPassword\":\"x\",\"newPassword\":\"y\",\"extra\":1}"})
  void malformedBodiesAreInvalidRequests(String body) {
    ApiClient client = server.newClient();
    for (String path : POST_ENDPOINTS) {
      Response response = client.postRaw(path, body, client.xsrfToken());
      assertEquals(400, response.status(), path + " " + body + " -> " + response);
      assertEquals("invalid_request", response.error());
      assertNotNull(response.json().getString("message"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\\u0000b@example.com", "a@exam\\u0007ple.com", "\\ud800@example.com", "a@example.com\u0085",
    "a@example.com\\u0085", "\\udc00x@example.com"})
  void controlCharactersAndLoneSurrogatesAreInvalidRequestsNeverA500(String email) {
    ApiClient client = server.newClient();
    String json = "{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\"}";
    assertError(client.postRaw("/api/login", json, client.xsrfToken()), 400, "invalid_request");
    assertError(client.postRaw("/api/signup", json, client.xsrfToken()), 400, "invalid_request");
    assertError(client.get("/api/support/users?email=a%00b%40example.com"), 400, "invalid_request");
  }

  @Test
  void headAnswersWhereverGetDoes() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String path : List.of("/", "/login", "/account", "/js/app.js", "/api/session")) {
      var head = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + path))
        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode(), "HEAD " + path);
      assertEquals("", head.body(), "no body for HEAD " + path);
    }
  }

  @Test
  void emailsAreOneAccountWhateverTheUnicodeNormalFormOrCase() {
    String nfd = "jose\u0301." + java.util.UUID.randomUUID().toString().substring(0, 6) + "@EXAMPLE.com";
    assertEquals(201, server.newClient().post("/api/signup", credentials(nfd, PASSWORD)).status());
    String nfc = java.text.Normalizer.normalize(nfd, java.text.Normalizer.Form.NFC).toLowerCase(java.util.Locale.ROOT);
    assertEquals(200, server.newClient().post("/api/login", credentials(nfc, PASSWORD)).status());
    assertError(server.newClient().post("/api/signup", credentials(nfc, PASSWORD)), 409, "email_taken");
  }

  @Test
  void oversizedBodiesAreRefusedWith413() {
    ApiClient client = server.newClient();
    String huge = new JsonObject().put("email", "a@example.com").put("password", "x".repeat(20_000)).encode();
    Response response = client.postRaw("/api/login", huge, client.xsrfToken());
    assertEquals(413, response.status());
    assertEquals("payload_too_large", response.error());
  }

  @Test
  void writesWithoutTheMatchingCsrfHeaderAreRefused() {
    ApiClient client = server.newClient();
    String body = credentials("a@example.com", PASSWORD).encode();
    Response missing = client.postRaw("/api/login", body, null);
    assertEquals(403, missing.status());
    assertEquals("csrf", missing.error());
    Response wrong = client.postRaw("/api/login", body, client.xsrfToken() + "x");
    assertEquals(403, wrong.status());
    assertEquals("csrf", wrong.error());
    ApiClient other = server.newClient();
    Response foreign = client.postRaw("/api/login", body, other.xsrfToken());
    assertEquals(403, foreign.status(), "another browser's token does not match this cookie");
    assertEquals(401, client.postRaw("/api/login", body, client.xsrfToken()).status(), "the right token passes CSRF");
  }

  @Test
  void parallelRequestsOfOneBrowserAllPassCsrf() throws Exception {
    ApiClient client = server.newClient();
    var futures = java.util.stream.IntStream.range(0, 4)
      .mapToObj(i -> client.postAsync("/api/login", credentials("nobody" + i + "@example.com", PASSWORD))).toList();
    for (var f : futures) {
      assertEquals(401, f.get().status(), f.get().toString());
    }
  }

  @Test
  void apiAnswersAreNotCachedAndEveryAnswerCarriesSecurityHeaders() {
    ApiClient client = server.newClient();
    for (Response response : List.of(client.get("/api/session"), client.get("/"), client.get("/api/nope"),
      client.post("/api/login", credentials("x@example.com", "y")))) {
      String csp = response.header("Content-Security-Policy");
      assertNotNull(csp, response.toString());
      assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"));
      assertTrue(csp.contains("frame-ancestors 'none'"));
      assertEquals("nosniff", response.header("X-Content-Type-Options"));
      assertEquals("no-referrer", response.header("Referrer-Policy"));
    }
    assertEquals("no-store", client.get("/api/session").header("Cache-Control"));
    assertEquals("no-store", client.post("/api/login", credentials("x@example.com", "y")).header("Cache-Control"));
    Response unknown = client.get("/api/nope");
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.error());
  }

  @Test
  void sessionCookieIsHttpOnlyAndLaxAndTheCsrfCookieIsReadable() {
    ApiClient client = server.newClient();
    // A read hands out the CSRF token; a write that keeps the session keeps it (parallel writes must not void each
    // other's), and one that sets a new session cookie hands out a token bound to it.
    String xsrf = client.get("/api/session").headers().allValues("set-cookie").stream()
      .filter(c -> c.startsWith("XSRF-TOKEN=")).findFirst().orElseThrow();
    assertFalse(xsrf.contains("HTTPOnly"), "the SPA must read the CSRF cookie: " + xsrf);
    Response signup = client.post("/api/signup", credentials(TestAccounts.uniqueEmail(), PASSWORD));
    List<String> cookies = signup.headers().allValues("set-cookie");
    String sessionCookie = cookies.stream().filter(c -> c.startsWith("twofa.session=")).findFirst().orElseThrow();
    assertTrue(sessionCookie.contains("HTTPOnly") && sessionCookie.contains("SameSite=Lax"), sessionCookie);
    assertTrue(cookies.stream().anyMatch(c -> c.startsWith("XSRF-TOKEN=") && !c.contains("HTTPOnly")), cookies.toString());
    List<String> kept = client.post("/api/email/verification", null).headers().allValues("set-cookie");
    assertTrue(kept.stream().noneMatch(c -> c.startsWith("XSRF-TOKEN=")), kept.toString());
  }

  @Test
  void signupRefusals() {
    ApiClient client = server.newClient();
    assertError(client.post("/api/signup", credentials("not-an-email", PASSWORD)), 400, "invalid_email");
    assertError(client.post("/api/signup", credentials("a@b", PASSWORD)), 400, "invalid_email");
    assertError(client.post("/api/signup", credentials(TestAccounts.uniqueEmail(), "short")), 400, "weak_password");
    assertError(client.post("/api/signup", credentials(TestAccounts.uniqueEmail(), "password123")), 400, "weak_password");
    assertError(client.post("/api/signup", credentials(TestAccounts.uniqueEmail(), "x".repeat(300))), 400, "weak_password");
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, server.newClient().post("/api/signup", credentials(email, PASSWORD)).status());
    assertError(server.newClient().post("/api/signup", credentials(email.toUpperCase(), PASSWORD)), 409, "email_taken");
  }

  @ParameterizedTest
  @ValueSource(strings = {"c>,<evil@evil.example", "g;h@x.test", "i@[127.0.0.1]", "\"q\"@x.test", "z\u200b@x.test"})
  void addressesNoMailServerDeliversToAreRefused(String email) {
    assertError(server.newClient().post("/api/signup", credentials(email, PASSWORD)), 400, "invalid_email");
    assertError(server.newClient().post("/api/password-reset", new JsonObject().put("email", email)), 400, "invalid_email");
  }

  @Test
  void unknownEmailAndWrongPasswordGetTheSameAnswer() {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    Response wrongPassword = server.newClient().post("/api/login", credentials(email, "not-the-password-1"));
    Response unknown = server.newClient().post("/api/login", credentials("nobody-" + email, "not-the-password-1"));
    assertEquals(401, wrongPassword.status());
    assertEquals(wrongPassword.text(), unknown.text());
    assertEquals(wrongPassword.status(), unknown.status());
  }

  @Test
  void anonymousAndPendingSessionsAreRefusedByEveryProtectedEndpoint() {
    TestAccounts.Enrolled account = accounts.enrolled();
    ApiClient anonymous = server.newClient();
    ApiClient pending = accounts.pendingLogin(account.email());
    for (ApiClient client : List.of(anonymous, pending)) {
      assertError(client.get("/api/account"), 401, "unauthenticated");
      assertError(client.get("/api/account/activity"), 401, "unauthenticated");
      assertError(client.post("/api/account/password",
        new JsonObject().put("currentPassword", PASSWORD).put("newPassword", "new-harbor-plum-2031")), 401, "unauthenticated");
      assertError(client.post("/api/2fa/setup", null), 401, "unauthenticated");
      assertError(client.post("/api/2fa/enable", code("123456")), 401, "unauthenticated");
      assertError(client.post("/api/2fa/recovery-codes", null), 401, "unauthenticated");
      assertError(client.post("/api/2fa/change/start", null), 401, "unauthenticated");
      assertError(client.post("/api/2fa/change/confirm", code("123456")), 401, "unauthenticated");
      assertError(client.post("/api/step-up", new JsonObject().put("password", PASSWORD)), 401, "unauthenticated");
      assertError(client.get("/api/account/sessions"), 401, "unauthenticated");
    }
    assertEquals("pending_2fa", pending.get("/api/session").json().getString("state"), "refusals keep the pending login");
  }

  @Test
  void secondStepsWithoutAPendingLoginAreConflicts() {
    ApiClient anonymous = server.newClient();
    assertError(anonymous.post("/api/login/totp", code("123456")), 409, "no_pending_login");
    assertError(anonymous.post("/api/login/recovery", code("abcde23456")), 409, "no_pending_login");
    ApiClient signedIn = accounts.signedUp(TestAccounts.uniqueEmail());
    assertError(signedIn.post("/api/login/totp", code("123456")), 409, "no_pending_login");
  }

  @Test
  void enrollmentRefusals() {
    String email = TestAccounts.uniqueEmail();
    ApiClient elsewhere = accounts.signedUp(email);
    ApiClient client = server.newClient();
    assertEquals(200, client.post("/api/login", credentials(email, PASSWORD)).status());
    assertError(client.post("/api/2fa/enable", code("123456")), 409, "no_pending_setup");
    accounts.stepUp(client);
    assertError(client.post("/api/2fa/recovery-codes", null), 409, "not_enabled");
    String first = elsewhere.post("/api/2fa/setup", null).json().getString("secret");
    String second = client.post("/api/2fa/setup", null).json().getString("secret");
    assertFalse(first.equals(second), "setup in another session replaces the pending secret");
    assertEquals(second, client.post("/api/2fa/setup", null).json().getString("secret"), "a reload shows the same key");
    server.clock().advance(java.time.Duration.ofMinutes(16));
    accounts.stepUp(client);   // the key is handed only to a session that proved its password lately
    String third = client.post("/api/2fa/setup", null).json().getString("secret");
    assertFalse(third.equals(second), "after 15 minutes a new key");
    second = third;
    Response stale = client.post("/api/2fa/enable", code(dev.twofa.support.Totp.code(first, server.clock().instant())));
    assertError(stale, 401, "invalid_code");
    Response ok = client.post("/api/2fa/enable", code(dev.twofa.support.Totp.code(second, server.clock().instant())));
    assertEquals(200, ok.status(), ok.toString());
    assertError(client.post("/api/2fa/enable", code("123456")), 409, "already_enabled");
    assertError(client.post("/api/2fa/setup", null), 409, "already_enabled");
  }

  @Test
  void activityQueryIsValidated() {
    ApiClient client = accounts.signedUp(TestAccounts.uniqueEmail());
    assertError(client.get("/api/account/activity?limit=0"), 400, "invalid_request");
    assertError(client.get("/api/account/activity?limit=201"), 400, "invalid_request");
    assertError(client.get("/api/account/activity?limit=abc"), 400, "invalid_request");
    assertError(client.get("/api/account/activity?before=-1"), 400, "invalid_request");
    assertError(client.get("/api/account/activity?before=99999999999999999999"), 400, "invalid_request");
    assertEquals(200, client.get("/api/account/activity?limit=200").status());
  }

  /** A number is read only as the plain integer it was validated as: other spellings are refused, signed in or not. */
  @ParameterizedTest
  @ValueSource(strings = {"1e1", "5.0", "10.", "-0", "0x10", "1E1", "5.5", "00000000000000000000000005",
    "9999999999999999999999", "NaN", "Infinity", "1_0", "\u0665"})
  void activityLimitInAnyOtherFormIsA400NeverA500(String limit) {
    String query = "/api/account/activity?limit=" + limit;
    assertError(server.newClient().get(query), 400, "invalid_request");
    assertError(accounts.signedUp(TestAccounts.uniqueEmail()).get(query), 400, "invalid_request");
  }

  @Test
  void aLimitWithSpacesAroundItIsTheNumberItSays() {
    ApiClient client = accounts.signedUp(TestAccounts.uniqueEmail());
    for (String limit : List.of("+5", "%205", "5%20", "5")) {
      Response page = client.get("/api/account/activity?limit=" + limit);
      assertEquals(200, page.status(), limit + " -> " + page);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"status=OPEN", "status=open&status=done", "status=", "email=", "email=a%40b.co&email=c%40d.co"})
  void supportQueriesInAnyOtherFormAreA4xxNeverA500(String query) {
    ApiClient client = accounts.signedUp(TestAccounts.uniqueEmail());
    Response requests = client.get("/api/support/requests?" + query);
    Response users = client.get("/api/support/users?" + query);
    assertTrue(requests.status() >= 400 && requests.status() < 500, requests.toString());
    assertTrue(users.status() >= 400 && users.status() < 500, users.toString());
  }

  @Test
  void logoutWithoutASessionIsStillNoContent() {
    assertEquals(204, server.newClient().post("/api/logout", null).status());
  }
}
