package dev.twofa.config;

import dev.twofa.config.TwoFactorRules.Requirement;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TWOFA_TRUSTED_BROWSER_DAYS (30, 0 turns the option off), TWOFA_REQUIRE_2FA (staff; none, staff or all) and
 * TWOFA_REQUIRE_2FA_GRACE_DAYS (14); a bad value stops the start and names the variable.
 */
class TwoFactorRulesConfigTest {

  private static TwoFactorRules rules(String... namesAndValues) {
    Map<String, String> env = new HashMap<>(Map.of("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32])));
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return TwofaConfig.from(env).twoFactorRules();
  }

  @Test
  void defaults() {
    TwoFactorRules rules = rules();
    assertEquals(Duration.ofDays(30), rules.trustedBrowser());
    assertTrue(rules.trustedBrowsersOn());
    assertEquals(Requirement.STAFF, rules.requirement());
    assertEquals(Duration.ofDays(14), rules.grace());
  }

  @Test
  void zeroDaysTurnsTrustedBrowsersOff() {
    assertFalse(rules("TWOFA_TRUSTED_BROWSER_DAYS", "0").trustedBrowsersOn());
    assertEquals(Duration.ofDays(365), rules("TWOFA_TRUSTED_BROWSER_DAYS", "365").trustedBrowser());
  }

  @Test
  void everyRequirementAndAGraceOfZero() {
    assertEquals(Requirement.NONE, rules("TWOFA_REQUIRE_2FA", "none").requirement());
    assertEquals(Requirement.ALL, rules("TWOFA_REQUIRE_2FA", "all").requirement());
    assertEquals(Duration.ZERO, rules("TWOFA_REQUIRE_2FA_GRACE_DAYS", "0").grace());
  }

  @Test
  void badValuesNameTheirVariable() {
    Map<String, String[]> bad = Map.of(
      "TWOFA_TRUSTED_BROWSER_DAYS", new String[] {"-1", "366", "30d"},
      "TWOFA_REQUIRE_2FA", new String[] {"STAFF", "admins", "everyone"},
      "TWOFA_REQUIRE_2FA_GRACE_DAYS", new String[] {"-1", "366", "two weeks"});
    bad.forEach((name, values) -> {
      for (String value : values) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> rules(name, value), value);
        assertTrue(refused.getMessage().contains(name), refused.getMessage());
      }
    });
  }
}
