package dev.twofa.bus;

import dev.twofa.config.TwofaConfig;
import dev.twofa.http.HttpVerticle;
import dev.twofa.support.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bus contract on its own: failures travel as values, and a missing verticle is a clean 503. */
@ExtendWith(VertxExtension.class)
class BusContractTest {

  @Test
  void failuresCrossTheBusAsCodesWithTheirDetails(Vertx vertx, VertxTestContext test) {
    Operation<Void, Void> limited = new Operation<>("test.limited", Void.class, Void.class);
    BusRequests.serve(vertx, limited, body -> Future.<Void>failedFuture(BusFailure.rateLimited(42)))
      .completion()
      .compose(ready -> new BusRequests(vertx, new SimpleMeterRegistry()).request(limited, null))
      .onComplete(test.failing(error -> test.verify(() -> {
        BusFailure failure = (BusFailure) error;
        assertEquals(ErrorCode.RATE_LIMITED, failure.code());
        assertEquals(42L, failure.retryAfterSeconds());
        test.completeNow();
      })));
  }

  @Test
  void unexpectedErrorsBecomeInternalWithoutDetails(Vertx vertx, VertxTestContext test) {
    Operation<Void, Void> broken = new Operation<>("test.broken", Void.class, Void.class);
    BusRequests.serve(vertx, broken, body -> {
        throw new IllegalStateException("secret detail");
      })
      .completion()
      .compose(ready -> new BusRequests(vertx, new SimpleMeterRegistry()).request(broken, null))
      .onComplete(test.failing(error -> test.verify(() -> {
        BusFailure failure = (BusFailure) error;
        assertEquals(ErrorCode.INTERNAL, failure.code());
        assertEquals(ErrorCode.INTERNAL.message(), failure.text());
        test.completeNow();
      })));
  }

  @Test
  void recordsCrossTheBusAsJsonAndABodyThatDoesNotFitIsRefused(Vertx vertx, VertxTestContext test) {
    Operation<AuthRequests.Code, AuthReplies.SessionState> echo =
      new Operation<>("test.echo", AuthRequests.Code.class, AuthReplies.SessionState.class);
    BusRequests bus = new BusRequests(vertx, new SimpleMeterRegistry());
    BusRequests.serve(vertx, echo, code -> Future.succeededFuture(new AuthReplies.SessionState(code.code(), null, null)))
      .completion()
      .compose(ready -> bus.request(echo, new AuthRequests.Code("token", "123456", new ClientInfo("::1", "test"))))
      .compose(reply -> {
        test.verify(() -> assertEquals(new AuthReplies.SessionState("123456", null, null), reply));
        // A peer that sends a body of another shape gets INVALID_REQUEST, not a crash.
        return vertx.eventBus().request("test.echo", new JsonObject().put("code", new JsonObject().put("nested", true)));
      })
      .onComplete(test.failing(error -> test.verify(() -> {
        assertEquals(ErrorCode.INVALID_REQUEST, BusFailure.from(error).code());
        test.completeNow();
      })));
  }

  @Test
  void withoutAnAuthVerticleTheApiAnswers503(Vertx vertx, VertxTestContext test) throws Exception {
    int port = TestServer.freePort();
    TwofaConfig config = TwofaConfig.from(Map.of(
      "TWOFA_HTTP_PORT", String.valueOf(port), "TWOFA_HTTP_HOST", "127.0.0.1", "TWOFA_HTTP_INSTANCES", "1",
      "TWOFA_DB_URL", "postgresql://unused:unused@127.0.0.1:1/unused",
      "TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32])));
    WebClient client = WebClient.create(vertx);
    vertx.deployVerticle(new HttpVerticle(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
      .compose(id -> client.get(port, "127.0.0.1", "/api/session").send())
      .compose(session -> {
        String token = session.cookies().stream().filter(c -> c.startsWith("XSRF-TOKEN=")).findFirst().orElseThrow()
          .split(";")[0].substring("XSRF-TOKEN=".length());
        return client.post(port, "127.0.0.1", "/api/login")
          .putHeader("Cookie", "XSRF-TOKEN=" + token)
          .putHeader("X-XSRF-TOKEN", token)
          .sendJsonObject(new JsonObject().put("email", "a@example.com").put("password", "whatever-password"));
      })
      .onComplete(test.succeeding(response -> test.verify(() -> {
        assertEquals(503, response.statusCode());
        assertEquals("unavailable", response.bodyAsJsonObject().getString("error"));
        test.completeNow();
      })));
  }
}
