package dev.twofa.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.twofa.auth.Door;
import dev.twofa.config.KeyRing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's side of the signing keys, run against the database while the servers run ({@code
 * rotate-signing-keys}, {@code rotate-keys}). A rotation publishes a new RS256 and ES256 key at once and lets them
 * sign only after the publish delay, so applications that cache the JWKS have them first; the keys they replace
 * stay published until the last token they signed has expired. Every node reads the same rows (see SigningKeys).
 */
@Door
public final class SigningKeyRotation {
  /** How long the new keys are published before they sign: a day covers any sane JWKS cache. */
  public static final Duration DEFAULT_PUBLISH_DELAY = Duration.ofHours(24);
  /**
   * How long a replaced key stays published after its successor signs: the longest-lived token it signed (an ID
   * token, 5 minutes; a logout token, 2) and a minute for clocks that differ.
   */
  static final Duration RETIRED_KEPT = (IdTokens.LIFETIME.compareTo(LogoutTokens.LIFETIME) > 0
    ? IdTokens.LIFETIME : LogoutTokens.LIFETIME).plus(Duration.ofMinutes(1));

  /** The new keys, when they sign, and when the keys they replace leave the JWKS. */
  public record Rotation(List<String> kids, Instant signsFrom, Instant replacedUnpublishedAt) {
  }

  /** Signing keys sealed again under the ring's current key, and those no key of the ring opens. */
  public record Resealed(int moved, int unreadable) {
  }

  private SigningKeyRotation() {
  }

  /**
   * Adds a new key per algorithm, signing from {@code now + publishDelay}, and retires the current ones. Under the
   * advisory lock the servers take to make their first keys, so two rotations at once run one after the other; the
   * second finds the first under way and is refused (a unique index also allows one current key per algorithm).
   * Keys whose publication ended are deleted.
   */
  public static Rotation rotate(Connection connection, KeyRing ring, Duration publishDelay, Instant now) throws SQLException {
    if (publishDelay.isNegative()) {
      throw new IllegalArgumentException("the publish delay cannot be negative");
    }
    List<JWK> fresh = new ArrayList<>();
    for (JWSAlgorithm alg : SigningKeys.ALGORITHMS) {
      try {
        fresh.add(SigningKeys.newKey(alg));
      } catch (JOSEException e) {
        throw new IllegalStateException("making a signing key", e);
      }
    }
    Instant signsFrom = now.plus(publishDelay);
    Instant unpublished = signsFrom.plus(RETIRED_KEPT);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, SigningKeys.GENERATION_LOCK);
        lock.execute();
      }
      try (PreparedStatement drop = connection.prepareStatement("DELETE FROM oidc_signing_keys WHERE published_until <= ?")) {
        drop.setTimestamp(1, Timestamp.from(now));
        drop.execute();
      }
      try (PreparedStatement pending = connection.prepareStatement(
             "SELECT min(signs_from) AS at FROM oidc_signing_keys WHERE signs_from > ?")) {
        pending.setTimestamp(1, Timestamp.from(now));
        try (ResultSet row = pending.executeQuery()) {
          Timestamp at = row.next() ? row.getTimestamp("at") : null;
          if (at != null) {
            throw new IllegalStateException("a rotation is under way: its keys sign from " + at.toInstant()
              + "; rotate again after that");
          }
        }
      }
      List<String> kids = new ArrayList<>();
      for (JWK key : fresh) {
        try (PreparedStatement retire = connection.prepareStatement(
               "UPDATE oidc_signing_keys SET published_until = ? WHERE alg = ? AND published_until IS NULL");
             PreparedStatement insert = connection.prepareStatement("""
               INSERT INTO oidc_signing_keys (kid, alg, sealed, public_jwk, created_at, signs_from)
               VALUES (?, ?, ?, ?, ?, ?)
               """)) {
          retire.setTimestamp(1, Timestamp.from(unpublished));
          retire.setString(2, key.getAlgorithm().getName());
          if (retire.executeUpdate() == 0) {
            throw new IllegalStateException("there is no " + key.getAlgorithm() + " key to replace: start the server once first");
          }
          insert.setString(1, key.getKeyID());
          insert.setString(2, key.getAlgorithm().getName());
          insert.setString(3, SigningKeys.seal(key, ring));
          insert.setString(4, key.toPublicJWK().toJSONString());
          insert.setTimestamp(5, Timestamp.from(now));
          insert.setTimestamp(6, Timestamp.from(signsFrom));
          insert.execute();
        }
        kids.add(key.getKeyID());
      }
      connection.commit();
      return new Rotation(List.copyOf(kids), signsFrom, unpublished);
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Seals every signing key again under the ring's current key (rotate-keys), so the older ring keys can go. A row
   * is written only if it still holds what was read.
   */
  public static Resealed reseal(Connection connection, KeyRing ring) throws SQLException {
    int moved = 0;
    int unreadable = 0;
    try (PreparedStatement select = connection.prepareStatement("SELECT kid, sealed FROM oidc_signing_keys ORDER BY kid");
         PreparedStatement update = connection.prepareStatement(
           "UPDATE oidc_signing_keys SET sealed = ? WHERE kid = ? AND sealed = ?");
         ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        String kid = rows.getString("kid");
        String sealed = rows.getString("sealed");
        if (ring.current().hexId().equals(SigningKeys.sealedUnder(sealed))) {
          continue;
        }
        JWK key;
        try {
          key = SigningKeys.unseal(sealed, kid, ring);
        } catch (IllegalStateException e) {
          unreadable++;
          continue;
        }
        update.setString(1, SigningKeys.seal(key, ring));
        update.setString(2, kid);
        update.setString(3, sealed);
        moved += update.executeUpdate();
      }
    }
    if (!connection.getAutoCommit()) {
      connection.commit();
    }
    return new Resealed(moved, unreadable);
  }
}
