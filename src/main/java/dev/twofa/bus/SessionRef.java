package dev.twofa.bus;

import io.vertx.core.json.JsonObject;

/**
 * What an HTTP session knows of its user: the id, the session epoch it was issued under, and whether the login
 * passed a second factor. The auth verticle accepts it only while the epoch matches, so a password change
 * ends other sessions.
 */
public record SessionRef(long userId, int epoch, boolean secondFactor) {
  public JsonObject toJson() {
    return new JsonObject().put("userId", userId).put("epoch", epoch).put("secondFactor", secondFactor);
  }

  public static SessionRef fromJson(JsonObject json) {
    return new SessionRef(json.getLong("userId"), json.getInteger("epoch"), json.getBoolean("secondFactor", false));
  }

  public SessionRef withEpoch(int newEpoch) {
    return new SessionRef(userId, newEpoch, secondFactor);
  }
}
