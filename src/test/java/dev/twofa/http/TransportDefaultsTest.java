package dev.twofa.http;

import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestAccounts.uniqueEmail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TWOFA_PUBLIC_URL decides the cookies' names and flags and HSTS. The server itself speaks plain HTTP here, as it
 * does behind a TLS-terminating proxy, so the test reads Set-Cookie and sends Cookie by hand: java.net's
 * CookieManager, like a browser, would not send a Secure cookie back over http.
 */
class TransportDefaultsTest {
  private static final String HSTS = "max-age=31536000; includeSubDomains";
  @RegisterExtension
  static TestServer https = new TestServer().with("TWOFA_PUBLIC_URL", "https://example.test");
  @RegisterExtension
  static TestServer plain = new TestServer();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void anHttpsPublicUrlGivesHostPrefixedSecureCookiesAndHsts() throws Exception {
    HttpResponse<String> session = get(https, "/api/session");
    assertEquals(HSTS, session.headers().firstValue("Strict-Transport-Security").orElse(null));
    String xsrf = cookie(session, "__Host-XSRF-TOKEN");
    assertHostOnlySecure(xsrf);
    String token = value(xsrf);

    // The CSRF check reads the prefixed cookie, and only that one.
    HttpResponse<String> unprefixed = signup(https, "XSRF-TOKEN=" + token, token);
    assertEquals(403, unprefixed.statusCode(), unprefixed.body());
    HttpResponse<String> signup = signup(https, "__Host-XSRF-TOKEN=" + token, token);
    assertEquals(201, signup.statusCode(), signup.body());
    String sessionCookie = cookie(signup, "__Host-twofa.session");
    assertHostOnlySecure(sessionCookie);
    assertTrue(sessionCookie.toLowerCase(Locale.ROOT).contains("httponly"), sessionCookie);
    for (String setCookie : signup.headers().allValues("Set-Cookie")) {
      assertTrue(setCookie.startsWith("__Host-"), setCookie);
    }

    // Every answer asks for HSTS, not only the API's.
    for (String path : List.of("/", "/login", "/js/api.js", "/no-such-page")) {
      assertEquals(HSTS, get(https, path).headers().firstValue("Strict-Transport-Security").orElse(null), path);
    }
  }

  @Test
  void theDefaultPublicUrlGivesPlainCookiesAndNoHsts() throws Exception {
    HttpResponse<String> session = get(plain, "/api/session");
    assertFalse(session.headers().firstValue("Strict-Transport-Security").isPresent());
    String xsrf = cookie(session, "XSRF-TOKEN");
    assertFalse(xsrf.toLowerCase(Locale.ROOT).contains("secure"), xsrf);
    String token = value(xsrf);
    HttpResponse<String> signup = signup(plain, "XSRF-TOKEN=" + token, token);
    assertEquals(201, signup.statusCode(), signup.body());
    String sessionCookie = cookie(signup, "twofa.session");
    assertFalse(sessionCookie.toLowerCase(Locale.ROOT).contains("secure"), sessionCookie);
    assertFalse(signup.headers().firstValue("Strict-Transport-Security").isPresent());
  }

  private static void assertHostOnlySecure(String setCookie) {
    List<String> attributes = List.of(setCookie.toLowerCase(Locale.ROOT).split("\\s*;\\s*"));
    assertTrue(attributes.contains("secure"), setCookie);
    assertTrue(attributes.contains("path=/"), setCookie);
    assertTrue(attributes.stream().noneMatch(a -> a.startsWith("domain")), setCookie);
  }

  private static String cookie(HttpResponse<String> response, String name) {
    List<String> all = response.headers().allValues("Set-Cookie");
    return all.stream().filter(c -> c.startsWith(name + "=")).findFirst()
      .orElseThrow(() -> new AssertionError("no " + name + " in " + all));
  }

  private static String value(String setCookie) {
    String pair = setCookie.split(";", 2)[0];
    return pair.substring(pair.indexOf('=') + 1);
  }

  private HttpResponse<String> get(TestServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> signup(TestServer server, String cookieHeader, String xsrfHeader) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/signup"))
      .timeout(Duration.ofSeconds(30))
      .header("Content-Type", "application/json")
      .header("Cookie", cookieHeader)
      .header("X-XSRF-TOKEN", xsrfHeader)
      .POST(HttpRequest.BodyPublishers.ofString(credentials(uniqueEmail(), PASSWORD).encode()))
      .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
