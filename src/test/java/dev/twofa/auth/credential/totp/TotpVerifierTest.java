package dev.twofa.auth.credential.totp;

import dev.twofa.config.TotpPolicy;
import dev.twofa.support.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TotpVerifierTest {
  private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  /** RFC 6238 Appendix B, the SHA-1 rows (8 digits, 30 s steps). */
  @ParameterizedTest
  @CsvSource({
    "59, 94287082",
    "1111111109, 07081804",
    "1111111111, 14050471",
    "1234567890, 89005924",
    "2000000000, 69279037",
    "20000000000, 65353130"})
  void matchesTheRfc6238Vectors(long unixSeconds, String expected) {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(unixSeconds));
    TotpVerifier verifier = new TotpVerifier(new TotpPolicy("i", "a", 8, 30, 1), clock);
    assertEquals(expected, verifier.codeAt(RFC_SECRET, verifier.currentStep()));
    assertTrue(verifier.matchingStep(RFC_SECRET, expected, null).isPresent());
  }

  @Test
  void acceptsThePreviousCurrentAndNextStepOnly() {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_700_000_015L));
    TotpVerifier verifier = new TotpVerifier(new TotpPolicy("i", "a", 6, 30, 1), clock);
    long now = verifier.currentStep();
    for (long step = now - 1; step <= now + 1; step++) {
      assertEquals(step, verifier.matchingStep(RFC_SECRET, verifier.codeAt(RFC_SECRET, step), null).getAsLong());
    }
    assertFalse(verifier.matchingStep(RFC_SECRET, verifier.codeAt(RFC_SECRET, now - 2), null).isPresent());
    assertFalse(verifier.matchingStep(RFC_SECRET, verifier.codeAt(RFC_SECRET, now + 2), null).isPresent());
  }

  @Test
  void followsTheInjectedClockNotTheWallClock() {
    MutableClock clock = new MutableClock(Instant.parse("2001-01-01T00:00:00Z"));
    TotpVerifier verifier = new TotpVerifier(new TotpPolicy("i", "a", 6, 30, 1), clock);
    String code = verifier.codeAt(RFC_SECRET, verifier.currentStep());
    assertTrue(verifier.matchingStep(RFC_SECRET, code, null).isPresent());
    clock.advance(Duration.ofSeconds(90));
    assertFalse(verifier.matchingStep(RFC_SECRET, code, null).isPresent(), "two steps later the code is stale");
  }

  @Test
  void neverMatchesAStepAtOrBeforeTheLastAcceptedOne() {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_700_000_015L));
    TotpVerifier verifier = new TotpVerifier(new TotpPolicy("i", "a", 6, 30, 1), clock);
    long now = verifier.currentStep();
    String code = verifier.codeAt(RFC_SECRET, now);
    assertFalse(verifier.matchingStep(RFC_SECRET, code, now).isPresent());
    assertFalse(verifier.matchingStep(RFC_SECRET, code, now + 1).isPresent());
    assertEquals(now, verifier.matchingStep(RFC_SECRET, code, now - 1).getAsLong());
  }

  @Test
  void refusesMalformedCodes() {
    TotpVerifier verifier = new TotpVerifier(new TotpPolicy("i", "a", 6, 30, 1), new MutableClock(Instant.EPOCH));
    for (String code : new String[] {null, "", "12345", "1234567", "12a456", "１２３４５６"}) {
      assertFalse(verifier.matchingStep(RFC_SECRET, code, null).isPresent(), String.valueOf(code));
    }
    assertEquals("123456", TotpVerifier.normalize(" 123 456 "));
    assertEquals("123456", TotpVerifier.normalize("123-456"));
  }
}
