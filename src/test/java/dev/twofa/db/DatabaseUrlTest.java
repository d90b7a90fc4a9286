package dev.twofa.db;

import dev.twofa.support.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The URL's parameters reach both drivers: JDBC (Flyway, command line) and Vert.x's pools. */
class DatabaseUrlTest {
  @Test
  void jdbcUrlKeepsSslModeAndTheOtherParametersButNotTheCredentials() {
    String url = "postgresql://app:s3cret@db.example.com:6432/twofa"
      + "?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=twofa&connect_timeout=5&password=x";
    assertEquals("jdbc:postgresql://db.example.com:6432/twofa"
        + "?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=twofa&connectTimeout=5",
      Database.jdbcUrl(url));
    assertEquals("jdbc:postgresql://localhost:5432/twofa", Database.jdbcUrl("postgresql://app:pw@localhost/twofa"));
    assertEquals("jdbc:postgresql://[::1]:5432/twofa?sslmode=require",
      Database.jdbcUrl("postgresql://app:pw@[::1]/twofa?sslmode=require"));
  }

  @Test
  void poolOptionsTakeTheSslModeWithLibpqMeaning() throws Exception {
    PgConnectOptions require = Database.connectOptions("postgresql://app:pw@db/twofa?sslmode=require");
    assertEquals(SslMode.REQUIRE, require.getSslMode());
    assertTrue(require.getSslOptions().isTrustAll(), "require without a root certificate encrypts but checks nothing");

    Path ca = Files.createTempFile("ca", ".pem");
    PgConnectOptions full = Database.connectOptions("postgresql://app:pw@db/twofa?sslmode=verify-full&sslrootcert=" + ca);
    assertEquals(SslMode.VERIFY_FULL, full.getSslMode());
    assertFalse(full.getSslOptions().isTrustAll());
    assertNotNull(full.getSslOptions().getTrustOptions());
    assertEquals("HTTPS", full.getSslOptions().getHostnameVerificationAlgorithm());

    PgConnectOptions verifyCa = Database.connectOptions("postgresql://app:pw@db/twofa?sslmode=verify-ca&sslrootcert=" + ca);
    assertEquals("", verifyCa.getSslOptions().getHostnameVerificationAlgorithm(), "verify-ca checks the chain only");

    assertEquals(SslMode.DISABLE, Database.connectOptions("postgresql://app:pw@db/twofa").getSslMode());
    assertNull(Database.connectOptions("postgresql://app:pw@db/twofa").getSslOptions());
    if (!Files.exists(Path.of(System.getProperty("user.home"), ".postgresql", "root.crt"))) {
      assertThrows(IllegalArgumentException.class,
        () -> Database.connectOptions("postgresql://app:pw@db/twofa?sslmode=verify-full"));
    }
  }

  @Test
  void applicationNameDoesNotDropTheClientsStartupSettings() {
    PgConnectOptions options = Database.connectOptions("postgresql://app:pw@db/twofa?application_name=node-1");
    assertEquals("node-1", options.getProperties().get("application_name"));
    assertEquals("utf8", options.getProperties().get("client_encoding"));
    assertEquals("ISO", options.getProperties().get("DateStyle"));
  }

  @Test
  void anotherDatabaseKeepsCredentialsHostAndParameters() {
    assertEquals("postgresql://app:p%40ss@db:6432/other?sslmode=require",
      Database.withDatabaseName("postgresql://app:p%40ss@db:6432/twofa?sslmode=require", "other"));
  }

  /** Against a server without TLS, sslmode=require must fail in both drivers: proof that it is not dropped. */
  @Test
  void bothDriversHonourSslModeAgainstARealServer() throws Exception {
    String plain = TestPostgres.freshDatabase();
    Migrations.migrate(plain + "?sslmode=disable");
    String require = plain + "?sslmode=require";
    Exception jdbc = assertThrows(Exception.class, () -> Migrations.migrate(require));
    assertTrue(String.valueOf(jdbc.getCause()).toLowerCase().contains("ssl")
      || String.valueOf(jdbc.getMessage()).toLowerCase().contains("ssl"), String.valueOf(jdbc));

    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = Database.pool(vertx, require, 1, "ssl-probe");
      Throwable vertxError = assertThrows(Exception.class, () -> pool.query("SELECT 1").execute()
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
      assertFalse(String.valueOf(vertxError).contains("NullPointerException"), String.valueOf(vertxError));
      Pool prefer = Database.pool(vertx, plain + "?sslmode=prefer", 1, "ssl-prefer");
      assertEquals(1, prefer.query("SELECT 1").execute().toCompletionStage().toCompletableFuture()
        .get(20, TimeUnit.SECONDS).size(), "prefer falls back to plain text when the server has no TLS");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }
}
