package dev.twofa.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_SUPPORT_COOLING_OFF_HOURS and TWOFA_SUPPORT_URL: defaults, and refusals that name the variable. */
class SupportPolicyTest {

  private static TwofaConfig config(String... namesAndValues) {
    Map<String, String> env = new HashMap<>(Map.of("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32])));
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return TwofaConfig.from(env);
  }

  @Test
  void defaultsAreADayAndTheAppsOwnForm() {
    SupportPolicy support = config().support();
    assertEquals(Duration.ofHours(24), support.coolingOff());
    assertEquals(Optional.empty(), support.helpDeskUrl());
    assertEquals(Duration.ZERO, config("TWOFA_SUPPORT_COOLING_OFF_HOURS", "0").support().coolingOff());
  }

  @Test
  void onlyWebAndMailAddressesBecomeTheLink() {
    assertEquals("https://help.example.com/2fa?from=login",
      config("TWOFA_SUPPORT_URL", "https://help.example.com/2fa?from=login").support().helpDeskUrl().orElseThrow().toString());
    assertEquals("mailto:help@example.com", config("TWOFA_SUPPORT_URL", "mailto:help@example.com").support().helpDeskUrl()
      .orElseThrow().toString());
    for (String bad : new String[] {"javascript:alert(1)", "data:text/html,hi", "help.example.com", "/support", "mailto:nobody",
      "https://user:pw@help.example.com", "ftp://help.example.com", "https://exa mple.com"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> config("TWOFA_SUPPORT_URL", bad), bad);
      assertTrue(refused.getMessage().contains("TWOFA_SUPPORT_URL"), refused.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> config("TWOFA_SUPPORT_COOLING_OFF_HOURS", "-1"));
  }
}
