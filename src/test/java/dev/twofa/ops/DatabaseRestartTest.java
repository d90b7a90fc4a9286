package dev.twofa.ops;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL stopped and started again in the middle of concurrent logins (password, then TOTP or recovery
 * code, each code sent twice at once): requests meanwhile get 503 with a JSON error, never 500; the server
 * answers again once the database is back, without a restart of its own (how long that took is printed, not
 * asserted: timing belongs in the benchmark); no code is accepted twice; and every security event whose request
 * was answered 2xx is in security_events afterwards.
 */
class DatabaseRestartTest {
  private static final int WORKERS = 4;
  private static final int ACCOUNTS_PER_WORKER = 3;

  @RegisterExtension
  static TestServer server = new TestServer().withOwnDatabase()
    .with("TWOFA_LOGINS_PER_ADDRESS_PER_HOUR", "100000000");
  private final TestAccounts accounts = new TestAccounts(server);

  /** What the load saw: every answer, and the codes and steps answered 2xx. */
  private final List<Response> answers = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> accepted = new ConcurrentHashMap<>();
  private final Map<String, Integer> ackedEvents = new ConcurrentHashMap<>();
  /** Rounds over its accounts each worker has completed. */
  private final AtomicIntegerArray rounds = new AtomicIntegerArray(WORKERS);

  @Test
  void aRestartMidLoadAnswers503ThenRecoversAndLosesNothing() throws Exception {
    List<Enrolled> enrolled = new ArrayList<>();
    for (int i = 0; i < WORKERS * ACCOUNTS_PER_WORKER; i++) {
      enrolled.add(accounts.enrolled());
    }
    String plain = TestAccounts.uniqueEmail();
    accounts.signedUp(plain);
    Instant codesAt = server.clock().instant();   // the clock stands still from here on

    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      List<Enrolled> mine = enrolled.subList(w * ACCOUNTS_PER_WORKER, (w + 1) * ACCOUNTS_PER_WORKER);
      int worker = w;
      workers.add(pool.submit(() -> load(worker, mine, codesAt, running)));
    }
    // Each phase lasts until every worker has been through its accounts within it (a round begun after the
    // phase began), so the load meets the server before the outage, during it, and after it.
    eventually(() -> accepted.size() >= WORKERS && everyWorkerRoundsSince(new int[WORKERS]),
      "logins go through before the outage");
    server.stopDatabase();
    int[] stopped = roundsNow();
    eventually(() -> everyWorkerRoundsSince(stopped), "every worker meets the outage");
    int duringOutage = answers.size();
    server.startDatabase();
    Instant back = Instant.now();
    Duration recovery = recoveredAfter(plain, back);
    int[] recovered = roundsNow();
    eventually(() -> everyWorkerRoundsSince(recovered), "every worker runs again after the database is back");
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    List<Response> seen = List.copyOf(answers);
    System.out.println("[database restart] answers by status " + seen.stream().collect(
      java.util.stream.Collectors.groupingBy(Response::status, java.util.TreeMap::new, java.util.stream.Collectors.counting()))
      + ", codes accepted " + accepted.size() + ", answering again after " + recovery.toMillis() + " ms");
    List<Response> all = List.copyOf(answers);
    assertTrue(all.stream().noneMatch(r -> r.status() >= 500 && r.status() != 503), firstOf(all, 500));
    List<Response> refused = all.stream().filter(r -> r.status() == 503).toList();
    assertTrue(!refused.isEmpty(), "the outage was felt: " + duringOutage + " answers, none 503");
    for (Response r : refused) {
      JsonObject body = r.json();
      assertTrue(Set.of("unavailable", "overloaded").contains(body.getString("error")), r.toString());
      assertTrue(!body.getString("message").isBlank(), r.toString());
    }
    assertTrue(all.stream().anyMatch(r -> r.status() == 200), "logins went through before and after");
    accepted.forEach((use, times) -> assertEquals(1, times, use + " accepted " + times + " times"));

