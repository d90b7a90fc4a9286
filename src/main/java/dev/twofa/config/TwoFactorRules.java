package dev.twofa.config;

import java.time.Duration;
import java.util.Locale;

/**
 * What the server asks of second factors beyond the login itself: how long a browser the user trusted skips the
 * code step (zero: the option is off), and who must turn 2FA on ({@code requirement}) within how long of the rule
 * first applying to them ({@code grace}).
 */
public record TwoFactorRules(Duration trustedBrowser, Requirement requirement, Duration grace) {

  /** Who must have 2FA on: nobody, accounts with the support role, or everybody. */
  public enum Requirement {
    NONE, STAFF, ALL;

    static Requirement parse(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The defaults and limits of TWOFA_TRUSTED_BROWSER_DAYS, TWOFA_REQUIRE_2FA and TWOFA_REQUIRE_2FA_GRACE_DAYS. */
  static TwoFactorRules from(Settings s) {
    return new TwoFactorRules(
      Duration.ofDays(s.integer("TRUSTED_BROWSER_DAYS", 30, 0, 365)),
      Requirement.parse(s.choice("REQUIRE_2FA", "staff", "none", "staff", "all")),
      Duration.ofDays(s.integer("REQUIRE_2FA_GRACE_DAYS", 14, 0, 365)));
  }

  public boolean trustedBrowsersOn() {
    return !trustedBrowser.isZero();
  }
}
