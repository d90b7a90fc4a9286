package dev.twofa.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_ACTIVITY_RETENTION_DAYS: 400 by default, from 90 (the database's own floor) to 3650, else the start stops. */
class ActivityPolicyTest {
  @Test
  void fourHundredDaysUnlessSetWithinItsRange() {
    assertEquals(400, TwofaConfig.from(Map.of()).activity().retentionDays());
    assertEquals(90, TwofaConfig.from(Map.of("TWOFA_ACTIVITY_RETENTION_DAYS", "90")).activity().retentionDays());
    for (String wrong : new String[] {"30", "89", "3651", "forever"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> TwofaConfig.from(Map.of("TWOFA_ACTIVITY_RETENTION_DAYS", wrong)), wrong);
      assertTrue(refused.getMessage().contains("TWOFA_ACTIVITY_RETENTION_DAYS"), refused.getMessage());
    }
  }
}
