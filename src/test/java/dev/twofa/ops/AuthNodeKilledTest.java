package dev.twofa.ops;

import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.ServerProcess;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestPostgres;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An auth node killed with SIGKILL in the middle of concurrent 2FA logins. Node A (this JVM: HTTP, auth, audit)
 * and node B (its own JVM: auth only) share one PostgreSQL; every request goes through node A's HTTP, and the
 * bus spreads auth's work over both nodes. After B dies: no answer is 500; 503s come only within a short window
 * after the kill (requests B had in flight, and those sent to it before the cluster drops it); sessions made
 * before the kill still work; logins keep succeeding; no code is accepted twice; no acknowledged event is lost.
 */
class AuthNodeKilledTest {
  private static final int WORKERS = 4;
  private static final int ACCOUNTS_PER_WORKER = 6;
  /** A pause between rounds, so the accounts' codes last the whole run (about 10 full logins a second). */
  private static final long PAUSE_MS = 250;
  /** Accounts kept for the probe, which logs in again and again from the moment of the kill. */
  private static final int PROBE_ACCOUNTS = 6;
  /**
   * A request sent this long after the kill no longer reaches the dead node (its sockets were reset at once, so
   * it is known dead); the probe starts then.
   */
  private static final long DEATH_KNOWN_AFTER_MS = 500;
  /** The probe's first full login must succeed within this of the kill. */
  private static final long FIRST_LOGIN_WITHIN_MS = 2_000;
  private static final long BEFORE_KILL_MS = 3_000;
  private static final long AFTER_KILL_MS = 12_000;
  /** B's sockets are reset when it dies, so the cluster drops it well before FD_ALL3's 4 s heartbeat timeout. */
  private static final long DROPPED_WITHIN_MS = 3_000;
  /** The longest a request may take to fail once B is gone: the bus send timeout, with room for a busy machine. */
  private static final long UNAVAILABLE_WINDOW_MS = 7_000;

  private final List<Node> nodes = new ArrayList<>();
  private ServerProcess nodeB;
  private Pool pool;
  private String nodeA;

  /** What the load saw, with when each answer arrived (ms since the load started). */
  private record Answer(long sentMs, long atMs, String what, Response response) {
  }

  private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> accepted = new ConcurrentHashMap<>();
  private final Map<String, Integer> ackedEvents = new ConcurrentHashMap<>();
  /** Signed-in browsers and when their login completed (ms since the load started). */
  private final Map<ApiClient, Long> sessions = new ConcurrentHashMap<>();
  private long loadStart;

