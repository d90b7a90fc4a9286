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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-lived device cookie as a browser receives it: set once when the browser has none (or one this server
 * did not sign), HttpOnly, SameSite=Lax, 400 days, and {@code __Host-} and Secure when the public URL is
 * https. Set-Cookie and Cookie are handled by hand, as in TransportDefaultsTest.
 */
class DeviceCookieTest {
  private static final long FOUR_HUNDRED_DAYS = 400L * 24 * 60 * 60;
  /** 256 random bits and their HMAC-SHA-256 under the server's device-cookie key, base64url. */
  private static final String SIGNED = "[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}";
  @RegisterExtension
  static TestServer plain = new TestServer();
  @RegisterExtension
  static TestServer https = new TestServer().with("TWOFA_PUBLIC_URL", "https://example.test");
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void aBrowserWithoutOneGetsALongLivedHttpOnlyCookieOnce() throws Exception {
    HttpResponse<String> first = get(plain, "/api/session", null);
    String set = setCookie(first, "twofa.device");
    List<String> attributes = attributes(set);
    assertTrue(attributes.contains("httponly"), set);
    assertTrue(attributes.contains("samesite=lax"), set);
    assertTrue(attributes.contains("path=/"), set);
    assertTrue(attributes.contains("max-age=" + FOUR_HUNDRED_DAYS), set);
    assertFalse(attributes.contains("secure"), "plain http: " + set);
    String value = value(set);
    assertTrue(value.matches(SIGNED), value);

    HttpResponse<String> again = get(plain, "/api/session", "twofa.device=" + value);
    assertTrue(again.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith("twofa.device=")),
      "a browser that has one keeps it: " + again.headers().allValues("Set-Cookie"));

    String other = value(setCookie(get(plain, "/api/session", null), "twofa.device"));
    assertNotEquals(value, other, "each browser its own");
  }

  @Test
  void aValueThisServerDidNotSignIsReplaced() throws Exception {
    String issued = value(setCookie(get(plain, "/api/session", null), "twofa.device"));
    String random = issued.substring(0, 43);
    String forged = random + "." + (issued.charAt(44) == 'A' ? "B" : "A") + issued.substring(45);
    String otherServers = value(setCookie(get(https, "/api/session", null), "__Host-twofa.device"));
    for (String planted : List.of("short", "x".repeat(44), "a".repeat(42) + "+", "", random, forged,
        "A".repeat(43) + "." + "A".repeat(43), otherServers, issued + "x")) {
      String set = setCookie(get(plain, "/api/session", "twofa.device=" + planted), "twofa.device");
      assertTrue(value(set).matches(SIGNED), set);
      assertNotEquals(planted, value(set));
    }
  }

  @Test
  void anAnswerThatLogsInSetsItForABrowserThatCameWithout() throws Exception {
    HttpResponse<String> session = get(plain, "/api/session", null);
    String xsrf = value(setCookie(session, "XSRF-TOKEN"));
    HttpResponse<String> signup = post(plain, "/api/signup", "XSRF-TOKEN=" + xsrf, xsrf);
    assertEquals(201, signup.statusCode(), signup.body());
    assertTrue(value(setCookie(signup, "twofa.device")).matches(SIGNED));
  }

  @Test
  void anHttpsPublicUrlMakesItHostPrefixedAndSecure() throws Exception {
    String set = setCookie(get(https, "/api/session", null), "__Host-twofa.device");
    List<String> attributes = attributes(set);
    assertTrue(attributes.contains("secure"), set);
    assertTrue(attributes.contains("path=/"), set);
    assertTrue(attributes.stream().noneMatch(a -> a.startsWith("domain")), set);
    assertTrue(attributes.contains("httponly") && attributes.contains("samesite=lax"), set);
    assertTrue(attributes.contains("max-age=" + FOUR_HUNDRED_DAYS), set);

    // Only the prefixed name counts: an unprefixed one (which a sibling subdomain could plant) is not read.
    String planted = "A".repeat(43);
    HttpResponse<String> shadowed = get(https, "/api/session", "twofa.device=" + planted);
    assertNotEquals(planted, value(setCookie(shadowed, "__Host-twofa.device")));
  }

  private static String setCookie(HttpResponse<String> response, String name) {
    List<String> all = response.headers().allValues("Set-Cookie");
    return all.stream().filter(c -> c.startsWith(name + "=")).findFirst()
      .orElseThrow(() -> new AssertionError("no " + name + " in " + all));
  }

  private static List<String> attributes(String setCookie) {
    return List.of(setCookie.toLowerCase(Locale.ROOT).split("\\s*;\\s*"));
  }

  private static String value(String setCookie) {
    String pair = setCookie.split(";", 2)[0];
    return pair.substring(pair.indexOf('=') + 1);
  }

  private HttpResponse<String> get(TestServer server, String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(TestServer server, String path, String cookie, String xsrf) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30))
      .header("Content-Type", "application/json").header("Cookie", cookie).header("X-XSRF-TOKEN", xsrf)
      .POST(HttpRequest.BodyPublishers.ofString(credentials(uniqueEmail(), PASSWORD).encode())).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
