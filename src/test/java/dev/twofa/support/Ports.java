package dev.twofa.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for the servers a test starts, handed out from a block of this test JVM's own below the
 * ephemeral range. A port found free with {@code new ServerSocket(0)} comes from the ephemeral range, where any
 * outgoing connection (a database client, an HTTP client) may take it before the server binds it, and where the
 * other test JVM looks too; a port from this JVM's block is taken by neither. Surefire's fork number
 * (twofa.test.fork) picks the block.
 */
final class Ports {
  /** Linux's ephemeral range starts at 32768: the blocks lie below it. */
  private static final int FIRST = 20_000;
  private static final int PER_JVM = 2_000;
  private static final int BLOCKS = 6;
  private static final int START = FIRST + (Math.max(Integer.getInteger("twofa.test.fork", 1), 1) - 1) % BLOCKS * PER_JVM;
  /** Where in the block this JVM begins: anywhere, so two runs of the suite side by side rarely meet. */
  private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(PER_JVM));

  private Ports() {
  }

  /** A port of this JVM's block that nothing listens on now. */
  static int free() throws IOException {
    for (int tried = 0; tried < PER_JVM; tried++) {
      int port = START + Math.floorMod(NEXT.getAndIncrement(), PER_JVM);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new IOException("no free port in " + START + "-" + (START + PER_JVM - 1));
  }
}
