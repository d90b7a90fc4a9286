package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestAccounts.uniqueEmail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behind a trusted proxy (the test client on 127.0.0.1 plays it), the client address is the rightmost
 * X-Forwarded-For entry that is not a proxy: Activity shows it, the per-address limit counts it, and whatever
 * the client put further left changes nothing. Each test uses its own "real" address so their limits stay apart.
 */
class ProxyBoundaryTest {
  private static final String XFF = "X-Forwarded-For";
  @RegisterExtension
  static TestServer server = new TestServer()
    .with("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32")
    .with("TWOFA_PASSWORD_MAX_FAILURES_PER_ADDRESS", "3");
  private final TestAccounts accounts = new TestAccounts(server);

  private static List<String> ips(ApiClient client) {
    JsonArray events = client.get("/api/account/activity").json().getJsonArray("events");
    assertTrue(events.size() >= 1, events.encode());
    return events.stream().map(e -> ((JsonObject) e).getString("ip")).toList();
  }

  @Test
  void activityRecordsTheAddressTheProxySawNotTheOneTheClientWrote() {
    String email = uniqueEmail();
    ApiClient client = server.newClient().extraHeaders(XFF, "1.2.3.4, 203.0.113.7");
    assertEquals(201, client.post("/api/signup", credentials(email, PASSWORD)).status());
    client.post("/api/logout", null);
    assertEquals(200, client.post("/api/login", credentials(email, PASSWORD)).status());
    assertEquals(List.of("203.0.113.7"), ips(client).stream().distinct().toList());
  }

  @Test
  void ipv6ClientsAreRecordedCanonically() {
    ApiClient client = server.newClient().extraHeaders(XFF, "::1, 2001:DB8:0:0:0:0:0:42");
    assertEquals(201, client.post("/api/signup", credentials(uniqueEmail(), PASSWORD)).status());
    assertEquals(List.of("2001:db8::42"), ips(client).stream().distinct().toList());
  }

  @Test
  void rotatingTheLeftmostEntryDoesNotEscapeThePerAddressLimit() {
    for (int i = 1; i <= 3; i++) {
      ApiClient attacker = server.newClient().extraHeaders(XFF, "10.9.8." + i + ", 198.51.100.9");
      assertError(attacker.post("/api/login", credentials(uniqueEmail(), "wrong-password-" + i)), 401, "invalid_credentials");
    }
    ApiClient fresh = server.newClient().extraHeaders(XFF, "10.9.8.99", XFF, "198.51.100.9");
    assertError(fresh.post("/api/login", credentials(uniqueEmail(), "wrong-password-4")), 429, "rate_limited");
    // Another client behind the same proxy keeps its own budget.
    ApiClient neighbour = server.newClient().extraHeaders(XFF, "198.51.100.10");
    assertError(neighbour.post("/api/login", credentials(uniqueEmail(), "wrong-password-5")), 401, "invalid_credentials");
  }

  /** Each value goes in four headers, so they stay within the server's 8 KiB header limit. */
  @Test
  void garbageForwardingHeadersNeverAnswer5xx() {
    List<String> garbage = List.of("", ",", " , ,", "unknown", "evil.example.com", "[::1]:80", "1.2.3.4:5678",
      "999.999.999.999", "1.2.3.4 5.6.7.8", "\"1.2.3.4\"", "for=1.2.3.4", "%31.2.3.4", "::ffff:", "fe80::1%25eth0",
      "0".repeat(1_000), "1.2.3.4,".repeat(100), "\u00e9t\u00e9");
    for (String value : garbage) {
      ApiClient client = server.newClient().extraHeaders(XFF, value, XFF, value, "Forwarded", "for=" + value,
        "X-Real-IP", value);
      Response session = client.get("/api/session");
      assertTrue(session.status() < 500, value + " -> " + session);
      Response login = client.post("/api/login", credentials(uniqueEmail(), PASSWORD));
      assertTrue(login.status() < 500, value + " -> " + login);
    }
  }

  @Test
  void withGarbageOnTheRightTheProxyItselfIsRecorded() {
    // No trustworthy client address: the proxy's own (the socket peer) is recorded, never the spoofed one.
    ApiClient client = server.newClient().extraHeaders(XFF, "1.2.3.4, unknown");
    assertEquals(201, client.post("/api/signup", credentials(uniqueEmail(), PASSWORD)).status());
    assertEquals(List.of("127.0.0.1"), ips(client).stream().distinct().toList());
  }
}
