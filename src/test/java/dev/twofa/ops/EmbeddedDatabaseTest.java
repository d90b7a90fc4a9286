package dev.twofa.ops;

import dev.twofa.db.Database;
import dev.twofa.db.EmbeddedDatabase;
import dev.twofa.db.Migrations;
import dev.twofa.support.ServerProcess;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded PostgreSQL on a machine shared with other local users: only password logins on 127.0.0.1, an
 * application role that is not a superuser and cannot rewrite the activity log, operator commands beside a
 * running server, and a clean take-over after the server was killed.
 */
class EmbeddedDatabaseTest {
  /** The highest V<n>__ migration this build ships: every one of them must apply as the application's role. */
  private static final String LATEST_MIGRATION = latestMigration();

  private static String latestMigration() {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
      return String.valueOf(files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
        .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final String STAFF = "staff@example.com";
  private final List<Path> roots = new ArrayList<>();

  /** A data folder not created yet, under a temporary root removed after the test (each holds ~60 MB of binaries). */
  private Path newDataDir() throws IOException {
    Path root = Files.createTempDirectory("twofa-embdb");
    roots.add(root);
    return root.resolve("data");
  }

  @AfterEach
  void removeFolders() throws IOException {
    for (Path root : roots) {
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void onlyPasswordLoginsOnLoopbackAndTheApplicationIsNoSuperuser() throws Exception {
    Path dataDir = newDataDir();
    Path pgData = dataDir.resolve("postgres");
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgData, 0, false)) {
      for (Path dir : List.of(dataDir, pgData, dataDir.resolve("postgres-runtime"))) {
        assertEquals("rwx------", mode(dir), dir.toString());
      }
      for (String file : List.of("postgres-superuser.password", "postgres-twofa.password")) {
        assertEquals("rw-------", mode(dataDir.resolve(file)), file);
      }
      List<String> rules = Files.readAllLines(pgData.resolve("pg_hba.conf")).stream()
        .map(line -> line.replaceFirst("#.*", "").strip()).filter(line -> !line.isEmpty()).toList();
      assertEquals(List.of("host all all 127.0.0.1/32 scram-sha-256"), rules);

      String jdbc = "jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres?sslmode=disable";
      assertRefused(() -> DriverManager.getConnection(jdbc, "postgres", null));
      assertRefused(() -> DriverManager.getConnection(jdbc, "postgres", ""));
      assertRefused(() -> DriverManager.getConnection(jdbc, "postgres", "postgres"));
      assertRefused(() -> DriverManager.getConnection(jdbc, "twofa", "twofa"));

      try (Connection admin = connect(db.adminUrl()); Statement sql = admin.createStatement()) {
        assertEquals("127.0.0.1", single(sql, "SHOW listen_addresses"));
        assertEquals("", single(sql, "SHOW unix_socket_directories"), "no socket a local user could reach");
      }
      for (InetAddress address : otherLocalAddresses()) {
        assertThrows(ConnectException.class, () -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, db.port()), 2000);
          }
        }, "PostgreSQL must not listen on " + address);
      }

