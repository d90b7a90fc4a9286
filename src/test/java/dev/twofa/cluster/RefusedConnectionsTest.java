package dev.twofa.cluster;

import ch.qos.logback.classic.Level;
import dev.twofa.support.LogLines;
import dev.twofa.support.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The once-a-minute rule per peer, on a clock the test moves; {@code RefusedConnectionLogTest} runs it on a real port. */
class RefusedConnectionsTest {
  @Test
  void onePeerIsLoggedOnceAMinuteWithWhatItTriedMeanwhileAndPeersApart() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T09:00:00Z"));
    RefusedConnections refusals = new RefusedConnections(clock, 7800);
    InetAddress scanner = InetAddress.getByName("192.0.2.7");
    InetAddress other = InetAddress.getByName("2001:db8::1");
    try (LogLines logs = LogLines.of(RefusedConnections.class)) {
      assertTrue(refusals.refused(scanner, "no certificate"));
      for (int i = 0; i < 50; i++) {
        clock.advance(Duration.ofMillis(1000));
        assertFalse(refusals.refused(scanner, "no certificate"), "within the minute: counted, not logged");
      }
      assertTrue(refusals.refused(other, "plaintext"), "another peer has its own minute");
      clock.advance(Duration.ofSeconds(10));
      assertTrue(refusals.refused(scanner, "no certificate"), "a minute after its last line");
      assertFalse(refusals.refused(scanner, "no certificate"));
      List<String> lines = logs.at(Level.WARN);
      assertEquals(3, lines.size(), lines.toString());
      assertTrue(lines.get(0).contains("peer=192.0.2.7 port=7800 refused=1 error=\"no certificate\""), lines.get(0));
      assertTrue(lines.get(1).contains("peer=2001:db8:0:0:0:0:0:1 port=7800 refused=1"), lines.get(1));
      assertTrue(lines.get(2).contains("peer=192.0.2.7 port=7800 refused=51"), "this one and the 50 counted: " + lines.get(2));
    }
  }
}
