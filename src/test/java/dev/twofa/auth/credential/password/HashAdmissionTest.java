package dev.twofa.auth.credential.password;

import dev.twofa.auth.credential.password.HashAdmission.Decision;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admission rules with chosen hash times: no server, no hashing, no sleeping. */
class HashAdmissionTest {
  private static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(1000);
  private static final int DEFAULT_CAP_ON_2_CORES = 64 * 2;

  /** Default settings on 2 hashing threads whose hashes have been measured at {@code hashMs}. */
  private static HashAdmission measuredAt(long hashMs) {
    HashAdmission admission = new HashAdmission(2, DEFAULT_MAX_WAIT, DEFAULT_CAP_ON_2_CORES, Duration.ofMillis(100));
    admission.measured(Duration.ofMillis(hashMs));
    return admission;
  }

  private static String address(int i) {
    return "203.0.113." + i;
  }

  private static String account(int i) {
    return "user-" + i + "@example.com";
  }

  @Test
  void aBurstOf16LoginsIsAdmittedAtDefaultSettings() {
    HashAdmission admission = measuredAt(40);
    for (int i = 0; i < 16; i++) {
      assertTrue(admission.admit(address(i), account(i)).admitted(), "login " + (i + 1) + " of the burst");
    }
    assertEquals(16, admission.inFlight());
    // 16 × 40 ms ÷ 2 threads = 320 ms of expected wait, well under the second allowed.
    assertEquals(50, admission.capacity());
  }

  @Test
  void pastTheWaitLimitTheNextIsRefusedWithARetryAfterFromTheQueue() {
    HashAdmission admission = new HashAdmission(2, Duration.ofMillis(3000), DEFAULT_CAP_ON_2_CORES, Duration.ofMillis(100));
    admission.measured(Duration.ofMillis(100));
    // 3000 ms × 2 threads ÷ 100 ms = 60 places.
    for (int i = 0; i < 60; i++) {
      assertTrue(admission.admit(address(i), account(i)).admitted(), "place " + (i + 1));
    }
    Decision refused = admission.admit(address(99), account(99));
    assertFalse(refused.admitted());
    assertEquals("wait", refused.refusal().reason());
    assertEquals(Duration.ofMillis(3000), refused.refusal().expectedWait(), "60 queued × 100 ms ÷ 2 threads");
    assertEquals(3, refused.refusal().retryAfterSeconds());
  }

