package dev.twofa.bus;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of a login step. Exactly one of {@code session} (authenticated) or {@code pendingLoginId}
 * (password accepted, second factor owed) is set; {@code user} is the public User document when authenticated.
 */
public record LoginState(SessionRef session, String pendingLoginId, JsonObject user) {
  public static LoginState authenticated(SessionRef session, JsonObject user) {
    return new LoginState(session, null, user);
  }

  public static LoginState pending(String pendingLoginId) {
    return new LoginState(null, pendingLoginId, null);
  }

  public boolean isPending() {
    return pendingLoginId != null;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("session", session == null ? null : session.toJson())
      .put("pendingLoginId", pendingLoginId)
      .put("user", user);
  }

  public static LoginState fromJson(JsonObject json) {
    JsonObject session = json.getJsonObject("session");
    return new LoginState(session == null ? null : SessionRef.fromJson(session), json.getString("pendingLoginId"),
      json.getJsonObject("user"));
  }
}
