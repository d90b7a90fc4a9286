package dev.twofa.auth.session;

import dev.twofa.bus.ClientInfo;

import java.time.Instant;
import java.util.UUID;

/**
 * A pending login as the session state, Activity and the mail about an abandoned login need it; {@code client}
 * is where its password step came from.
 */
public record PendingLogin(long userId, String email, UUID loginId, Instant createdAt, int failures, ClientInfo client) {
  public PendingLogin(long userId, String email, UUID loginId, Instant createdAt, int failures) {
    this(userId, email, loginId, createdAt, failures, ClientInfo.UNKNOWN);
  }
}
