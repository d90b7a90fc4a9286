package dev.twofa.db;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells "PostgreSQL is out of reach" (stopped, restarting, the connection lost) from every other failure: the
 * first is the service being briefly unavailable (503, try again), the second a bug (500). Classified by type and
 * SQLSTATE, never by message text.
 */
public final class DatabaseFailures {
  /** admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down), too_many_connections. */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

  private DatabaseFailures() {
  }

  public static boolean unreachable(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      // An IOException here is the socket to PostgreSQL failing (reset by a stopping server, refused while it is down).
      if (e instanceof ClosedConnectionException || e instanceof ConnectException || e instanceof TimeoutException
        || e instanceof IOException) {
        return true;
      }
      if (e instanceof PgException pg && pg.getSqlState() != null
        // Class 08: connection exceptions.
        && (pg.getSqlState().startsWith("08") || UNAVAILABLE_STATES.contains(pg.getSqlState()))) {
        return true;
      }
    }
    return false;
  }
}