  @Test
  void slowerMeasuredHashesShrinkWhatIsAdmitted() {
    HashAdmission admission = measuredAt(40);
    List<HashAdmission.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tickets.add(admission.admit(address(i), account(i)).ticket());
    }
    // Eight hashes come back at 400 ms each: the average climbs towards it and the capacity falls.
    tickets.forEach(ticket -> admission.release(ticket, Duration.ofMillis(400)));
    assertEquals(0, admission.inFlight());
    long averageMs = admission.averageHashTime().toMillis();
    assertTrue(averageMs > 250 && averageMs < 400, "moving average " + averageMs);
    assertEquals((int) Math.ceil(1000.0 * 2 / (admission.averageHashTime().toNanos() / 1e6)), admission.capacity());
    int admitted = 0;
    while (admission.admit(address(admitted), account(admitted)).admitted()) {
      admitted++;
    }
    assertEquals(admission.capacity(), admitted);
    assertTrue(admitted < 9, "a few seconds of work are not queued: " + admitted);
  }

  @Test
  void hashesThatWaitLongerThanPredictedShrinkWhatIsAdmittedUntilWaitsMatchAgain() {
    HashAdmission admission = measuredAt(40);
    assertEquals(50, admission.capacity());
    // On a machine busier than the hash times show, each admitted hash waits twice its prediction (the n-th
    // admitted is predicted to wait n × 40 ms ÷ 2 threads).
    List<HashAdmission.Ticket> late = admitAll(admission, 40);
    for (int i = 0; i < late.size(); i++) {
      admission.started(late.get(i), Duration.ofMillis(2L * i * 40 / 2));
    }
    late.forEach(ticket -> admission.release(ticket, null));
    int slowed = admission.capacity();
    assertTrue(slowed >= 25 && slowed <= 28, "about half of 50 while waits run at twice the prediction: " + slowed);
    List<HashAdmission.Ticket> full = admitAll(admission, 1000);
    assertEquals(slowed, full.size());
    Decision refused = admission.admit(address(200), account(200));
    assertEquals("wait", refused.refusal().reason());
    assertTrue(refused.refusal().expectedWait().toMillis() >= 950, "the Retry-After says the corrected wait: "
      + refused.refusal().expectedWait());
    full.forEach(ticket -> admission.release(ticket, null));
    // Waits as predicted or shorter (running hashes are partly done) bring the correction back to none.
    for (int round = 0; round < 40; round++) {
      List<HashAdmission.Ticket> onTime = admitAll(admission, 20);
      onTime.forEach(ticket -> admission.started(ticket, Duration.ZERO));
      onTime.forEach(ticket -> admission.release(ticket, null));
    }
    assertEquals(50, admission.capacity());
  }

  @Test
  void loginsThatFindTheQueueEmptyBringTheCorrectionBackAndABurstIsAdmittedAfterAnOverload() {
    HashAdmission admission = measuredAt(40);
    // An overload at its worst: every admitted hash waits far longer than predicted.
    for (int round = 0; round < 5; round++) {
      List<HashAdmission.Ticket> late = admitAll(admission, 1000);
      for (int i = 0; i < late.size(); i++) {
        admission.started(late.get(i), Duration.ofSeconds(5 + i));
      }
      late.forEach(ticket -> admission.release(ticket, null));
    }
    int slowest = admission.capacity();
    assertTrue(slowest == 25 || slowest == 26, "the correction at most doubles the prediction, 50 ÷ 2: " + slowest);
    List<HashAdmission.Ticket> burst = admitAll(admission, 16);
    assertEquals(16, burst.size(), "a burst of 16 still gets in right after");
    burst.forEach(ticket -> admission.release(ticket, null));
    // Then a quiet hour: each login finds the queue empty and starts at once.
    for (int i = 0; i < 400; i++) {
      HashAdmission.Ticket alone = admission.admit(address(i % 250), account(i)).ticket();
      admission.started(alone, Duration.ofMillis(1));
      admission.release(alone, null);
    }
    assertEquals(50, admission.capacity());
  }

  /** Admits up to {@code n} from distinct addresses and accounts, stopping at the first refusal. */
  private static List<HashAdmission.Ticket> admitAll(HashAdmission admission, int n) {
    List<HashAdmission.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Decision decision = admission.admit(address(i % 250) + "." + i, account(i));
      if (!decision.admitted()) {
        break;
      }
      tickets.add(decision.ticket());
    }
    return tickets;
  }

  @Test
  void anAddressHoldingAQuarterIsRefusedWhileAnotherIsAdmitted() {
    HashAdmission admission = measuredAt(40);
    // 50 places: a quarter is 12.
    for (int i = 0; i < 12; i++) {
      assertTrue(admission.admit("198.51.100.7", account(i)).admitted(), "within the address's share: " + (i + 1));
    }
    Decision abuser = admission.admit("198.51.100.7", account(12));
    assertFalse(abuser.admitted());
    assertEquals("address_share", abuser.refusal().reason());
    assertEquals(1, abuser.refusal().retryAfterSeconds(), "12 × 40 ms ÷ 2 = 240 ms, at least one second");
    assertTrue(admission.admit(address(1), account(13)).admitted(), "another address still gets in");
  }

  @Test
  void anAccountHoldingAQuarterIsRefusedWhateverTheAddress() {
    HashAdmission admission = measuredAt(40);
    for (int i = 0; i < 12; i++) {
      assertTrue(admission.admit(address(i), "victim@example.com").admitted());
    }
    Decision refused = admission.admit(address(50), "victim@example.com");
    assertFalse(refused.admitted());
    assertEquals("account_share", refused.refusal().reason());
    assertTrue(admission.admit(address(50), "someone-else@example.com").admitted());
  }

  @Test
  void aReleasedPlaceCanBeTakenAgainAndReleasingTwiceGivesNothingBack() {
    HashAdmission admission = measuredAt(40);
    List<HashAdmission.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      tickets.add(admission.admit("198.51.100.7", account(i)).ticket());
    }
    assertFalse(admission.admit("198.51.100.7", account(12)).admitted());
    admission.release(tickets.get(0), null);
    admission.release(tickets.get(0), null);
    assertEquals(11, admission.inFlight());
    assertTrue(admission.admit("198.51.100.7", account(12)).admitted());
    assertFalse(admission.admit("198.51.100.7", account(13)).admitted());
  }

  @Test
  void theHardCapBindsWhenHashesAreCheap() {
    // 1 ms hashes would allow 2000 by waiting time; the memory cap of 128 holds.
    HashAdmission admission = measuredAt(1);
    assertEquals(DEFAULT_CAP_ON_2_CORES, admission.capacity());
    for (int i = 0; i < DEFAULT_CAP_ON_2_CORES; i++) {
      assertTrue(admission.admit(address(i % 250) + "." + i, account(i)).admitted());
    }
    Decision refused = admission.admit("192.0.2.1", "late@example.com");
    assertFalse(refused.admitted());
    assertEquals("hard_cap", refused.refusal().reason());
    assertEquals(1, refused.refusal().retryAfterSeconds());
  }

  @Test
  void whenOnlyOneFitsEachClientMayStillHaveOne() {
    HashAdmission admission = new HashAdmission(1, Duration.ofMillis(50), 128, Duration.ofMillis(100));
    assertEquals(1, admission.capacity());
    assertTrue(admission.admit(address(1), account(1)).admitted(), "a share is at least one");
    assertFalse(admission.admit(address(2), account(2)).admitted());
  }
}
