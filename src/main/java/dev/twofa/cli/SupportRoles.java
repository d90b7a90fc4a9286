package dev.twofa.cli;

import dev.twofa.db.Database;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * {@code grant-support EMAIL} and {@code revoke-support EMAIL}: an operator's command, run against the database.
 * The change and its security event ({@code support.granted} / {@code support.revoked}, actor "command line")
 * commit together, so the role never changes without a trace in the user's activity.
 */
public final class SupportRoles {
  static final String ACTOR = "command line";

  private SupportRoles() {
  }

  /** Sets the role, the event timed by the system clock; returns false when no account has that email. */
  public static boolean set(String dbUrl, String email, boolean support) throws SQLException {
    return set(dbUrl, email, support, Clock.systemUTC());
  }

  /** Sets the role; returns false when no account has that email. */
  public static boolean set(String dbUrl, String email, boolean support, Clock clock) throws SQLException {
    PgConnectOptions options = Database.connectOptions(dbUrl);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword())) {
      connection.setAutoCommit(false);
      Long userId = update(connection, email, support);
      if (userId == null) {
        connection.rollback();
        return false;
      }
      record(connection, userId, support, clock);
      connection.commit();
      return true;
    }
  }

  private static Long update(Connection connection, String email, boolean support) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE users SET support = ? WHERE email = ? RETURNING id")) {
      update.setBoolean(1, support);
      update.setString(2, email.strip().toLowerCase(Locale.ROOT));
      try (ResultSet rows = update.executeQuery()) {
        return rows.next() ? rows.getLong(1) : null;
      }
    }
  }

  /** Who ran it on the host goes into the details staff see; the user sees that support acted. */
  private static void record(Connection connection, long userId, boolean support, Clock clock) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO security_events (user_id, at, type, success, ip, user_agent, actor, details)
        VALUES (?, ?, ?, true, '', 'twofa command line', ?, ?::jsonb)
        """)) {
      insert.setLong(1, userId);
      insert.setObject(2, clock.instant().atOffset(ZoneOffset.UTC));
      insert.setString(3, support ? "support.granted" : "support.revoked");
      insert.setString(4, ACTOR);
      insert.setString(5, new JsonObject().put("hostUser", System.getProperty("user.name")).encode());
      insert.execute();
    }
  }
}
