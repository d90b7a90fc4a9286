package dev.twofa.db;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import java.util.Map;

/** Applies the versioned SQL under db/migration with Flyway. */
public final class Migrations {
  private Migrations() {
  }

  /** Migrates and returns the schema version the database is now at (what readiness checks expect). */
  public static String migrate(String url) {
    return migrate(url, url);
  }

  /**
   * Migrates as {@code migratorUrl}'s role and, when {@code runtimeUrl} names another role, grants that one the
   * rows and nothing else (db/runtime-role/afterMigrate.sql), so the role nodes serve with owns no table.
   */
  public static String migrate(String migratorUrl, String runtimeUrl) {
    PgConnectOptions migrator = Database.connectOptions(migratorUrl);
    String runtimeRole = Database.connectOptions(runtimeUrl).getUser();
    FluentConfiguration configuration = Flyway.configure()
      .dataSource(Database.jdbcUrl(migratorUrl), migrator.getUser(), migrator.getPassword())
      .locations("classpath:db/migration");
    if (!runtimeRole.equals(migrator.getUser())) {
      configuration.locations("classpath:db/migration", "classpath:db/runtime-role")
        .placeholders(Map.of("runtime_role", quotedIdentifier(runtimeRole)));
    }
    Flyway flyway = configuration.load();
    flyway.migrate();
    return flyway.info().current().getVersion().getVersion();
  }

  private static String quotedIdentifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
