package dev.twofa.http;

import dev.twofa.bus.LoginState;
import dev.twofa.bus.SessionRef;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;

import java.util.Optional;

/**
 * What the HTTP session holds: for a signed-in user the id and session epoch, for a half-done login the id of
 * its pending login in the database. Nothing secret; and the id changes whenever the login state does.
 */
final class SessionState {
  private static final String USER_ID = "uid";
  private static final String EPOCH = "epoch";
  private static final String PENDING_LOGIN = "pending";
  private static final String SECOND_FACTOR = "mfa";

  private SessionState() {
  }

  static Optional<SessionRef> signedIn(RoutingContext ctx) {
    Session session = ctx.session();
    Long userId = session.get(USER_ID);
    Integer epoch = session.get(EPOCH);
    return userId == null || epoch == null ? Optional.empty()
      : Optional.of(new SessionRef(userId, epoch, Boolean.TRUE.equals(session.get(SECOND_FACTOR))));
  }

  static Optional<String> pendingLogin(RoutingContext ctx) {
    return Optional.ofNullable(ctx.session().get(PENDING_LOGIN));
  }

  /** Stores the outcome of a login step under a fresh session id. */
  static void apply(RoutingContext ctx, LoginState state) {
    Session session = ctx.session();
    session.regenerateId();
    session.remove(USER_ID);
    session.remove(EPOCH);
    session.remove(PENDING_LOGIN);
    session.remove(SECOND_FACTOR);
    if (state.isPending()) {
      session.put(PENDING_LOGIN, state.pendingLoginId());
    } else {
      store(session, state.session());
    }
  }

  /** After a password change or enabling 2FA: same user, new facts, new session id. */
  static void renew(RoutingContext ctx, SessionRef ref) {
    ctx.session().regenerateId();
    store(ctx.session(), ref);
  }

  private static void store(Session session, SessionRef ref) {
    session.put(USER_ID, ref.userId());
    session.put(EPOCH, ref.epoch());
    session.put(SECOND_FACTOR, ref.secondFactor());
  }

  static JsonObject anonymous() {
    return body("anonymous", null);
  }

  static JsonObject pending() {
    return body("pending_2fa", null);
  }

  static JsonObject authenticated(JsonObject user) {
    return body("authenticated", user);
  }

  static JsonObject of(LoginState state) {
    return state.isPending() ? pending() : authenticated(state.user());
  }

  private static JsonObject body(String state, JsonObject user) {
    return new JsonObject().put("state", state).put("user", user);
  }
}
