package dev.twofa.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import static dev.twofa.bus.Addresses.*;

/** Typed requests to the auth verticle, wherever in the cluster it runs. */
public final class AuthClient {
  private final BusRequests bus;

  public AuthClient(BusRequests bus) {
    this.bus = bus;
  }

  public Future<LoginState> signup(String email, String password, ClientInfo client) {
    return call(AUTH_SIGNUP, new JsonObject().put("email", email).put("password", password), client)
      .map(LoginState::fromJson);
  }

  public Future<LoginState> loginWithPassword(String email, String password, ClientInfo client) {
    return call(AUTH_LOGIN_PASSWORD, new JsonObject().put("email", email).put("password", password), client)
      .map(LoginState::fromJson);
  }

  public Future<LoginState> loginWithTotp(String pendingLoginId, String code, ClientInfo client) {
    return call(AUTH_LOGIN_TOTP, new JsonObject().put("pendingLoginId", pendingLoginId).put("code", code), client)
      .map(LoginState::fromJson);
  }

  public Future<LoginState> loginWithRecoveryCode(String pendingLoginId, String code, ClientInfo client) {
    return call(AUTH_LOGIN_RECOVERY, new JsonObject().put("pendingLoginId", pendingLoginId).put("code", code), client)
      .map(LoginState::fromJson);
  }

  /** The User document while {@code session} is still valid; fails with UNAUTHENTICATED otherwise. */
  public Future<JsonObject> currentUser(SessionRef session) {
    return call(AUTH_SESSION, new JsonObject().put("session", session.toJson()), null);
  }

  public Future<Void> logout(SessionRef session, ClientInfo client) {
    return call(AUTH_LOGOUT, new JsonObject().put("session", session.toJson()), client).mapEmpty();
  }

  /** Changes the password and returns the new session (its epoch moved on, ending every other session). */
  public Future<SessionRef> changePassword(SessionRef session, String currentPassword, String newPassword, ClientInfo client) {
    return call(AUTH_PASSWORD_CHANGE, new JsonObject().put("session", session.toJson())
      .put("currentPassword", currentPassword).put("newPassword", newPassword), client)
      .map(reply -> SessionRef.fromJson(reply.getJsonObject("session")));
  }

  /** {@code {secret, otpauthUri}} for a new pending TOTP key. */
  public Future<JsonObject> setupTotp(SessionRef session) {
    return call(AUTH_TOTP_SETUP, new JsonObject().put("session", session.toJson()), null);
  }

  /** {@code {recoveryCodes, user}} once the code proves the app holds the pending key. */
  public Future<JsonObject> enableTotp(SessionRef session, String code, ClientInfo client) {
    return call(AUTH_TOTP_ENABLE, new JsonObject().put("session", session.toJson()).put("code", code), client);
  }

  /** {@code {recoveryCodes}}: a new set, voiding every earlier code. */
  public Future<JsonObject> regenerateRecoveryCodes(SessionRef session, String password, ClientInfo client) {
    return call(AUTH_RECOVERY_CODES_REGENERATE, new JsonObject().put("session", session.toJson()).put("password", password), client);
  }

  /** {@code {user, userId}} of the account with {@code email}, for a support session. */
  public Future<JsonObject> supportLookup(SessionRef staff, String email) {
    return call(AUTH_SUPPORT_LOOKUP, new JsonObject().put("session", staff.toJson()).put("email", email), null);
  }

  /** Turns 2FA off for the account with {@code email}, for a support session; returns {@code {user}}. */
  public Future<JsonObject> supportDisableTotp(SessionRef staff, String email, String reason, String verification,
                                              ClientInfo client) {
    return call(AUTH_SUPPORT_DISABLE_TOTP, new JsonObject().put("session", staff.toJson()).put("email", email)
      .put("reason", reason).put("verification", verification), client);
  }

  public Future<Void> health() {
    return call(AUTH_HEALTH, new JsonObject(), null).mapEmpty();
  }

  private Future<JsonObject> call(String address, JsonObject body, ClientInfo client) {
    if (client != null) {
      body.put("client", client.toJson());
    }
    return bus.request(address, body);
  }
}
