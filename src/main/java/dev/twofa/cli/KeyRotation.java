package dev.twofa.cli;

import dev.twofa.auth.credential.totp.SecretBox;
import dev.twofa.config.KeyRing;
import dev.twofa.db.Database;
import io.vertx.pgclient.PgConnectOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * {@code rotate-keys}: seals every TOTP secret (and pending secret) and every anti-phishing phrase (and pending
 * phrase: the same boxes) again under the ring's current key, so the
 * older keys can leave the ring. Safe while servers run: batches of {@link #BATCH} users per transaction, and
 * each row is written only if it still holds what was read (a server that changed it meanwhile sealed it under
 * the current key already, or the next run picks it up). Running it again moves nothing.
 */
public final class KeyRotation {
  static final int BATCH = 500;

  /** Rows sealed again, rows left because they changed while being read, rows no key of the ring opens. */
  public record Outcome(int moved, int changedMeanwhile, int unreadable) {
  }

  private KeyRotation() {
  }

  public static Outcome run(String dbUrl, KeyRing ring) throws SQLException {
    SecretBox box = new SecretBox(ring);
    PgConnectOptions options = Database.connectOptions(dbUrl);
    int moved = 0;
    int changed = 0;
    int unreadable = 0;
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword())) {
      connection.setAutoCommit(false);
      long after = 0;
      while (true) {
        Batch batch = batch(connection, box, after);
        connection.commit();
        if (batch.last() == after) {
          return new Outcome(moved, changed, unreadable);
        }
        after = batch.last();
        moved += batch.moved();
        changed += batch.changed();
        unreadable += batch.unreadable();
      }
    }
  }

  private record Batch(long last, int moved, int changed, int unreadable) {
  }

  /** Keyset paging by id: rows written meanwhile never shift the pages. */
  private static Batch batch(Connection connection, SecretBox box, long after) throws SQLException {
    long last = after;
    int moved = 0;
    int changed = 0;
    int unreadable = 0;
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT id, totp_secret, totp_pending_secret, phrase_box, phrase_pending_box FROM users
        WHERE id > ? AND (totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL OR phrase_box IS NOT NULL
                          OR phrase_pending_box IS NOT NULL) ORDER BY id LIMIT ?
        """);
         PreparedStatement update = connection.prepareStatement("""
           UPDATE users SET totp_secret = ?, totp_pending_secret = ?, phrase_box = ?, phrase_pending_box = ?
           WHERE id = ? AND totp_secret IS NOT DISTINCT FROM ? AND totp_pending_secret IS NOT DISTINCT FROM ?
             AND phrase_box IS NOT DISTINCT FROM ? AND phrase_pending_box IS NOT DISTINCT FROM ?
           """)) {
      select.setLong(1, after);
      select.setInt(2, BATCH);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          long id = rows.getLong(1);
          last = id;
          byte[][] boxes = {rows.getBytes(2), rows.getBytes(3), rows.getBytes(4), rows.getBytes(5)};
          byte[][] resealed = new byte[boxes.length][];
          boolean same = true;
          try {
            for (int i = 0; i < boxes.length; i++) {
              resealed[i] = reseal(box, boxes[i], id);
              same &= resealed[i] == boxes[i];
            }
          } catch (IllegalArgumentException e) {
            unreadable++;
            continue;
          }
          if (same) {
            continue;
          }
          for (int i = 0; i < boxes.length; i++) {
            update.setBytes(1 + i, resealed[i]);
            update.setBytes(6 + i, boxes[i]);
          }
          update.setLong(5, id);
          if (update.executeUpdate() == 1) {
            moved++;
          } else {
            changed++;
          }
        }
      }
    }
    return new Batch(last, moved, changed, unreadable);
  }

  /** The same array when it is already under the current key (or absent), else a new box. */
  private static byte[] reseal(SecretBox box, byte[] sealed, long userId) {
    if (sealed == null) {
      return null;
    }
    SecretBox.Opened opened = box.openWithKeyInfo(sealed, userId);
    return opened.current() ? sealed : box.seal(opened.plaintext(), userId);
  }
}
