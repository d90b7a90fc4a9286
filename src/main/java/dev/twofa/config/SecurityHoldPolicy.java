package dev.twofa.config;

import java.time.Duration;

/**
 * How long an account carries a security hold after a risky change (TWOFA_SECURITY_HOLD_HOURS: a password reset, an
 * authenticator or passkey change, "This wasn't me", a phrase change taking effect) and after the support desk
 * turned its 2FA off (TWOFA_SUPPORT_RESET_HOLD_HOURS). Zero: no hold.
 */
public record SecurityHoldPolicy(Duration afterChange, Duration afterSupportReset) {
  public SecurityHoldPolicy {
    if (afterChange.isNegative() || afterSupportReset.isNegative()) {
      throw new IllegalArgumentException("a security hold cannot be negative");
    }
  }

  /** The defaults: 24 h, and 48 h after a support reset. */
  public static final SecurityHoldPolicy DEFAULT = new SecurityHoldPolicy(Duration.ofHours(24), Duration.ofHours(48));
}
