package dev.twofa.bench;

import dev.twofa.bench.ClientLoops.RunStopped;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load benchmark (docs/performance.md). Starts the server as its own process on a fresh PostgreSQL, seeds
 * users with 2FA on, and measures: full two-factor logins, the second-factor step alone, Activity reads,
 * sign-ups, logins at four times the sustainable rate while other endpoints are probed, a burst of logins at
 * the same moment, and one abusive address among well-behaved clients. Prints numbers; asserts nothing.
 *
 * <pre>mvn -q -B -DskipTests package && mvn -q -B test-compile exec:java -Dexec.args="--users=20000 --seconds=20"</pre>
 */
public final class Benchmark {
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  /** Unexpected answers or empty runs; with --strict=true (the CI smoke) they fail the run. */
  private static final List<String> PROBLEMS = java.util.Collections.synchronizedList(new ArrayList<>());

  static String[] ARGS = new String[0];
  /** Where the server under test answers health and metrics: its management port. */
  private static volatile String managementUrl = "http://127.0.0.1:9090";

  public static void main(String[] args) throws Exception {
    ARGS = String.join(" ", args).trim().split("\\s+");
    BenchOptions options = BenchOptions.parse(args);
    System.out.printf("twofa benchmark: %d cores, argon2id m=%d KiB t=%d p=%d, %d users, %d clients, %d s per mode%n",
      CORES, options.argon2()[0], options.argon2()[1], options.argon2()[2], options.users(), options.clients(), options.seconds());
    HashFloor floor = HashFloor.measure(options);
    Vertx vertx = Vertx.vertx();
    try {
      List<String> hashed = options.modes().stream().filter(m -> !m.equals("second-factor")).toList();
      if (!hashed.isEmpty()) {
        runAgainst(vertx, new BenchOptions(hashed, options.users(), options.eventsPerUser(), options.clients(),
          options.seconds(), options.argon2(), options.hasher(), options.url(), options.dbUrl(), options.secretKey(),
          options.pid()), options, floor);
      }
      if (options.modes().contains("second-factor")) {
        // Preparing many pending logins needs many password steps: this run hashes cheaply, since it measures
        // only the second step.
        BenchOptions cheap = new BenchOptions(List.of("second-factor"), options.users(), 0, options.clients(),
          options.seconds(), new int[] {1024, 1, 1}, options.hasher(), options.url(), options.dbUrl(), options.secretKey(), options.pid());
        runAgainst(vertx, cheap, options, floor);
      }
    } catch (RunStopped stopped) {
      System.out.println("run ended early, " + stopped.getMessage());
      PROBLEMS.add("run ended early, " + stopped.getMessage());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    if (!PROBLEMS.isEmpty()) {
      System.out.println("problems: " + PROBLEMS);
      if (Arrays.asList(ARGS).contains("--strict=true")) {
        throw new IllegalStateException("benchmark smoke failed: " + PROBLEMS);
      }
    }
  }

  /**
   * Seconds of logins before the full and second-factor modes are measured ({@code --warmup}, default 60): the
   * JIT compilers of the server and of this load generator are busy for the first minute (with 3 s of warm-up,
   * C2 took a third of the server's CPU per login), and a server that has run for a while no longer pays that.
   */
  static int warmupSeconds(BenchOptions options) {
    return Arrays.stream(ARGS).filter(a -> a.startsWith("--warmup=")).findFirst()
      .map(a -> Integer.parseInt(a.substring("--warmup=".length()))).orElse(60);
  }

  /** Notes a mode whose run had no successes or unexpected errors ({@code allowed} statuses are expected). */
  static void check(String mode, Stats stats, String step, String... allowed) {
    if (stats.count(step) == 0) {
      PROBLEMS.add(mode + ": no successful " + step);
    }
    stats.errors().forEach((outcome, n) -> {
      // "driver.*" counts attempts the load driver skipped (no seeded user free this time step): not an answer.
      if (!outcome.startsWith("driver.") && Arrays.stream(allowed).noneMatch(outcome::endsWith)) {
        PROBLEMS.add(mode + ": " + n + " x " + outcome);
      }
    });
  }

  private static void runAgainst(Vertx vertx, BenchOptions run, BenchOptions asked, HashFloor floor) throws Exception {
    BenchServer server = run.url() == null ? BenchServer.start(run, Map.of("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32")) : null;
    String url = server != null ? server.url : run.url();
    managementUrl = server != null ? server.managementUrl : Arrays.stream(ARGS).filter(a -> a.startsWith("--management-url="))
      .findFirst().map(a -> a.substring("--management-url=".length())).orElse("http://127.0.0.1:9090");
    String dbUrl = server != null ? server.dbUrl : run.dbUrl();
    String key = server != null ? server.secretKey : run.secretKey();
    long pid = server != null ? server.pid() : run.pid();
    try {
      if (server != null) {
        System.out.printf("server: start to ready %d ms (the process reports %d ms from main), pid %d, JVM %s%n",
          server.startToReadyMs, server.reportedStartupMs, pid, String.join(" ", BenchServer.JVM_OPTIONS));
      }
      Seeder seeder = new Seeder(dbUrl, key);
      double seeded = seeder.seed(run.users(), run.eventsPerUser(), run.argon2());
      System.out.printf("seeded %d users with 2FA and %d events in %.1f s%n", run.users(),
        (long) run.users() * run.eventsPerUser(), seeded);
      if (Arrays.asList(ARGS).contains("--explain=true")) {
        new Seeder(dbUrl, key).explain(run.users());
      }
      // Users seeded during the run (the pool grown for a measured rate) get no activity rows.
      LoadDriver driver = new LoadDriver(vertx, url, run.users(), 2000, (from, to) -> seeder.seed(from, to, 0, run.argon2()));
      for (String mode : run.modes()) {
        try {
          switch (mode) {
            case "full" -> full(driver, run, pid, server == null ? -1 : server.databasePid(), floor);
            case "oidc" -> OidcMode.run(driver, run, pid, server == null ? -1 : server.databasePid(), dbUrl);
            case "second-factor" -> SecondFactorMode.run(driver, run, pid, server == null ? -1 : server.databasePid(), dbUrl);
            case "activity" -> activity(driver, run);
            case "signup" -> signup(driver, run);
            case "overload" -> overload(driver, run, floor);
            case "burst" -> CapacityModes.burst(driver, run);
            case "abuse" -> CapacityModes.abuse(driver, run, floor);
            case "passkey" -> PasskeyMode.run(driver, run, pid, server == null ? -1 : server.databasePid());
            default -> System.out.println("unknown mode " + mode);
          }
        } catch (RunStopped stopped) {
          throw new RunStopped("in mode " + mode + ": " + stopped.getMessage());
        }
        if (pid > 0) {
          long[] memory = BenchServer.memoryMiB(pid);
          System.out.printf("  server memory: resident %d MiB, peak resident %d MiB%n", memory[0], memory[1]);
        }
      }
      driver.close();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /**
   * The warm-up's full logins, in slices of at most 10 s (the first 3 s, while the rate is unknown), each after
   * growing the user pool for the fastest rate a slice measured; returns that rate (logins/s), 0 without a
   * warm-up. Nothing is measured here, so a client that finds no user free waits for the next code step instead
   * of ending the run; the pool is then doubled, that slice's rate (the pool's, not the server's) is not used,
   * and if it was the last slice, one more runs (up to 10), so the measured run is sized from a real rate.
   */
  static double warmUp(LoadDriver driver, BenchOptions options) {
    return warmUp(driver, options, driver::login, "login.full");
  }

  /** The same with {@code login} (counted under {@code step}) as the warm-up's login. */
  static double warmUp(LoadDriver driver, BenchOptions options, java.util.function.Function<Stats, Future<?>> login, String step) {
    Stats warm = new Stats();
    double fastest = 0;
    long waited = 0;
    int extra = 0;
    for (int left = warmupSeconds(options), slice; left > 0; left -= slice) {
      slice = Math.min(fastest == 0 ? 3 : 10, left);
      if (fastest > 0) {
        driver.ensureFree(LoadDriver.usersFor(fastest, slice, options.clients()),
          String.format("the warm-up at up to %.0f logins/s", fastest));
      }
      long before = warm.count(step);
      double seconds = driver.closedLoop(options.clients(), slice, () -> login.apply(warm)
        .recover(e -> e instanceof LoadDriver.NoFreeUser ? driver.untilNextStep().map(v -> null)
          : Future.failedFuture(e)));
      long waits = warm.failed(LoadDriver.NO_FREE_USER) - waited;
      if (waits == 0) {
        fastest = Math.max(fastest, (warm.count(step) - before) / seconds);
        continue;
      }
      waited += waits;
      System.out.printf("  warm-up: all %d users spent in a code step; %d logins waited for the next%n", driver.users(), waits);
      driver.growTo(2 * driver.users(), "the warm-up, whose pool ran out");
      if (left == slice && extra++ < 10) {
        left += slice;
      }
    }
    return fastest;
  }

  private static void full(LoadDriver driver, BenchOptions options, long pid, long databasePid, HashFloor floor) throws Exception {
    double warmRate = warmUp(driver, options);
    int unloadedSeconds = Math.max(2, options.seconds() / 4);
    if (warmRate > 0) {
      driver.ensureFree(LoadDriver.usersFor(warmRate, unloadedSeconds + options.seconds(), options.clients()),
        String.format("%d s of full logins at the warm-up's %.0f/s", options.seconds(), warmRate));
    }
    Stats unloaded = new Stats();
    double baseSeconds = driver.closedLoop(1, unloadedSeconds, () -> driver.login(unloaded));
    System.out.println("mode full, 1 client (unloaded):");
    System.out.println(unloaded.line("login.password", baseSeconds));
    System.out.println(unloaded.line("login.totp", baseSeconds));
    long cpuBefore = pid > 0 ? BenchServer.cpuMillis(pid) : 0;
    Map<String, Long> threadsBefore = pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of();
    long generatorBefore = BenchServer.cpuMillis(ProcessHandle.current().pid());
    long[] machineBefore = BenchServer.machineCpuMillis();
    long databaseBefore = databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) : 0;
    Map<String, Long> databaseByProcessBefore = databasePid > 0 ? BenchServer.treeCpuMillisByProcess(databasePid) : Map.of();
    Stats stats = new Stats();
    double seconds = driver.closedLoop(options.clients(), options.seconds(), () -> driver.login(stats));
    long generator = BenchServer.cpuMillis(ProcessHandle.current().pid()) - generatorBefore;
    long[] machineAfter = BenchServer.machineCpuMillis();
    long database = databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) - databaseBefore : 0;
    Map<String, Long> databaseByProcessAfter = databasePid > 0 ? BenchServer.treeCpuMillisByProcess(databasePid) : Map.of();
    long cpu = pid > 0 ? BenchServer.cpuMillis(pid) - cpuBefore : 0;
    Map<String, Long> threadsAfter = pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of();
    long logins = stats.count("login.totp");
    double rate = logins / seconds;
    System.out.printf("mode full, %d clients: %.1f logins/s = %.0f%% of cores / idle hash time (%.1f/s), %.0f%% of "
        + "%d hashing threads side by side (%.1f/s)%n", options.clients(), rate, 100 * rate / floor.idlePerSecond(),
      floor.idlePerSecond(), 100 * rate / floor.parallelPerSecond(), CORES, floor.parallelPerSecond());
    System.out.println(stats.line("session", seconds));
    System.out.println(stats.line("login.password", seconds));
    System.out.println(stats.line("login.totp", seconds));
    System.out.println("  errors: " + stats.errors());
    check("full", stats, "login.totp", " 503", "login.full 0");
    if (pid > 0 && logins > 0) {
      double perLogin = (double) cpu / logins;
      FULL_CPU_PER_LOGIN.set(Double.doubleToLongBits(perLogin));
      System.out.printf("  server CPU per login %.1f ms; minus one idle hash (%.1f ms): %.1f ms; minus one hash's CPU "
          + "side by side (%.1f ms): %.1f ms%n", perLogin, floor.idleHashMs(), perLogin - floor.idleHashMs(),
        floor.parallelHashCpuMs(), perLogin - floor.parallelHashCpuMs());
      printSplit("server CPU per login by thread", threadsBefore, threadsAfter, logins);
      printSplit("PostgreSQL CPU per login by process", databaseByProcessBefore, databaseByProcessAfter, logins);
      System.out.printf("  on the same cores, per login: PostgreSQL %.1f ms of CPU, the load generator (this JVM) %.1f ms%n",
        (double) database / logins, (double) generator / logins);
      System.out.println(BenchServer.machineLine(machineBefore, machineAfter, cpu + database + generator, Math.round(seconds * 1000)));
    }
    FULL_RATE.set((int) Math.round(rate));
    UNLOADED_P50.set((int) Math.round(1000 * unloaded.quantileMs("login.full", 0.5)));
  }

  /**
   * CPU per operation split by group (the server's thread groups, PostgreSQL's processes), largest first; groups
   * under 0.05 ms left out. A group can be negative: a process that ended in between moved its time to "exited".
   */
  static void printSplit(String label, Map<String, Long> before, Map<String, Long> after, long operations) {
    StringBuilder line = new StringBuilder("  " + label + ":");
    java.util.Set<String> groups = new java.util.TreeSet<>(after.keySet());
    groups.addAll(before.keySet());
    groups.stream()
      .map(g -> Map.entry(g, (double) (after.getOrDefault(g, 0L) - before.getOrDefault(g, 0L)) / operations))
      .filter(e -> Math.abs(e.getValue()) >= 0.05)
      .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
      .forEach(e -> line.append(String.format(" %s %.2f ms;", e.getKey(), e.getValue())));
    System.out.println(line);
  }

  private static final AtomicInteger FULL_RATE = new AtomicInteger();
  private static final AtomicInteger UNLOADED_P50 = new AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicLong FULL_CPU_PER_LOGIN = new java.util.concurrent.atomic.AtomicLong(-1);

  /** The full mode's server CPU per login (ms), NaN when it did not run in this process. */
  static double fullCpuPerLogin() {
    long bits = FULL_CPU_PER_LOGIN.get();
    return bits == -1 ? Double.NaN : Double.longBitsToDouble(bits);
  }

  /** The full mode's measured logins/s, 0 when it did not run. */
  static int fullRate() {
    return FULL_RATE.get();
  }

  private static void activity(LoadDriver driver, BenchOptions options) {
    List<LoadDriver.Browser> signedIn = new ArrayList<>();
    driver.ensureFree(options.clients(), "the activity mode's signed-in clients");
    Stats prep = new Stats();
    for (int i = 0; i < options.clients(); i++) {
      signedIn.add(LoadDriver.await(driver.login(prep)));
    }
    AtomicInteger turn = new AtomicInteger();
    Stats stats = new Stats();
    double seconds = driver.closedLoop(options.clients(), options.seconds(), () ->
      signedIn.get(Math.floorMod(turn.getAndIncrement(), signedIn.size())).get(stats, "activity", "/api/account/activity", 200));
    System.out.printf("mode activity (%d clients, first page of 50):%n", options.clients());
    System.out.println(stats.line("activity", seconds));
    System.out.println("  errors: " + stats.errors());
    check("activity", stats, "activity");
  }

  private static void signup(LoadDriver driver, BenchOptions options) {
    AtomicInteger n = new AtomicInteger();
    String run = Long.toString(System.nanoTime(), 36);
    Stats stats = new Stats();
    double seconds = driver.closedLoop(options.clients(), options.seconds(), () -> {
      LoadDriver.Browser b = driver.browser();
      return b.get(stats, "session", "/api/session", 200).compose(r -> b.post(stats, "signup", "/api/signup",
        LoadDriver.credentials("signup-" + run + "-" + n.incrementAndGet() + "@example.com", Seeder.PASSWORD), 201));
    });
    System.out.printf("mode signup (%d clients):%n", options.clients());
    System.out.println(stats.line("signup", seconds));
    System.out.println("  errors: " + stats.errors());
    check("signup", stats, "signup", " 503");
  }

  /** Logins arriving at four times the measured full-login rate, while other endpoints are probed. */
  private static void overload(LoadDriver driver, BenchOptions options, HashFloor floor) {
    double sustainable = FULL_RATE.get() > 0 ? FULL_RATE.get() : floor.parallelPerSecond();
    double offered = 4 * sustainable + 20;
    // An upper bound: refused logins give their users back unspent; up to 2 s of arrivals are in flight.
    driver.ensureFree(LoadDriver.usersFor(offered, options.seconds(), (int) (2 * offered)),
      String.format("logins offered at %.0f/s", offered));
    Stats prep = new Stats();
    // Probes travel on connections of their own, as other people's browsers would.
    Vertx probeVertx = Vertx.vertx();
    LoadDriver prober = new LoadDriver(probeVertx, driver.url(), 1, 16, null);
    LoadDriver.Browser probe = prober.browser();
    LoadDriver healthProber = new LoadDriver(probeVertx, managementUrl, 1, 16, null);
    LoadDriver.Browser healthProbe = healthProber.browser();
    LoadDriver.await(probe.get(prep, "session", "/api/session", 200));
    Stats logins = new Stats();
    Stats probes = new Stats();
    double seconds = driver.openLoop(offered, options.seconds(), () -> {
      int tick = (int) (System.nanoTime() / 1_000_000 % 4);
      Future<?> probed = switch (tick) {
        case 0 -> probe.get(probes, "probe.session", "/api/session", 200);
        case 1 -> probe.get(probes, "probe.signup-page", "/signup", 200);
        case 2 -> healthProbe.get(probes, "probe.health", "/health/live", 200);
        default -> probe.get(probes, "probe.static", "/css/app.css", 200);
      };
      return driver.login(logins).transform(r -> probed);
    });
    System.out.printf("mode overload: logins offered at %.0f/s (4x %.0f/s) with an equal stream of probes%n",
      offered, sustainable);
    System.out.println(logins.line("login.password", seconds));
    System.out.println(logins.line("login.totp", seconds));
    System.out.println(logins.line("login.full", seconds));
    double unloaded = UNLOADED_P50.get() / 1000.0;
    System.out.printf("  admitted full-login p99 %.1f ms vs unloaded p50 %.1f ms (x%.1f)%n",
      logins.quantileMs("login.full", 0.99), unloaded, logins.quantileMs("login.full", 0.99) / unloaded);
    System.out.printf("  refused password steps (503): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
      logins.quantileMs("login.password 503", 0.5), logins.quantileMs("login.password 503", 0.99),
      logins.quantileMs("login.password 503", 1.0));
    System.out.println("  refused or failed: " + logins.errors());
    check("overload", logins, "login.password", " 503", "login.full 0");
    for (String step : List.of("probe.session", "probe.signup-page", "probe.health", "probe.static")) {
      System.out.println(probes.line(step, seconds));
    }
    printAdmission();
    prober.close();
    healthProber.close();
    LoadDriver.await(probeVertx.close());
  }

  /**
   * The server's own view of hash admission so far: how long admitted hashes waited for a thread, refusals by
   * reason (counters since the server started), and how long its 503 answers took from request to response
   * (count, sum and recent max: the client's figure adds its own queueing on a shared machine).
   */
  static void printAdmission() {
    String metrics;
    try {
      metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(managementUrl + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.io.IOException | InterruptedException e) {
      System.out.println("  server metrics unreadable at " + managementUrl + ": " + e);
      return;
    }
    metrics.lines().filter(line -> line.startsWith("twofa_hash_queue_wait_seconds") || line.startsWith("twofa_hash_refusals_total")
        || line.startsWith("vertx_http_server_response_time_seconds") && line.contains("code=\"503\""))
      .forEach(line -> System.out.println("  server " + line));
  }
}
