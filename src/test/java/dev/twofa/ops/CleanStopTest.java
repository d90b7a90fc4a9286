package dev.twofa.ops;

import dev.twofa.cluster.EdgeKeys;
import dev.twofa.config.KeyRing;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ServerProcess;
import dev.twofa.support.TestPostgres;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.twofa.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM, as an orchestrator stops a node, to real processes of every role (http, auth, audit, all in one), alone
 * and clustered: each finishes what it has in flight, leaves the cluster, stops its embedded PostgreSQL and exits
 * (143, as a JVM stopped by SIGTERM does) having logged {@code event=server.stopped}. A node that cannot finish
 * within {@code TWOFA_SHUTDOWN_SECONDS} halts. The stop times are printed, not asserted (timing belongs in the
 * benchmark); the bound itself is what fails a stop.
 */
class CleanStopTest {
  private static final Pattern EMBEDDED_PID = Pattern.compile("event=database\\.embedded port=\\d+ pid=(\\d+)");
  private static final int STOPPED_BY_SIGTERM = 143;

  @TempDir
  Path dir;

  @Test
  void everyRoleStopsOnSigtermAlone() throws Exception {
    String database = TestPostgres.freshDatabase();
    byte[] key = randomKey();
    for (String role : new String[] {"http", "auth", "audit"}) {
      Map<String, String> env = keys(role, key);
      env.put("TWOFA_VERTICLES", role);
      env.put("TWOFA_DB_URL", database);
      stop(ServerProcess.clusterNode(env, dir.resolve(role + ".log")), role + " alone");
    }
    Path data = dir.resolve("all-in-one");
    ServerProcess allInOne = ServerProcess.serve(data);
    long postgres = embeddedPid(allInOne);
    stop(allInOne, "all-in-one alone, embedded PostgreSQL");
    assertFalse(ProcessHandle.of(postgres).map(ProcessHandle::isAlive).orElse(false), "its PostgreSQL stopped");
    assertTrue(allInOne.output().contains("event=database.stopped"), allInOne.output());
  }

