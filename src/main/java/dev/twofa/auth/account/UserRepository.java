package dev.twofa.auth.account;

import static dev.twofa.db.SqlTime.utc;
import dev.twofa.auth.Door;
import dev.twofa.auth.session.PendingLogin;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL over the users table. Every check that can race is a single conditional statement. */
@Door
public final class UserRepository {
  private final SecurityHold hold;

  /** With the default hold (24 h, 48 h after a support reset) on the system clock: for tools and tests. */
  public UserRepository() {
    this(new SecurityHold(dev.twofa.config.SecurityHoldPolicy.DEFAULT, java.time.Clock.systemUTC()));
  }

  public UserRepository(SecurityHold hold) {
    this.hold = hold;
  }

  /** The account's security hold, which every room that makes or refuses a sensitive change goes through. */
  public SecurityHold hold() {
    return hold;
  }

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String CHECK_VIOLATION = "23514";
  public static final String COLUMNS = """
    id, email, password_hash, session_epoch, totp_secret, totp_pending_secret, totp_last_step, created_at, support,
    totp_enabled_at, totp_pending_created_at, totp_pending_session, language, email_verified_at,
    password_reset_required, time_zone, security_hold_until, phrase_box, phrase_pending_box, phrase_pending_at,
    (SELECT n FROM recovery_codes_left(users.id) n) AS recovery_codes_remaining,
    (SELECT n FROM passkeys_count(users.id) n) AS passkeys
    """;

  Future<Long> insert(SqlClient db, String email, String passwordHash, String language, String timeZone, Instant now) {
    return db.preparedQuery("""
        INSERT INTO users (email, password_hash, created_at, language, time_zone) VALUES ($1, $2, $3, $4, $5) RETURNING id
        """)
      .execute(Tuple.of(email, passwordHash, utc(now), language, timeZone))
      .map(rows -> rows.iterator().next().getLong("id"))
      .recover(error -> {
        String state = error instanceof PgException pg ? pg.getSqlState() : "";
        // The table's own check (lower case, at most 254 characters) has the last word on what an email is.
        return UNIQUE_VIOLATION.equals(state) ? BusFailure.fail(ErrorCode.EMAIL_TAKEN)
          : CHECK_VIOLATION.equals(state) ? BusFailure.fail(ErrorCode.INVALID_EMAIL) : Future.failedFuture(error);
      });
  }

