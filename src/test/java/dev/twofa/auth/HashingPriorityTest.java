package dev.twofa.auth;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel's own view of a thread's niceness, read from /proc: lowered for a hashing thread, not for others. */
class HashingPriorityTest {
  @Test
  void aHashingThreadRunsNicerThanTheRestAndOnlyItself() throws Exception {
    assumeTrue(Platform.isLinux(), "thread niceness is Linux's");
    int before = currentThreadNice();
    int[] seen = CompletableFuture.supplyAsync(() -> {
      int own = currentThreadNice();
      boolean lowered = HashingPriority.lowerCurrentThread() && HashingPriority.lowerCurrentThread();
      return new int[] {own, lowered ? currentThreadNice() : Integer.MIN_VALUE};
    }, runnable -> new Thread(runnable).start()).get();
    assertEquals(before, seen[0], "a new thread starts like the others");
    assertEquals(Math.max(before, HashingPriority.NICE), seen[1], "lowered to nice 10 once, however often asked");
    assertEquals(before, currentThreadNice(), "the calling thread of another thread is untouched");
    assertTrue(before >= HashingPriority.NICE || seen[1] > before, "nicer than before");
  }

  /** Field 19 of /proc/thread-self/stat, counted after the command name's closing parenthesis. */
  private static int currentThreadNice() {
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(fields[16]);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
