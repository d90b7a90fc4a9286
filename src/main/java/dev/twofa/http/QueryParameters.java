package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.Map;
import java.util.Optional;

/**
 * The query parameters as the router's OpenAPI validation typed them: handlers never read the raw query string,
 * so what they use is what openapi.yaml checked. The validator reads a number as JSON and lets an integral
 * 1e1 or 5.0 pass an integer schema; an integer parameter is taken only as the whole number the client wrote.
 */
final class QueryParameters {
  private final Map<String, RequestParameter> query;

  private QueryParameters(Map<String, RequestParameter> query) {
    this.query = query;
  }

  static QueryParameters of(RoutingContext ctx) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    return new QueryParameters(validated == null ? Map.of() : validated.getQuery());
  }

  /** The integer {@code name}, or {@code absent} without one; fails INVALID_REQUEST for a fraction or exponent. */
  Future<Integer> integer(String name, int absent) {
    Object value = value(name);
    if (value == null) {
      return Future.succeededFuture(absent);
    }
    return value instanceof Integer number ? Future.succeededFuture(number) : BusFailure.fail(ErrorCode.INVALID_REQUEST);
  }

  /** The text {@code name}, if the request has it. */
  Optional<String> text(String name) {
    return Optional.ofNullable(value(name)).map(String::valueOf);
  }

  private Object value(String name) {
    RequestParameter parameter = query.get(name);
    return parameter == null || parameter.isNull() ? null : parameter.get();
  }
}
