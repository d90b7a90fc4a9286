package dev.twofa.bus;

import io.vertx.core.json.JsonObject;

/**
 * What an HTTP session knows of its user: the id and the session epoch it was issued under.
 * The auth verticle accepts it only while the epoch matches, so a password change ends other sessions.
 */
public record SessionRef(long userId, int epoch) {
  public JsonObject toJson() {
    return new JsonObject().put("userId", userId).put("epoch", epoch);
  }

  public static SessionRef fromJson(JsonObject json) {
    return new SessionRef(json.getLong("userId"), json.getInteger("epoch"));
  }
}
