package dev.twofa.auth;

import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import dev.twofa.support.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A fresh database migrated as the server migrates it (Flyway, every V and R migration), a Vert.x and a pool on
 * it: what the tests of one room's SQL need, without any server. One per test class; {@link #close()} after it.
 */
public final class MigratedDatabase implements AutoCloseable {
  private final Vertx vertx;
  private final String url;
  private final Pool pool;

  private MigratedDatabase(Vertx vertx, String url, Pool pool) {
    this.vertx = vertx;
    this.url = url;
    this.pool = pool;
  }

  /** A pool of {@code poolSize} connections (enough for the concurrency a test wants to see). */
  public static MigratedDatabase start(int poolSize) {
    String url = TestPostgres.freshDatabase();
    Migrations.migrate(url);
    Vertx vertx = Vertx.vertx();
    // Pools are shared by name within a Vert.x: a name of its own keeps this one apart.
    Pool pool = Database.pool(vertx, url, poolSize, "twofa-test-" + UUID.randomUUID());
    return new MigratedDatabase(vertx, url, pool);
  }

  public Vertx vertx() {
    return vertx;
  }

  public String url() {
    return url;
  }

  public Pool pool() {
    return pool;
  }

  /** Runs one statement with {@code $n} parameters (null allowed) and returns its rows. */
  public List<Row> query(String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    await(pool.preparedQuery(sql).execute(Tuple.from(Arrays.asList(params)))).forEach(rows::add);
    return rows;
  }

  /** The single integer the query {@code sql} answers (a count). */
  public int count(String sql, Object... params) {
    return query(sql, params).get(0).getInteger(0);
  }

  /** Waits for {@code future} (tests run off the event loop) and returns its value, or throws its failure. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
