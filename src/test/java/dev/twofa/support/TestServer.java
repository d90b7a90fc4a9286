package dev.twofa.support;

import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole server (audit, auth and HTTP verticles) on a fresh database and a loopback port, with a clock the
 * test controls. Register it with {@code @RegisterExtension static TestServer server = new TestServer();}.
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback {
  /** A time in the middle of a 30 s TOTP step, so step arithmetic in tests is unambiguous. */
  public static final Instant START = Instant.parse("2026-03-01T12:00:15Z");
  private final Map<String, String> settings = new HashMap<>();
  private final MutableClock clock = new MutableClock(START);
  private Vertx vertx;
  private io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics;
  private Pool pool;
  private int port;

  public TestServer() {
    // Cheap hashing keeps the suite fast; the production defaults are covered by PasswordsTest.
    settings.put("TWOFA_ARGON2_MEMORY_KIB", "1024");
    settings.put("TWOFA_ARGON2_ITERATIONS", "1");
    settings.put("TWOFA_HTTP_INSTANCES", "2");
  }

  public TestServer with(String name, String value) {
    settings.put(name, value);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    String url = TestPostgres.freshDatabase();
    String schemaVersion = Migrations.migrate(url);
    port = freePort();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> env = new HashMap<>(settings);
    env.put("TWOFA_HTTP_PORT", String.valueOf(port));
    env.put("TWOFA_HTTP_HOST", "127.0.0.1");
    env.put("TWOFA_DB_URL", url);
    env.put("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key));
    TwofaConfig config = TwofaConfig.from(env);
    Node node = await(Node.start(config));
    vertx = node.vertx();
    metrics = node.metrics();
    await(vertx.deployVerticle(new MainVerticle(config, clock, schemaVersion, metrics)));
    pool = Database.pool(vertx, url, 4, "twofa-test-inspection");
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public MutableClock clock() {
    return clock;
  }

  public Vertx vertx() {
    return vertx;
  }

  public ApiClient newClient() {
    return new ApiClient(baseUrl());
  }

  /** Runs SQL directly on the server's database (to inspect what it stores). */
  public List<Row> query(String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    await(pool.preparedQuery(sql).execute(Tuple.from(params))).forEach(rows::add);
    return rows;
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
