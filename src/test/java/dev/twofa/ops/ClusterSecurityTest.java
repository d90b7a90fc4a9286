package dev.twofa.ops;

import dev.twofa.cluster.EdgeKeys;
import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.bus.Operations;
import dev.twofa.cluster.ClusterCredentials;
import dev.twofa.config.KeyRing;
import dev.twofa.config.NodeKeys;
import dev.twofa.config.ServerKeys;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MutableClock;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestPostgres;
import dev.twofa.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.impl.CodecManager;
import io.vertx.core.eventbus.impl.clustered.ClusteredMessage;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.pgclient.PgConnectOptions;
import org.jgroups.Version;
import org.jgroups.stack.IpAddress;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What someone who reaches the cluster ports can do, tried against a real two-node cluster on loopback (node A:
 * HTTP; node B: HTTP, auth and audit): start a node of their own with the right cluster name and member list but
 * not the secret key, or write raw bytes to the ports. Either way they are refused and nothing changes.
 */
class ClusterSecurityTest {
  private static final MutableClock CLOCK = new MutableClock(TestServer.START);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final List<Node> NODES = new ArrayList<>();
  private static Map<String, String> common;
  private static String database;
  private static String schemaVersion;
  private static byte[] key;
  private static int[] clusterPorts;
  private static int authEventBusPort;
  private static Node nodeA;
  private static Node nodeB;
  private static String httpA;
  private static String httpB;

