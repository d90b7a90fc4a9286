package dev.twofa.bench;

import dev.twofa.bench.ClientLoops.RunStopped;
import dev.twofa.support.Totp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Drives the real HTTP API as browsers would (cookies, the CSRF header), with Vert.x's WebClient. A login is
 * POST /api/login then POST /api/login/totp with the user's current code; no user reuses a time step. Each
 * browser comes from an address of its own (X-Forwarded-For, read by a server that trusts 127.0.0.1 as its
 * proxy), as people do: otherwise the server's per-address share of the hash queue would be what is measured.
 */
final class LoadDriver {
  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final String host;
  private final int port;
  private final UserPool pool;
  private final MoreUsers moreUsers;
  private final ClientLoops loops;
  private final AtomicInteger addresses = new AtomicInteger();

  /** The step under which the stats count logins that found no user free ("driver.*": not the server's answer). */
  static final String NO_FREE_USER = "driver.no-free-user";

  /** No seeded user is free in this code step (see {@link UserPool}). */
  static final class NoFreeUser extends RunStopped {
    NoFreeUser(String message) {
      super(message);
    }
  }

  /** Seeds users {@code from} to {@code to - 1} (their emails and secrets are {@link Seeder}'s by index). */
  interface MoreUsers {
    void seed(int from, int to) throws Exception;
  }

