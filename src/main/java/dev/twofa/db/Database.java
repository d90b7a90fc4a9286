package dev.twofa.db;

import io.vertx.core.Vertx;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The PostgreSQL connection settings and pools; the URL is
 * {@code postgresql://user:password@host:port/database[?sslmode=...]} (see {@link DatabaseUrl}).
 */
public final class Database {
  private Database() {
  }

  public static PgConnectOptions connectOptions(String url) {
    // Traced only inside a request's trace (with tracing on): background work such as the outbox relay is not.
    return DatabaseUrl.parse(url).connectOptions().setCachePreparedStatements(true)
      .setTracingPolicy(TracingPolicy.PROPAGATE);
  }

  public static Pool pool(Vertx vertx, String url, int size, String name) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(size).setName(name).setShared(true))
      .connectingTo(connectOptions(url))
      .using(vertx)
      .build();
  }

  /** The same database as a JDBC URL, for Flyway and the command line; sslmode and the other parameters kept. */
  public static String jdbcUrl(String url) {
    return DatabaseUrl.parse(url).jdbcUrl();
  }

  /** The same server, credentials and parameters, another database. */
  public static String withDatabaseName(String url, String name) {
    return DatabaseUrl.parse(url).withDatabase(name);
  }
}
