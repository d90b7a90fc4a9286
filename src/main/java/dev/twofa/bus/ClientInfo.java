package dev.twofa.bus;

import io.vertx.core.json.JsonObject;

/** Where a request came from, as recorded in the activity list. */
public record ClientInfo(String ip, String userAgent) {
  private static final int MAX_USER_AGENT = 512;

  public ClientInfo {
    ip = ip == null ? "" : ip;
    userAgent = userAgent == null ? "" : userAgent.length() > MAX_USER_AGENT ? userAgent.substring(0, MAX_USER_AGENT) : userAgent;
  }

  public JsonObject toJson() {
    return new JsonObject().put("ip", ip).put("userAgent", userAgent);
  }

  public static ClientInfo fromJson(JsonObject json) {
    return json == null ? new ClientInfo("", "") : new ClientInfo(json.getString("ip"), json.getString("userAgent"));
  }
}