  /**
   * {@code connections} bounds this driver's pool: the server, not the driver, must be what makes requests wait.
   * {@code moreUsers} (or null) seeds users when a run needs more than the {@code users} seeded.
   */
  LoadDriver(Vertx vertx, String url, int users, int connections, MoreUsers moreUsers) {
    this.vertx = vertx;
    this.url = url;
    URI uri = URI.create(url);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.pool = new UserPool(users);
    this.moreUsers = moreUsers;
    this.loops = new ClientLoops(vertx);
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true)
      .setDefaultHost(host).setDefaultPort(port).setUserAgent("Mozilla/5.0 (X11; Linux x86_64) twofa-bench/1.0"),
      new PoolOptions().setHttp1MaxSize(connections));
  }

  /** One browser: a cookie jar, the CSRF token it last saw, and the address its proxy reports. */
  final class Browser {
    private final WebClientSession session = WebClientSession.create(client);
    private String xsrf = "";

    private Browser(String address) {
      session.addHeader("X-Forwarded-For", address);
    }

    Future<HttpResponse<Buffer>> get(Stats stats, String step, String path, int expected) {
      return timed(stats, step, expected, () -> session.get(path).send());
    }

    Future<HttpResponse<Buffer>> post(Stats stats, String step, String path, JsonObject body, int expected) {
      return timed(stats, step, expected, () -> session.post(path).putHeader("X-XSRF-TOKEN", xsrf).sendJsonObject(body));
    }

    /** A GET whose 302 is the answer (the OpenID Connect endpoints redirect): not followed. */
    Future<HttpResponse<Buffer>> redirect(Stats stats, String step, String path) {
      return timed(stats, step, 302, () -> session.get(path).followRedirects(false).send());
    }

    /** A form POST with an Authorization header, as an application's server sends to the token endpoint. */
    Future<HttpResponse<Buffer>> postForm(Stats stats, String step, String path, io.vertx.core.MultiMap form,
                                          String authorization, int expected) {
      return timed(stats, step, expected, () -> session.post(path).putHeader("Authorization", authorization).sendForm(form));
    }

    private Future<HttpResponse<Buffer>> timed(Stats stats, String step, int expected,
                                               Supplier<Future<HttpResponse<Buffer>>> call) {
      long start = System.nanoTime();
      return call.get().andThen(result -> {
        long nanos = System.nanoTime() - start;
        if (result.succeeded()) {
          for (String cookie : result.result().cookies()) {
            if (cookie.startsWith("XSRF-TOKEN=")) {
              xsrf = cookie.substring("XSRF-TOKEN=".length(), cookie.indexOf(';'));
            }
          }
          stats.record(step, nanos, result.result().statusCode(), result.result().statusCode() == expected);
        } else {
          stats.record(step, nanos, 0, false);
        }
      }).recover(e -> Future.failedFuture(new RunStopped("no answer from the server to " + step + ": " + e)));
    }
  }

  String url() {
    return url;
  }

  /** A browser at an address no other browser of this driver has had (10.0.0.1, 10.0.0.2, ...). */
  Browser browser() {
    int n = addresses.incrementAndGet();
    return new Browser("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255));
  }

  Browser browser(String address) {
    return new Browser(address);
  }

  /** The users this driver may log in as (seeded users 0 to {@code users() - 1}). */
  int users() {
    return pool.size();
  }

  /**
   * A seeded user who is not logging in right now and whose code for the current step is unused, held until
   * {@link #release}; a {@link NoFreeUser} when there is none (see {@link UserPool} for how the pool is consumed).
   */
  int nextUser() {
    int user = pool.take(currentStep());
    if (user < 0) {
      throw new NoFreeUser(String.format("no seeded user is free: all %d are logging in or sent a code in this 30 s "
        + "TOTP step (the server accepts a step once per user); the run went faster than its pool was sized for, "
        + "seed more with --users", pool.size()));
    }
    return user;
  }

  void release(int user) {
    pool.giveBack(user);
  }

  /** The user's code now; its step is then spent (the server refuses a step twice). */
  String code(int user) {
    Instant now = Instant.now();
    pool.spend(user, now.getEpochSecond() / 30);
    return Totp.code(Seeder.secret(user), now);
  }

  /**
   * Seeds more users when fewer than {@code users} are free in this step, so a run sized from its expected rate
   * does not run out; {@code why} says what the number was sized for.
   */
  void ensureFree(int users, String why) {
    growTo(pool.size() + users - pool.free(currentStep()), why);
  }

  /** Seeds users until there are {@code users} in all. */
  void growTo(int users, String why) {
    int from = pool.size();
    if (users <= from || moreUsers == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      moreUsers.seed(from, users);
    } catch (Exception e) {
      throw new IllegalStateException("seeding more users failed", e);
    }
    pool.grow(users);
    System.out.printf("  seeded %d more users (%d in all) in %.1f s for %s%n", users - from, users,
      (System.nanoTime() - start) / 1e9, why);
  }

  /**
   * Free users a run of {@code seconds} at {@code perSecond} logins takes: at most one 30 s step's worth (after
   * a boundary the users spent before it are free again), three times over, plus those in flight. The margin is
   * wide because users are cheap (10,000 seeded in a fraction of a second) and, on a shared machine, a rate
   * doubles within seconds when other work stops.
   */
  static int usersFor(double perSecond, int seconds, int inFlight) {
    return (int) Math.ceil(3 * perSecond * Math.min(seconds, 30)) + inFlight;
  }

  /** Completes when the next 30 s code step has begun: every user spent before it is free again. */
  Future<Void> untilNextStep() {
    Promise<Void> next = Promise.promise();
    vertx.setTimer(30_000 - System.currentTimeMillis() % 30_000 + 50, t -> next.complete());
    return next.future();
  }

  private static long currentStep() {
    return Instant.now().getEpochSecond() / 30;
  }

  static JsonObject credentials(String email, String password) {
    return new JsonObject().put("email", email).put("password", password);
  }

  /** A full two-factor login in a fresh browser; succeeds with the signed-in browser. */
  Future<Browser> login(Stats stats) {
    int user;
    try {
      user = nextUser();
    } catch (RunStopped e) {
      stats.record(NO_FREE_USER, 0, 0, false);
      return Future.failedFuture(e);
    }
    Browser b = browser();
    long[] started = new long[1];
    return b.get(stats, "session", "/api/session", 200)
      .compose(r -> {
        started[0] = System.nanoTime();
        return b.post(stats, "login.password", "/api/login", credentials(Seeder.email(user), Seeder.PASSWORD), 200);
      })
      .compose(r -> r.statusCode() == 200
        ? b.post(stats, "login.totp", "/api/login/totp", new JsonObject().put("code", code(user)), 200)
        : backOff(r).compose(waited -> Future.failedFuture("password step " + r.statusCode())))
      .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(b) : Future.failedFuture("totp step " + r.statusCode()))
      // "login.full": both steps of one login, from sending the password to the code's answer.
      .andThen(done -> stats.record("login.full", System.nanoTime() - started[0], 0, done.succeeded()))
      .andThen(done -> release(user));
  }

  /** Waits as a well-behaved client does after a 503 or 429: for its Retry-After. */
  Future<Void> backOff(HttpResponse<Buffer> response) {
    String retryAfter = response.getHeader("Retry-After");
    if (retryAfter == null) {
      return Future.succeededFuture();
    }
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(Math.min(5, Long.parseLong(retryAfter)) * 1000L, t -> waited.complete());
    return waited.future();
  }

  /** Runs {@code clients} closed loops of {@code iteration} for {@code seconds}; returns the measured seconds. */
  double closedLoop(int clients, int seconds, Supplier<Future<?>> iteration) {
    return loops.closedLoop(clients, seconds, iteration, new AtomicInteger(), Integer.MAX_VALUE);
  }

  /** The same, stopping early once {@code counter} reaches {@code limit}. */
  double closedLoop(int clients, double seconds, Supplier<Future<?>> iteration, AtomicInteger counter, int limit) {
    return loops.closedLoop(clients, seconds, iteration, counter, limit);
  }

  double openLoop(double perSecond, int seconds, Supplier<Future<?>> arrival) {
    return loops.openLoop(perSecond, seconds, arrival);
  }

  Future<Void> loops(int clients, BooleanSupplier over, Supplier<Future<?>> iteration) {
    return loops.loops(clients, over, iteration);
  }

  static <T> T await(Future<T> future) {
    return ClientLoops.await(future);
  }

  void close() {
    client.close();
  }
}
