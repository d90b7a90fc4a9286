package dev.twofa.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The seeded users a load driver logs in as, and when each may log in again.
 *
 * <p>How the pool is consumed. The server accepts each 30 s TOTP time step once per user, so a user whose code
 * was sent in step s is free again from step s + 1; a user is held from the moment it is taken until it is
 * given back.
 * <ul>
 *   <li>A full login (warm-up, full, activity, overload, burst, abuse) holds one user and spends its step; a
 *       refused password step gives the user back unspent. At R logins/s a run of T seconds takes
 *       R × min(T, 30) users out of those free when it starts (users spent in an earlier step are free again
 *       after each boundary), plus the logins in flight.</li>
 *   <li>The second-factor mode holds one user per prepared pending login until its code is sent in the
 *       measured run: S steps/s for T seconds need S × T users.</li>
 * </ul>
 * The benchmark grows the pool from the rates it measures ({@link LoadDriver#ensureFree}); {@link #take}
 * answers -1 when no user is free, and the run then ends with that message instead of waiting.
 */
final class UserPool {
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  /** Users given back after their code was sent, by the step it was sent in. */
  private final TreeMap<Long, List<Integer>> spentIn = new TreeMap<>();
  private long[] lastStep = new long[0];
  private int size;

  UserPool(int users) {
    grow(users);
  }

  /** Adds users {@code size()} to {@code users - 1}, all free. */
  synchronized void grow(int users) {
    if (users <= size) {
      return;
    }
    lastStep = Arrays.copyOf(lastStep, users);
    Arrays.fill(lastStep, size, users, -1);
    for (int user = size; user < users; user++) {
      free.add(user);
    }
    size = users;
  }

  synchronized int size() {
    return size;
  }

  /** Users that may be taken in {@code step}. */
  synchronized int free(long step) {
    freeUpTo(step);
    return free.size();
  }

  /** A user not held and whose code was not sent in {@code step}, now held; -1 if there is none. */
  synchronized int take(long step) {
    freeUpTo(step);
    Integer user = free.poll();
    return user == null ? -1 : user;
  }

  /** Notes that the user's code for {@code step} is being sent. */
  synchronized void spend(int user, long step) {
    lastStep[user] = Math.max(lastStep[user], step);
  }

  synchronized void giveBack(int user) {
    if (lastStep[user] < 0) {
      free.add(user);
    } else {
      spentIn.computeIfAbsent(lastStep[user], s -> new ArrayList<>()).add(user);
    }
  }

  private void freeUpTo(long step) {
    while (!spentIn.isEmpty() && spentIn.firstKey() < step) {
      free.addAll(spentIn.pollFirstEntry().getValue());
    }
  }
}
