package dev.twofa.config;

import java.time.Duration;

/**
 * Limits and lifetimes of logins and account actions.
 * Password failures count per (account, client address), so a stranger failing from one address cannot lock
 * the owner out of another; per account across all addresses with a much higher ceiling (NIST SP 800-63B's
 * 100); and per client address. A signed-in user's password re-checks count per session, not against logins.
 */
public record LoginPolicy(
  Duration pendingLoginTtl,
  int pendingLoginMaxFailures,
  ThrottlePolicy secondFactor,
  ThrottlePolicy passwordPerAccountAndAddress,
  ThrottlePolicy passwordPerAccount,
  ThrottlePolicy passwordPerAddress,
  ThrottlePolicy passwordPerSession,
  ThrottlePolicy loginsPerAddress,
  ThrottlePolicy signupsPerAddress,
  Duration stepUpValidity,
  ThrottlePolicy supportResetsPerStaff,
  int maxSessionsPerUser,
  // How long a pending login is kept once "Ask support to turn off 2FA" is open (writing takes longer than a code).
  Duration supportFormTtl) {
}
