package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * Refuses text no person types: control characters (C0, DEL, C1) and unpaired surrogates, in any JSON string or
 * key and in any query parameter. They have no place in an email, password, code or note, and PostgreSQL
 * refuses NUL, so letting them through would turn hostile input into a 500 or a half-written record.
 */
final class CleanInput {
  private CleanInput() {
  }

  static void refuseControlCharacters(RoutingContext ctx) {
    for (Map.Entry<String, String> param : ctx.queryParams()) {
      if (!clean(param.getKey()) || !clean(param.getValue())) {
        ctx.fail(new BusFailure(ErrorCode.INVALID_REQUEST));
        return;
      }
    }
    if (ctx.body() != null && ctx.body().length() > 0 && !cleanBody(ctx)) {
      ctx.fail(new BusFailure(ErrorCode.INVALID_REQUEST));
      return;
    }
    ctx.next();
  }

  private static boolean cleanBody(RoutingContext ctx) {
    Object json;
    try {
      json = Json.decodeValue(ctx.body().buffer());
    } catch (DecodeException | IllegalStateException e) {
      return true;   // not JSON: the request validation that follows answers it
    }
    return clean(json);
  }

  private static boolean clean(Object value) {
    if (value instanceof String text) {
      return clean(text);
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (!clean(entry.getKey()) || !clean(entry.getValue())) {
          return false;
        }
      }
    } else if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!clean(item)) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean clean(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
