package dev.twofa.config;

import java.time.Duration;

/** Limits of the two-step login. */
public record LoginPolicy(
  Duration pendingLoginTtl,
  int pendingLoginMaxFailures,
  ThrottlePolicy secondFactor,
  ThrottlePolicy passwordPerAccount,
  ThrottlePolicy passwordPerAddress) {
}
