package dev.twofa.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** A user as the auth verticle reads it. The secret fields stay inside this package; toString hides them. */
record UserRow(long id, String email, String passwordHash, int sessionEpoch, byte[] totpSecretBox,
               byte[] pendingSecretBox, Long totpLastStep, OffsetDateTime createdAt, int recoveryCodesRemaining,
               boolean support) {

  static UserRow from(Row row) {
    return new UserRow(row.getLong("id"), row.getString("email"), row.getString("password_hash"),
      row.getInteger("session_epoch"), bytes(row, "totp_secret"), bytes(row, "totp_pending_secret"),
      row.getLong("totp_last_step"), row.getOffsetDateTime("created_at"), row.getInteger("recovery_codes_remaining"),
      row.getBoolean("support"));
  }

  private static byte[] bytes(Row row, String column) {
    var buffer = row.getBuffer(column);
    return buffer == null ? null : buffer.getBytes();
  }

  boolean twoFactorEnabled() {
    return totpSecretBox != null;
  }

  /** The public User document. */
  JsonObject toUserJson() {
    return new JsonObject()
      .put("email", email)
      .put("twoFactorEnabled", twoFactorEnabled())
      .put("recoveryCodesRemaining", recoveryCodesRemaining)
      .put("createdAt", createdAt.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT))
      .put("support", support);
  }

  @Override
  public String toString() {
    return "UserRow[id=" + id + "]";
  }
}