  @Test
  void everyRoleStopsOnSigtermInACluster() throws Exception {
    String database = TestPostgres.freshDatabase();
    byte[] key = randomKey();
    String[] roles = {"http,auth,audit", "auth", "audit", "http"};
    int[] clusterPorts = new int[roles.length];
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < roles.length; i++) {
      clusterPorts[i] = TestServer.freePort();
      members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clusterPorts[i]);
    }
    String name = "twofa-stop-" + UUID.randomUUID();
    Map<String, ServerProcess> nodes = new LinkedHashMap<>();
    int edgePort = TestServer.freePort();
    try {
      for (int i = 0; i < roles.length; i++) {
        Map<String, String> env = keys(roles[i], key);
        env.putAll(Map.of("TWOFA_VERTICLES", roles[i], "TWOFA_DB_URL", database, "TWOFA_CLUSTER", "true",
          "TWOFA_CLUSTER_NAME", name, "TWOFA_CLUSTER_HOST", "127.0.0.1", "TWOFA_CLUSTER_MEMBERS", members.toString(),
          "TWOFA_CLUSTER_PORT", String.valueOf(clusterPorts[i])));
        if (roles[i].equals("http")) {
          env.put("TWOFA_HTTP_PORT", String.valueOf(edgePort));
        }
        nodes.put(roles[i], ServerProcess.clusterNode(env, dir.resolve("node-" + i + ".log")));
      }
      ApiClient edge = new ApiClient("http://127.0.0.1:" + edgePort);
      ApiClient edgeHealth = new ApiClient(nodes.get("http").managementUrl());
      eventually(() -> edgeHealth.get("/health/ready"), r -> r.status() == 200, "the edge reaches auth and audit");

      // The edge first, with a request in flight when SIGTERM comes: it is answered before the node exits.
      ServerProcess http = nodes.remove("http");
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), edgePort)) {
        socket.setSoTimeout(20_000);
        String body = "{\"email\":\"drain@example.com\",\"password\":\"plum-violet-harbor-1987\"}";
        OutputStream out = socket.getOutputStream();
        // Expect: 100-continue, so the server says when it holds the request (its headers read and routed): only
        // then is the request in flight; a connection whose bytes the server has not read yet counts as idle.
        out.write(("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        assertEquals("HTTP/1.1 100 Continue", statusLine(in), "the edge holds the request");
        assertEquals("", statusLine(in));
        long started = System.nanoTime();
        http.process().destroy();
        eventually(() -> logged(http, "event=server.stopping"), "the edge begins to stop");
        out.write(body.getBytes(StandardCharsets.UTF_8));
        out.flush();
        String answer = statusLine(in);
        assertTrue(answer.startsWith("HTTP/1.1 "), "the in-flight request was answered: " + answer);
        stopped(http, "http (edge), clustered, one request in flight", started);
      }
      for (String role : new String[] {"audit", "auth", "http,auth,audit"}) {
        stop(nodes.remove(role), role + ", clustered" + (role.startsWith("http") ? ", the last member" : ""));
      }
    } finally {
      for (ServerProcess left : nodes.values()) {
        left.kill();
      }
    }
  }

  @Test
  void aNodeThatCannotStopWithinTheBoundHalts() throws Exception {
    ServerProcess server = ServerProcess.serve(dir.resolve("stuck"), Map.of("TWOFA_SHUTDOWN_SECONDS", "3"));
    long postgres = embeddedPid(server);
    // A PostgreSQL that no longer runs (SIGSTOP): stopping it would wait far beyond the bound.
    signal("STOP", postgres);
    try {
      long started = System.nanoTime();
      server.process().destroy();
      assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), "halted");
      long ms = (System.nanoTime() - started) / 1_000_000;
      System.out.println("stop: all-in-one with a frozen PostgreSQL, TWOFA_SHUTDOWN_SECONDS=3: halted after " + ms + " ms");
      assertTrue(server.output().contains("event=server.stop_timeout"), server.output());
      assertFalse(server.output().contains("event=server.stopped"));
      assertEquals(1, server.process().exitValue());
    } finally {
      signal("KILL", postgres);
    }
  }

  private static void stop(ServerProcess node, String what) throws Exception {
    long started = System.nanoTime();
    node.process().destroy();
    stopped(node, what, started);
  }

  private static void stopped(ServerProcess node, String what, long started) throws Exception {
    assertTrue(node.process().waitFor(60, TimeUnit.SECONDS), what + ": still running 60 s after SIGTERM\n" + node.output());
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println("stop: " + what + ": exited after " + ms + " ms");
    String log = node.output();
    assertTrue(log.contains("event=server.stopped"), what + ":\n" + log);
    assertFalse(log.contains("event=server.stop_timeout"), what + ":\n" + log);
    assertEquals(STOPPED_BY_SIGTERM, node.process().exitValue(), what + ":\n" + log);
  }

  private static boolean logged(ServerProcess node, String line) {
    try {
      return node.output().contains(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String statusLine(InputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      line.append((char) c);
    }
    return line.toString().trim();
  }

  /** What a node of {@code roles} is given: the ring for auth or audit, else what derive-keys prints. */
  private static Map<String, String> keys(String roles, byte[] key) {
    Map<String, String> env = new HashMap<>();
    if (roles.contains("auth") || roles.contains("audit")) {
      env.put("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key));
    } else {
      for (String line : EdgeKeys.variables(KeyRing.of(key)).split("\n")) {
        env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    return env;
  }

  private static long embeddedPid(ServerProcess server) throws java.io.IOException {
    Matcher matcher = EMBEDDED_PID.matcher(server.output());
    assertTrue(matcher.find(), server.output());
    return Long.parseLong(matcher.group(1));
  }

  private static void signal(String signal, long pid) throws Exception {
    new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor(10, TimeUnit.SECONDS);
  }

  private static byte[] randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