  @BeforeAll
  static void startCluster() throws Exception {
    database = TestPostgres.freshDatabase();
    schemaVersion = Migrations.migrate(database);
    // The third port is the rogue's: the real nodes list it too, as if the attacker held a member's address.
    clusterPorts = new int[] {TestServer.freePort(), TestServer.freePort(), TestServer.freePort()};
    key = randomKey();
    common = new HashMap<>(Map.of(
      "TWOFA_ARGON2_MEMORY_KIB", "1024", "TWOFA_ARGON2_ITERATIONS", "1",
      "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_HTTP_INSTANCES", "1",
      "TWOFA_CLUSTER", "true",
      "TWOFA_CLUSTER_NAME", "twofa-test-" + UUID.randomUUID(),
      "TWOFA_CLUSTER_HOST", "127.0.0.1",
      "TWOFA_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2]));
    authEventBusPort = TestServer.freePort();
    int portB = TestServer.freePort();
    nodeB = start("http,auth,audit", clusterPorts[1], portB, authEventBusPort, key, database);
    httpB = "http://127.0.0.1:" + portB;
    int portA = TestServer.freePort();
    nodeA = start("http", clusterPorts[0], portA, 0, key, database);
    httpA = "http://127.0.0.1:" + portA;
    eventually(() -> new ApiClient(TestServer.managementUrlFor(portA)).get("/health/ready"), r -> r.status() == 200, "node A sees auth on node B");
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
  void aNodeWithoutTheSecretKeyStaysAloneAndNoLoginReachesIt() throws Exception {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, new ApiClient(httpA).post("/api/signup", credentials(email, PASSWORD)).status());

    // Same cluster name and member list, its own database, auth and audit consumers, another key.
    String rogueDatabase = TestPostgres.freshDatabase();
    Migrations.migrate(rogueDatabase);
    Node rogue = start("auth,audit", clusterPorts[2], TestServer.freePort(), 0, randomKey(), rogueDatabase);
    await(rogue.vertx().eventBus().request(Operations.AUTH_HEALTH.address(), null));

    assertAlone(rogue);
    // Every login goes through the real nodes' bus; a rogue auth consumer among them would take about half and fail them.
    for (int i = 0; i < 20; i++) {
      Response login = new ApiClient(i % 2 == 0 ? httpA : httpB).post("/api/login", credentials(email, PASSWORD));
      assertEquals(200, login.status(), "login " + i + ": " + login);
    }
    assertAlone(rogue);
    assertEquals(0, count(rogueDatabase, "SELECT count(*) FROM security_events"), "no request reached the rogue");
    assertEquals(0, count(rogueDatabase, "SELECT count(*) FROM users"));
  }

  @Test
  void rawBytesOnTheClusterPortsAreRefusedAndChangeNothing() throws Exception {
    String email = TestAccounts.uniqueEmail();
    byte[] frame = plaintextSignupFrame(email);
    byte[] garbage = new byte[512];
    new SecureRandom().nextBytes(garbage);
    long events = count(database, "SELECT count(*) FROM security_events");

    int jgroupsPort = clusterPorts[1];
    for (int port : new int[] {authEventBusPort, jgroupsPort}) {
      assertRefused(port, garbage, "random bytes");
      assertRefused(port, frame, "a plaintext event-bus frame asking auth to sign up " + email);
      assertRefused(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), "an HTTP request");
    }
    assertRefused(jgroupsPort, plaintextJGroupsHello(), "a plaintext JGroups connection header");

    // TLS itself: only a certificate from the cluster's CA gets through, on both ports.
    ClusterCredentials same = ClusterCredentials.member(ServerKeys.derive(key, ServerKeys.Purpose.CLUSTER), Instant.now());
    ClusterCredentials foreign = ClusterCredentials.member(randomKey(), Instant.now());
    for (int port : new int[] {authEventBusPort, jgroupsPort}) {
      assertTrue(tlsAccepted(port, tls(same.keyCertOptions(), same.caCertificate())), "control: a member's credentials work on " + port);
      assertFalse(tlsAccepted(port, tls(foreign.keyCertOptions(), same.caCertificate())), "another key's certificate on " + port);
      assertFalse(tlsAccepted(port, tls(null, same.caCertificate())), "no certificate on " + port);
    }

    assertEquals(0, count(database, "SELECT count(*) FROM users WHERE email = '" + email + "'"), "the frame signed nobody up");
    assertEquals(events, count(database, "SELECT count(*) FROM security_events"), "nothing was recorded");
    assertError(new ApiClient(httpA).post("/api/login", credentials(email, PASSWORD)), 401, "invalid_credentials");
    String member = TestAccounts.uniqueEmail();
    assertEquals(201, new ApiClient(httpB).post("/api/signup", credentials(member, PASSWORD)).status());
    assertEquals(200, new ApiClient(httpA).post("/api/login", credentials(member, PASSWORD)).status(), "logins still work");
    assertEquals(2, clusterNodes(nodeA).size());
  }

  private static void assertAlone(Node rogue) {
    List<String> real = clusterNodes(nodeA);
    String rogueId = ((VertxInternal) rogue.vertx()).clusterManager().getNodeId();
    assertEquals(List.of(rogueId), clusterNodes(rogue), "the rogue is a cluster of one");
    assertEquals(2, real.size(), "the real cluster is still A and B: " + real);
    assertFalse(real.contains(rogueId));
    assertEquals(real.stream().sorted().toList(), clusterNodes(nodeB).stream().sorted().toList());
  }

  private static List<String> clusterNodes(Node node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodes();
  }

  /** Writes {@code bytes} and expects the connection closed within 5 s, having answered at most a TLS alert. */
  private static void assertRefused(int port, byte[] bytes, String what) throws IOException {
    try (Socket socket = new Socket(LOOPBACK, port)) {
      socket.setSoTimeout(5000);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      try {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        byte[] buffer = new byte[1024];
        for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        fail(what + " on port " + port + ": the connection is still open after 5 s");
      } catch (IOException e) {
        // reset: refused
      }
      byte[] received = answer.toByteArray();
      assertTrue(received.length == 0 || received[0] == 0x15, what + " on port " + port + ": answered "
        + received.length + " bytes that are not a TLS alert");
    }
  }

  /** True if a TLS 1.3 handshake with {@code context} completes and the server does not then close the connection. */
  private static boolean tlsAccepted(int port, SSLContext context) {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(LOOPBACK, port)) {
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.setSoTimeout(300);
      socket.startHandshake();
      // In TLS 1.3 the server checks the client's certificate after the client's handshake is done: a refusal
      // arrives as an alert on the first read; an accepted connection just has nothing to say yet.
      try {
        return socket.getInputStream().read() >= 0;
      } catch (SocketTimeoutException stillOpen) {
        return true;
      }
    } catch (IOException refused) {
      return false;
    }
  }

