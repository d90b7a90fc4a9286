package dev.twofa.cli;

import dev.twofa.db.Database;
import io.vertx.pgclient.PgConnectOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;

/** {@code grant-support EMAIL} and {@code revoke-support EMAIL}: an operator's command, run against the database. */
public final class SupportRoles {
  private SupportRoles() {
  }

  /** Sets the role; returns false when no account has that email. */
  public static boolean set(String dbUrl, String email, boolean support) throws SQLException {
    PgConnectOptions options = Database.connectOptions(dbUrl);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword());
         PreparedStatement update = connection.prepareStatement("UPDATE users SET support = ? WHERE email = ?")) {
      update.setBoolean(1, support);
      update.setString(2, email.strip().toLowerCase(Locale.ROOT));
      return update.executeUpdate() == 1;
    }
  }
}
