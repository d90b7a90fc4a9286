package dev.twofa.auth.trust;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.session.SessionService;
import dev.twofa.bus.AuthReplies.TrustedBrowserView;
import dev.twofa.bus.AuthReplies.TrustedBrowsers;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.AuthRequests.TrustedBrowserRemove;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Browsers that skip the code step of their account's logins ("Don't ask for a code on this browser"), the trust
 * room: the only writer of trusted_browsers. A browser is its device cookie, stored as a SHA-256 per account; a
 * trust ends when it expires, when the account's session epoch moves on (password change or reset, new
 * authenticator, "This wasn't me", support reset), when a passkey is removed ({@link #endAll}), and when its owner
 * removes it. Trusting a browser and removing one are security events in Activity. It never stands in for a password, a step-up or a login an application asked a code for: deciding
 * when it may be used is the login room's business.
 */
@Door
public final class TrustedBrowserService {
  private final Pool pool;
  private final TrustedBrowserRepository rows = new TrustedBrowserRepository();
  private final SessionService sessions;
  private final Auditor auditor;
  private final Duration lifetime;
  private final Clock clock;

  /** {@code lifetime}: TWOFA_TRUSTED_BROWSER_DAYS (zero: nobody may trust a browser, and no trust counts). */
  public TrustedBrowserService(Pool pool, SessionService sessions, Auditor auditor, Duration lifetime, Clock clock) {
    this.pool = pool;
    this.sessions = sessions;
    this.auditor = auditor;
    this.lifetime = lifetime;
    this.clock = clock;
  }

  public boolean offered() {
    return !lifetime.isZero();
  }

  /**
   * True when the browser {@code client} holds a live trust of {@code user}: a read, so the usual login (no
   * trust) pays one short statement and no transaction. {@link #use} decides for good.
   */
  public Future<Boolean> holds(UserRow user, ClientInfo client) {
    // A cookie issued with this very answer names a browser nobody trusted yet: no statement.
    Optional<byte[]> device = client != null && client.device() != null && client.device().issued()
      ? Optional.empty() : device(client);
    return !offered() || device.isEmpty() ? Future.succeededFuture(false)
      : rows.holds(pool, user.id(), device.get(), clock.instant());
  }

  /** In the login's transaction: records this use of a live trust and answers whether there was one. */
  public Future<Boolean> use(SqlClient tx, UserRow user, ClientInfo client) {
    Optional<byte[]> device = device(client);
    return !offered() || device.isEmpty() ? Future.succeededFuture(false)
      : rows.use(tx, user.id(), device.get(), clock.instant(), client.ip(), client.userAgent());
  }

  /**
   * Trusts the browser {@code client} for {@code user}'s logins under the epoch its new session was opened in; the
   * trust and its event commit together.
   */
  public Future<Void> trust(UserRow user, ClientInfo client) {
    Optional<byte[]> device = device(client);
    if (!offered() || device.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    return pool.withTransaction(tx -> rows.trust(tx, user.id(), device.get(), user.sessionEpoch(), now, now.plus(lifetime),
        client.ip(), client.userAgent())
      .compose(trusted -> auditor.recordWithin(tx, event(user.id(), SecurityEvent.TRUSTED_BROWSER_ADDED, client))))
      .onSuccess(recorded -> auditor.nudge());
  }

  /** Ends every trust of the account, in the caller's transaction (a passkey removed). */
  public Future<Integer> endAll(SqlClient tx, long userId) {
    return rows.removeAll(tx, userId);
  }

  public Future<TrustedBrowsers> list(Session request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> views(session.user().id(), request.client()));
  }

  /** Removes one trust of the session's account; NOT_FOUND when it has no such one (or it ended already). */
  public Future<TrustedBrowsers> remove(TrustedBrowserRemove request) {
    Optional<UUID> id = uuid(request.id());
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      long userId = session.user().id();
      return id.isEmpty() ? BusFailure.<TrustedBrowsers>fail(ErrorCode.NOT_FOUND)
        : pool.withTransaction(tx -> rows.remove(tx, userId, id.get()).compose(removed -> removed
            ? auditor.recordWithin(tx, event(userId, SecurityEvent.TRUSTED_BROWSER_REMOVED, request.client()))
            : BusFailure.<Void>fail(ErrorCode.NOT_FOUND)))
          .onSuccess(recorded -> auditor.nudge())
          .compose(recorded -> views(userId, request.client()));
    });
  }

  public Future<TrustedBrowsers> removeAll(Session request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      long userId = session.user().id();
      return pool.withTransaction(tx -> rows.removeAll(tx, userId).compose(removed -> removed == 0 ? Future.<Void>succeededFuture()
          : auditor.recordWithin(tx, event(userId, SecurityEvent.TRUSTED_BROWSER_REMOVED, request.client()))))
        .onSuccess(recorded -> auditor.nudge())
        .compose(recorded -> views(userId, request.client()));
    });
  }

  private static SecurityEvent event(long userId, String type, ClientInfo client) {
    return new SecurityEvent(userId, type, true, client, null, Map.of(), null);
  }

  /** Drops trusts that can never count again (run on the purge timer). */
  public Future<Integer> purge() {
    return rows.purge(pool, clock.instant());
  }

  private Future<TrustedBrowsers> views(long userId, ClientInfo client) {
    byte[] current = device(client).orElse(null);
    return rows.list(pool, userId, clock.instant()).map(list -> new TrustedBrowsers(list.stream()
      .map(row -> new TrustedBrowserView(row.id().toString(), current != null && MessageDigest.isEqual(current, row.deviceHash()),
        row.createdAt().toString(), row.lastUsedAt().toString(), row.expiresAt().toString(), row.ip(), row.userAgent()))
      .toList()));
  }

  /** The stored form of the browser's device cookie (empty when the request carried none, e.g. a timer's). */
  private static Optional<byte[]> device(ClientInfo client) {
    if (client == null || client.device() == null || client.device().id() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(MessageDigest.getInstance("SHA-256").digest(client.device().id().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static Optional<UUID> uuid(String id) {
    try {
      return id == null ? Optional.empty() : Optional.of(UUID.fromString(id));
    } catch (IllegalArgumentException notOne) {
      return Optional.empty();
    }
  }
}
