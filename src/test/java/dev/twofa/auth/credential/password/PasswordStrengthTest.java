package dev.twofa.auth.credential.password;

import dev.twofa.config.PasswordPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordStrengthTest {
  private final PasswordStrength strength = new PasswordStrength(new PasswordPolicy(8, 256, 19456, 2, 1, "auto", 4, 1000));

  @Test
  void refusesShortCommonAndPersonalPasswords() {
    assertTrue(strength.problem("short", "a@example.com").isPresent());
    assertTrue(strength.problem("password123", "a@example.com").isPresent());
    assertTrue(strength.problem("qwertyuiop", "a@example.com").isPresent());
    assertTrue(strength.problem("margaretsmith2024", "margaretsmith@example.com").isPresent(),
      "built from the email");
  }

  @Test
  void countsCodePointsNotUtf16Units() {
    String sevenEmoji = "🔐🔑🗝🔒🔓🛡🧩";
    assertTrue(strength.lengthProblem(sevenEmoji).isPresent(), "7 code points is too short even though 13 chars");
    assertFalse(strength.lengthProblem(sevenEmoji + "🌋").isPresent());
  }

  @Test
  void refusesAnAbsurdlyLongPasswordBeforeEstimating() {
    assertTrue(strength.lengthProblem("x".repeat(257)).isPresent());
  }

  @Test
  void acceptsALongUnrelatedPhrase() {
    assertFalse(strength.problem("plum-violet-harbor-1987", "a@example.com").isPresent());
    assertFalse(strength.problem("tangerine walrus on a bicycle", "a@example.com").isPresent());
  }
}
