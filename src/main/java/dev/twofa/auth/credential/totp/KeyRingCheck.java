package dev.twofa.auth.credential.totp;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRepository.SealedSecret;
import dev.twofa.config.KeyRing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * At start, before auth answers anything: are the stored TOTP secrets sealed under keys of this ring? A secret
 * whose header names a ring key is taken as such (GCM would catch a forgery at its next use); every other one
 * (another key id, or a box from before key ids) is opened here. Those no key opens stop the start with a
 * message naming the missing key ids and how many secrets each sealed (never a key), unless
 * TWOFA_ALLOW_MISSING_KEYS=true: then the server starts, says so at WARN, and those accounts get
 * {@code totp_unavailable} (503) until the key is back. Without this the ring's gap showed only as failed logins.
 */
@Door
public final class KeyRingCheck {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRingCheck.class);
  /** Box from before key ids: its key cannot be named. */
  private static final String NO_ID = "none";
  private final SecretBox box;
  private final UserRepository users;
  private final boolean allowMissing;

  public KeyRingCheck(KeyRing ring, UserRepository users, boolean allowMissing) {
    this.box = new SecretBox(ring);
    this.users = users;
    this.allowMissing = allowMissing;
  }

  /** The check, once per node (every auth instance of it shares the ring); the others start at once. */
  public Future<Void> oncePerNode(Vertx vertx, SqlClient db) {
    boolean first = vertx.sharedData().getLocalMap("twofa-key-ring-check").putIfAbsent("started", Boolean.TRUE) == null;
    return first ? check(vertx, db) : Future.succeededFuture();
  }

  /** Fails with the operator's message when secrets are sealed under missing keys and that is not allowed. */
  public Future<Void> check(Vertx vertx, SqlClient db) {
    return users.totpSecretsNotStartingWith(db, box.ringHeaders())
      // Off the event loop: with a key gone, that can be every secret it sealed.
      .compose(candidates -> vertx.executeBlocking(() -> unopened(candidates), false))
      .compose(this::verdict);
  }

  private Future<Void> verdict(Map<String, Long> missing) {
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    long count = missing.values().stream().mapToLong(Long::longValue).sum();
    if (allowMissing) {
      LOG.warn("event=keys.missing key_ids={} secrets={} message=\"started anyway (TWOFA_ALLOW_MISSING_KEYS=true):"
        + " these accounts cannot use their authenticator app until the keys are back in TWOFA_SECRET_KEYS\"",
        missing.keySet(), count);
      return Future.succeededFuture();
    }
    String message = count + " TOTP secrets are sealed under keys that are not in TWOFA_SECRET_KEYS: key id "
      + missing.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))
      + (missing.containsKey(NO_ID) ? " (\"none\": sealed before key ids, by a key no longer in the ring)" : "")
      + ". Put the missing keys back in the ring after the current one (run rotate-keys before removing them"
      + " again), or set TWOFA_ALLOW_MISSING_KEYS=true to start anyway, leaving those accounts unable to use"
      + " their authenticator app";
    LOG.error("event=keys.missing key_ids={} secrets={} message={}", missing.keySet(), count, message);
    return Future.failedFuture(new IllegalStateException(message));
  }

  /** How many of {@code candidates} no key of the ring opens, by the key id their header names. */
  private Map<String, Long> unopened(List<SealedSecret> candidates) {
    Map<String, Long> missing = new TreeMap<>();
    for (SealedSecret secret : candidates) {
      try {
        box.open(secret.box(), secret.userId());
      } catch (IllegalArgumentException e) {
        missing.merge(SecretBox.keyId(secret.box()).orElse(NO_ID), 1L, Long::sum);
      }
    }
    return missing;
  }
}
