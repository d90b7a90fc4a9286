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

/**
 * A write from another site's page is refused however it is sent: with the victim's cookies and even the right
 * CSRF token, a cross-site Origin or Sec-Fetch-Site gets 403 and changes nothing; a write that is not JSON gets
 * 415, body or none, so no HTML form can post.
 */
class BrowserWritesTest {
  private static final String PUBLIC_URL = "http://login.example.com:8080";
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_PUBLIC_URL", PUBLIC_URL);
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aWriteFromAnotherSitesPageIsRefusedAndChangesNothing() {
    String email = uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    for (String[] headers : new String[][] {
      {"Origin", "https://evil.example"},
      {"Origin", "null"},
      {"Origin", "http://login.example.com:8080.evil.example"},
      {"Origin", "http://login.example.com"},
      {"Sec-Fetch-Site", "cross-site"},
      {"Sec-Fetch-Site", "same-site"},
      {"Origin", PUBLIC_URL, "Sec-Fetch-Site", "cross-site"}}) {
      owner.extraHeaders(headers);
      assertError(owner.post("/api/account/password", new JsonObject().put("currentPassword", PASSWORD)
        .put("newPassword", "another long passphrase 42")), 403, "cross_site");
      assertError(owner.post("/api/logout", null), 403, "cross_site");
    }
    owner.extraHeaders();
    assertEquals(200, owner.get("/api/account").status(), "still logged in");
    assertError(server.newClient().post("/api/login", credentials(email, "another long passphrase 42")),
      401, "invalid_credentials");
  }

  @Test
  void aWriteFromTheSitesOwnPageOrFromAProgramPasses() {
    String email = uniqueEmail();
    accounts.signedUp(email);
    URI base = URI.create(server.baseUrl());
    for (String[] headers : new String[][] {
      {"Origin", PUBLIC_URL, "Sec-Fetch-Site", "same-origin"},
      {"Origin", base.getScheme() + "://" + base.getRawAuthority(), "Sec-Fetch-Site", "same-origin"},
      {"Origin", "HTTP://LOGIN.EXAMPLE.COM:8080"},
      {}}) {
      Response login = server.newClient().extraHeaders(headers).post("/api/login", credentials(email, PASSWORD));
      assertEquals(200, login.status(), String.join(" ", headers) + " -> " + login);
    }
  }

  @Test
  void aWriteThatIsNotJsonIsUnsupportedBodyOrNone() throws Exception {
    ApiClient client = server.newClient();
    String token = client.xsrfToken();
    HttpClient http = HttpClient.newHttpClient();
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
      for (String body : new String[] {"", "email=a%40example.com&password=x"}) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/logout"))
          .header("Cookie", "XSRF-TOKEN=" + token).header("X-XSRF-TOKEN", token).header("Content-Type", type)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(415, response.statusCode(), type + " " + body + " -> " + response.body());
        assertEquals("unsupported_media_type", new JsonObject(response.body()).getString("error"));
      }
    }
  }
}
