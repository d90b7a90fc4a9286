package dev.twofa.bus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Both ends of a JSON request over the bus: failures travel as {@link BusFailure}s, never as stack traces.
 * The requesting side times every request (twofa_eventbus_request_seconds, by address and outcome).
 */
public final class BusRequests {
  private static final Logger LOG = LoggerFactory.getLogger(BusRequests.class);
  /**
   * A request whose consumer vanished (a node lost mid-request) fails after this long, as UNAVAILABLE. PROPAGATE:
   * with tracing on, a request is traced only inside an HTTP request's trace, never alone.
   */
  static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(5_000)
    .setTracingPolicy(TracingPolicy.PROPAGATE);
  /** How many times a request that was never delivered is sent in all. */
  private static final int SENDS = 3;
  private static final Duration[] LATENCY_BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000)
    .map(Duration::ofMillis).toArray(Duration[]::new);
  private final Vertx vertx;
  private final MeterRegistry metrics;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  /** Null on an edge; on auth, the key its requests are sealed with ({@link Seal}). */
  private final byte[] sealKey;
  /** When a request without a valid seal was last logged (at most once a minute: an edge could send many). */
  private static final AtomicLong LAST_UNSEALED_LOG = new AtomicLong();

  public BusRequests(Vertx vertx, MeterRegistry metrics) {
    this(vertx, metrics, null);
  }

  private BusRequests(Vertx vertx, MeterRegistry metrics, byte[] sealKey) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.sealKey = sealKey;
    BusCodec.registerAll(vertx);
  }

  /** Requests from a node holding the key ring: each carries a seal that {@link #serveSealed} consumers require. */
  public static BusRequests sealedBy(Vertx vertx, MeterRegistry metrics, byte[] sealKey) {
    return new BusRequests(vertx, metrics, sealKey.clone());
  }

  /** Sends {@code body} to the operation's consumer and decodes its reply. */
  public <Q, R> Future<R> request(Operation<Q, R> operation, Q body) {
    Timer.Sample sample = Timer.start(metrics);
    DeliveryOptions options = sealKey == null ? OPTIONS
      : new DeliveryOptions(OPTIONS).addHeader(Seal.HEADER, Seal.of(sealKey, operation.address(), body));
    return send(operation.address(), body, options, SENDS)
      .map(reply -> BusCodec.body(reply.body(), operation.replyType()))
      .recover(error -> Future.failedFuture(BusFailure.from(error)))
      .onComplete(result -> sample.stop(timer(operation.address(),
        result.succeeded() ? "ok" : BusFailure.from(result.cause()).code().code())));
  }

  /**
   * A request that was never delivered (no consumer, or the chosen node just died) is safe to send again, and
   * round-robin offers it to the next consumer; concurrent requests may hand the dead node the next turn too.
   */
  private Future<Message<Object>> send(String address, Object body, DeliveryOptions options, int sends) {
    return vertx.eventBus().request(address, body, options)
      .recover(error -> sends > 1 && undelivered(error) ? send(address, body, options, sends - 1) : Future.failedFuture(error));
  }

  private static boolean undelivered(Throwable error) {
    return error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  /** One timer per address and outcome, built once (the registry's own lookup is slower on the hot path). */
  private Timer timer(String address, String outcome) {
    return timers.computeIfAbsent(address + " " + outcome, key -> Timer.builder("twofa.eventbus.request")
      .description("Event-bus requests from this node, by address and outcome")
      .tag("address", address)
      .tag("outcome", outcome)
      .serviceLevelObjectives(LATENCY_BUCKETS)
      .register(metrics));
  }

  private static <R> Future<R> unsealed(String address) {
    long now = System.nanoTime();
    long last = LAST_UNSEALED_LOG.get();
    if ((last == 0 || now - last > 60_000_000_000L) && LAST_UNSEALED_LOG.compareAndSet(last, now)) {
      LOG.warn("event=bus.unsealed_refused address={} message=\"a request only auth may send came without its seal\"", address);
    }
    return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN));
  }

  /**
   * Serves {@code operation} with {@code handler}; the returned consumer's completion says when the bus knows it.
   * A body that does not decode into the request record is refused as INVALID_REQUEST.
   */
  public static <Q, R> MessageConsumer<Q> serve(Vertx vertx, Operation<Q, R> operation,
                                                Function<Q, Future<R>> handler) {
    return serve(vertx, operation, null, handler);
  }

  /**
   * {@link #serve}, for an operation only a node holding the key ring may ask (audit's reads and writes of a
   * user's events): a request without a valid seal under {@code sealKey} is refused as FORBIDDEN.
   */
  public static <Q, R> MessageConsumer<Q> serveSealed(Vertx vertx, Operation<Q, R> operation, byte[] sealKey,
                                                      Function<Q, Future<R>> handler) {
    return serve(vertx, operation, sealKey.clone(), handler);
  }

  private static <Q, R> MessageConsumer<Q> serve(Vertx vertx, Operation<Q, R> operation, byte[] sealKey,
                                                 Function<Q, Future<R>> handler) {
    BusCodec.registerAll(vertx);
    String address = operation.address();
    return vertx.eventBus().<Q>consumer(address, message -> {
      Future<R> reply;
      try {
        // The body is decoded here (lazily, for a message from another node), so a bad one is refused, not thrown.
        Q request = BusCodec.body(message.body(), operation.requestType());
        reply = sealKey == null || Seal.holds(sealKey, address, request, message.headers().get(Seal.HEADER))
          ? handler.apply(request) : unsealed(address);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(result -> {
        if (result.succeeded()) {
          message.reply(result.result());
        } else if (result.cause() instanceof BusFailure failure) {
          failure.replyTo(message);
        } else {
          // Unexpected: log the class and message only (never the request body, which may hold a secret).
          LOG.error("event=bus.handler_failed address={} error={}", address, result.cause().toString());
          new BusFailure(ErrorCode.INTERNAL).replyTo(message);
        }
      });
    });
  }
}
