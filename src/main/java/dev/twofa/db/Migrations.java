package dev.twofa.db;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;

/** Applies the versioned SQL under db/migration with Flyway. */
public final class Migrations {
  private Migrations() {
  }

  public static void migrate(String url) {
    PgConnectOptions options = Database.connectOptions(url);
    Flyway.configure()
      .dataSource(Database.jdbcUrl(url), options.getUser(), options.getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }
}
