package dev.twofa.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_SHUTDOWN_SECONDS bounds a stop; HTTP's drain takes at most half of it, so the rest of the stop fits. */
class ShutdownSettingTest {

  @Test
  void twentySecondsByDefaultOfWhichHttpDrainsTen() {
    Deployment deployment = TwofaConfig.from(Map.of()).deployment();
    assertEquals(Duration.ofSeconds(20), deployment.stopWithin());
    assertEquals(Duration.ofSeconds(10), deployment.drain());
  }

  @Test
  void aShorterBoundHalvesTheDrainALongerOneKeepsItAtTenSeconds() {
    assertEquals(Duration.ofSeconds(4), TwofaConfig.from(Map.of("TWOFA_SHUTDOWN_SECONDS", "8")).deployment().drain());
    assertEquals(Duration.ofSeconds(10), TwofaConfig.from(Map.of("TWOFA_SHUTDOWN_SECONDS", "120")).deployment().drain());
  }

  @Test
  void aBoundOutsideOneToAnHourIsRefused() {
    for (String value : new String[] {"0", "-1", "3601", "soon"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> TwofaConfig.from(Map.of("TWOFA_SHUTDOWN_SECONDS", value)), value);
      assertTrue(refused.getMessage().contains("TWOFA_SHUTDOWN_SECONDS"), refused.getMessage());
    }
  }
}
