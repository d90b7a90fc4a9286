package dev.twofa.support;

import dev.twofa.Main;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code dev.twofa.Main} in a JVM of its own, on the test classpath, with the embedded database in
 * {@code dataDir}: a server to kill, or an operator command to run beside one.
 */
public final class ServerProcess {
  private final Process process;
  private final Path log;
  private final int httpPort;
  private final int managementPort;

  private ServerProcess(Process process, Path log, int httpPort, int managementPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
  }

  /** Starts the server and returns once {@code /health/ready} answers 200. */
  public static ServerProcess serve(Path dataDir) throws Exception {
    return serve(dataDir, Map.of());
  }

  /** Like {@link #serve(Path)}, with {@code env} added to its settings. */
  public static ServerProcess serve(Path dataDir, Map<String, String> env) throws Exception {
    int port = TestServer.freePort();
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("TWOFA_DATA_DIR", dataDir.toString());
    all.put("TWOFA_HTTP_PORT", String.valueOf(port));
    int management = TestServer.freePort();
    all.put("TWOFA_MANAGEMENT_PORT", String.valueOf(management));
    Path log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
    ServerProcess server = new ServerProcess(launch(all, List.of(), log), log, port, management);
    server.awaitReady(Duration.ofSeconds(120));
    return server;
  }

  /**
   * A cluster node in a JVM of its own with exactly {@code env} besides the usual test settings (no data folder:
   * give it TWOFA_DB_URL when it runs auth); returns once it logs {@code event=server.ready}, its consumers
   * known to the cluster.
   */
  public static ServerProcess clusterNode(Map<String, String> env, Path log) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putIfAbsent("TWOFA_HTTP_PORT", "0");
    all.putIfAbsent("TWOFA_MANAGEMENT_PORT", String.valueOf(TestServer.freePort()));
    ServerProcess node = new ServerProcess(launch(all, List.of(), log), log, 0,
      Integer.parseInt(all.get("TWOFA_MANAGEMENT_PORT")));
    node.awaitLogged("event=server.ready", Duration.ofSeconds(120));
    return node;
  }

  /** Runs {@code java ... Main args} to its end; returns its exit code and output. */
  public static Result run(Path dataDir, String... args) throws Exception {
    Path log = Files.createTempFile(dataDir.getParent(), "command", ".log");
    Process process = launch(dataDir, 0, List.of(args), log);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the command did not finish: " + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log));
  }

  /** Runs {@code java ... Main args} with exactly {@code env} besides the usual test settings, to its end. */
  public static Result run(Map<String, String> env, Path log, String... args) throws Exception {
    Process process = launch(env, List.of(args), log);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the command did not finish: " + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log));
  }

  public record Result(int exitCode, String output) {
  }

  private static Process launch(Path dataDir, int httpPort, List<String> args, Path log) throws IOException {
    return launch(Map.of("TWOFA_DATA_DIR", dataDir.toString(), "TWOFA_HTTP_PORT", String.valueOf(httpPort)), args, log);
  }

  private static Process launch(Map<String, String> env, List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
      "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("TWOFA_"));
    builder.environment().putAll(Map.of(
      "TWOFA_MANAGEMENT_PORT", "0",
      "TWOFA_HTTP_HOST", "127.0.0.1",
      "TWOFA_HTTP_INSTANCES", "1",
      "TWOFA_ARGON2_MEMORY_KIB", "1024",
      "TWOFA_ARGON2_ITERATIONS", "1"));
    builder.environment().putAll(env);
    return builder.start();
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl() + "/health/ready")).build();
    awaitOrStop(() -> {
      exitedEarly("the server");
      try {
        return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException notYet) {
        return false;   // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, "the server ready", timeout);
  }

  private void awaitLogged(String line, Duration timeout) throws Exception {
    awaitOrStop(() -> {
      try {
        if (output().contains(line)) {
          return true;
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      exitedEarly("the node");
      return false;
    }, "the node logging " + line, timeout);
  }

  /** Fails the wait at once when the process has exited (its output is added by {@link #awaitOrStop}). */
  private void exitedEarly(String what) {
    if (!process.isAlive()) {
      throw new IllegalStateException(what + " exited with " + process.exitValue());
    }
  }

  /** Waits for {@code done}; a process that never gets there is killed, and the failure carries its output. */
  private void awaitOrStop(java.util.function.BooleanSupplier done, String what, Duration timeout) throws Exception {
    try {
      Eventually.eventually(done, what, timeout);
    } catch (AssertionError | RuntimeException failed) {
      process.destroyForcibly();
      throw new IllegalStateException(what + ": " + failed.getMessage() + "\n" + quietOutput(), failed);
    }
  }

  private String quietOutput() {
    try {
      return output();
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /** Where this node serves the API (its public port). */
  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** Where this node answers health and metrics (its management port). */
  public String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  public Process process() {
    return process;
  }

  public String output() throws IOException {
    return Files.readString(log);
  }

  /** SIGKILL, as {@code kill -9}: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, as an init system stops it; returns the exit code. */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the server did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }
}
