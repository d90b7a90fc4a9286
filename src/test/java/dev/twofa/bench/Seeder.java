package dev.twofa.bench;

import dev.twofa.auth.credential.password.PasswordHasher;
import dev.twofa.auth.credential.totp.SecretBox;
import dev.twofa.config.PasswordPolicy;
import dev.twofa.config.KeyRing;
import dev.twofa.db.Database;
import io.vertx.pgclient.PgConnectOptions;
import org.apache.commons.codec.binary.Base32;
import org.apache.commons.codec.binary.Hex;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;

/**
 * Seeds users with 2FA on through PostgreSQL's COPY, fast enough for millions. All share one password hash
 * (computed once at the server's parameters); each user's TOTP secret is derived from its index, so the load
 * driver can compute codes without storing them, and is sealed with the server's key like a real enrollment.
 */
final class Seeder {
  static final String PASSWORD = "bench-plum-violet-harbor-1987";
  private static final byte[] SECRET_SEED = "twofa benchmark secrets".getBytes(StandardCharsets.UTF_8);
  private static final int BATCH = 50_000;
  private final String dbUrl;
  private final SecretBox secretBox;

  Seeder(String dbUrl, String secretKeyBase64) {
    this.dbUrl = dbUrl;
    this.secretBox = new SecretBox(KeyRing.of(Base64.getDecoder().decode(secretKeyBase64)));
  }

  static String email(int index) {
    return "bench-" + index + "@example.com";
  }

  /** The base32 TOTP secret of seeded user {@code index}. */
  static String secret(int index) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET_SEED, "HmacSHA256"));
      byte[] key = java.util.Arrays.copyOf(mac.doFinal(("user-" + index).getBytes(StandardCharsets.UTF_8)), 20);
      return new Base32().encodeToString(key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Seeds {@code users} users (and {@code eventsPerUser} activity rows each); returns the seconds it took. */
  double seed(int users, int eventsPerUser, int[] argon2) throws Exception {
    return seed(0, users, eventsPerUser, argon2);
  }

  /** Seeds users {@code from} to {@code to - 1} (and activity rows); returns the seconds it took. */
  double seed(int from, int to, int eventsPerUser, int[] argon2) throws Exception {
    long start = System.nanoTime();
    String passwordHash = PasswordHasher.create("auto", new PasswordPolicy(8, 256, argon2[0], argon2[1], argon2[2], "auto", 1, 1000))
      .hash(PASSWORD);
    PgConnectOptions options = Database.connectOptions(dbUrl);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword())) {
      long firstId = nextId(connection);
      String created = Instant.now().minusSeconds(86_400).toString();
      PGConnection pg = connection.unwrap(PGConnection.class);
      for (int batch = from; batch < to; batch += BATCH) {
        int end = Math.min(to, batch + BATCH);
        StringBuilder rows = new StringBuilder();
        for (int i = batch; i < end; i++) {
          long id = firstId + i - from;
          byte[] sealed = secretBox.seal(secret(i).getBytes(StandardCharsets.US_ASCII), id);
          rows.append(id).append('\t').append(email(i)).append('\t').append(passwordHash).append('\t').append(created)
            .append("\t0\t\\\\x").append(Hex.encodeHexString(sealed)).append('\n');
        }
        copy(pg, "COPY users (id, email, password_hash, created_at, session_epoch, totp_secret) FROM STDIN", rows);
        if (eventsPerUser > 0) {
          StringBuilder events = new StringBuilder();
          for (int i = batch; i < end; i++) {
            for (int e = 0; e < eventsPerUser; e++) {
              events.append(firstId + i - from).append('\t').append(created).append('\t')
                .append(e % 2 == 0 ? "login.password" : "login.totp").append("\tt\t127.0.0.1\tbench-seed\n");
            }
          }
          copy(pg, "COPY security_events (user_id, at, type, success, ip, user_agent) FROM STDIN", events);
        }
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))");
        statement.execute("ANALYZE users");
        statement.execute("ANALYZE security_events");
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** EXPLAIN ANALYZE of the queries a login and an Activity page run, on the seeded data. */
  void explain(int users) throws Exception {
    PgConnectOptions options = Database.connectOptions(dbUrl);
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword());
         Statement statement = connection.createStatement()) {
      String email = email(users / 2);
      for (String query : java.util.List.of(
        "SELECT id, password_hash, totp_secret FROM users WHERE email = '" + email + "'",
        "SELECT id, at, type FROM security_events WHERE user_id = (SELECT id FROM users WHERE email = '" + email
          + "') ORDER BY id DESC LIMIT 51",
        "SELECT count(*) FROM throttle_attempts WHERE key = 'second-factor:1' AND at > now() - interval '1 day'")) {
        System.out.println("  EXPLAIN ANALYZE " + query);
        try (ResultSet plan = statement.executeQuery("EXPLAIN (ANALYZE, COSTS OFF) " + query)) {
          while (plan.next()) {
            System.out.println("    " + plan.getString(1));
          }
        }
      }
    }
  }

  /** Seeded user {@code index}'s id, given the id the seeding started from. */
  private static long nextId(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery("SELECT COALESCE(max(id), 0) + 1 FROM users")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void copy(PGConnection pg, String sql, StringBuilder rows) throws Exception {
    CopyIn copy = pg.getCopyAPI().copyIn(sql);
    byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(bytes, 0, bytes.length);
    copy.endCopy();
  }
}