    // Every acknowledged event reaches the table, through the outbox, once the relay has run.
    eventually(() -> count("SELECT count(*)::int AS n FROM event_outbox") == 0, "the outbox drained");
    Map<String, Integer> recorded = new HashMap<>();
    for (Row row : server.query("""
        SELECT u.email, e.type, count(*)::int AS n FROM security_events e JOIN users u ON u.id = e.user_id
        WHERE e.success GROUP BY u.email, e.type""")) {
      recorded.put(row.getString("email") + " " + row.getString("type"), row.getInteger("n"));
    }
    ackedEvents.forEach((key, acked) -> assertTrue(recorded.getOrDefault(key, 0) >= acked,
      key + ": " + acked + " acknowledged, " + recorded.getOrDefault(key, 0) + " recorded"));
    for (Enrolled account : enrolled) {
      int used = accepted.keySet().stream().filter(k -> k.startsWith(account.email() + " recovery ")).toList().size();
      int remaining = count("SELECT count(*)::int AS n FROM recovery_codes r JOIN users u ON u.id = r.user_id "
        + "WHERE u.email = $1 AND r.used_at IS NULL", account.email());
      assertTrue(remaining <= 8 - used, account.email() + ": " + used + " codes accepted, " + remaining + " left");
    }
  }

  /** Rounds each worker has completed. */
  private int[] roundsNow() {
    int[] now = new int[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
      now[w] = rounds.get(w);
    }
    return now;
  }

  /** True once every worker has completed a whole round begun after {@code since} was taken. */
  private boolean everyWorkerRoundsSince(int[] since) {
    for (int w = 0; w < WORKERS; w++) {
      if (rounds.get(w) < since[w] + 2) {
        return false;
      }
    }
    return true;
  }

  /**
   * One worker: round after round over its accounts, a password step on two browsers, then the same code on
   * both at once. The codes cycle through the three TOTP steps of the window and the eight recovery codes, and
   * start over: every later use of a code already accepted must fail.
   */
  private void load(int worker, List<Enrolled> mine, Instant codesAt, AtomicBoolean running) {
    Map<String, Integer> next = new HashMap<>();
    while (running.get()) {
      for (Enrolled account : mine) {
        int i = next.merge(account.email(), 1, Integer::sum) - 1;
        int slot = i % 11;
        boolean totp = slot < 3;
        String code = totp ? Totp.code(account.secret(), codesAt.plusSeconds(30L * (slot - 1)))
          : account.recoveryCodes().get(slot - 3);
        List<ApiClient> browsers = java.util.Arrays.asList(pending(account.email()), pending(account.email()));
        if (browsers.contains(null)) {
          continue;
        }
        String path = totp ? "/api/login/totp" : "/api/login/recovery";
        List<CompletableFuture<Response>> sent = browsers.stream().map(b -> b.postAsync(path, code(code))).toList();
        for (CompletableFuture<Response> answer : sent) {
          Response r = answer.join();
          answers.add(r);
          if (r.status() == 200) {
            accepted.merge(account.email() + (totp ? " totp " : " recovery ") + code, 1, Integer::sum);
            ackedEvents.merge(account.email() + (totp ? " login.totp" : " login.recovery_code"), 1, Integer::sum);
          }
        }
      }
      rounds.incrementAndGet(worker);
    }
  }

  /** A browser past the password step, or null when the step was refused (counted in the answers). */
  private ApiClient pending(String email) {
    ApiClient browser = server.newClient();
    Response login = browser.post("/api/login", credentials(email, PASSWORD));
    answers.add(login);
    if (login.status() != 200) {
      return null;
    }
    ackedEvents.merge(email + " login.password", 1, Integer::sum);
    return browser;
  }

  /** Polls a password login (a full round through auth and PostgreSQL) until it succeeds; the time it took. */
  private Duration recoveredAfter(String email, Instant back) throws InterruptedException {
    eventually(() -> {
      Response login = server.newClient().post("/api/login", credentials(email, PASSWORD));
      answers.add(login);
      if (login.status() == 200) {
        ackedEvents.merge(email + " login.password", 1, Integer::sum);
      }
      return login;
    }, login -> login.status() == 200, "the server answers again once the database is back, without a restart");
    return Duration.between(back, Instant.now());
  }

  private static String firstOf(List<Response> answers, int status) {
    return answers.stream().filter(r -> r.status() == status).findFirst().map(Response::toString).orElse("none");
  }

  private static int count(String sql, Object... params) {
    return server.query(sql, params).get(0).getInteger("n");
  }
}