  private static SSLContext tls(PfxOptions keys, X509Certificate trusted) throws Exception {
    KeyManagerFactory keyManagers = null;
    if (keys != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(keys.getValue().getBytes()), keys.getPassword().toCharArray());
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(store, keys.getPassword().toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trusted);
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
    return context;
  }

  /** What a Vert.x node sends to ask another node's auth consumer to sign an account up, encoded by Vert.x itself. */
  private static byte[] plaintextSignupFrame(String email) {
    JsonObject body = new JsonObject().putNull("sessionToken").put("email", email).put("password", PASSWORD)
      .put("client", new JsonObject().put("ip", "127.0.0.1").put("userAgent", "raw"));
    Buffer frame = new ClusteredMessage<>(UUID.randomUUID().toString(), Operations.SIGNUP.address(), null, body,
      new JsonObjectMessageCodec(), true, null).encodeToWire();
    // Control: Vert.x's own decoder reads it back as that request.
    ClusteredMessage<JsonObject, JsonObject> decoded = new ClusteredMessage<>(null);
    decoded.readFromWire(frame.slice(4, frame.length()), new CodecManager());
    assertEquals(Operations.SIGNUP.address(), decoded.address());
    assertEquals(email, decoded.body().getString("email"));
    return frame.getBytes();
  }

  /** The first bytes a JGroups TCP connection sends: cookie, version and the sender's address. */
  private static byte[] plaintextJGroupsHello() throws Exception {
    IpAddress address = new IpAddress(LOOPBACK, 7800);
    ByteArrayDataOutputStream out = new ByteArrayDataOutputStream();
    out.write(new byte[] {'b', 'e', 'l', 'a'});
    out.writeShort(Version.version);
    out.writeShort(address.serializedSize());
    address.writeTo(out);
    return java.util.Arrays.copyOf(out.buffer(), out.position());
  }

  private static long count(String url, String sql) throws Exception {
    PgConnectOptions options = Database.connectOptions(url);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(url), options.getUser(), options.getPassword());
         PreparedStatement statement = connection.prepareStatement(sql);
         ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static Node start(String verticles, int clusterPort, int httpPort, int eventBusPort, byte[] secretKey, String db) {
    Map<String, String> env = new HashMap<>(common);
    env.put("TWOFA_DB_URL", db);
    if (verticles.equals("http")) {
      // An edge node gets only what derive-keys prints: no key that opens TOTP secrets.
      for (String line : EdgeKeys.variables(KeyRing.of(secretKey)).split("\n")) {
        env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    } else {
      env.put("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(secretKey));
    }
    env.put("TWOFA_VERTICLES", verticles);
    env.put("TWOFA_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("TWOFA_EVENTBUS_PORT", String.valueOf(eventBusPort));
    env.put("TWOFA_HTTP_PORT", String.valueOf(httpPort));
    env.put("TWOFA_MANAGEMENT_PORT", String.valueOf(TestServer.managementPortFor(httpPort)));
    env.put("TWOFA_DATA_DIR", TestServer.tempDataDir());   // its mail folder, not ./data
    TwofaConfig config = TwofaConfig.from(env);
    Node node = await(Node.start(config));
    NODES.add(node);
    await(node.vertx().deployVerticle(new MainVerticle(config, CLOCK, schemaVersion, node.metrics())));
    return node;
  }

  private static byte[] randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
