package dev.twofa.ops;

import dev.twofa.cluster.EdgeKeys;
import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.bus.AuditRequests;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.Operation;
import dev.twofa.bus.Operations;
import dev.twofa.config.KeyRing;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MutableClock;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestPostgres;
import dev.twofa.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's two levels of trust, against a real cluster on loopback: node A is an edge (HTTP only, started
 * with nothing but what {@code derive-keys} prints), node B runs HTTP, auth and audit with the secret key. An
 * attacker who holds everything an edge holds starts a node of their own with it and registers consumers for
 * auth's and audit's addresses (the relayed security events, the logins). It joins (an edge is a member) but no
 * request and no event reaches its consumers, and every login through the real nodes succeeds.
 */
class ClusterTrustTest {
  private static final MutableClock CLOCK = new MutableClock(TestServer.START);
  private static final List<Node> NODES = new ArrayList<>();
  private static final Map<Node, TwofaConfig> CONFIGS = new ConcurrentHashMap<>();
  private static Map<String, String> common;
  private static Map<String, String> edgeKeys;
  private static String database;
  private static String schemaVersion;
  private static int[] clusterPorts;
  private static String httpA;
  private static String httpB;
  private static Node nodeA;

  @BeforeAll
  static void startCluster() throws Exception {
    database = TestPostgres.freshDatabase();
    schemaVersion = Migrations.migrate(database);
    clusterPorts = new int[] {TestServer.freePort(), TestServer.freePort(), TestServer.freePort()};
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    common = new HashMap<>(Map.of(
      "TWOFA_ARGON2_MEMORY_KIB", "1024", "TWOFA_ARGON2_ITERATIONS", "1",
      "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_HTTP_INSTANCES", "1",
      "TWOFA_CLUSTER", "true",
      "TWOFA_CLUSTER_NAME", "twofa-test-" + UUID.randomUUID(),
      "TWOFA_CLUSTER_HOST", "127.0.0.1",
      "TWOFA_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2]));
    edgeKeys = new HashMap<>();
    for (String line : EdgeKeys.variables(KeyRing.of(key)).split("\n")) {
      edgeKeys.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
    }
    int portB = TestServer.freePort();
    Map<String, String> member = new HashMap<>(Map.of("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key)));
    deploy(start("http,auth,audit", clusterPorts[1], portB, member));
    httpB = "http://127.0.0.1:" + portB;
    int portA = TestServer.freePort();
    nodeA = start("http", clusterPorts[0], portA, edgeKeys);
    deploy(nodeA);
    httpA = "http://127.0.0.1:" + portA;
    eventually(() -> new ApiClient(TestServer.managementUrlFor(portA)).get("/health/ready"), r -> r.status() == 200, "the edge sees auth and audit");
  }

  @AfterAll
  static void stopCluster() {
    for (Node node : NODES) {
      try {
        await(node.vertx().close());
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }

  @Test
  void aNodeHoldingOnlyAnEdgesKeysReceivesNothingForAuthOrAuditAndChangesNothing() throws Exception {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, new ApiClient(httpA).post("/api/signup", credentials(email, PASSWORD)).status());

    // The attacker's node: an edge's settings, and consumers for what an auth or audit node serves.
    Node rogue = start("http", clusterPorts[2], TestServer.freePort(), edgeKeys);
    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    List<Future<?>> registered = new ArrayList<>();
    for (Operation<?, ?> operation : List.of(Operations.AUDIT_RECORD_BATCH, Operations.AUDIT_RECORD,
        Operations.AUDIT_ACTIVITY, Operations.AUDIT_HEALTH, Operations.LOGIN_PASSWORD, Operations.SIGNUP,
        Operations.SESSION, Operations.ACTIVITY, Operations.AUTH_HEALTH)) {
      registered.add(absorb(rogue, operation, received));
    }
    await(Future.all(registered));
    eventually(() -> members(nodeA), n -> n == 3, "the attacker's node is in the view (an edge is a member)");

    // Logins through both real nodes: each one's events are relayed from auth's outbox to an audit consumer.
    int logins = 16;
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < logins; i++) {
      Response login = new ApiClient(i % 2 == 0 ? httpA : httpB).post("/api/login", credentials(email, PASSWORD));
      statuses.add(login.status());
    }
    eventually(() -> count("SELECT count(*) FROM event_outbox"), n -> n == 0, "the outbox drains");

    assertEquals(Map.of(), nonZero(received), "nothing reached the attacker's consumers");
    assertEquals(java.util.Collections.nCopies(logins, 200), statuses, "every login succeeded");
    assertEquals(logins, count("SELECT count(*) FROM security_events e JOIN users u ON u.id = e.user_id"
      + " WHERE u.email = '" + email + "' AND e.type = 'login.password' AND e.success"), "every login is in the real audit table");
  }

  @Test
  void anEdgeCannotWriteOrReadAuditDirectly() throws Exception {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, new ApiClient(httpA).post("/api/signup", credentials(email, PASSWORD)).status());
    long userId = count("SELECT id FROM users WHERE email = '" + email + "'");
    eventually(() -> count("SELECT count(*) FROM event_outbox"), n -> n == 0, "the outbox drains");
    long events = count("SELECT count(*) FROM security_events WHERE user_id = " + userId);

    // The edge's own bus, as a compromised edge would use it: audit's operations, asked directly.
    BusRequests bus = new BusRequests(nodeA.vertx(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    SecurityEvent forged = new SecurityEvent(userId, SecurityEvent.LOGIN_PASSWORD, true,
      new ClientInfo("203.0.113.7", "forged"), null, null, UUID.randomUUID().toString());
    List<Future<?>> asked = List.of(
      bus.request(Operations.AUDIT_RECORD_BATCH, new AuditRequests.EventBatch(List.of(forged))),
      bus.request(Operations.AUDIT_RECORD, forged),
      bus.request(Operations.AUDIT_ACTIVITY, new AuditRequests.ActivityQuery(userId, 50, null, true)));
    for (Future<?> request : asked) {
      Throwable refused = assertThrows(RuntimeException.class, () -> await(request));
      while (!(refused instanceof BusFailure) && refused.getCause() != null) {
        refused = refused.getCause();
      }
      assertEquals(ErrorCode.FORBIDDEN, BusFailure.from(refused).code(), refused.toString());
    }
    assertEquals(events, count("SELECT count(*) FROM security_events WHERE user_id = " + userId), "nothing recorded");
    await(bus.request(Operations.AUDIT_HEALTH, null));
    assertEquals(200, new ApiClient(httpA).post("/api/login", credentials(email, PASSWORD)).status());
  }

  @Test
  void anAuditOrAuthNodeCannotStartWithAnEdgesKeys() {
    for (String verticles : List.of("audit", "auth", "http,audit")) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> start(verticles, TestServer.freePort(), TestServer.freePort(), edgeKeys), verticles);
      assertTrue(refused.getMessage().contains("TWOFA_SECRET_KEYS"), refused.getMessage());
    }
  }

  /** A consumer that counts what reaches it and answers as a compromised auth or audit node would like to. */
  private static <Q, R> Future<Void> absorb(Node node, Operation<Q, R> operation, Map<String, AtomicInteger> received) {
    return BusRequests.serve(node.vertx(), operation, request -> {
      received.computeIfAbsent(operation.address(), a -> new AtomicInteger()).incrementAndGet();
      return operation == Operations.AUDIT_RECORD_BATCH || operation == Operations.AUDIT_RECORD
        ? Future.succeededFuture() : Future.failedFuture(new BusFailure(ErrorCode.INVALID_CREDENTIALS));
    }).completion();
  }

  private static Map<String, Integer> nonZero(Map<String, AtomicInteger> received) {
    Map<String, Integer> counts = new HashMap<>();
    received.forEach((address, n) -> {
      if (n.get() > 0) {
        counts.put(address, n.get());
      }
    });
    return counts;
  }

  private static int members(Node node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static long count(String sql) {
    PgConnectOptions options = Database.connectOptions(database);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(database), options.getUser(), options.getPassword());
         PreparedStatement statement = connection.prepareStatement(sql);
         ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Node start(String verticles, int clusterPort, int httpPort, Map<String, String> keys) {
    Map<String, String> env = new HashMap<>(common);
    env.putAll(keys);
    env.put("TWOFA_DB_URL", database);
    env.put("TWOFA_VERTICLES", verticles);
    env.put("TWOFA_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("TWOFA_EVENTBUS_PORT", "0");
    env.put("TWOFA_HTTP_PORT", String.valueOf(httpPort));
    env.put("TWOFA_MANAGEMENT_PORT", String.valueOf(TestServer.managementPortFor(httpPort)));
    env.put("TWOFA_DATA_DIR", TestServer.tempDataDir());
    TwofaConfig config = TwofaConfig.from(env);
    Node node = await(Node.start(config));
    NODES.add(node);
    CONFIGS.put(node, config);
    return node;
  }

  private static void deploy(Node node) {
    TwofaConfig config = CONFIGS.get(node);
    await(node.vertx().deployVerticle(new MainVerticle(config, CLOCK, schemaVersion, node.metrics())));
  }
}
