package dev.twofa.ops;

import dev.twofa.db.Database;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ServerProcess;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database roles of docker-compose.yml and the Kubernetes manifests on a real PostgreSQL: a migrator that owns
 * the schema runs {@code migrate} (TWOFA_DB_MIGRATE_URL), then a node holding only the runtime role's URL serves
 * sign-ups and logins, and that role can read and write rows but cannot disable the activity log's append-only
 * trigger, delete or rewrite events, create tables or rewrite the migration history.
 */
class DatabaseRolesTest {
  @TempDir
  Path dir;

  @Test
  void theMigratorOwnsTheSchemaAndTheRuntimeRoleServesWithRowsOnly() throws Exception {
    String admin = TestPostgres.freshDatabase();
    String database = Database.connectOptions(admin).getDatabase();
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String owner = "twofa_owner_" + suffix;
    String app = "twofa_app_" + suffix;
    String ownerPassword = password();
    String appPassword = password();
    try (Connection connection = connect(admin); Statement sql = connection.createStatement()) {
      // What deploy/postgres/roles.sh does in the compose setup.
      sql.execute("CREATE ROLE " + owner + " LOGIN PASSWORD '" + ownerPassword + "'");
      sql.execute("CREATE ROLE " + app + " LOGIN PASSWORD '" + appPassword + "'");
      sql.execute("ALTER DATABASE " + database + " OWNER TO " + owner);
      sql.execute("ALTER SCHEMA public OWNER TO " + owner);
      sql.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    }
    String ownerUrl = as(admin, owner, ownerPassword);
    String appUrl = as(admin, app, appPassword);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String secretKey = Base64.getEncoder().encodeToString(key);

    // As compose's migrate service runs it: the owner's URL, the serving role's, and no key.
    ServerProcess.Result migrated = ServerProcess.run(Map.of("TWOFA_DB_URL", appUrl, "TWOFA_DB_MIGRATE_URL", ownerUrl,
      "TWOFA_DATA_DIR", dir.resolve("migrate").toString()), dir.resolve("migrate.log"), "migrate");
    assertEquals(0, migrated.exitCode(), migrated.output());
    assertTrue(migrated.output().contains("event=database.migrated"), migrated.output());

    // As a compose node: the serving role's URL only (its start finds nothing left to migrate).
    ServerProcess node = ServerProcess.serve(dir.resolve("node"), Map.of("TWOFA_DB_URL", appUrl, "TWOFA_SECRET_KEY", secretKey));
    try {
      String email = TestAccounts.uniqueEmail();
      ApiClient browser = new ApiClient(node.baseUrl());
      assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
      assertEquals(204, browser.post("/api/logout", null).status());
      assertEquals(200, new ApiClient(node.baseUrl()).post("/api/login", credentials(email, PASSWORD)).status());
    } finally {
      node.terminate();
    }

    try (Connection connection = connect(appUrl); Statement sql = connection.createStatement()) {
      assertTrue(Integer.parseInt(single(sql, "SELECT count(*) FROM security_events")) >= 2, "sign-up and login recorded");
      assertEquals(owner, single(sql, "SELECT tableowner FROM pg_tables WHERE tablename = 'security_events'"));
      assertDenied(sql, "ALTER TABLE security_events DISABLE TRIGGER security_events_append_only");
      assertDenied(sql, "ALTER TABLE security_events DISABLE TRIGGER ALL");
      assertDenied(sql, "DELETE FROM security_events");
      assertDenied(sql, "UPDATE security_events SET success = NOT success");
      assertDenied(sql, "TRUNCATE security_events");
      assertDenied(sql, "DROP TABLE security_events");
      assertDenied(sql, "CREATE TABLE mine (id int)");
      assertDenied(sql, "UPDATE flyway_schema_history SET success = false");
      assertDenied(sql, "CREATE OR REPLACE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql"
        + " AS $$ BEGIN RETURN NULL; END $$");
    }
  }

  private static void assertDenied(Statement sql, String statement) {
    SQLException denied = assertThrows(SQLException.class, () -> sql.execute(statement), statement);
    // 42501: insufficient privilege (also the trigger's code); 42P01 would mean a wrong test, not a refusal.
    assertEquals("42501", denied.getSQLState(), statement + ": " + denied.getMessage());
  }

  private static String password() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** {@code url} with another role's credentials. */
  private static String as(String url, String user, String password) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + user + ":" + password + "@" + uri.getHost() + ":" + uri.getPort() + uri.getRawPath()
      + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  private static Connection connect(String url) throws SQLException {
    PgConnectOptions options = Database.connectOptions(url);
    return DriverManager.getConnection(Database.jdbcUrl(url), options.getUser(), options.getPassword());
  }

  private static String single(Statement sql, String query) throws SQLException {
    try (ResultSet rows = sql.executeQuery(query)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
