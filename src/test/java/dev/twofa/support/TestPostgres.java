package dev.twofa.support;

import dev.twofa.db.Database;
import dev.twofa.db.EmbeddedDatabase;
import dev.twofa.db.Migrations;
import io.vertx.pgclient.PgConnectOptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL the tests use, picked once per JVM: the URL in TWOFA_TEST_DB_URL; else Testcontainers'
 * postgres image when a Docker engine answers; else the embedded PostgreSQL. Every test class gets a fresh
 * database of its own on it, migrated ones copied from one migrated once.
 */
public final class TestPostgres {
  public static final String URL_VARIABLE = "TWOFA_TEST_DB_URL";
  private static String adminUrl;
  private static String source;
  private static Migrated template;

  private TestPostgres() {
  }

  /** Creates an empty database and returns its {@code postgresql://} URL. */
  public static synchronized String freshDatabase() {
    return createDatabase("");
  }

  /** A fresh database with every migration applied, and the schema version it is at. */
  public record Migrated(String url, String schemaVersion) {
  }

  /**
   * A fresh database with every migration applied: a copy of one this JVM migrated once (PostgreSQL copies a
   * template database's files, which takes a fraction of running the migrations again for every test class).
   */
  public static synchronized Migrated migratedDatabase() {
    if (template == null) {
      String url = freshDatabase();
      // Flyway closes its connections when done: a template must have none open to be copied.
      template = new Migrated(url, Migrations.migrate(url));
    }
    String name = Database.connectOptions(template.url()).getDatabase();
    return new Migrated(createDatabase(" TEMPLATE " + name), template.schemaVersion());
  }

  private static String createDatabase(String clauses) {
    String admin = adminUrl();
    String name = "twofa_test_" + UUID.randomUUID().toString().replace("-", "");
    PgConnectOptions options = Database.connectOptions(admin);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(admin), options.getUser(), options.getPassword());
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name + clauses);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database on " + source, e);
    }
    return Database.withDatabaseName(admin, name);
  }

  private static String adminUrl() {
    if (adminUrl != null) {
      return adminUrl;
    }
    String configured = System.getenv(URL_VARIABLE);
    if (configured != null && !configured.isBlank()) {
      source = URL_VARIABLE;
      adminUrl = configured;
    } else if (dockerAnswers()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17-alpine");
      container.start();
      source = "Testcontainers " + container.getDockerImageName();
      adminUrl = "postgresql://" + container.getUsername() + ":" + container.getPassword() + "@" + container.getHost()
        + ":" + container.getMappedPort(5432) + "/" + container.getDatabaseName();
    } else {
      try {
        Path dir = Files.createTempDirectory("twofa-test-pg");
        EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("data"), TestServer.freePort(), false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            db.close();
            // Each JVM's cluster is hundreds of MB: left behind, a day of runs filled the disk.
            try (var files = Files.walk(dir)) {
              files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
          } catch (Exception ignored) {
            // the JVM is exiting
          }
        }));
        source = "embedded PostgreSQL";
        adminUrl = db.adminUrl(); // the superuser: it may CREATE DATABASE
      } catch (Exception e) {
        throw new IllegalStateException("no PostgreSQL for tests: set " + URL_VARIABLE + ", run Docker, or allow the embedded one", e);
      }
    }
    System.out.println("[twofa tests] PostgreSQL: " + source);
    return adminUrl;
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }
}
