package dev.twofa.auth.oidc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The amr an ID token carries for each way a session logged in (RFC 8176, plus twofa's recovery_code). */
class GrantAmrTest {
  @Test
  void eachSecondFactorHasItsOwnAmr() {
    assertEquals(List.of("pwd"), Grant.amr(false, null));
    assertEquals(List.of("pwd", "otp", "mfa"), Grant.amr(true, "totp"));
    assertEquals(List.of("pwd", "otp", "mfa"), Grant.amr(true, null), "sessions opened before the method was kept");
    assertEquals(List.of("pwd", "pop", "mfa"), Grant.amr(true, "passkey"), "sessions opened before the key's flags were kept");
    assertEquals(List.of("pwd", "hwk", "mfa"), Grant.amr(true, "passkey_hwk"));
    assertEquals(List.of("pwd", "swk", "mfa"), Grant.amr(true, "passkey_swk"));
    assertEquals(List.of("hwk", "user", "mfa"), Grant.amr(true, "passwordless_hwk"));
    assertEquals(List.of("swk", "user", "mfa"), Grant.amr(true, "passwordless_swk"));
    assertEquals(List.of("pwd", "mfa", "recovery_code"), Grant.amr(true, "recovery_code"));
  }
}
