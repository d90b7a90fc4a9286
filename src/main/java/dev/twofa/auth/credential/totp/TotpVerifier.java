package dev.twofa.auth.credential.totp;

import dev.twofa.auth.account.UserRepository;

import dev.twofa.config.TotpPolicy;
import io.vertx.ext.auth.otp.impl.org.openauthentication.otp.OneTimePasswordAlgorithm;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.OptionalLong;

/**
 * RFC 6238 codes with vertx-auth-otp's HOTP algorithm, closing the gaps of its {@code TotpAuth}: the clock is
 * injected, the previous/next steps are accepted, and a step at or before the last accepted one never matches
 * (the caller then records the step atomically, see {@link UserRepository#acceptTotpStep}).
 */
public final class TotpVerifier {
  private final TotpPolicy policy;
  private final Clock clock;

  public TotpVerifier(TotpPolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  public long currentStep() {
    return Math.floorDiv(clock.millis() / 1000, policy.periodSeconds());
  }

  public String codeAt(byte[] secret, long step) {
    try {
      return OneTimePasswordAlgorithm.generateOTP(secret, step, policy.digits(), false, -1);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }

  /**
   * The latest step in the window whose code equals {@code code} and that is later than {@code lastAcceptedStep}
   * (null when none was accepted yet). Every candidate is compared in constant time.
   */
  public OptionalLong matchingStep(byte[] secret, String code, Long lastAcceptedStep) {
    if (code == null || code.length() != policy.digits() || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalLong.empty();
    }
    byte[] given = code.getBytes(StandardCharsets.US_ASCII);
    long now = currentStep();
    long match = Long.MIN_VALUE;
    for (long step = now - policy.windowSteps(); step <= now + policy.windowSteps(); step++) {
      boolean equal = MessageDigest.isEqual(codeAt(secret, step).getBytes(StandardCharsets.US_ASCII), given);
      if (equal && (lastAcceptedStep == null || step > lastAcceptedStep)) {
        match = step;
      }
    }
    return match == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(match);
  }

  /** Codes as people type them: spaces and hyphens are ignored. */
  public static String normalize(String code) {
    return code == null ? null : code.replaceAll("[\\s-]", "");
  }
}
