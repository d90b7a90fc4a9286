package dev.twofa.ops;

import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import dev.twofa.ops.LoginLoad.Answer;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.ServerProcess;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestPostgres;
import dev.twofa.support.TempDirs;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An auth node killed with SIGKILL in the middle of concurrent 2FA logins. Node A (this JVM: HTTP, auth, audit)
 * and node B (its own JVM: auth only) share one PostgreSQL; every request goes through node A's HTTP, and the
 * bus spreads auth's work over both nodes. After B dies: no answer is 500; a 503 answers only a request sent
 * before node A knew B was gone (requests B had in flight, answered when the bus send timeout expires);
 * sessions made before the kill still work; every login sent once B is known gone succeeds; no code is
 * accepted twice; no acknowledged event is lost. How long each step took is printed, not asserted: timing
 * belongs in the benchmark.
 */
class AuthNodeKilledTest {
  private static final int WORKERS = 4;
  private static final int ACCOUNTS_PER_WORKER = 6;
  /** Accounts kept for the probe, which logs in again and again from the moment node A knows B is gone. */
  private static final int PROBE_ACCOUNTS = 6;
  /** Sessions the load makes before the kill, to check afterwards. */
  private static final int SESSIONS_BEFORE_KILL = 8;
  /** Full logins the probe makes after the kill. */
  private static final int PROBE_LOGINS = 10;
  /** Consecutive answers in time, through both nodes, that show node B warmed up before the load starts. */
  private static final int WARM_ANSWERS = 20;

  private final List<Node> nodes = new ArrayList<>();
  private ServerProcess nodeB;
  private CompletableFuture<ServerProcess> joining;
  private Pool pool;
  private String nodeA;

  private LoginLoad load;

