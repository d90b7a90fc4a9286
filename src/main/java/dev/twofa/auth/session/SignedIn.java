package dev.twofa.auth.session;

import dev.twofa.auth.account.UserRow;

import java.time.Instant;
import java.util.UUID;

/** A live session and its user, as resolved from the cookie's value in one round trip. */
public record SignedIn(UserRow user, byte[] tokenHash, UUID handle, Instant secondFactorAt, Instant stepUpAt) {
  public boolean secondFactor() {
    return secondFactorAt != null;
  }

  /** True when the session proved its password (and second factor) again at or after {@code since}. */
  boolean steppedUpSince(Instant since) {
    return stepUpAt != null && !stepUpAt.isBefore(since);
  }

  @Override
  public String toString() {
    return "SignedIn[user=" + user.id() + "]";
  }
}
