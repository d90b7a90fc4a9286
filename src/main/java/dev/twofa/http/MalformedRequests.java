package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder could not read (a request line or headers past their limits, or malformed), answered
 * like every other refusal: the decoder's status (414, 431 or 400) with {"error","message"} and the
 * headers that matter for a JSON answer, instead of an empty body. The router never sees them; the connection is closed after the answer.
 */
final class MalformedRequests {
  private MalformedRequests() {
  }

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String why = cause instanceof TooLongFrameException && cause.getMessage() != null ? cause.getMessage() : "";
    int status = why.startsWith("An HTTP line is larger than") ? 414
      : why.startsWith("HTTP header is larger than") ? 431 : 400;
    request.response().setStatusCode(status)
      .putHeader("Content-Security-Policy", SecurityHeaders.CONTENT_SECURITY_POLICY).putHeader("X-Content-Type-Options", "nosniff").putHeader("Content-Type", "application/json").putHeader("Connection", "close")
      .end(new BusFailure(ErrorCode.INVALID_REQUEST).toJson().encode());
  }
}