  @AfterEach
  void stopCluster() throws InterruptedException {
    if (nodeB == null && joining != null) {
      try {
        nodeB = joining.get(120, TimeUnit.SECONDS);   // a failure before B was waited for leaves no JVM behind
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // B never started
      }
    }
    if (nodeB != null) {
      nodeB.kill();
    }
    for (Node node : nodes) {
      try {
        await(node.vertx().close());
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }

  @Test
  void killingAnAuthNodeMidLoadFailsOnlyItsInFlightRequestsAndLosesNothing() throws Exception {
    CompletableFuture<ServerProcess> joined = startCluster();
    ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
    List<Future<TestAccounts.Enrolled>> enrolling = new ArrayList<>();
    for (int i = 0; i < WORKERS * ACCOUNTS_PER_WORKER + PROBE_ACCOUNTS; i++) {
      enrolling.add(threads.submit(this::enroll));
    }
    List<TestAccounts.Enrolled> enrolled = new ArrayList<>();
    for (Future<TestAccounts.Enrolled> account : enrolling) {
      enrolled.add(account.get(60, TimeUnit.SECONDS));
    }
    nodeB = joined.get(120, TimeUnit.SECONDS);
    assertEquals(2, members(), "node B joined node A's cluster");
    warmUp(enrolled.get(0));
    List<TestAccounts.Enrolled> reserve = List.copyOf(enrolled.subList(WORKERS * ACCOUNTS_PER_WORKER, enrolled.size()));

    load = new LoginLoad(nodeA);
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      List<TestAccounts.Enrolled> mine = enrolled.subList(w * ACCOUNTS_PER_WORKER, (w + 1) * ACCOUNTS_PER_WORKER);
      workers.add(threads.submit(() -> load.worker(mine, running)));
    }
    // The kill comes once the load has made sessions to check afterwards.
    eventually(() -> load.sessions().size() >= SESSIONS_BEFORE_KILL, SESSIONS_BEFORE_KILL + " sessions before the kill");
    long killedAt = load.now();
    nodeB.kill();
    long dropped = awaitDropped(killedAt);
    long droppedAt = killedAt + dropped;
    ExecutorService probeThread = Executors.newSingleThreadExecutor();
    Future<List<Answer>> probe = probeThread.submit(() -> load.probe(reserve, running));
    // The load goes on until the probe has logged in again and again, and every worker has had full logins
    // answered since node A knew B was gone.
    eventually(() -> load.probeLogins() >= PROBE_LOGINS
        && load.answers().stream().filter(a -> a.sentMs() > droppedAt && a.what().startsWith("code")).count() >= WORKERS,
      "logins go on after the kill");
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(60, TimeUnit.SECONDS);
    }
    List<Answer> probed = probe.get(60, TimeUnit.SECONDS);
    threads.shutdown();
    probeThread.shutdown();

    List<Answer> all = load.answers();
    List<Answer> unavailable = all.stream().filter(a -> a.response().status() == 503).toList();
    long lastUnavailable = unavailable.stream().mapToLong(Answer::atMs).max().orElse(killedAt) - killedAt;
    long firstLoginAfter = probed.stream().filter(a -> a.response().status() == 200).mapToLong(Answer::atMs).min()
      .orElse(Long.MAX_VALUE) - killedAt;
    System.out.println("[auth node killed] answers by status " + all.stream().collect(
      Collectors.groupingBy(a -> a.response().status(), TreeMap::new, Collectors.counting()))
      + ", 503s " + unavailable.size() + " (last " + lastUnavailable + " ms after the kill), node B dropped from the view "
      + dropped + " ms after the kill, the probe's first full login " + firstLoginAfter + " ms after it, probe logins "
      + probed.stream().filter(a -> a.response().status() == 200).count() + "/" + probed.size() + ", codes accepted "
      + load.accepted().size() + ", sessions " + load.sessions().size() + "; by second from the kill, full logins/503s: "
      + LoginLoad.timeline(all, all.stream().mapToLong(Answer::sentMs).min().orElse(killedAt),
        all.stream().mapToLong(Answer::atMs).max().orElse(killedAt), killedAt));

    // (1) Never a 500; a 503 only for a request sent after the kill and before node A knew B was gone (one B had
    // in flight, or was sent its way), with the usual JSON body.
    assertTrue(all.stream().noneMatch(a -> a.response().status() >= 500 && a.response().status() != 503),
      () -> "a 5xx other than 503: " + all.stream().filter(a -> a.response().status() >= 500).findFirst().orElseThrow());
    for (Answer a : unavailable) {
      assertTrue(a.atMs() >= killedAt && a.sentMs() <= droppedAt, "503 for a request B could not have had: " + a);
      assertTrue(Set.of("unavailable", "overloaded").contains(a.response().error()), a.toString());
    }
    for (Answer a : all) {
      Set<Integer> expected = a.what().startsWith("code") ? Set.of(200, 401, 503) : Set.of(200, 503);
      assertTrue(expected.contains(a.response().status()), "unexpected answer: " + a);
    }
    // (2) Every session, made before or after the kill, on either node, still answers.
    long before = load.sessions().values().stream().filter(at -> at < killedAt).count();
    assertTrue(before > 0, "sessions were made before the kill");
    for (ApiClient browser : load.sessions().keySet()) {
      assertEquals(200, browser.get("/api/session").status());
      assertEquals(200, browser.get("/api/account").status());
    }
    // (3) Logins go on once node A knows B is gone: every one the probe sent from then on succeeded (requests
    // the bus would have sent to B go to the remaining auth instead).
    assertTrue(probed.size() >= PROBE_LOGINS, "the probe logged in " + probed.size() + " times");
    for (Answer a : probed) {
      assertEquals(200, a.response().status(), "a probe login " + (a.sentMs() - killedAt) + " ms after the kill: " + a);
    }
    // (4) No TOTP step and no recovery code accepted twice.
    load.accepted().forEach((use, times) -> assertEquals(1, times, use + " accepted " + times + " times"));
    // (5) Every acknowledged event reaches security_events, B's included, once the outbox drains.
    assertOutboxDrainsAndEventsRecorded();
  }