  public Future<Optional<UserRow>> findByEmail(SqlClient db, String email) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE email = $1")
      .execute(Tuple.of(email)).map(UserRepository::first);
  }

  public Future<Optional<UserRow>> findById(SqlClient db, long id) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1")
      .execute(Tuple.of(id)).map(UserRepository::first);
  }

  /**
   * A pending login's user, with the id of the login attempt its steps share in Activity, and when and from where
   * its password step came (what the owner is told if the login is dropped).
   */
  public record PendingUser(UserRow user, UUID loginId, Instant createdAt, ClientInfo client) {
    public PendingLogin abandoned(int failures) {
      return new PendingLogin(user.id(), user.email(), loginId, createdAt, failures, client);
    }
  }

  /** The user of a pending login created after {@code createdAfter} (one round trip for both). */
  public Future<Optional<PendingUser>> findByPendingLogin(SqlClient db, byte[] pendingHash, Instant createdAfter) {
    return db.preparedQuery("SELECT " + COLUMNS + ", p.login_id, p.pending_at, p.ip, p.user_agent"
        + " FROM pending_login_live($1, $2) p JOIN users ON users.id = p.user_id")
      .execute(Tuple.of(Buffer.buffer(pendingHash), utc(createdAfter)))
      .map(rows -> {
        if (rows.size() != 1) {
          return Optional.empty();
        }
        Row row = rows.iterator().next();
        return Optional.of(new PendingUser(UserRow.from(row), row.getUUID("login_id"),
          row.getOffsetDateTime("pending_at").toInstant(), new ClientInfo(row.getString("ip"), row.getString("user_agent"))));
      });
  }

  /** Records {@code step} as the last accepted TOTP step, only if it is later than the one recorded: true when it was. */
  public Future<Boolean> acceptTotpStep(SqlClient db, long id, long step) {
    return db.preparedQuery("SELECT totp_accept_step($1, $2) AS accepted")
      .execute(Tuple.of(id, step)).map(rows -> rows.iterator().next().getBoolean("accepted"));
  }

  /**
   * Stores a new pending secret for the session {@code sessionHandle}: for a first enrollment only while 2FA is
   * off, for a change of authenticator only while it is on. False when that no longer holds.
   */
  public Future<Boolean> setPendingSecret(SqlClient db, long id, int epoch, byte[] box, UUID sessionHandle, Instant now,
                                   boolean change) {
    return db.preparedQuery("""
        UPDATE users SET totp_pending_secret = $3, totp_pending_session = $4, totp_pending_created_at = $5
        WHERE id = $1 AND session_epoch = $2 AND (totp_secret IS NOT NULL) = $6
        """)
      .execute(Tuple.of(id, epoch, Buffer.buffer(box), sessionHandle, utc(now), change)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Replaces the authenticator with exactly the pending secret that was verified, recording the step its code
   * used, and moves the epoch on (every other session ends). Returns the new epoch, or fails NO_PENDING_SETUP
   * when the pending secret changed meanwhile.
   */
  public Future<Integer> changeTotp(SqlClient db, long id, byte[] verifiedPendingBox, long step, Instant now) {
    return db.preparedQuery("""
        UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_pending_session = NULL,
                         totp_last_step = $3, totp_enabled_at = $4, session_epoch = session_epoch + 1
        WHERE id = $1 AND totp_secret IS NOT NULL AND totp_pending_secret = $2 RETURNING session_epoch
        """)
      .execute(Tuple.of(id, Buffer.buffer(verifiedPendingBox), step, utc(now)))
      .compose(rows -> rows.rowCount() == 1
        ? Future.succeededFuture(rows.iterator().next().getInteger("session_epoch"))
        : BusFailure.fail(ErrorCode.NO_PENDING_SETUP));
  }

  /**
   * Promotes exactly the pending secret that was verified, recording the step its code used, and moves the epoch
   * on: a session opened with the password alone (perhaps a stranger's) ends when 2FA starts. Returns the new
   * epoch, or fails NO_PENDING_SETUP when the pending secret changed meanwhile.
   */
  public Future<Integer> enableTotp(SqlClient db, long id, byte[] verifiedPendingBox, long step, Instant now) {
    return db.preparedQuery("""
        UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_pending_session = NULL,
                         totp_last_step = $3, totp_enabled_at = $4, session_epoch = session_epoch + 1
        WHERE id = $1 AND totp_secret IS NULL AND totp_pending_secret = $2 RETURNING session_epoch
        """)
      .execute(Tuple.of(id, Buffer.buffer(verifiedPendingBox), step, utc(now)))
      .compose(rows -> rows.rowCount() == 1
        ? Future.succeededFuture(rows.iterator().next().getInteger("session_epoch"))
        : BusFailure.fail(ErrorCode.NO_PENDING_SETUP));
  }

  /** Sets a new password hash and moves the session epoch on; returns the new epoch. */
  Future<Integer> changePassword(SqlClient db, long id, int epoch, String passwordHash) {
    return db.preparedQuery("""
        UPDATE users SET password_hash = $3, session_epoch = session_epoch + 1
        WHERE id = $1 AND session_epoch = $2 RETURNING session_epoch
        """)
      .execute(Tuple.of(id, epoch, passwordHash))
      .compose(rows -> rows.rowCount() == 1
        ? Future.succeededFuture(rows.iterator().next().getInteger("session_epoch"))
        : BusFailure.fail(ErrorCode.UNAUTHENTICATED));
  }

  /** A user's sealed TOTP secret, as stored. */
  public record SealedSecret(long userId, byte[] box) {
  }

  /**
   * The TOTP secrets (of accounts with 2FA on) whose box does not start with one of {@code headers}: the ones the
   * credential room cannot place under a key of its ring by their header alone (see KeyRingCheck).
   */
  public Future<List<SealedSecret>> totpSecretsNotStartingWith(SqlClient db, List<byte[]> headers) {
    int length = headers.isEmpty() ? 0 : headers.get(0).length;
    return db.preparedQuery("""
        SELECT id, totp_secret FROM users
        WHERE totp_secret IS NOT NULL AND NOT (substring(totp_secret FROM 1 FOR $1) = ANY ($2))
        """)
      .execute(Tuple.tuple().addInteger(length)
        .addArrayOfBuffer(headers.stream().map(Buffer::buffer).toArray(Buffer[]::new)))
      .map(rows -> {
        List<SealedSecret> secrets = new ArrayList<>();
        rows.forEach(row -> secrets.add(new SealedSecret(row.getLong("id"), row.getBuffer("totp_secret").getBytes())));
        return secrets;
      });
  }

  /**
   * Stores the same password hashed at the configured cost, only while {@code expected} is still the stored hash
   * (a password change or reset meanwhile wins): true when written. The epoch stays, the password being the same.
   */
  public Future<Boolean> replacePasswordHash(SqlClient db, long id, String expected, String fresh) {
    return db.preparedQuery("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
      .execute(Tuple.of(id, expected, fresh)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Turns 2FA off: forgets the secret (and any pending one) and moves the epoch on, ending every session.
   * The last accepted step is kept, so codes seen before can never be replayed after a new enrollment.
   */
  public Future<Boolean> disableTotp(SqlClient tx, long id) {
    return tx.preparedQuery("""
        UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_pending_session = NULL,
                         totp_enabled_at = NULL, session_epoch = session_epoch + 1
        WHERE id = $1 AND totp_secret IS NOT NULL
        """)
      .execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Sets the password chosen through a reset link, lifts the lock "This wasn't me" put on the old one, and moves
   * the epoch on (every session ends). The link came to the address, so the address is proven too. 2FA is
   * untouched: the next login still asks for the code.
   */
  public Future<Void> resetPassword(SqlClient tx, long id, String passwordHash, Instant now) {
    return tx.preparedQuery("""
        UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, password_reset_required = false,
                         email_verified_at = coalesce(email_verified_at, $3)
        WHERE id = $1
        """)
      .execute(Tuple.of(id, passwordHash, utc(now))).mapEmpty();
  }

  /**
   * "This wasn't me", in one statement under the user's row lock: the password is locked until a reset link sets a
   * new one, the epoch moves on (every session ends, including one a login is opening right now), any pending
   * authenticator is dropped, and a 2FA turned on or changed after {@code undoAfter} is turned off (the key it
   * replaced, if any, is not kept). True when it turned 2FA off: the caller forgets the recovery codes.
   */
  public Future<Boolean> secure(SqlClient tx, long id, Instant undoAfter) {
    return tx.preparedQuery("""
        WITH before AS (SELECT id, totp_secret IS NOT NULL AND totp_enabled_at > $2 AS undo
                        FROM users WHERE id = $1 FOR UPDATE)
        UPDATE users u SET password_reset_required = true, session_epoch = u.session_epoch + 1,
                           totp_pending_secret = NULL, totp_pending_session = NULL,
                           totp_secret = CASE WHEN before.undo THEN NULL ELSE u.totp_secret END,
                           totp_enabled_at = CASE WHEN before.undo THEN NULL ELSE u.totp_enabled_at END
        FROM before WHERE u.id = before.id RETURNING before.undo
        """)
      .execute(Tuple.of(id, utc(undoAfter)))
      .map(rows -> rows.size() == 1 && rows.iterator().next().getBoolean("undo"));
  }

  /** Stores the account's phrase boxes as the phrase room decided them (under the row lock its caller holds). */
  Future<Void> storePhrase(SqlClient tx, long id, byte[] box, byte[] pendingBox, Instant pendingAt) {
    return tx.preparedQuery("UPDATE users SET phrase_box = $2, phrase_pending_box = $3, phrase_pending_at = $4 WHERE id = $1")
      .execute(Tuple.of(id, box == null ? null : Buffer.buffer(box), pendingBox == null ? null : Buffer.buffer(pendingBox),
        pendingAt == null ? null : utc(pendingAt)))
      .mapEmpty();
  }

  /** "This wasn't me": drops exactly the pending phrase {@code pendingBox} (mails keep showing the current one). */
  public Future<Void> dropPendingPhrase(SqlClient tx, long id, byte[] pendingBox) {
    return tx.preparedQuery("""
        UPDATE users SET phrase_pending_box = NULL, phrase_pending_at = NULL WHERE id = $1 AND phrase_pending_box = $2
        """)
      .execute(Tuple.of(id, Buffer.buffer(pendingBox))).mapEmpty();
  }

  private static Optional<UserRow> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(UserRow.from(it.next())) : Optional.empty();
  }
}
