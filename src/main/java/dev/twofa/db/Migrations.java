package dev.twofa.db;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;

/** Applies the versioned SQL under db/migration with Flyway. */
public final class Migrations {
  private Migrations() {
  }

  /** Migrates and returns the schema version the database is now at (what readiness checks expect). */
  public static String migrate(String url) {
    PgConnectOptions options = Database.connectOptions(url);
    Flyway flyway = Flyway.configure()
      .dataSource(Database.jdbcUrl(url), options.getUser(), options.getPassword())
      .locations("classpath:db/migration")
      .load();
    flyway.migrate();
    return flyway.info().current().getVersion().getVersion();
  }
}
