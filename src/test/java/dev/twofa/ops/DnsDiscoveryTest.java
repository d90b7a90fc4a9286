package dev.twofa.ops;

import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Migrations;
import dev.twofa.support.ApiClient;
import dev.twofa.support.MutableClock;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestDnsServer;
import dev.twofa.support.TestPostgres;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery as on Kubernetes, without Kubernetes: two nodes with no member list, each on its own loopback address
 * and the same cluster port (as pods have their own IPs), find each other through a name that a DNS server
 * started here answers with both addresses (a headless Service's A records), form one cluster, and a login made
 * through the HTTP-only node is served by the auth node.
 */
class DnsDiscoveryTest {
  private static final String SERVICE = "twofa-cluster.twofa.svc.cluster.test";

  @Test
  void twoNodesFindEachOtherThroughDnsAndServeALogin() throws Exception {
    String db = TestPostgres.freshDatabase();
    String schemaVersion = Migrations.migrate(db);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    int clusterPort = TestServer.freePort();
    List<Node> nodes = new ArrayList<>();
    try (TestDnsServer dns = new TestDnsServer()) {
      dns.answer(SERVICE, List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")));
      Map<String, String> common = new HashMap<>(Map.of(
        "TWOFA_DB_URL", db,
        "TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key),
        "TWOFA_ARGON2_MEMORY_KIB", "1024", "TWOFA_ARGON2_ITERATIONS", "1",
        "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_HTTP_INSTANCES", "1",
        "TWOFA_CLUSTER", "true",
        "TWOFA_CLUSTER_NAME", "twofa-dns-" + UUID.randomUUID(),
        "TWOFA_CLUSTER_PORT", String.valueOf(clusterPort)));
      common.put("TWOFA_CLUSTER_DNS", SERVICE);
      common.put("TWOFA_CLUSTER_DNS_SERVER", dns.address());
      MutableClock clock = new MutableClock(TestServer.START);
      start(nodes, common, "127.0.0.2", "http,auth,audit", TestServer.freePort(), clock, schemaVersion);
      int edgeHttp = TestServer.freePort();
      int edgeManagement = TestServer.freePort();
      start(nodes, common, "127.0.0.1", "http", edgeHttp, edgeManagement, clock, schemaVersion);

      ApiClient management = new ApiClient("http://127.0.0.1:" + edgeManagement);
      eventually(() -> management.get("/health/ready"), r -> r.status() == 200,
        "the HTTP-only node reaches auth and audit on the node DNS named");
      assertEquals(2, clusterSize(nodes.get(1)), "one cluster of two");
      assertTrue(dns.queries() > 0, "discovery asked the DNS server");
      String email = TestAccounts.uniqueEmail();
      ApiClient browser = new ApiClient("http://127.0.0.1:" + edgeHttp);
      assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
      assertEquals(email, browser.get("/api/account").json().getString("email"));
    } finally {
      for (Node node : nodes) {
        await(node.vertx().close());
      }
    }
  }

  private static int clusterSize(Node node) {
    return ((io.vertx.core.internal.VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static void start(List<Node> nodes, Map<String, String> common, String host, String verticles, int httpPort,
                            MutableClock clock, String schemaVersion) throws java.io.IOException {
    start(nodes, common, host, verticles, httpPort, TestServer.freePort(), clock, schemaVersion);
  }

  private static void start(List<Node> nodes, Map<String, String> common, String host, String verticles, int httpPort,
                            int managementPort, MutableClock clock, String schemaVersion) throws java.io.IOException {
    Map<String, String> env = new HashMap<>(common);
    env.put("TWOFA_CLUSTER_HOST", host);
    env.put("TWOFA_VERTICLES", verticles);
    env.put("TWOFA_HTTP_PORT", String.valueOf(httpPort));
    env.put("TWOFA_MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("TWOFA_DATA_DIR", TestServer.tempDataDir());
    TwofaConfig config = TwofaConfig.from(env);
    Node node = await(Node.start(config));
    nodes.add(node);
    await(node.vertx().deployVerticle(new MainVerticle(config, clock, schemaVersion, node.metrics())));
  }
}
