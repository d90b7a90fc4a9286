package dev.twofa.auth;

import java.time.Instant;
import java.util.UUID;

/** A live session and its user, as resolved from the cookie's value in one round trip. */
record SignedIn(UserRow user, byte[] tokenHash, UUID handle, Instant secondFactorAt) {
  boolean secondFactor() {
    return secondFactorAt != null;
  }

  @Override
  public String toString() {
    return "SignedIn[user=" + user.id() + "]";
  }
}
