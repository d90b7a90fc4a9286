package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;

/**
 * Counts login steps by method and outcome (twofa_logins_total) and lockouts (twofa_lockouts_total). Counted
 * where the answers leave the server, so one HTTP node's /metrics covers every login it served.
 */
final class LoginMetrics {
  private final MeterRegistry registry;

  LoginMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  Future<LoginOutcome> count(String method, Future<LoginOutcome> attempt) {
    return attempt.onComplete(result -> {
      String outcome;
      if (result.succeeded()) {
        outcome = SessionState.PENDING_2FA.equals(result.result().session().state()) ? "pending_2fa" : "success";
      } else {
        ErrorCode code = BusFailure.from(result.cause()).code();
        outcome = code.code();
        if (code == ErrorCode.RATE_LIMITED) {
          Counter.builder("twofa.lockouts").description("Login steps refused because a limit was reached")
            .tag("method", method).register(registry).increment();
        }
      }
      Counter.builder("twofa.logins").description("Login steps by method and outcome")
        .tag("method", method).tag("outcome", outcome).register(registry).increment();
    });
  }
}