      assertEquals(LATEST_MIGRATION, Migrations.migrate(db.url()), "the application's role runs the migrations");
      try (Connection app = connect(db.url()); Statement sql = app.createStatement()) {
        assertEquals("twofa", single(sql, "SELECT current_user"));
        assertEquals("false|false|false", single(sql, "SELECT concat_ws('|', rolsuper::text, rolcreaterole::text, rolcreatedb::text)"
          + " FROM pg_roles WHERE rolname = current_user"));
        assertEquals("twofa", single(sql, "SELECT tableowner FROM pg_tables WHERE tablename = 'users'"));
        assertDenied(sql, "COPY (SELECT 1) TO PROGRAM 'true'");
        assertDenied(sql, "CREATE DATABASE elsewhere");
        assertDenied(sql, "ALTER ROLE twofa SUPERUSER");
        sql.execute("INSERT INTO security_events (user_id, at, type, success, ip, user_agent)"
          + " VALUES (1, now(), 'login.password', true, '', '')");
        assertDenied(sql, "UPDATE security_events SET success = false");
        assertDenied(sql, "DELETE FROM security_events");
        assertDenied(sql, "TRUNCATE security_events");
      }
      String superuserOnAppDatabase = Database.withDatabaseName(db.adminUrl(), "twofa");
      try (Connection admin = connect(superuserOnAppDatabase); Statement sql = admin.createStatement()) {
        assertDenied(sql, "DELETE FROM security_events"); // the trigger, for a role that holds the privilege
        assertEquals("1", single(sql, "SELECT count(*) FROM security_events"));
      }
    }
  }

  @Test
  void grantSupportReachesTheRunningServerAndSigtermLeavesNoPostgres() throws Exception {
    Path dataDir = newDataDir();
    Path pgData = dataDir.resolve("postgres");
    ServerProcess server = ServerProcess.serve(dataDir);
    long postmaster = postmasterPid(pgData);
    String url = EmbeddedDatabase.runningUrl(pgData).orElseThrow();
    try (Connection app = connect(url); Statement sql = app.createStatement()) {
      sql.execute("INSERT INTO users (email, password_hash, created_at) VALUES ('" + STAFF + "', 'x', now())");
    }

    ServerProcess.Result granted = ServerProcess.run(dataDir, "grant-support", STAFF);
    assertEquals(0, granted.exitCode(), granted.output());
    assertTrue(granted.output().contains("Granted the support role"), granted.output());
    assertEquals(postmaster, postmasterPid(pgData), "the command used the server's PostgreSQL, not one of its own");
    try (Connection app = connect(url); Statement sql = app.createStatement()) {
      assertEquals("true", single(sql, "SELECT support::text FROM users WHERE email = '" + STAFF + "'"));
      assertEquals("support.granted|command line|true", single(sql, "SELECT type || '|' || actor || '|' || success::text"
        + " FROM security_events WHERE user_id = (SELECT id FROM users WHERE email = '" + STAFF + "')"));
    }
    ServerProcess.Result rotated = ServerProcess.run(dataDir, "rotate-keys");
    assertEquals(0, rotated.exitCode(), rotated.output());
    assertTrue(rotated.output().contains("Sealed 0 accounts"), "no TOTP secret yet: " + rotated.output());
    assertEquals(postmaster, postmasterPid(pgData), "rotate-keys too used the server's PostgreSQL");
    ServerProcess.Result unknown = ServerProcess.run(dataDir, "revoke-support", "nobody@example.com");
    assertEquals(1, unknown.exitCode(), unknown.output());

    assertEquals(143, server.terminate(), server.output()); // 128 + SIGTERM, after the shutdown hooks
    assertFalse(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false), "PostgreSQL stopped with it");
    assertFalse(Files.exists(pgData.resolve("postmaster.pid")));

    ServerProcess.Result revoked = ServerProcess.run(dataDir, "revoke-support", STAFF);
    assertEquals(0, revoked.exitCode(), "with no server running, the command starts the database itself: "
      + revoked.output());
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgData, 0, false);
         Connection app = connect(db.url()); Statement sql = app.createStatement()) {
      assertEquals("false", single(sql, "SELECT support::text FROM users WHERE email = '" + STAFF + "'"));
      assertEquals("support.revoked", single(sql, "SELECT type FROM security_events ORDER BY id DESC LIMIT 1"));
    }
  }

  @Test
  void aKilledServersPostgresIsTakenOverOnTheNextStart() throws Exception {
    Path dataDir = newDataDir();
    Path pgData = dataDir.resolve("postgres");
    ServerProcess server = ServerProcess.serve(dataDir);
    long orphan = postmasterPid(pgData);
    try (Connection app = connect(EmbeddedDatabase.runningUrl(pgData).orElseThrow()); Statement sql = app.createStatement()) {
      sql.execute("INSERT INTO users (email, password_hash, created_at) VALUES ('" + STAFF + "', 'x', now())");
    }
    server.kill();
    assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
      "kill -9 of the server leaves its PostgreSQL running, holding the folder");

    long restarted;
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgData, 0, true);
         Connection app = connect(db.url()); Statement sql = app.createStatement()) {
      restarted = db.pid();
      assertNotEquals(orphan, restarted);
      assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan was stopped");
      assertEquals(STAFF, single(sql, "SELECT email FROM users"), "on the same data");
    }
    assertFalse(ProcessHandle.of(restarted).map(ProcessHandle::isAlive).orElse(false), "close() leaves no PostgreSQL");
  }

  /** A folder made by the earlier layout: initdb -A trust, tables in database postgres owned by the superuser. */
  /** A folder an older release created (PostgreSQL 14): refused with what to do, and left as it was. */
  @Test
  void aFolderOfAnotherPostgresMajorIsRefusedAndLeftAlone() throws Exception {
    Path pgData = newDataDir().resolve("postgres");
    Files.createDirectories(pgData);
    Files.writeString(pgData.resolve("PG_VERSION"), "14\n");

    IOException refused = assertThrows(IOException.class, () -> EmbeddedDatabase.start(pgData, 0, true));

    assertTrue(refused.getMessage().contains("created by PostgreSQL 14"), refused.getMessage());
    assertTrue(refused.getMessage().contains("Upgrading the embedded PostgreSQL"), refused.getMessage());
    assertEquals("14\n", Files.readString(pgData.resolve("PG_VERSION")));
    assertFalse(Files.exists(pgData.resolveSibling("postgres-runtime")), "nothing unpacked or started");
  }

  @Test
  void aFolderFromTheTrustLayoutIsLockedDownOnFirstStart() throws Exception {
    Path dataDir = newDataDir();
    Path pgData = dataDir.resolve("postgres");
    Files.createDirectories(pgData);
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
      .setOverrideWorkingDirectory(dataDir.resolve("postgres-runtime").toFile()).start()) {
      String oldUrl = "jdbc:postgresql://localhost:" + old.getPort() + "/postgres";
      // The release of that layout was at V3 and had no repeatable migrations; Flyway runs today's after any target,
      // and their SQL-language functions name columns that later versions add: not checked at creation here.
      Flyway.configure().dataSource(oldUrl, "postgres", "").target("3").initSql("SET check_function_bodies = off")
        .load().migrate();
      try (Connection connection = DriverManager.getConnection(oldUrl, "postgres", "");
           Statement sql = connection.createStatement()) {
        sql.execute("INSERT INTO users (email, password_hash, created_at) VALUES ('" + STAFF + "', 'x', now())");
      }
    }
    assertTrue(Files.readString(pgData.resolve("pg_hba.conf")).contains("trust"));
    Files.createDirectories(dataDir.resolve("postgres-runtime")); // as the library left it: open to all
    Files.setPosixFilePermissions(dataDir.resolve("postgres-runtime"), PosixFilePermissions.fromString("rwxrwxrwx"));

    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgData, 0, true)) {
      assertFalse(Files.readString(pgData.resolve("pg_hba.conf")).replaceAll("#.*", "").contains("trust"));
      assertEquals("rwx------", mode(dataDir.resolve("postgres-runtime")));
      assertRefused(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres",
        "postgres", ""));
      assertEquals(LATEST_MIGRATION, Migrations.migrate(db.url()), "the role owns the moved tables, so it can migrate them");
      try (Connection app = connect(db.url()); Statement sql = app.createStatement()) {
        assertEquals(STAFF, single(sql, "SELECT email FROM users"), "the data moved with the database");
        assertEquals("0", single(sql, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
          + " AND tableowner <> 'twofa'"));
      }
      try (Connection admin = connect(db.adminUrl()); Statement sql = admin.createStatement()) {
        assertEquals("postgres", single(sql, "SELECT current_database()"), "a fresh maintenance database");
      }
    }
  }

  private static void assertRefused(ThrowingConnect connect) {
    SQLException refused = assertThrows(SQLException.class, connect::open);
    assertTrue(List.of("28P01", "08004", "28000").contains(refused.getSQLState()),
      refused.getSQLState() + " " + refused.getMessage());
  }

  private static void assertDenied(Statement sql, String statement) {
    SQLException denied = assertThrows(SQLException.class, () -> sql.execute(statement), statement);
    assertEquals("42501", denied.getSQLState(), statement + ": " + denied.getMessage());
  }

  private interface ThrowingConnect {
    Connection open() throws SQLException;
  }

  private static Connection connect(String url) throws SQLException {
    PgConnectOptions options = Database.connectOptions(url);
    return DriverManager.getConnection(Database.jdbcUrl(url), options.getUser(), options.getPassword());
  }

  private static String single(Statement sql, String query) throws SQLException {
    try (ResultSet rows = sql.executeQuery(query)) {
      assertTrue(rows.next(), query);
      return rows.getString(1);
    }
  }

  private static long postmasterPid(Path pgData) throws IOException {
    return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).strip());
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static List<InetAddress> otherLocalAddresses() throws IOException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(network.getInetAddresses())) {
        if (!address.getHostAddress().equals("127.0.0.1") && !address.isLinkLocalAddress()) {
          addresses.add(address);
        }
      }
    }
    return addresses;
  }
}
