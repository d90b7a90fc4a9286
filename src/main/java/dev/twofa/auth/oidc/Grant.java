package dev.twofa.auth.oidc;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What one authorization gave one application: who logged in, in which twofa session ({@code sid}), when and how
 * ({@code amr}, {@code acr}). Every code and token issued from it shares its {@code grantId}, so that a replayed
 * code or refresh token revokes them all.
 */
record Grant(UUID grantId, String clientId, long userId, String scope, UUID sessionHandle, Instant authTime,
             List<String> amr, String acr) {
  /**
   * RFC 8176 values: a password only; a password and an authenticator app's code; a password and a recovery code
   * (no registered value says "recovery code", so twofa adds its own, documented in docs/oidc.md). A passkey says
   * where its key lives, from the flags of the authenticator data it signed: "swk" (software-bound) when it is
   * backup eligible (a synced passkey), else "hwk" (hardware-bound); after a password that is pwd + hwk/swk + mfa,
   * and alone (it verified its user: PIN or biometric) hwk/swk + user + mfa. A session from before the flags were
   * kept says "pop" (proof of possession of a key) instead.
   */
  static final List<String> AMR_PASSWORD = List.of("pwd");
  static final List<String> AMR_PASSWORD_AND_APP = List.of("pwd", "otp", "mfa");
  static final List<String> AMR_PASSWORD_AND_PASSKEY = List.of("pwd", "pop", "mfa");
  static final List<String> AMR_PASSWORD_AND_RECOVERY_CODE = List.of("pwd", "mfa", "recovery_code");
  /** A password on a browser trusted at an earlier login with a second factor, whose code step it skipped (twofa's own). */
  static final List<String> AMR_PASSWORD_ON_TRUSTED_BROWSER = List.of("pwd", "mfa", "trusted_browser");
  static final String ACR_ONE_FACTOR = "1";
  static final String ACR_TWO_FACTORS = "2";

  /** How a session logged in, as amr: {@code method} is the session's second factor (null: an app code or none). */
  static List<String> amr(boolean secondFactor, String method) {
    if (!secondFactor) {
      return AMR_PASSWORD;
    }
    return switch (method == null ? "" : method) {
      case "recovery_code" -> AMR_PASSWORD_AND_RECOVERY_CODE;
      case "passkey" -> AMR_PASSWORD_AND_PASSKEY;
      case "trusted_browser" -> AMR_PASSWORD_ON_TRUSTED_BROWSER;
      case "passkey_hwk" -> List.of("pwd", "hwk", "mfa");
      case "passkey_swk" -> List.of("pwd", "swk", "mfa");
      case "passwordless_hwk" -> List.of("hwk", "user", "mfa");
      case "passwordless_swk" -> List.of("swk", "user", "mfa");
      default -> AMR_PASSWORD_AND_APP;
    };
  }

  boolean hasScope(String value) {
    return List.of(scope.split(" ")).contains(value);
  }
}