  /** Starts node A here and node B in its own JVM, which joins while the test enrolls accounts through A. */
  private CompletableFuture<ServerProcess> startCluster() throws Exception {
    String db = TestPostgres.freshDatabase();
    String schemaVersion = Migrations.migrate(db);
    int[] clusterPorts = {TestServer.freePort(), TestServer.freePort()};
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> common = new HashMap<>(Map.of(
      "TWOFA_DB_URL", db,
      "TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key),
      "TWOFA_LOGINS_PER_ADDRESS_PER_HOUR", "100000000",
      "TWOFA_SECOND_FACTOR_MAX_ATTEMPTS", "100000",
      "TWOFA_SIGNUPS_PER_ADDRESS_PER_HOUR", "1000",
      "TWOFA_CLUSTER", "true",
      "TWOFA_CLUSTER_NAME", "twofa-test-" + UUID.randomUUID(),
      "TWOFA_CLUSTER_HOST", "127.0.0.1",
      "TWOFA_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1]));

    Map<String, String> a = new HashMap<>(common);
    int httpA = TestServer.freePort();
    a.putAll(Map.of("TWOFA_VERTICLES", "http,auth,audit", "TWOFA_CLUSTER_PORT", String.valueOf(clusterPorts[0]),
      "TWOFA_HTTP_PORT", String.valueOf(httpA), "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_HTTP_INSTANCES", "1",
      "TWOFA_ARGON2_MEMORY_KIB", "1024", "TWOFA_ARGON2_ITERATIONS", "1",
      "TWOFA_DATA_DIR", TempDirs.create("twofa-node-a").toString()));
    TwofaConfig config = TwofaConfig.from(a);
    Node node = await(Node.start(config));
    nodes.add(node);

    // B's JVM starts (a long while) once A's cluster is up, so A stays the coordinator, while A deploys its verticles.
    Map<String, String> b = new HashMap<>(common);
    b.putAll(Map.of("TWOFA_VERTICLES", "auth", "TWOFA_CLUSTER_PORT", String.valueOf(clusterPorts[1]),
      "TWOFA_DATA_DIR", TempDirs.create("twofa-node-b").toString()));
    Path log = Files.createTempFile("twofa-node-b", ".log");
    joining = CompletableFuture.supplyAsync(() -> {
      try {
        return ServerProcess.clusterNode(b, log);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    // The real clock on both nodes: B runs in its own JVM, so a test clock could not be shared.
    await(node.vertx().deployVerticle(new MainVerticle(config, Clock.systemUTC(), schemaVersion, node.metrics())));
    nodeA = "http://127.0.0.1:" + httpA;
    pool = Database.pool(node.vertx(), db, 2, "twofa-test-inspection");
    return joining;
  }

  private int members() {
    return ((VertxInternal) nodes.get(0).vertx()).clusterManager().getNodes().size();
  }

  /** Waits until node A's cluster view no longer holds B; returns how long after the kill that was. */
  private long awaitDropped(long killedAt) throws InterruptedException {
    eventually(() -> members() == 1, "node B left node A's view");
    return load.now() - killedAt;
  }

  /**
   * Waits until {@value #WARM_ANSWERS} session lookups and password steps in a row, spread by the bus over both
   * nodes, are answered 200: a node B still starting (classes loading, its pool connecting) could otherwise
   * miss the bus send timeout before any kill.
   */
  private void warmUp(TestAccounts.Enrolled account) throws InterruptedException {
    int[] inARow = {0};
    eventually(() -> {
      ApiClient browser = new ApiClient(nodeA);
      boolean ok = browser.get("/api/session").status() == 200
        && browser.post("/api/login", credentials(account.email(), PASSWORD)).status() == 200;
      inARow[0] = ok ? inARow[0] + 1 : 0;
      return inARow[0] >= WARM_ANSWERS;
    }, "both nodes answer in time");
  }

  private TestAccounts.Enrolled enroll() {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = new ApiClient(nodeA);
    assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
    String secret = browser.post("/api/2fa/setup", null).json().getString("secret");
    Response enable = browser.post("/api/2fa/enable", code(Totp.code(secret, Instant.now())));
    assertEquals(200, enable.status(), enable.toString());
    JsonArray codes = enable.json().getJsonArray("recoveryCodes");
    return new TestAccounts.Enrolled(email, secret, codes.stream().map(Object::toString).toList());
  }

  private void assertOutboxDrainsAndEventsRecorded() throws InterruptedException {
    eventually(() -> count("SELECT count(*)::int AS n FROM event_outbox") == 0, "the outbox drained");
    Map<String, Integer> recorded = new HashMap<>();
    for (Row row : query("""
        SELECT u.email, e.type, count(*)::int AS n FROM security_events e JOIN users u ON u.id = e.user_id
        WHERE e.success GROUP BY u.email, e.type""")) {
      recorded.put(row.getString("email") + " " + row.getString("type"), row.getInteger("n"));
    }
    load.ackedEvents().forEach((key, acked) -> assertTrue(recorded.getOrDefault(key, 0) >= acked,
      key + ": " + acked + " acknowledged, " + recorded.getOrDefault(key, 0) + " recorded"));
  }

  private List<Row> query(String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    await(pool.preparedQuery(sql).execute(Tuple.from(params))).forEach(rows::add);
    return rows;
  }

  private int count(String sql) {
    return query(sql).get(0).getInteger("n");
  }
}
