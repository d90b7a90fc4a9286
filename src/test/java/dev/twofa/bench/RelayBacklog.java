package dev.twofa.bench;

import dev.twofa.db.Database;
import io.vertx.pgclient.PgConnectOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The security events the server has committed but not yet relayed to audit ({@code event_outbox}). The relay
 * runs in batches after the requests that wrote them, and falls behind at a thousand steps a second: a window
 * whose events still wait at its end leaves their relaying (auth's and audit's statements) out of its CPU, and a
 * window that starts while the phase before it is still being relayed counts that phase's. Waiting for an empty
 * outbox on both sides makes a window's CPU its own requests' and all of theirs.
 */
final class RelayBacklog implements AutoCloseable {
  private final Connection connection;
  private final PreparedStatement count;

  RelayBacklog(String dbUrl) throws SQLException {
    PgConnectOptions options = Database.connectOptions(dbUrl);
    this.connection = DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword());
    this.count = connection.prepareStatement("SELECT count(*) FROM event_outbox");
  }

  long size() throws SQLException {
    try (ResultSet rs = count.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Waits until the outbox is empty, at most {@code seconds}; returns how many events waited when called. */
  long drain(int seconds) throws Exception {
    long found = size();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    for (long left = found; left > 0; left = size()) {
      if (System.nanoTime() > deadline) {
        throw new ClientLoops.RunStopped(left + " security events still unrelayed to audit after " + seconds + " s");
      }
      Thread.sleep(20);
    }
    return found;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
