package dev.twofa.auth;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.bus.SessionRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What support staff may do for a user who lost both the authenticator and the recovery codes: look the
 * account up, and turn 2FA off with a recorded reason and identity check. Staff must themselves be signed in
 * with a second factor.
 */
final class SupportDesk {
  private static final Logger LOG = LoggerFactory.getLogger(SupportDesk.class);
  private final AuthStore store;
  private final Auditor auditor;

  SupportDesk(AuthStore store, Auditor auditor) {
    this.store = store;
    this.auditor = auditor;
  }

  /** {@code {user, userId}} of the account with {@code email}. */
  Future<JsonObject> lookup(SessionRef staffSession, String email) {
    return staff(staffSession).compose(staff -> target(email))
      .map(user -> new JsonObject().put("user", user.toUserJson()).put("userId", user.id()));
  }

  /** Removes the secret and every recovery code, ends the user's sessions, and records who did it and why. */
  Future<JsonObject> disableTotp(SessionRef staffSession, String email, String reason, String verification,
                                 ClientInfo client) {
    return staff(staffSession).compose(staff -> target(email).compose(user -> {
      if (!user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      return store.pool().withTransaction(tx -> store.users().disableTotp(tx, user.id())
          .compose(disabled -> disabled ? store.recoveryCodes().deleteAll(tx, user.id()) : BusFailure.fail(ErrorCode.NOT_ENABLED))
          .compose(deleted -> store.pendingLogins().deleteForUser(tx, user.id())))
        .compose(done -> {
          LOG.info("event=support.2fa_disabled staff_id={} user_id={}", staff.id(), user.id());
          JsonObject details = new JsonObject().put("reason", reason.strip()).put("verification", verification.strip());
          return auditor.record(new SecurityEvent(user.id(), SecurityEvent.TWO_FACTOR_DISABLED, true, client,
            staff.email(), details));
        })
        .compose(recorded -> store.users().findById(store.pool(), user.id()))
        .map(updated -> new JsonObject().put("user", updated.orElseThrow().toUserJson()));
    }));
  }

  private Future<UserRow> staff(SessionRef session) {
    return store.users().findBySession(store.pool(), session.userId(), session.epoch()).compose(user -> {
      if (!user.support()) {
        return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN, "Only support staff can use the support desk."));
      }
      if (!user.twoFactorEnabled() || !session.secondFactor()) {
        return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN,
          "Support staff must turn on 2FA and log in with it to use the support desk."));
      }
      return Future.succeededFuture(user);
    });
  }

  private Future<UserRow> target(String email) {
    return store.users().findByEmail(store.pool(), Emails.canonical(email).orElse(""))
      .compose(user -> user.map(Future::succeededFuture).orElseGet(() -> BusFailure.fail(ErrorCode.USER_NOT_FOUND)));
  }
}
