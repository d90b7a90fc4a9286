package dev.twofa.bus;

import io.vertx.core.json.JsonObject;

/** One entry of a user's activity, as the auth verticle reports it to the audit verticle. */
public record SecurityEvent(long userId, String type, boolean success, ClientInfo client, String actor,
                            JsonObject details) {
  public static final String SIGNUP = "signup";
  public static final String LOGIN_PASSWORD = "login.password";
  public static final String LOGIN_TOTP = "login.totp";
  public static final String LOGIN_RECOVERY_CODE = "login.recovery_code";
  public static final String LOGOUT = "logout";
  public static final String TWO_FACTOR_ENABLED = "2fa.enabled";
  public static final String TWO_FACTOR_DISABLED = "2fa.disabled";
  public static final String RECOVERY_CODES_REGENERATED = "recovery_codes.regenerated";
  public static final String PASSWORD_CHANGED = "password.changed";

  public JsonObject toJson() {
    return new JsonObject().put("userId", userId).put("type", type).put("success", success)
      .put("client", client.toJson()).put("actor", actor).put("details", details);
  }

  public static SecurityEvent fromJson(JsonObject json) {
    return new SecurityEvent(json.getLong("userId"), json.getString("type"), json.getBoolean("success"),
      ClientInfo.fromJson(json.getJsonObject("client")), json.getString("actor"), json.getJsonObject("details"));
  }
}