  @AfterEach
  void stopCluster() throws InterruptedException {
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
    List<TestAccounts.Enrolled> reserve = List.copyOf(enrolled.subList(WORKERS * ACCOUNTS_PER_WORKER, enrolled.size()));

    loadStart = System.nanoTime();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      List<TestAccounts.Enrolled> mine = enrolled.subList(w * ACCOUNTS_PER_WORKER, (w + 1) * ACCOUNTS_PER_WORKER);
      workers.add(threads.submit(() -> load(mine, running)));
    }
    // At least BEFORE_KILL_MS of load, and sessions to check afterwards (a busy machine warms up slowly).
    Thread.sleep(BEFORE_KILL_MS);
    while (sessions.size() < 8 && now() < 30_000) {
      Thread.sleep(100);
    }
    long killedAt = now();
    nodeB.kill();
    ExecutorService probeThread = Executors.newSingleThreadExecutor();
    Future<List<Answer>> probe = probeThread.submit(() -> probe(reserve, running, killedAt + DEATH_KNOWN_AFTER_MS));
    long dropped = awaitDropped(killedAt);
    Thread.sleep(Math.max(0, killedAt + AFTER_KILL_MS - now()));
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(60, TimeUnit.SECONDS);
    }
    List<Answer> probed = probe.get(60, TimeUnit.SECONDS);
    threads.shutdown();
    probeThread.shutdown();

    List<Answer> all = List.copyOf(answers);
    List<Answer> unavailable = all.stream().filter(a -> a.response().status() == 503).toList();
    long lastUnavailable = unavailable.stream().mapToLong(Answer::atMs).max().orElse(killedAt) - killedAt;
    long firstLoginAfter = probed.stream().filter(a -> a.response().status() == 200).mapToLong(Answer::atMs).min()
      .orElse(Long.MAX_VALUE) - killedAt;
    System.out.println("[auth node killed] answers by status " + all.stream().collect(
      Collectors.groupingBy(a -> a.response().status(), TreeMap::new, Collectors.counting()))
      + ", 503s " + unavailable.size() + " (last " + lastUnavailable + " ms after the kill), node B dropped from the view "
      + dropped + " ms after the kill, the probe's first full login " + firstLoginAfter + " ms after it, probe logins "
      + probed.stream().filter(a -> a.response().status() == 200).count() + "/" + probed.size() + ", codes accepted "
      + accepted.size() + ", sessions " + sessions.size() + "; by second from the kill, full logins/503s: " + timeline(all, killedAt));

    assertTrue(dropped <= DROPPED_WITHIN_MS, "node B left node A's view " + dropped + " ms after the kill");
    // (1) Never a 500; a 503 only in the window after the kill, with the usual JSON body.
    assertTrue(all.stream().noneMatch(a -> a.response().status() >= 500 && a.response().status() != 503),
      () -> "a 5xx other than 503: " + all.stream().filter(a -> a.response().status() >= 500).findFirst().orElseThrow());
    for (Answer a : unavailable) {
      assertTrue(a.atMs() >= killedAt && a.atMs() - killedAt <= UNAVAILABLE_WINDOW_MS, "503 outside the window: " + a);
      assertTrue(Set.of("unavailable", "overloaded").contains(a.response().error()), a.toString());
    }
    for (Answer a : all) {
      Set<Integer> expected = a.what().startsWith("code") ? Set.of(200, 401, 503) : Set.of(200, 503);
      assertTrue(expected.contains(a.response().status()), "unexpected answer: " + a);
    }
    // (2) Every session, made before or after the kill, on either node, still answers.
    long before = sessions.values().stream().filter(at -> at < killedAt).count();
    assertTrue(before > 0, "sessions were made before the kill");
    for (ApiClient browser : sessions.keySet()) {
      assertEquals(200, browser.get("/api/session").status());
      assertEquals(200, browser.get("/api/account").status());
    }
    // (3) Logins go on from the moment of the kill: the probe's succeed at once, and every one sent once the
    // node is known dead succeeds (requests the bus would have sent to it go to the remaining auth instead).
    assertTrue(firstLoginAfter <= FIRST_LOGIN_WITHIN_MS, "the probe's first login succeeded " + firstLoginAfter + " ms after the kill");
    assertTrue(probed.size() >= 10, "the probe logged in " + probed.size() + " times");
    for (Answer a : probed) {
      assertEquals(200, a.response().status(), "a probe login " + (a.sentMs() - killedAt) + " ms after the kill: " + a);
    }
    // (4) No TOTP step and no recovery code accepted twice.
    accepted.forEach((use, times) -> assertEquals(1, times, use + " accepted " + times + " times"));
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
      "TWOFA_ARGON2_MEMORY_KIB", "1024", "TWOFA_ARGON2_ITERATIONS", "1"));
    TwofaConfig config = TwofaConfig.from(a);
    Node node = await(Node.start(config));
    nodes.add(node);
    // The real clock on both nodes: B runs in its own JVM, so a test clock could not be shared.
    await(node.vertx().deployVerticle(new MainVerticle(config, Clock.systemUTC(), schemaVersion, node.metrics())));
    nodeA = "http://127.0.0.1:" + httpA;
    pool = Database.pool(node.vertx(), db, 2, "twofa-test-inspection");

    Map<String, String> b = new HashMap<>(common);
    b.putAll(Map.of("TWOFA_VERTICLES", "auth", "TWOFA_CLUSTER_PORT", String.valueOf(clusterPorts[1])));
    Path log = Files.createTempFile("twofa-node-b", ".log");
    return CompletableFuture.supplyAsync(() -> {
      try {
        return ServerProcess.clusterNode(b, log);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private int members() {
    return ((VertxInternal) nodes.get(0).vertx()).clusterManager().getNodes().size();
  }

  /** Waits until node A's cluster view no longer holds B; returns how long after the kill that was. */
  private long awaitDropped(long killedAt) throws InterruptedException {
    while (members() > 1 && now() - killedAt < 30_000) {
      Thread.sleep(50);
    }
    return now() - killedAt;
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

  /**
   * One worker: round after round over its accounts, a password step on two browsers, then the same code on both
   * at once, then a session made earlier is looked up. The code is the next TOTP step (fresh whenever the clock
   * has moved on) or the account's next recovery code; once those are used up they come round again, and must fail.
   */
  private void load(List<TestAccounts.Enrolled> mine, AtomicBoolean running) {
    Map<String, Integer> next = new HashMap<>();
    List<ApiClient> known = new ArrayList<>();
    while (running.get()) {
      for (TestAccounts.Enrolled account : mine) {
        int i = next.merge(account.email(), 1, Integer::sum) - 1;
        int codes = account.recoveryCodes().size();
        int slot = i % (codes + 1);
        boolean totp = slot == 0;
        long step = Instant.now().getEpochSecond() / 30 + 1;
        String code = totp ? Totp.code(account.secret(), Instant.ofEpochSecond(step * 30))
          : account.recoveryCodes().get(slot - 1);
        List<ApiClient> browsers = java.util.Arrays.asList(pending(account.email()), pending(account.email()));
        if (!browsers.contains(null)) {
          String path = totp ? "/api/login/totp" : "/api/login/recovery";
          long sentMs = now();
          List<CompletableFuture<Response>> sent = browsers.stream().map(b -> b.postAsync(path, code(code))).toList();
          for (int k = 0; k < sent.size(); k++) {
            Response r = sent.get(k).join();
            answered("code " + path, sentMs, r);
            if (r.status() == 200) {
              accepted.merge(account.email() + (totp ? " totp step " + step : " recovery " + code), 1, Integer::sum);
              ackedEvents.merge(account.email() + (totp ? " login.totp" : " login.recovery_code"), 1, Integer::sum);
              sessions.put(browsers.get(k), now());
              known.add(browsers.get(k));
            }
          }
        }
        if (!known.isEmpty()) {
          ApiClient earlier = known.get(i % known.size());
          long sentMs = now();
          answered("GET /api/session", sentMs, earlier.get("/api/session"));
          sentMs = now();
          answered("GET /api/account", sentMs, earlier.get("/api/account"));
        }
        pause();
      }
    }
  }

  /**
   * From just after the kill on, one full login after another (the app's first GET, password, a recovery code of the
   * reserve accounts), each answer also in the common list; returns the recovery-code step of each login tried.
   */
  private List<Answer> probe(List<TestAccounts.Enrolled> reserve, AtomicBoolean running, long startMs)
      throws InterruptedException {
    Thread.sleep(Math.max(0, startMs - now()));
    List<Answer> logins = new ArrayList<>();
    for (TestAccounts.Enrolled account : reserve) {
      for (String code : account.recoveryCodes()) {
        if (!running.get()) {
          return logins;
        }
        long sentMs = now();
        ApiClient browser = new ApiClient(nodeA);
        Response password = passwordStep(browser, account.email());
        Response step = password.status() == 200 ? browser.post("/api/login/recovery", code(code)) : null;
        if (step == null) {
          logins.add(new Answer(sentMs, now(), "probe", password));
        } else {
          answered("code /api/login/recovery", sentMs, step);
          logins.add(new Answer(sentMs, now(), "probe", step));
          if (step.status() == 200) {
            accepted.merge(account.email() + " recovery " + code, 1, Integer::sum);
            ackedEvents.merge(account.email() + " login.recovery_code", 1, Integer::sum);
            sessions.put(browser, now());
          }
        }
        pause();
      }
    }
    return logins;
  }

  /** A browser past the password step, or null when the step was refused (counted in the answers). */
  private ApiClient pending(String email) {
    ApiClient browser = new ApiClient(nodeA);
    return passwordStep(browser, email).status() == 200 ? browser : null;
  }

  /** The app's first request (which hands out the CSRF cookie and goes to auth too), then the password step. */
  private Response passwordStep(ApiClient browser, String email) {
    long sentMs = now();
    answered("GET /api/session", sentMs, browser.get("/api/session"));
    sentMs = now();
    Response login = browser.post("/api/login", credentials(email, PASSWORD));
    answered("POST /api/login", sentMs, login);
    if (login.status() == 200) {
      ackedEvents.merge(email + " login.password", 1, Integer::sum);
    }
    return login;
  }

  private static void pause() {
    try {
      Thread.sleep(PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Full logins and 503s per second, from 3 s before the kill: what the README quotes. */
  private static String timeline(List<Answer> all, long killedAt) {
    Map<Long, String> seconds = new TreeMap<>();
    for (long second = -BEFORE_KILL_MS / 1000; second < AFTER_KILL_MS / 1000; second++) {
      long from = killedAt + second * 1000;
      List<Answer> in = all.stream().filter(a -> a.atMs() >= from && a.atMs() < from + 1000).toList();
      seconds.put(second, in.stream().filter(a -> a.what().startsWith("code") && a.response().status() == 200).count()
        + "/" + in.stream().filter(a -> a.response().status() == 503).count());
    }
    return seconds.toString();
  }

  /** Notes an answer with the time it arrived. */
  private void answered(String what, long sentMs, Response response) {
    answers.add(new Answer(sentMs, now(), what, response));
  }

  private void assertOutboxDrainsAndEventsRecorded() throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (count("SELECT count(*)::int AS n FROM event_outbox") > 0 && Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
    }
    assertEquals(0, count("SELECT count(*)::int AS n FROM event_outbox"), "the outbox drained");
    Map<String, Integer> recorded = new HashMap<>();
    for (Row row : query("""
        SELECT u.email, e.type, count(*)::int AS n FROM security_events e JOIN users u ON u.id = e.user_id
        WHERE e.success GROUP BY u.email, e.type""")) {
      recorded.put(row.getString("email") + " " + row.getString("type"), row.getInteger("n"));
    }
    ackedEvents.forEach((key, acked) -> assertTrue(recorded.getOrDefault(key, 0) >= acked,
      key + ": " + acked + " acknowledged, " + recorded.getOrDefault(key, 0) + " recorded"));
  }

  private long now() {
    return (System.nanoTime() - loadStart) / 1_000_000;
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
