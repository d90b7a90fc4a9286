package dev.twofa.auth;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a hashing thread a lower scheduling priority than the rest of the node (Linux nice 10; the JVM ignores
 * {@link Thread#setPriority} there). On a busy node, event loops, the database and the requests already admitted
 * then get a core as soon as they need one, and hashes take what is left: a login's other steps, a probe or a
 * refusal no longer wait behind two argon2 hashes for their turn, while hashing still uses every idle cycle.
 * Elsewhere (no Linux, no libc), it does nothing.
 */
final class HashingPriority {
  private static final Logger LOG = LoggerFactory.getLogger(HashingPriority.class);
  static final int NICE = 10;
  private static final int PRIO_PROCESS = 0;
  private static final ThreadLocal<Boolean> LOWERED = ThreadLocal.withInitial(() -> false);
  private static final CLibrary LIBC = load();

  private HashingPriority() {
  }

  /** The libc calls: on Linux, {@code PRIO_PROCESS} with {@code who = 0} means the calling thread alone. */
  interface CLibrary extends Library {
    int getpriority(int which, int who);

    int setpriority(int which, int who, int prio);
  }

  private static CLibrary load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", CLibrary.class);
    } catch (LinkageError e) {
      LOG.warn("event=hashing.priority_unavailable error={}", e.toString());
      return null;
    }
  }

  /**
   * Lowers the calling thread's priority to at least nice {@value #NICE} (a node already nicer stays as it is),
   * once per thread; true when it is (or already was) that low.
   */
  static boolean lowerCurrentThread() {
    if (LOWERED.get()) {
      return true;
    }
    if (LIBC == null) {
      return false;
    }
    if (LIBC.getpriority(PRIO_PROCESS, 0) < NICE && LIBC.setpriority(PRIO_PROCESS, 0, NICE) != 0) {
      return false;
    }
    LOWERED.set(true);
    return true;
  }
}
