package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into HTTP answers: a status and {"error","message"}, never a stack trace. */
final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {
  }

  static void send(RoutingContext ctx, Throwable error) {
    send(ctx, BusFailure.from(error));
  }

  static void send(RoutingContext ctx, BusFailure failure) {
    if (ctx.response().ended()) {
      return;
    }
    if (failure.retryAfterSeconds() != null) {
      ctx.response().putHeader("Retry-After", String.valueOf(failure.retryAfterSeconds()));
    }
    ctx.response().setStatusCode(failure.code().status())
      .putHeader("Content-Type", "application/json")
      .end(failure.toJson().encode());
  }

  /** Router failure handler: validation, body limits, CSRF, unknown routes and anything unexpected. */
  static void handleFailure(RoutingContext ctx) {
    Throwable error = ctx.failure();
    ErrorCode code;
    if (error instanceof BusFailure failure) {
      send(ctx, failure);
      return;
    } else if (error instanceof DecodeException || error instanceof ValidatorException) {
      // ValidatorException: the OpenAPI validator decodes query values a second time and can throw on "%!".
      code = ErrorCode.INVALID_REQUEST;
    } else {
      int status = error instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
      code = switch (status) {
        case 400 -> ErrorCode.INVALID_REQUEST;
        case 403 -> ErrorCode.CSRF;
        case 404 -> ErrorCode.NOT_FOUND;
        case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
        case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
        case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
        default -> ErrorCode.INTERNAL;
      };
    }
    if (code == ErrorCode.INTERNAL) {
      LOG.error("event=http.unhandled method={} path={} error={}", ctx.request().method(), ctx.normalizedPath(),
        error == null ? "status " + ctx.statusCode() : error.getClass().getName());
    }
    send(ctx, new BusFailure(code));
  }
}
