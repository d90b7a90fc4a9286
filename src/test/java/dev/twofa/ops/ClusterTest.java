package dev.twofa.ops;

import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Migrations;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MutableClock;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestPostgres;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two (then three) clustered nodes on loopback, in this JVM, joined by Infinispan over mutual-TLS JGroups with
 * the TCPPING member list: node A runs only HTTP, node B runs HTTP, auth and audit. Logins cross the bus between
 * them, sessions are shared, limits hold across nodes, and losing the only auth node gives 503 until another
 * one joins. {@link ClusterSecurityTest} attacks such a cluster from outside.
 */
class ClusterTest {
  private static final MutableClock CLOCK = new MutableClock(TestServer.START);
  private static final List<Node> NODES = new ArrayList<>();
  private static Map<String, String> common;
  private static String schemaVersion;
  private static int[] clusterPorts;
  private static String nodeA;
  private static String nodeB;
  /** Node A's management port, where its health answers. */
  private static String managementA;
  private static Node authNode;

  @BeforeAll
  static void startCluster() throws Exception {
    String db = TestPostgres.freshDatabase();
    schemaVersion = Migrations.migrate(db);
    clusterPorts = new int[] {TestServer.freePort(), TestServer.freePort(), TestServer.freePort()};
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    common = new HashMap<>(Map.of(
      "TWOFA_DB_URL", db,
      "TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key),
      "TWOFA_ARGON2_MEMORY_KIB", "1024", "TWOFA_ARGON2_ITERATIONS", "1",
      "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_HTTP_INSTANCES", "1",
      "TWOFA_CLUSTER", "true",
      "TWOFA_CLUSTER_NAME", "twofa-test-" + UUID.randomUUID(),
      "TWOFA_CLUSTER_HOST", "127.0.0.1",
      "TWOFA_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2]));
    int httpB = TestServer.freePort();
    authNode = start("http,auth,audit", clusterPorts[1], httpB, TestServer.freePort());
    nodeB = "http://127.0.0.1:" + httpB;
    int httpA = TestServer.freePort();
    int managementPortA = TestServer.freePort();
    start("http", clusterPorts[0], httpA, managementPortA);
    nodeA = "http://127.0.0.1:" + httpA;
    managementA = "http://127.0.0.1:" + managementPortA;
    ApiClient probe = new ApiClient(managementA);
    eventually(() -> probe.get("/health/ready"), r -> r.status() == 200, "node A sees auth and audit on node B");
  }

  @AfterAll
  static void stopCluster() {
    for (Node node : NODES) {
      try {
        await(node.vertx().close());
      } catch (RuntimeException e) {
        // already closed by the test
      }
    }
  }

  private static Node start(String verticles, int clusterPort, int httpPort, int managementPort) {
    Map<String, String> env = new HashMap<>(common);
    env.put("TWOFA_VERTICLES", verticles);
    env.put("TWOFA_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("TWOFA_HTTP_PORT", String.valueOf(httpPort));
    env.put("TWOFA_MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("TWOFA_DATA_DIR", TestServer.tempDataDir());   // its mail folder, not ./data
    TwofaConfig config = TwofaConfig.from(env);
    Node node = await(Node.start(config));
    NODES.add(node);
    await(node.vertx().deployVerticle(new MainVerticle(config, CLOCK, schemaVersion, node.metrics())));
    return node;
  }

  @Test
  void aLoginCrossesNodesAndLimitsHoldClusterWideAndLosingAuthGives503UntilItReturns() throws Exception {
    // A 2FA login whose password step goes through node A and whose code step goes through node B.
    String email = TestAccounts.uniqueEmail();
    ApiClient viaA = new ApiClient(nodeA);
    assertEquals(201, viaA.post("/api/signup", credentials(email, PASSWORD)).status());
    String secret = viaA.post("/api/2fa/setup", null).json().getString("secret");
    assertEquals(200, viaA.post("/api/2fa/enable", code(Totp.code(secret, CLOCK.instant()))).status());
    assertEquals(204, viaA.post("/api/logout", null).status());
    CLOCK.advance(Duration.ofSeconds(30));

    ApiClient browserA = new ApiClient(nodeA);
    ApiClient browserB = browserA.sameBrowserAt(nodeB);
    assertEquals("pending_2fa", browserA.post("/api/login", credentials(email, PASSWORD)).json().getString("state"));
    Response second = browserB.post("/api/login/totp", code(Totp.code(secret, CLOCK.instant())));
    assertEquals(200, second.status(), "the pending login made on A completes on B: " + second);
    assertEquals(email, browserA.get("/api/account").json().getString("email"), "and the session holds on A");
    assertEquals(email, browserB.get("/api/account").json().getString("email"), "and on B");

    // Password failures through both nodes add up to one account limit.
    String victim = TestAccounts.uniqueEmail();
    assertEquals(201, new ApiClient(nodeB).post("/api/signup", credentials(victim, PASSWORD)).status());
    for (int i = 0; i < 10; i++) {
      String node = i % 2 == 0 ? nodeA : nodeB;
      assertError(new ApiClient(node).post("/api/login", credentials(victim, "wrong-password-" + i)), 401, "invalid_credentials");
    }
    assertError(new ApiClient(nodeA).post("/api/login", credentials(victim, PASSWORD)), 429, "rate_limited");
    assertError(new ApiClient(nodeB).post("/api/login", credentials(victim, PASSWORD)), 429, "rate_limited");

    // Lose node B, the only one with auth and audit: node A answers 503, it does not hang.
    await(authNode.vertx().close());
    Instant lost = Instant.now();
    Response unavailable = eventually(() -> new ApiClient(nodeA).post("/api/login", credentials(email, PASSWORD)),
      r -> r.status() == 503, "a clear 503 once the auth node is gone");
    assertEquals("unavailable", unavailable.error());
    System.out.println("[cluster test] 503 after losing the auth node: " + Duration.between(lost, Instant.now()).toMillis() + " ms");
    assertEquals(503, new ApiClient(managementA).get("/health/ready").status());

    // A new auth and audit node joins: logins work again, and the session made before is still valid.
    start("auth,audit", clusterPorts[2], TestServer.freePort(), TestServer.freePort());
    eventually(() -> new ApiClient(managementA).get("/health/ready"), r -> r.status() == 200, "ready again");
    Response back = new ApiClient(nodeA).post("/api/login", credentials(email, PASSWORD));
    assertEquals("pending_2fa", back.json().getString("state"));
    assertEquals(email, browserA.get("/api/account").json().getString("email"), "the clustered session survived node B");
  }
}
