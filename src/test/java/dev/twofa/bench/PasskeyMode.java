package dev.twofa.bench;

import dev.twofa.support.SoftwarePasskey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Logins with a passkey alone (no password, no hash): per client, an account signed up with a software
 * authenticator ({@link SoftwarePasskey}, ES256, user verification) whose passkey is added over the API; then each
 * login is POST /api/login/passkey-sign-in/options, the signature, POST /api/login/passkey-sign-in. A client owns
 * its device, since a device's counter must reach the server in order. Reported as the server's and PostgreSQL's
 * CPU per login, beside the full mode's (password and TOTP code) and the second-factor mode's (the code alone).
 */
final class PasskeyMode {
  private PasskeyMode() {
  }

  /** One browser and the passkey device it holds. */
  private record Device(LoadDriver.Browser browser, SoftwarePasskey passkey) {
  }

  static void run(LoadDriver driver, BenchOptions options, long pid, long databasePid) throws Exception {
    // The origin the server signs for: its TWOFA_PUBLIC_URL (the jar's default unless --public-url= is given).
    String origin = Arrays.stream(Benchmark.ARGS).filter(a -> a.startsWith("--public-url="))
      .findFirst().map(a -> a.substring("--public-url=".length())).orElse("http://localhost:8080");
    String run = Long.toString(System.nanoTime(), 36);
    Stats prep = new Stats();
    ConcurrentLinkedQueue<Device> devices = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < options.clients(); i++) {
      LoadDriver.Browser b = driver.browser();
      SoftwarePasskey passkey = new SoftwarePasskey(origin, SoftwarePasskey.UV);
      String email = "passkey-" + run + "-" + i + "@example.com";
      var added = LoadDriver.await(b.get(prep, "session", "/api/session", 200)
        .compose(r -> b.post(prep, "signup", "/api/signup",
          LoadDriver.credentials(email, Seeder.PASSWORD), 201))
        .compose(r -> b.post(prep, "passkey.add-options", "/api/passkeys/options", new JsonObject(), 200))
        .compose(r -> r.statusCode() != 200 ? Future.succeededFuture(r)
          : b.post(prep, "passkey.add", "/api/passkeys", new JsonObject().put("credential",
            create(passkey, r.bodyAsJsonObject().getJsonObject("publicKey"))), 201)));
      if (added.statusCode() != 201) {
        throw new ClientLoops.RunStopped("passkey: adding a passkey answered " + added.statusCode() + " "
          + added.bodyAsString() + " (" + prep.errors() + ")");
      }
      devices.add(new Device(b, passkey));
    }
    Stats warm = new Stats();
    driver.closedLoop(options.clients(), Math.min(30, Benchmark.warmupSeconds(options)), () -> login(devices, warm));
    long cpuBefore = pid > 0 ? BenchServer.cpuMillis(pid) : 0;
    Map<String, Long> threadsBefore = pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of();
    long databaseBefore = databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) : 0;
    Stats stats = new Stats();
    double seconds = driver.closedLoop(options.clients(), options.seconds(), () -> login(devices, stats));
    long cpu = pid > 0 ? BenchServer.cpuMillis(pid) - cpuBefore : 0;
    Map<String, Long> threadsAfter = pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of();
    long database = databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) - databaseBefore : 0;
    long logins = stats.count("passkey.sign-in");
    System.out.printf("mode passkey, %d clients: %.1f logins/s (options, then the signed assertion)%n", options.clients(),
      logins / seconds);
    System.out.println(stats.line("passkey.options", seconds));
    System.out.println(stats.line("passkey.sign-in", seconds));
    System.out.println("  errors: " + stats.errors() + (prep.errors().isEmpty() ? "" : "; while adding passkeys: " + prep.errors()));
    if (pid > 0 && logins > 0) {
      System.out.printf("  CPU per passkey login: server %.2f ms, PostgreSQL %.2f ms%n", (double) cpu / logins,
        (double) database / logins);
      Benchmark.printSplit("server CPU per passkey login by thread", threadsBefore, threadsAfter, logins);
    }
    Benchmark.check("passkey", stats, "passkey.sign-in");
  }

  /** One login with a device no other client holds meanwhile. */
  private static Future<?> login(ConcurrentLinkedQueue<Device> devices, Stats stats) {
    Device device = devices.poll();
    if (device == null) {
      return Future.failedFuture(new ClientLoops.RunStopped("passkey: more clients than devices"));
    }
    LoadDriver.Browser b = device.browser();
    return b.post(stats, "passkey.options", "/api/login/passkey-sign-in/options", new JsonObject(), 200)
      .compose(r -> b.post(stats, "passkey.sign-in", "/api/login/passkey-sign-in", new JsonObject().put("credential",
        get(device.passkey(), r.bodyAsJsonObject().getJsonObject("publicKey"))), 200))
      .andThen(done -> devices.add(device));
  }

  private static JsonObject create(SoftwarePasskey passkey, JsonObject options) {
    try {
      return passkey.create(options);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject get(SoftwarePasskey passkey, JsonObject options) {
    try {
      return passkey.get(options);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
