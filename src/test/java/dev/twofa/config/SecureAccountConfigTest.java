package dev.twofa.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_SECURE_ACCOUNT_UNDO_HOURS: 72 by default, 0 turns the undo off, and a bad value names the variable. */
class SecureAccountConfigTest {

  private static TwofaConfig config(String... namesAndValues) {
    Map<String, String> env = new HashMap<>(Map.of("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32])));
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return TwofaConfig.from(env);
  }

  @Test
  void theUndoWindowIsThreeDaysByDefaultAndZeroTurnsItOff() {
    assertEquals(Duration.ofHours(72), config().secureAccountUndo());
    assertEquals(Duration.ZERO, config("TWOFA_SECURE_ACCOUNT_UNDO_HOURS", "0").secureAccountUndo());
    assertEquals(Duration.ofHours(720), config("TWOFA_SECURE_ACCOUNT_UNDO_HOURS", "720").secureAccountUndo());
    for (String bad : new String[] {"-1", "721", "72h", "1.5"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> config("TWOFA_SECURE_ACCOUNT_UNDO_HOURS", bad), bad);
      assertTrue(refused.getMessage().contains("TWOFA_SECURE_ACCOUNT_UNDO_HOURS"), refused.getMessage());
    }
  }
}
