package dev.twofa.ops;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Liveness, readiness following the database down and back up, and the Prometheus counters, on the management
 * port; the public port does not answer them.
 */
class HealthAndMetricsTest {
  @RegisterExtension
  static TestServer server = new TestServer().withOwnDatabase();

  @Test
  void readinessFollowsTheDatabaseWhileLivenessStaysUp() throws Exception {
    ApiClient client = server.managementClient();
    assertEquals(200, client.get("/health/live").status());
    Response ready = client.get("/health/ready");
    assertEquals(200, ready.status(), ready.toString());
    assertEquals("UP", ready.json().getString("status"));

    server.stopDatabase();
    Response down = waitFor(client, 503);
    assertEquals("DOWN", down.json().getString("status"));
    assertTrue(down.text().contains("database unreachable"), down.toString());
    assertEquals(200, client.get("/health/live").status(), "the process itself is alive");

    server.startDatabase();
    assertEquals("UP", waitFor(client, 200).json().getString("status"));
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, server.newClient().post("/api/signup", credentials(email, PASSWORD)).status(),
      "the pools reconnect by themselves");
  }

  @Test
  void metricsCountLoginsByMethodAndOutcomeAndLockouts() {
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    server.newClient().post("/api/login", credentials(email, PASSWORD));
    for (int i = 0; i < 11; i++) {
      server.newClient().post("/api/login", credentials(email, "wrong-password-" + i));
    }
    String metrics = server.managementClient().get("/metrics").text();
    assertTrue(metrics.contains("twofa_logins_total{method=\"password\",outcome=\"success\"} 1.0"), metrics);
    assertTrue(metrics.contains("twofa_logins_total{method=\"password\",outcome=\"invalid_credentials\"} 10.0"), metrics);
    assertTrue(metrics.contains("twofa_logins_total{method=\"password\",outcome=\"rate_limited\"} 1.0"), metrics);
    assertTrue(metrics.contains("twofa_lockouts_total{method=\"password\"} 1.0"), metrics);
    assertTrue(metrics.contains("twofa_eventbus_request_seconds_count{address=\"twofa.auth.login.password\",outcome=\"ok\"}"), metrics);
    assertTrue(metrics.contains("vertx_http_server_requests_total"), "Vert.x's own metrics are there too");
  }

  @Test
  void thePublicPortAnswersNeitherHealthNorMetrics() {
    ApiClient publicPort = server.newClient();
    for (String path : new String[] {"/metrics", "/health/live", "/health/ready", "/metrics/", "//metrics", "/health"}) {
      Response response = publicPort.get(path);
      assertEquals(404, response.status(), path + " -> " + response);
      assertFalse(response.text().contains("twofa_logins_total"), path);
    }
    assertEquals(200, server.managementClient().get("/health/live").status());
    assertEquals(404, server.managementClient().get("/api/session").status(), "and the management port serves nothing else");
  }

  /** Polls readiness until it answers {@code status} (the check itself is bounded by its 3 s timeout). */
  private static Response waitFor(ApiClient client, int status) throws InterruptedException {
    return eventually(() -> client.get("/health/ready"), r -> r.status() == status, "readiness answers " + status);
  }
}
