package dev.twofa.auth.credential.password;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.PasswordPolicy;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class PasswordsTest {
  private static final PasswordPolicy DEFAULTS = new PasswordPolicy(8, 256, 19456, 2, 1, "auto", 4, 1000);

  @Test
  void libargon2LoadsHereAndIsChosenAutomatically() {
    assertEquals("libargon2", PasswordHasher.create("auto", DEFAULTS).name());
    assertEquals("bouncycastle", PasswordHasher.create("java", DEFAULTS).name());
  }

  @Test
  void bothImplementationsWriteTheSamePhcFormatAndVerifyEachOther() {
    PasswordHasher nativeHasher = PasswordHasher.create("native", DEFAULTS);
    PasswordHasher javaHasher = PasswordHasher.create("java", DEFAULTS);
    String fromNative = nativeHasher.hash("plum-violet-harbor-1987");
    String fromJava = javaHasher.hash("plum-violet-harbor-1987");
    for (String hash : List.of(fromNative, fromJava)) {
      assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
    }
    assertTrue(javaHasher.verify(fromNative, "plum-violet-harbor-1987"), "pure Java reads libargon2's hash");
    assertTrue(nativeHasher.verify(fromJava, "plum-violet-harbor-1987"), "libargon2 reads pure Java's hash");
    assertFalse(javaHasher.verify(fromNative, "plum-violet-harbor-1988"));
    assertFalse(nativeHasher.verify(fromJava, "plum-violet-harbor-1988"));
  }

  @Test
  void verifiesAndNeverLetsTheDecoyPass(Vertx vertx, VertxTestContext test) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-hash", 2);
    Passwords passwords = new Passwords(PasswordHasher.create("auto", DEFAULTS), DEFAULTS, workers,
      new HashAdmission(2, Duration.ofSeconds(1), 128, Duration.ofMillis(100)), waits(), noTarpit(vertx));
    passwords.start()
      .compose(ready -> passwords.hash("plum-violet-harbor-1987", "203.0.113.5", "a@example.com"))
      .compose(hash -> passwords.verify(1L, hash, "plum-violet-harbor-1987", "203.0.113.5", "a@example.com")
        .compose(right -> passwords.verify(1L, hash, "plum-violet-harbor-1988", "203.0.113.5", "a@example.com")
          .compose(wrong -> passwords.verify(null, null, "decoy password for unknown accounts", "203.0.113.5", "b@example.com")
            .map(decoy -> new boolean[] {right, wrong, decoy}))))
      .onComplete(test.succeeding(results -> test.verify(() -> {
        assertTrue(results[0], "the right password");
        assertFalse(results[1], "a wrong password");
        assertFalse(results[2], "an unknown account never passes, even with the decoy's own password");
        test.completeNow();
      })));
  }

  @Test
  void aHashBeyondTheWaitLimitIsRefusedAtOnceAndTheDecoyIsTimed(Vertx vertx, VertxTestContext test) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-hash-queue", 1);
    // A 1 ms wait limit on one thread: with the first estimate of 10 ms only one hash fits.
    HashAdmission admission = new HashAdmission(1, Duration.ofMillis(1), 128, Duration.ofMillis(10));
    Passwords passwords = new Passwords(PasswordHasher.create("auto", DEFAULTS), DEFAULTS, workers, admission, waits(), noTarpit(vertx));
    List<Future<String>> burst = List.of(passwords.hash("a-long-password-1", "203.0.113.5", "a@example.com"),
      passwords.hash("a-long-password-2", "203.0.113.6", "b@example.com"));
    Future.join(burst).onComplete(done -> test.verify(() -> {
      assertTrue(burst.get(0).succeeded(), "the first one runs");
      BusFailure refused = assertInstanceOf(BusFailure.class, burst.get(1).cause());
      assertEquals(ErrorCode.OVERLOADED, refused.code());
      assertEquals(503, refused.code().status());
      assertEquals(1L, refused.retryAfterSeconds());
      assertEquals(0, admission.inFlight(), "the place is given back");
      assertTrue(admission.averageHashTime().toNanos() != Duration.ofMillis(10).toNanos(), "the hash was timed");
      test.completeNow();
    }));
  }

  @Test
  void withCheapHashesOnlyTheHashIsTimedNotItsWaitInTheQueue(Vertx vertx, VertxTestContext test) {
    // 20 hashes queued on one hashing thread, on a clock that moves 1 ms each time that thread reads it: each hash
    // is timed between two reads of its own (1 ms), while the last one waited behind the 19 before it (~38 ms).
    // Were the wait timed with the hash, the measured hash time would grow with the queue. The first estimate
    // (1 s) is replaced by the first measured hash.
    PasswordPolicy cheap = new PasswordPolicy(8, 256, 64, 1, 1, "auto", 128, 60_000);
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-hash-cheap", 1);
    HashAdmission admission = new HashAdmission(1, Duration.ofSeconds(60), 128, Duration.ofSeconds(1));
    Timer waits = waits();
    AtomicLong clock = new AtomicLong();
    Passwords passwords = new Passwords(PasswordHasher.create("auto", cheap), cheap, workers, admission,
      () -> Thread.currentThread().getName().startsWith("test-hash-cheap") ? clock.addAndGet(1_000_000) : clock.get(),
      waits, noTarpit(vertx));
    // The one hashing thread is held until all 20 are queued, so the queue is full whatever the machine's load.
    java.util.concurrent.CountDownLatch allQueued = new java.util.concurrent.CountDownLatch(1);
    workers.executeBlocking(() -> allQueued.await(10, TimeUnit.SECONDS), false);
    List<Future<String>> queued = java.util.stream.IntStream.range(0, 20)
      .mapToObj(i -> passwords.hash("a-cheap-password-" + i, "203.0.113." + i, i + "@example.com")).toList();
    allQueued.countDown();
    Future.all(queued).onComplete(test.succeeding(all -> test.verify(() -> {
      assertEquals(1_000_000, admission.averageHashTime().toNanos(), "each hash timed by its own two reads");
      // The wait is what the queue metric shows instead: the last of 20 waited for the 19 before it.
      assertEquals(20, waits.count());
      // The last one waited for the 19 before it.
      assertTrue(waits.max(TimeUnit.NANOSECONDS) >= 20 * admission.averageHashTime().toNanos(),
        "longest wait " + waits.max(TimeUnit.NANOSECONDS) / 1_000_000 + " ms of the hashing thread's clock");
      test.completeNow();
    })));
  }

  @Test
  void aStoredHashBeyondFourTimesTheCostIsNeverRunTheDecoyIsInstead(Vertx vertx, VertxTestContext test) {
    PasswordPolicy cheap = new PasswordPolicy(8, 256, 64, 1, 1, "native", 4, 1000);
    String password = "plum-violet-harbor-1987";
    String costly = PasswordHasher.create("native", new PasswordPolicy(8, 256, 64, 5, 1, "native", 4, 1000)).hash(password);
    PasswordHasher real = PasswordHasher.create("native", cheap);
    List<String> ran = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    PasswordHasher watched = new PasswordHasher() {
      @Override
      public String name() {
        return real.name();
      }

      @Override
      public String hash(String plain) {
        return real.hash(plain);
      }

      @Override
      public boolean verify(String phcHash, String plain) {
        ran.add(phcHash);
        return real.verify(phcHash, plain);
      }
    };
    Passwords passwords = new Passwords(watched, cheap, vertx.createSharedWorkerExecutor("test-hash-cost", 1),
      new HashAdmission(1, Duration.ofSeconds(1), 16, Duration.ofMillis(10)), waits(), noTarpit(vertx));
    passwords.start()
      .compose(ready -> passwords.verify(9L, costly, password, "203.0.113.5", "a@example.com"))
      .onComplete(test.succeeding(valid -> test.verify(() -> {
        assertFalse(valid, "refused like a wrong password");
        assertEquals(1, ran.size(), "one hash ran, as for a wrong password: " + ran);
        assertFalse(ran.contains(costly), "never the stored one");
        test.completeNow();
      })));
  }

  /** Holds nothing: these tests look at admission itself. */
  private static RefusalTarpit noTarpit(Vertx vertx) {
    return new RefusalTarpit(vertx, Duration.ofSeconds(1), 0);
  }

  private static Timer waits() {
    return Timer.builder("test.hash.queue.wait").register(new SimpleMeterRegistry());
  }
}
