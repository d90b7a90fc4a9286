package dev.twofa.cli;

import dev.twofa.auth.oidc.SigningKeyRotation;
import dev.twofa.config.KeyRing;
import dev.twofa.db.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code rotate-signing-keys [--publish-hours N]}: new OpenID Connect signing keys, published at once and signing
 * after N hours (24 by default); and the signing keys' part of {@code rotate-keys}. Safe while servers run.
 */
public final class SigningKeyCommand {
  private static final int MAX_HOURS = 24 * 30;

  private SigningKeyCommand() {
  }

  /** The publish delay {@code args} ask for: {@code --publish-hours N}, 1 to 720, else the default. */
  public static Duration publishDelay(List<String> args) {
    if (args.isEmpty()) {
      return SigningKeyRotation.DEFAULT_PUBLISH_DELAY;
    }
    String rule = "--publish-hours N: how many hours the new keys are published before they sign, 1 to " + MAX_HOURS;
    if (args.size() != 2 || !args.get(0).equals("--publish-hours") || !args.get(1).matches("[0-9]{1,4}")) {
      throw new IllegalArgumentException(rule);
    }
    int hours = Integer.parseInt(args.get(1));
    if (hours < 1 || hours > MAX_HOURS) {
      throw new IllegalArgumentException(rule);
    }
    return Duration.ofHours(hours);
  }

  /** Rotates; returns {"kids", "signs_from", "previous_unpublished_at"}. */
  public static JsonObject rotate(String dbUrl, KeyRing ring, Duration publishDelay, Clock clock) throws SQLException {
    try (Connection connection = connect(dbUrl)) {
      SigningKeyRotation.Rotation rotation = SigningKeyRotation.rotate(connection, ring, publishDelay, clock.instant());
      return new JsonObject().put("kids", new JsonArray(rotation.kids()))
        .put("signs_from", rotation.signsFrom().toString())
        .put("previous_unpublished_at", rotation.replacedUnpublishedAt().toString());
    }
  }

  /** Signing keys sealed again under the ring's current key, and those no key of the ring opens. */
  public record Resealed(int moved, int unreadable) {
  }

  /** Seals the signing keys again under the ring's current key (part of rotate-keys). */
  public static Resealed reseal(String dbUrl, KeyRing ring) throws SQLException {
    try (Connection connection = connect(dbUrl)) {
      SigningKeyRotation.Resealed resealed = SigningKeyRotation.reseal(connection, ring);
      return new Resealed(resealed.moved(), resealed.unreadable());
    }
  }

  private static Connection connect(String dbUrl) throws SQLException {
    PgConnectOptions options = Database.connectOptions(dbUrl);
    return DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword());
  }
}
