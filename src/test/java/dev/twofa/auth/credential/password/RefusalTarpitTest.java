package dev.twofa.auth.credential.password;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which refusals are held (a client back before its Retry-After) and which go at once, under a controlled clock. */
@ExtendWith(VertxExtension.class)
class RefusalTarpitTest {
  private static final BusFailure REFUSED = new BusFailure(ErrorCode.OVERLOADED, null, 2L);

  @Test
  void aClientBackBeforeItsRetryAfterIsAnsweredLateOthersAtOnce(Vertx vertx, VertxTestContext test) {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RefusalTarpit tarpit = new RefusalTarpit(vertx, Duration.ofMillis(300), 8, now::get);
    assertTrue(tarpit.refuse("203.0.113.1", REFUSED).failed(), "a first refusal goes at once");
    assertTrue(tarpit.refuse("203.0.113.2", REFUSED).failed(), "another address is not held for the first one");
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_500));
    Future<Void> early = tarpit.refuse("203.0.113.1", REFUSED);
    // Held: answered by the hold's timer, not now (how long the timer takes is Vert.x's, not asserted here).
    assertFalse(early.isComplete(), "back 1.5 s into a 2 s Retry-After: held");
    assertEquals(1, tarpit.held());
    // Its Retry-After starts again from this refusal: 2.5 s later it has waited it out.
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(2_500));
    assertTrue(tarpit.refuse("203.0.113.2", REFUSED).failed(), "a client that waited out its Retry-After: at once");
    early.onComplete(done -> test.verify(() -> {
      assertSame(REFUSED, done.cause(), "the same refusal, late");
      assertEquals(0, tarpit.held(), "the place is given back");
      test.completeNow();
    }));
  }

  @Test
  void beyondItsCapacityATarpitAnswersAtOnce(Vertx vertx, VertxTestContext test) {
    AtomicLong now = new AtomicLong();
    RefusalTarpit tarpit = new RefusalTarpit(vertx, Duration.ofSeconds(30), 2, now::get);
    tarpit.refuse("198.51.100.7", REFUSED);
    assertFalse(tarpit.refuse("198.51.100.7", REFUSED).isComplete());
    assertFalse(tarpit.refuse("198.51.100.7", REFUSED).isComplete());
    assertTrue(tarpit.refuse("198.51.100.7", REFUSED).failed(), "two held already: the third goes at once");
    assertEquals(2, tarpit.held());
    test.completeNow();
  }
}
