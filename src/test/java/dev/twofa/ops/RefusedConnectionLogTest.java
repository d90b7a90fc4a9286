package dev.twofa.ops;

import ch.qos.logback.classic.Level;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.support.LogLines;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections refused at the cluster port (no TLS, no certificate from the cluster CA) are logged at most once a
 * minute per peer address, so a scanner or a misconfigured node cannot flood the log; the line says how many
 * were refused. The JGroups accept loop handles connections one after another and logs before it closes one, so
 * each refused connection has been logged once its socket reads end-of-stream.
 */
class RefusedConnectionLogTest {
  private static final int ATTEMPTS = 12;

  @Test
  void refusalsFromOnePeerAreLoggedOnceAMinute() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    int clusterPort = TestServer.freePort();
    TwofaConfig config = TwofaConfig.from(Map.of(
      "TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key),
      "TWOFA_CLUSTER", "true",
      "TWOFA_CLUSTER_NAME", "twofa-refusals-" + UUID.randomUUID(),
      "TWOFA_CLUSTER_HOST", "127.0.0.1",
      "TWOFA_CLUSTER_PORT", String.valueOf(clusterPort),
      "TWOFA_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort,
      "TWOFA_VERTICLES", "auth",
      "TWOFA_DATA_DIR", TestServer.tempDataDir()));
    Node node = await(Node.start(config));
    try (LogLines logs = LogLines.of(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
      for (int i = 0; i < ATTEMPTS; i++) {
        refused(clusterPort);
      }
      List<String> warnings = logs.all().stream()
        .filter(line -> line.contains("127.0.0.1") && (line.contains("accepting connection") || line.contains("refused")))
        .toList();
      List<String> loud = logs.at(Level.WARN).stream().filter(warnings::contains).toList();
      assertEquals(1, loud.size(), ATTEMPTS + " refusals from one address, one warning: " + warnings);
      assertTrue(loud.get(0).contains("event=cluster.connection_refused") && loud.get(0).contains("peer=127.0.0.1"),
        loud.get(0));
      assertEquals(1, warnings.size(), "and nothing else about them at any level: " + warnings);
    } finally {
      await(node.vertx().close());
    }
  }

  /** Plaintext bytes where TLS is expected; returns once the node has closed the connection. */
  private static void refused(int port) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("not TLS\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      try {
        while (socket.getInputStream().read() >= 0) {
          // a TLS alert, then end-of-stream
        }
      } catch (IOException reset) {
        // closed by a reset: refused too
      }
    }
  }
}
