package dev.twofa.support;

import dev.twofa.MainVerticle;
import dev.twofa.Node;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.EmbeddedDatabase;
import dev.twofa.db.Migrations;
import dev.twofa.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
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
 * {@link #withOwnDatabase()} gives it a PostgreSQL of its own that the test can stop and start again.
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback {
  /** A time in the middle of a 30 s TOTP step, so step arithmetic in tests is unambiguous. */
  public static final Instant START = Instant.parse("2026-03-01T12:00:15Z");
  private final Map<String, String> settings = new HashMap<>();
  private final MutableClock clock = new MutableClock(START);
  private boolean ownDatabase;
  private boolean publicUrlIsOwnAddress;
  private Path ownDatabaseDir;
  private int ownDatabasePort;
  private EmbeddedDatabase embedded;
  private String databaseUrl;
  private Vertx vertx;
  private static final Map<Integer, Integer> MANAGEMENT_PORTS = new HashMap<>();
  private PrometheusMeterRegistry metrics;
  private int managementPort;
  private Pool pool;
  private int port;
  private TwofaConfig config;
  /** The variables the server was configured from (the OTEL_* ones configure its tracing). */
  private Map<String, String> environment = Map.of();
  private Tracing tracing = Tracing.off();
  private MailCatcher mail;
  private String schemaVersion;
  /** The public URL (and the browser's address) is http://localhost:PORT: WebAuthn needs a domain for its RP ID. */
  private boolean localhost;

  public TestServer() {
    // Cheap hashing keeps the suite fast; the production defaults are covered by PasswordsTest.
    settings.put("TWOFA_ARGON2_MEMORY_KIB", "1024");
    settings.put("TWOFA_ARGON2_ITERATIONS", "1");
    settings.put("TWOFA_HTTP_INSTANCES", "2");
    settings.put("TWOFA_DATA_DIR", tempDataDir());
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    settings.put("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key));
  }

  /** TWOFA_PUBLIC_URL http://localhost:PORT (its port known at start), and {@link #baseUrl()} that address. */
  public TestServer atLocalhost() {
    localhost = true;
    return this;
  }

  public TestServer with(String name, String value) {
    settings.put(name, value);
    return this;
  }

  /** Sends this server's mail to {@code mail} (links point at its public URL) and stops that SMTP server after the class. */
  public TestServer sendingMailTo(MailCatcher mail) {
    this.mail = mail;
    mail.watchOutboxOf(this);
    return with("TWOFA_SMTP_URL", mail.url()).with("TWOFA_PUBLIC_URL", MailCatcher.PUBLIC_URL);
  }

  /** Runs on the key ring {@code keys} (TWOFA_SECRET_KEYS) instead of the random single key. */
  public TestServer withSecretKeys(String keys) {
    settings.remove("TWOFA_SECRET_KEY");
    settings.put("TWOFA_SECRET_KEYS", keys);
    return this;
  }

  /** TWOFA_PUBLIC_URL is this server's own loopback address (an OpenID Connect issuer that clients can reach). */
  public TestServer withPublicUrlAtItsAddress() {
    publicUrlIsOwnAddress = true;
    return this;
  }

  public TestServer withOwnDatabase() {
    ownDatabase = true;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (ownDatabase) {
      ownDatabaseDir = TempDirs.create("twofa-own-pg").resolve("data");
      ownDatabasePort = freePort();
      startDatabase();
      databaseUrl = embedded.url();
      schemaVersion = Migrations.migrate(databaseUrl);
    } else {
      TestPostgres.Migrated database = TestPostgres.migratedDatabase();
      databaseUrl = database.url();
      schemaVersion = database.schemaVersion();
    }
    port = freePort();
    managementPort = freePort();
    configure();
    startNode();
  }

  private void configure() {
    Map<String, String> env = new HashMap<>(settings);
    env.put("TWOFA_HTTP_PORT", String.valueOf(port));
    env.put("TWOFA_MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("TWOFA_HTTP_HOST", "127.0.0.1");
    env.put("TWOFA_DB_URL", databaseUrl);
    if (publicUrlIsOwnAddress || localhost) {
      env.put("TWOFA_PUBLIC_URL", baseUrl());
    }
    config = TwofaConfig.from(env);
    environment = env;
  }

  private void startNode() {
    tracing = Tracing.from(environment);
    Node node = await(Node.start(config, tracing));
    vertx = node.vertx();
    metrics = node.metrics();
    await(vertx.deployVerticle(new MainVerticle(config, clock, schemaVersion, metrics)));
    pool = Database.pool(vertx, databaseUrl, 4, "twofa-test-inspection");
  }

  /** Stops the whole server (every verticle, every in-memory structure) and starts it again on the same port and data. */
  public void restart() {
    await(vertx.close());
    tracing.close();
    startNode();
  }

  /** Like {@link #restart()}, with the setting {@code name} changed to {@code value} (as an operator would between runs). */
  public void restartWith(String name, String value) {
    await(vertx.close());
    tracing.close();
    settings.put(name, value);
    configure();
    startNode();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (vertx != null) {
      await(vertx.close());
      tracing.close();
    }
    if (embedded != null) {
      embedded.close();
    }
    if (mail != null) {
      mail.stop();
    }
  }

  /** Stops this server's own PostgreSQL (see {@link #withOwnDatabase()}). */
  public void stopDatabase() throws IOException {
    embedded.close();
    embedded = null;
  }

  /** Starts it again on the same port and data. */
  public void startDatabase() throws IOException {
    embedded = EmbeddedDatabase.start(ownDatabaseDir, ownDatabasePort, false);
  }

  public String baseUrl() {
    return (localhost ? "http://localhost:" : "http://127.0.0.1:") + port;
  }

  /** Where health and metrics answer (the management port, never the public one). */
  public String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  public ApiClient managementClient() {
    return new ApiClient(managementUrl());
  }

  public String databaseUrl() {
    return databaseUrl;
  }

  public MutableClock clock() {
    return clock;
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

  /** A data folder of the test's own: mails (as .eml files without TWOFA_SMTP_URL) land there, not in ./data. */
  public static String tempDataDir() {
    return TempDirs.create("twofa-test-data").toString();
  }

  /** A loopback port nothing listens on, that nothing else will take before a server of this test binds it. */
  public static int freePort() throws IOException {
    return Ports.free();
  }

  /**
   * The management port of a node whose public port is {@code httpPort}, the same each time it is asked: a test
   * that starts nodes itself sets TWOFA_MANAGEMENT_PORT to it and reaches the node's health there.
   */
  public static synchronized int managementPortFor(int httpPort) {
    Integer port = MANAGEMENT_PORTS.get(httpPort);
    if (port == null) {
      try {
        port = freePort();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      MANAGEMENT_PORTS.put(httpPort, port);
    }
    return port;
  }

  /** Where the node whose public port is {@code httpPort} answers health and metrics. */
  public static String managementUrlFor(int httpPort) {
    return "http://127.0.0.1:" + managementPortFor(httpPort);
  }
}
