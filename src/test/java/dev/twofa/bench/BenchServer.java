package dev.twofa.bench;

import dev.twofa.db.EmbeddedDatabase;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server under test: target/twofa.jar started as its own process (so its CPU time and memory are its own)
 * on a PostgreSQL the benchmark starts, with the JVM settings docs/performance.md gives.
 */
final class BenchServer implements AutoCloseable {
  static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx160m", "-XX:MaxMetaspaceSize=96m",
    "-XX:ReservedCodeCacheSize=48m", "-Xss512k", "-XX:TieredStopAtLevel=4");
  private final EmbeddedDatabase database;
  private final Process process;
  final String url;
  /** Where its health and metrics answer (the management port). */
  final String managementUrl;
  final String dbUrl;
  final String secretKey;
  final long startToReadyMs;
  final long reportedStartupMs;
  /** Stops the server and its PostgreSQL if the benchmark is killed (a timeout, Ctrl-C) before it closes them. */
  private final Thread stopOnExit;

  private BenchServer(EmbeddedDatabase database, Process process, String url, String managementUrl, String dbUrl,
                      String secretKey, long startToReadyMs, long reportedStartupMs) {
    this.database = database;
    this.process = process;
    this.url = url;
    this.managementUrl = managementUrl;
    this.dbUrl = dbUrl;
    this.secretKey = secretKey;
    this.startToReadyMs = startToReadyMs;
    this.reportedStartupMs = reportedStartupMs;
    this.stopOnExit = new Thread(() -> {
      process.destroy();
      try {
        database.close();
      } catch (IOException e) {
        // exiting anyway
      }
    });
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  long pid() {
    return process.pid();
  }

  static BenchServer start(BenchOptions options, Map<String, String> extraEnv) throws Exception {
    Path jar = Path.of("target", "twofa.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build the server first: mvn -q -B -DskipTests package");
    }
    Path dir = Files.createTempDirectory("twofa-bench");
    EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), 0, false);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String secretKey = Base64.getEncoder().encodeToString(key);
    int port;
    int managementPort;
    try (var socket = new java.net.ServerSocket(0); var management = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
      managementPort = management.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    // e.g. TWOFA_BENCH_JVM_EXTRA="-XX:StartFlightRecording=filename=target/server.jfr" to profile the server.
    String extra = System.getenv("TWOFA_BENCH_JVM_EXTRA");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(dir.resolve("server.log").toFile());
    builder.environment().putAll(Map.of(
      "TWOFA_DB_URL", database.url(), "TWOFA_SECRET_KEY", secretKey, "TWOFA_HTTP_PORT", String.valueOf(port),
      "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_DB_POOL_SIZE", "16",
      "TWOFA_ARGON2_MEMORY_KIB", String.valueOf(options.argon2()[0]),
      "TWOFA_ARGON2_ITERATIONS", String.valueOf(options.argon2()[1]),
      "TWOFA_ARGON2_PARALLELISM", String.valueOf(options.argon2()[2]),
      "TWOFA_PASSWORD_HASHER", options.hasher()));
    // The benchmark logs in and signs up far more often from one address than people do.
    builder.environment().put("TWOFA_MANAGEMENT_PORT", String.valueOf(managementPort));
    builder.environment().put("TWOFA_PASSWORD_MAX_FAILURES_PER_ADDRESS", "1000000");
    builder.environment().put("TWOFA_LOGINS_PER_ADDRESS_PER_HOUR", "100000000");
    builder.environment().put("TWOFA_SIGNUPS_PER_ADDRESS_PER_HOUR", "100000000");
    builder.environment().putAll(extraEnv);
    long spawned = System.nanoTime();
    Process process = builder.start();
    String url = "http://127.0.0.1:" + port;
    String managementUrl = "http://127.0.0.1:" + managementPort;
    try {
      waitUntilReady(managementUrl, process);
    } catch (Exception e) {
      process.destroy();
      database.close();
      throw e;
    }
    long startToReady = (System.nanoTime() - spawned) / 1_000_000;
    Matcher ready = Pattern.compile("event=server.ready .* ms=(\\d+)").matcher(Files.readString(dir.resolve("server.log")));
    long reported = ready.find() ? Long.parseLong(ready.group(1)) : -1;
    return new BenchServer(database, process, url, managementUrl, database.url(), secretKey, startToReady, reported);
  }

  static void waitUntilReady(String url, Process process) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("the server exited with " + process.exitValue());
      }
      try {
        // A probe the server never answers is asked again (seen once: the first request after start lost to an
        // exception in the HTTP metrics); without a timeout it would wait forever.
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the server did not become ready within 60 s");
  }

  /** User plus system CPU time of a process, in milliseconds (from /proc). */
  static long cpuMillis(long pid) throws IOException {
    return cpuMillisOf(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
  }

  /** utime + stime of a /proc stat line (a process's or a thread's), in milliseconds. */
  private static long cpuMillisOf(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 10; // USER_HZ is 100 on Linux
  }

  /**
   * CPU time by thread group (the thread's name without its number: event loops, workers, hashing threads, JIT
   * compilers, GC), in milliseconds, so a figure per login can be split by who spent it.
   */
  static Map<String, Long> cpuMillisByThread(long pid) throws IOException {
    Map<String, Long> groups = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[-#\\s]*\\d+$", "");
        groups.merge(name, cpuMillisOf(stat), Long::sum);
      }
    }
    return groups;
  }

  /** The embedded PostgreSQL's postmaster. */
  long databasePid() {
    return database.pid();
  }

  /**
   * CPU time of a process and every process under it (PostgreSQL's backends), plus what its reaped children
   * used, in milliseconds.
   */
  static long treeCpuMillis(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long total = (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10 + cpuMillis(pid);
    for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
      try {
        total += cpuMillis(child.pid());
      } catch (IOException gone) {
        // ended meanwhile: its time is in the parent's reaped-children count
      }
    }
    return total;
  }

  /**
   * {@link #treeCpuMillis} split by process: client backends, autovacuum workers, checkpointer, WAL writer and the
   * other background processes by their title, and "exited" for the processes reaped meanwhile (autovacuum
   * workers come and go), in milliseconds.
   */
  static Map<String, Long> treeCpuMillisByProcess(long pid) throws IOException {
    Map<String, Long> groups = new java.util.TreeMap<>();
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    groups.put("exited", (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10);
    groups.put("postmaster", cpuMillisOf(stat));
    for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
      try {
        String title = Files.readString(Path.of("/proc", String.valueOf(child.pid()), "cmdline")).replace('\0', ' ').trim()
          .replaceFirst("^postgres: ", "");
        String group = title.contains("(") ? "backends" : title.startsWith("autovacuum worker") ? "autovacuum worker" : title;
        groups.merge(group, cpuMillis(child.pid()), Long::sum);
      } catch (IOException gone) {
        // ended meanwhile: its time is in the parent's reaped-children count
      }
    }
    return groups;
  }

  /**
   * The whole machine's CPU time so far from /proc/stat, in milliseconds: busy (user, nice, system, interrupts)
   * and stolen by the hypervisor. Against this benchmark's own processes it shows what other work took from the
   * same cores during a measurement.
   */
  static long[] machineCpuMillis() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
    return new long[] {busy * 10, Long.parseLong(f[8]) * 10};
  }

  /**
   * One line on the machine during a measurement of {@code wallMillis}: cores busy in all, of which this
   * benchmark's processes ({@code oursMillis}: server, PostgreSQL, load generator) and other work, and stolen.
   */
  static String machineLine(long[] before, long[] after, long oursMillis, long wallMillis) {
    double busy = (double) (after[0] - before[0]) / wallMillis;
    double ours = (double) oursMillis / wallMillis;
    return String.format("  the machine meanwhile: %.2f cores busy: this benchmark %.2f, other work %.2f; stolen %.2f",
      busy, ours, busy - ours, (double) (after[1] - before[1]) / wallMillis);
  }

  /** Resident and peak resident memory in MiB. */
  static long[] memoryMiB(long pid) throws IOException {
    long rss = 0;
    long peak = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      } else if (line.startsWith("VmHWM:")) {
        peak = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return new long[] {rss, peak};
  }

  @Override
  public void close() throws Exception {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException exiting) {
      // the hook is running or will
    }
    process.destroy();
    process.waitFor();
    database.close();
  }
}
