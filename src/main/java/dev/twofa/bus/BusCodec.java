package dev.twofa.bus;

import io.vertx.core.json.JsonObject;

/**
 * Records to JSON and back with Vert.x's Jackson mapper: JSON on the wire (readable, cluster-safe), each field
 * named once, in its record. A body that does not fit the record is INVALID_REQUEST, never a crash.
 */
final class BusCodec {
  private static final JsonObject EMPTY = new JsonObject();

  private BusCodec() {
  }

  static JsonObject encode(Object value) {
    return value == null ? EMPTY : JsonObject.mapFrom(value);
  }

  static <T> T decode(JsonObject json, Class<T> type) {
    if (type == Void.class) {
      return null;
    }
    try {
      return (json == null ? EMPTY : json).mapTo(type);
    } catch (IllegalArgumentException e) {
      throw new BusFailure(ErrorCode.INVALID_REQUEST);
    }
  }
}
