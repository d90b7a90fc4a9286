package dev.twofa.db;

import org.postgresql.util.PasswordUtil;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Run as the superuser at each start of the embedded PostgreSQL: the application's role (a login that is not a
 * superuser) with its password, and its database, which it owns with everything in it. Each step checks first,
 * so it also repairs a folder left half-way and moves a folder of the earlier layout (tables in database
 * {@code postgres}, owned by the superuser) over to the role.
 */
final class EmbeddedBootstrap {
  private static final String ROLE = EmbeddedDatabase.APP_ROLE;
  private static final String DATABASE = EmbeddedDatabase.APP_DATABASE;
  /** Everything in the schema the role does not own yet; sequences of identity columns follow their table. */
  private static final String TAKE_OWNERSHIP = """
    DO $$
    DECLARE object record;
    BEGIN
      FOR object IN SELECT c.oid::regclass AS name FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            AND c.relowner <> '%1$s'::regrole LOOP
        EXECUTE format('ALTER TABLE %%s OWNER TO %1$s', object.name);
      END LOOP;
      FOR object IN SELECT c.oid::regclass AS name FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND c.relowner <> '%1$s'::regrole
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
        EXECUTE format('ALTER SEQUENCE %%s OWNER TO %1$s', object.name);
      END LOOP;
      FOR object IN SELECT p.oid::regprocedure AS name FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '%1$s'::regrole LOOP
        EXECUTE format('ALTER ROUTINE %%s OWNER TO %1$s', object.name);
      END LOOP;
    END $$
    """.formatted(ROLE);

  private EmbeddedBootstrap() {
  }

  static void run(int port, String superuserPassword, String appPassword) throws SQLException {
    String verifier = PasswordUtil.encodeScramSha256(appPassword.toCharArray());
    boolean earlierLayout;
    try (Connection postgres = connect(port, "postgres", superuserPassword);
         Statement sql = postgres.createStatement()) {
      if (!exists(sql, "SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "'")) {
        sql.execute("CREATE ROLE " + ROLE + " LOGIN");
      }
      // Every start: the stored password, and no power beyond its own database.
      sql.execute("ALTER ROLE " + ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        + " PASSWORD '" + verifier + "'");
      boolean missing = !exists(sql, "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
      earlierLayout = missing && exists(sql, "SELECT 1 WHERE to_regclass('public.flyway_schema_history') IS NOT NULL");
      if (missing && !earlierLayout) {
        sql.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
      }
    }
    if (earlierLayout) {
      moveEarlierLayout(port, superuserPassword); // once this session has left database postgres
    }
    try (Connection app = connect(port, DATABASE, superuserPassword);
         Statement sql = app.createStatement()) {
      sql.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + ROLE);
      sql.execute("REVOKE ALL ON DATABASE " + DATABASE + " FROM PUBLIC");
      sql.execute("ALTER SCHEMA public OWNER TO " + ROLE);
      sql.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC");
      sql.execute(TAKE_OWNERSHIP);
    }
  }

  /**
   * Earlier versions kept the tables in the maintenance database {@code postgres}: it becomes the application's
   * database by renaming (done from template1, as a database cannot be renamed while connected to it), and a new
   * empty {@code postgres} takes its place.
   */
  private static void moveEarlierLayout(int port, String superuserPassword) throws SQLException {
    try (Connection template = connect(port, "template1", superuserPassword);
         Statement sql = template.createStatement()) {
      for (int attempt = 1; ; attempt++) {
        try {
          sql.execute("ALTER DATABASE postgres RENAME TO " + DATABASE);
          break;
        } catch (SQLException e) {
          // 55006: another session (an autovacuum worker) is in it for a moment.
          if (!"55006".equals(e.getSQLState()) || attempt == 20) {
            throw e;
          }
          sleep();
        }
      }
      sql.execute("CREATE DATABASE postgres");
    }
  }

  static Connection connect(int port, String database, String superuserPassword) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres",
      superuserPassword);
  }

  private static boolean exists(Statement sql, String query) throws SQLException {
    try (ResultSet rows = sql.executeQuery(query)) {
      return rows.next();
    }
  }

  private static void sleep() throws SQLException {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted", e);
    }
  }
}
