package dev.twofa.auth.account;

import dev.twofa.bus.AuthReplies.User;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** A user as the auth verticle reads it. The secret fields stay inside this package; toString hides them. */
public record UserRow(long id, String email, String passwordHash, int sessionEpoch, byte[] totpSecretBox,
               byte[] pendingSecretBox, Long totpLastStep, OffsetDateTime createdAt, int recoveryCodesRemaining,
               boolean support, OffsetDateTime totpEnabledAt, OffsetDateTime pendingCreatedAt, UUID pendingSession,
               String language, OffsetDateTime emailVerifiedAt, boolean passwordResetRequired, int passkeys,
               String timeZone, OffsetDateTime securityHoldUntil, byte[] phraseBox, byte[] phrasePendingBox,
               OffsetDateTime phrasePendingAt) {

  /** A user without an anti-phishing phrase. */
  public UserRow(long id, String email, String passwordHash, int sessionEpoch, byte[] totpSecretBox,
                 byte[] pendingSecretBox, Long totpLastStep, OffsetDateTime createdAt, int recoveryCodesRemaining,
                 boolean support, OffsetDateTime totpEnabledAt, OffsetDateTime pendingCreatedAt, UUID pendingSession,
                 String language, OffsetDateTime emailVerifiedAt, boolean passwordResetRequired, int passkeys,
                 String timeZone, OffsetDateTime securityHoldUntil) {
    this(id, email, passwordHash, sessionEpoch, totpSecretBox, pendingSecretBox, totpLastStep, createdAt,
      recoveryCodesRemaining, support, totpEnabledAt, pendingCreatedAt, pendingSession, language, emailVerifiedAt,
      passwordResetRequired, passkeys, timeZone, securityHoldUntil, null, null, null);
  }

  /** A user without a security hold stored. */
  public UserRow(long id, String email, String passwordHash, int sessionEpoch, byte[] totpSecretBox,
                 byte[] pendingSecretBox, Long totpLastStep, OffsetDateTime createdAt, int recoveryCodesRemaining,
                 boolean support, OffsetDateTime totpEnabledAt, OffsetDateTime pendingCreatedAt, UUID pendingSession,
                 String language, OffsetDateTime emailVerifiedAt, boolean passwordResetRequired, int passkeys,
                 String timeZone) {
    this(id, email, passwordHash, sessionEpoch, totpSecretBox, pendingSecretBox, totpLastStep, createdAt,
      recoveryCodesRemaining, support, totpEnabledAt, pendingCreatedAt, pendingSession, language, emailVerifiedAt,
      passwordResetRequired, passkeys, timeZone, null);
  }

  /** A user without passkeys and with no time zone stored (mails then fall back by language). */
  public UserRow(long id, String email, String passwordHash, int sessionEpoch, byte[] totpSecretBox,
                 byte[] pendingSecretBox, Long totpLastStep, OffsetDateTime createdAt, int recoveryCodesRemaining,
                 boolean support, OffsetDateTime totpEnabledAt, OffsetDateTime pendingCreatedAt, UUID pendingSession,
                 String language, OffsetDateTime emailVerifiedAt, boolean passwordResetRequired) {
    this(id, email, passwordHash, sessionEpoch, totpSecretBox, pendingSecretBox, totpLastStep, createdAt,
      recoveryCodesRemaining, support, totpEnabledAt, pendingCreatedAt, pendingSession, language, emailVerifiedAt,
      passwordResetRequired, 0, null);
  }

  /** A user whose password is not locked ("This wasn't me" not used since the last reset). */
  public UserRow(long id, String email, String passwordHash, int sessionEpoch, byte[] totpSecretBox,
                 byte[] pendingSecretBox, Long totpLastStep, OffsetDateTime createdAt, int recoveryCodesRemaining,
                 boolean support, OffsetDateTime totpEnabledAt, OffsetDateTime pendingCreatedAt, UUID pendingSession,
                 String language, OffsetDateTime emailVerifiedAt) {
    this(id, email, passwordHash, sessionEpoch, totpSecretBox, pendingSecretBox, totpLastStep, createdAt,
      recoveryCodesRemaining, support, totpEnabledAt, pendingCreatedAt, pendingSession, language, emailVerifiedAt, false);
  }

  public static UserRow from(Row row) {
    return new UserRow(row.getLong("id"), row.getString("email"), row.getString("password_hash"),
      row.getInteger("session_epoch"), bytes(row, "totp_secret"), bytes(row, "totp_pending_secret"),
      row.getLong("totp_last_step"), row.getOffsetDateTime("created_at"), row.getInteger("recovery_codes_remaining"),
      row.getBoolean("support"), row.getOffsetDateTime("totp_enabled_at"), row.getOffsetDateTime("totp_pending_created_at"),
      row.getUUID("totp_pending_session"), row.getString("language"),
      row.getOffsetDateTime("email_verified_at"), row.getBoolean("password_reset_required"), row.getInteger("passkeys"),
      row.getColumnIndex("time_zone") >= 0 ? row.getString("time_zone") : null,
      row.getColumnIndex("security_hold_until") >= 0 ? row.getOffsetDateTime("security_hold_until") : null,
      row.getColumnIndex("phrase_box") >= 0 ? bytes(row, "phrase_box") : null,
      row.getColumnIndex("phrase_pending_box") >= 0 ? bytes(row, "phrase_pending_box") : null,
      row.getColumnIndex("phrase_pending_at") >= 0 ? row.getOffsetDateTime("phrase_pending_at") : null);
  }

  private static byte[] bytes(Row row, String column) {
    var buffer = row.getBuffer(column);
    return buffer == null ? null : buffer.getBytes();
  }

  /**
   * The sealed anti-phishing phrase mails show at {@code now}: a pending one once its time has come, else the
   * current one (null: none). The one rule of when a change takes effect.
   */
  public byte[] phraseBoxAt(java.time.Instant now) {
    return phrasePendingBox != null && phrasePendingAt != null && !phrasePendingAt.toInstant().isAfter(now)
      ? phrasePendingBox : phraseBox;
  }

  /** A changed phrase still waiting for its time at {@code now} (what "This wasn't me" drops). */
  public boolean phrasePending(java.time.Instant now) {
    return phrasePendingBox != null && phraseBoxAt(now) != phrasePendingBox;
  }

  public boolean emailVerified() {
    return emailVerifiedAt != null;
  }

  /** A second factor is asked at login: an authenticator app, a passkey, or both. */
  public boolean twoFactorEnabled() {
    return hasTotp() || passkeys > 0;
  }

  /** An authenticator app is set up (its codes are a second factor). */
  public boolean hasTotp() {
    return totpSecretBox != null;
  }

  /** The public User document. */
  public User toUser() {
    return toUser(recoveryCodesRemaining);
  }

  /** The same, with a recovery-code count known to have changed since this row was read. */
  public User toUser(int codesRemaining) {
    return new User(email, twoFactorEnabled(), codesRemaining, iso(createdAt), support,
      totpEnabledAt == null ? null : iso(totpEnabledAt), emailVerified(), hasTotp(), passkeys, null, timeZone, null, null);
  }

  /**
   * The Account page's document: the public one, with the end of a security hold still on at {@code now}, whether
   * a phrase is set and when a changed one takes effect (never the phrase).
   */
  public User toUser(java.time.Instant now) {
    return new User(email, twoFactorEnabled(), recoveryCodesRemaining, iso(createdAt), support,
      totpEnabledAt == null ? null : iso(totpEnabledAt), emailVerified(), hasTotp(), passkeys,
      SecurityHold.activeUntil(securityHoldUntil, now).map(until -> iso(until.atOffset(ZoneOffset.UTC))).orElse(null),
      timeZone, phraseBoxAt(now) != null, phrasePending(now) ? iso(phrasePendingAt) : null);
  }

  private static String iso(OffsetDateTime time) {
    return time.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT);
  }

  @Override
  public String toString() {
    return "UserRow[id=" + id + "]";
  }
}
