package dev.twofa.auth;

import dev.twofa.bus.ClientInfo;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What auth's services mail, always inside the transaction of the change: verification links (to the address
 * being proven) and security notifications (to verified addresses only; an unproven address may be a stranger's
 * typo). {@link #nudge()} after the commit sends them without making the request wait.
 */
final class Mailer {
  static final Duration VERIFICATION_LIFETIME = Duration.ofHours(24);
  private final MailOutbox outbox;
  private final MailComposer composer;
  private final EmailVerificationRepository verifications;
  private final Clock clock;

  Mailer(MailOutbox outbox, MailComposer composer, EmailVerificationRepository verifications, Clock clock) {
    this.outbox = outbox;
    this.composer = composer;
    this.verifications = verifications;
    this.clock = clock;
  }

  /** A new single-use verification link for the user's address (any earlier link stops working). */
  Future<Void> verification(SqlClient tx, UserRow user, ClientInfo client) {
    String token = SessionTokens.newToken();
    return verifications.replace(tx, user.id(), user.email(), SessionTokens.hash(token),
        clock.instant().plus(VERIFICATION_LIFETIME))
      .compose(stored -> outbox.add(tx, composer.verification(user, client, clock.instant(), token)));
  }

  /** A security notification of {@code kind}, if the user's address is verified; {@code count} fills "N left". */
  Future<Void> notice(SqlClient tx, UserRow user, String kind, ClientInfo client, Integer count) {
    return user.emailVerified()
      ? outbox.add(tx, composer.notice(user, kind, client, clock.instant(), count))
      : Future.succeededFuture();
  }

  /** A security notification about something that happened at {@code at}, written now (if the address is verified). */
  Future<Void> noticeAt(SqlClient tx, UserRow user, String kind, ClientInfo client, Instant at) {
    return user.emailVerified()
      ? outbox.add(tx, composer.notice(user, kind, client, at, null))
      : Future.succeededFuture();
  }

  Future<Boolean> useVerification(SqlClient db, String token) {
    return verifications.use(db, SessionTokens.hash(token), clock.instant());
  }

  void nudge() {
    outbox.nudge();
  }
}
