package dev.twofa.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_SECURITY_HOLD_HOURS (24) and TWOFA_SUPPORT_RESET_HOLD_HOURS (48): 0 turns a hold off, a bad value names its variable. */
class SecurityHoldConfigTest {

  private static TwofaConfig config(String... namesAndValues) {
    Map<String, String> env = new HashMap<>(Map.of("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32])));
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return TwofaConfig.from(env);
  }

  @Test
  void aDayAfterAChangeTwoAfterASupportResetAndZeroTurnsItOff() {
    assertEquals(SecurityHoldPolicy.DEFAULT, config().securityHold());
    assertEquals(Duration.ZERO, config("TWOFA_SECURITY_HOLD_HOURS", "0").securityHold().afterChange());
    assertEquals(Duration.ofHours(720), config("TWOFA_SUPPORT_RESET_HOLD_HOURS", "720").securityHold().afterSupportReset());
    for (String variable : new String[] {"TWOFA_SECURITY_HOLD_HOURS", "TWOFA_SUPPORT_RESET_HOLD_HOURS"}) {
      for (String bad : new String[] {"-1", "721", "24h", "1.5"}) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> config(variable, bad), bad);
        assertTrue(refused.getMessage().contains(variable), refused.getMessage());
      }
    }
  }
}
