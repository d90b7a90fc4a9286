package dev.twofa.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A failure as a value: it travels over the bus as the reply's failure code (the HTTP status) and a
 * JSON message, so the receiving side needs no shared classes or memory to understand it.
 */
public final class BusFailure extends RuntimeException {
  private final ErrorCode code;
  private final String detail;
  private final Long retryAfterSeconds;
  /** When a recovery code was used (RECOVERY_CODE_USED), as an ISO instant. */
  private final String usedAt;

  public BusFailure(ErrorCode code) {
    this(code, null, null);
  }

  public BusFailure(ErrorCode code, String detail) {
    this(code, detail, null);
  }

  public BusFailure(ErrorCode code, String detail, Long retryAfterSeconds) {
    this(code, detail, retryAfterSeconds, null);
  }

  private BusFailure(ErrorCode code, String detail, Long retryAfterSeconds, String usedAt) {
    super(code.code(), null, false, false);
    this.code = code;
    this.detail = detail;
    this.retryAfterSeconds = retryAfterSeconds;
    this.usedAt = usedAt;
  }

  /** A recovery code that was used already, at {@code usedAt}. */
  public static BusFailure recoveryCodeUsed(java.time.Instant usedAt) {
    return new BusFailure(ErrorCode.RECOVERY_CODE_USED, null, null, usedAt.toString());
  }

  public static BusFailure rateLimited(long retryAfterSeconds) {
    return new BusFailure(ErrorCode.RATE_LIMITED, null, Math.max(1, retryAfterSeconds));
  }

  /** UNAVAILABLE with the reason a readiness check failed. */
  public static <T> Future<T> unavailable(Throwable reason) {
    return Future.failedFuture(new BusFailure(ErrorCode.UNAVAILABLE, reason.getMessage()));
  }

  public static <T> Future<T> fail(ErrorCode code) {
    return Future.failedFuture(new BusFailure(code));
  }

  public ErrorCode code() {
    return code;
  }

  /** The sentence for a person: the specific detail when there is one, else the code's default. */
  public String text() {
    return detail != null ? detail : code.message();
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", code.code()).put("message", text());
    if (retryAfterSeconds != null) {
      json.put("retryAfterSeconds", retryAfterSeconds);
    }
    if (usedAt != null) {
      json.put("usedAt", usedAt);
    }
    return json;
  }

  public static BusFailure fromJson(JsonObject json) {
    return new BusFailure(ErrorCode.fromCode(json.getString("error")), json.getString("message"),
      json.getLong("retryAfterSeconds"), json.getString("usedAt"));
  }

  /** Replies to {@code message} with this failure. */
  public void replyTo(Message<?> message) {
    message.fail(code.status(), toJson().encode());
  }

  /** Turns whatever a bus request failed with into a BusFailure; timeouts and missing consumers are 503. */
  public static BusFailure from(Throwable error) {
    if (error instanceof BusFailure failure) {
      return failure;
    }
    if (error instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        try {
          return fromJson(new JsonObject(reply.getMessage()));
        } catch (DecodeException | NullPointerException | ClassCastException e) {
          return new BusFailure(ErrorCode.INTERNAL);
        }
      }
      return new BusFailure(ErrorCode.UNAVAILABLE);
    }
    return new BusFailure(ErrorCode.INTERNAL);
  }
}
